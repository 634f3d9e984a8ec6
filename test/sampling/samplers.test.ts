import { afterEach, describe, expect, test, vi } from "vitest";
import { Rng } from "../../src/engine/random.js";
import { createSampler, gridPointsPerAxis, SAMPLING_METHODS, type SamplingMethod } from "../../src/sampling/samplers.js";
import { SobolSequence } from "../../src/sampling/sobol.js";
import type { Box } from "../../src/geometry/box.js";

const BOXES: Box[] = [
  { lo: [-1], hi: [2] },
  { lo: [0, -3], hi: [1, 0.5] },
  { lo: [-1, 0, 10], hi: [1, 5, 10.25] },
];

afterEach(() => {
  vi.restoreAllMocks();
});

function expectInBox(points: Float64Array, count: number, box: Box): void {
  const d = box.lo.length;
  expect(points.length).toBe(count * d);
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < d; j++) {
      const v = points[k * d + j]!;
      expect(v).toBeGreaterThanOrEqual(box.lo[j]!);
      expect(v).toBeLessThanOrEqual(box.hi[j]!);
    }
  }
}

describe("all methods", () => {
  test("SAMPLING_METHODS lists the four methods", () => {
    expect([...SAMPLING_METHODS]).toEqual(["random", "uniform", "lhs", "sobol"]);
  });

  test.each(SAMPLING_METHODS)("%s: shape, bounds and metadata in 1, 2 and 3 dimensions", (method) => {
    for (const box of BOXES) {
      const d = box.lo.length;
      const s = createSampler(method, 27, box, new Rng(1));
      expect(s.dim).toBe(d);
      expect(s.fixed).toBe(method === "uniform");
      // uniform: n = round(27^(1/d)) per axis → 27, 5² = 25, 3³ = 27.
      expect(s.count).toBe(method === "uniform" ? [27, 25, 27][d - 1] : 27);
      for (let call = 0; call < 3; call++) expectInBox(s.next(), s.count, box);
    }
  });

  test.each(SAMPLING_METHODS)("%s: same seed gives identical points, call after call", (method) => {
    for (const box of BOXES) {
      const a = createSampler(method, 16, box, new Rng(42));
      const b = createSampler(method, 16, box, new Rng(42));
      for (let call = 0; call < 3; call++) expect(b.next()).toEqual(a.next());
    }
  });

  test.each(SAMPLING_METHODS.filter((m) => m !== "uniform"))("%s: different seeds give different points", (method) => {
    for (const box of BOXES) {
      const a = createSampler(method, 16, box, new Rng(42)).next();
      const b = createSampler(method, 16, box, new Rng(43)).next();
      expect(b).not.toEqual(a);
    }
  });

  test.each(SAMPLING_METHODS.filter((m) => m !== "uniform"))("%s: resamples on every call", (method) => {
    for (const box of BOXES) {
      const s = createSampler(method, 16, box, new Rng(5));
      const first = s.next();
      const second = s.next();
      expect(second).not.toEqual(first);
    }
  });

  test.each(SAMPLING_METHODS)("%s: draws randomness only from the given Rng", (method) => {
    const spy = vi.spyOn(Math, "random");
    const s = createSampler(method, 10, BOXES[1]!, new Rng(3));
    s.next();
    s.next();
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("validation", () => {
  const box = BOXES[1]!;
  test("unknown method names the value and the choices", () => {
    expect(() => createSampler("halton" as SamplingMethod, 10, box, new Rng(0))).toThrow(
      /unknown sampling method "halton"; expected one of: random, uniform, lhs, sobol/,
    );
  });

  test("count must be a positive integer", () => {
    for (const bad of [0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createSampler("random", bad, box, new Rng(0))).toThrow(
        new RegExp(`count must be a positive integer, got ${String(bad)}`),
      );
    }
  });

  test("box must be non-empty with finite lo < hi", () => {
    const r = new Rng(0);
    expect(() => createSampler("lhs", 4, { lo: [], hi: [] }, r)).toThrow(/at least one dimension/);
    expect(() => createSampler("lhs", 4, { lo: [0, 0], hi: [1] }, r)).toThrow(/box.lo has 2 entries but box.hi has 1/);
    expect(() => createSampler("lhs", 4, { lo: [0, 3], hi: [1, 1] }, r)).toThrow(/lo\[1\] = 3, hi\[1\] = 1/);
    expect(() => createSampler("lhs", 4, { lo: [2], hi: [2] }, r)).toThrow(/lo\[0\] < hi\[0\]/);
    expect(() => createSampler("lhs", 4, { lo: [0], hi: [Number.POSITIVE_INFINITY] }, r)).toThrow(/finite/);
  });

  test("sobol supports at most 8 dimensions", () => {
    const lo = new Array<number>(9).fill(0);
    const hi = new Array<number>(9).fill(1);
    expect(() => createSampler("sobol", 4, { lo, hi }, new Rng(0))).toThrow(/at most 8 dimensions, got a 9-dimensional/);
    expect(createSampler("sobol", 4, { lo: lo.slice(1), hi: hi.slice(1) }, new Rng(0)).next().length).toBe(32);
  });
});

describe("uniform grid", () => {
  test("points per axis n = max(1, round(count^(1/d)))", () => {
    expect(gridPointsPerAxis(7, 1)).toBe(7);
    expect(gridPointsPerAxis(10, 2)).toBe(3); // √10 ≈ 3.16
    expect(gridPointsPerAxis(13, 2)).toBe(4); // √13 ≈ 3.61
    expect(gridPointsPerAxis(2, 2)).toBe(1); // √2 ≈ 1.41
    expect(gridPointsPerAxis(64, 3)).toBe(4); // 64^(1/3) evaluates to 3.9999999999999996
    expect(gridPointsPerAxis(125, 3)).toBe(5);
    expect(gridPointsPerAxis(1000, 3)).toBe(10);
    expect(gridPointsPerAxis(1, 3)).toBe(1);
  });

  test("1-D: cell centres lo + (i + 1/2)(hi - lo)/n, no point on the boundary", () => {
    const s = createSampler("uniform", 4, { lo: [0], hi: [2] }, new Rng(0));
    expect(s.count).toBe(4);
    expect(Array.from(s.next())).toEqual([0.25, 0.75, 1.25, 1.75]);
  });

  test("2-D: n² cell centres, first dimension varying slowest", () => {
    const s = createSampler("uniform", 10, { lo: [0, 0], hi: [3, 6] }, new Rng(0));
    expect(s.count).toBe(9);
    const xs = [0.5, 1.5, 2.5];
    const ys = [1, 3, 5];
    const expected = xs.flatMap((x) => ys.flatMap((y) => [x, y]));
    expect(Array.from(s.next())).toEqual(expected);
  });

  test("3-D: n³ cell centres", () => {
    const box = { lo: [-1, 0, 2], hi: [1, 4, 3] };
    const s = createSampler("uniform", 30, box, new Rng(0));
    expect(s.count).toBe(27);
    const pts = s.next();
    const centres = [
      [-2 / 3, 0, 2 / 3],
      [2 / 3, 2, 10 / 3],
      [2 + 1 / 6, 2.5, 2 + 5 / 6],
    ];
    let k = 0;
    for (const x of centres[0]!) {
      for (const y of centres[1]!) {
        for (const z of centres[2]!) {
          expect(pts[3 * k]).toBeCloseTo(x, 14);
          expect(pts[3 * k + 1]).toBeCloseTo(y, 14);
          expect(pts[3 * k + 2]).toBeCloseTo(z, 14);
          k++;
        }
      }
    }
    expect(k).toBe(27);
    for (let i = 0; i < pts.length; i++) {
      const j = i % 3;
      expect(pts[i]).toBeGreaterThan(box.lo[j]!);
      expect(pts[i]).toBeLessThan(box.hi[j]!);
    }
  });

  test("one point: the centre of the box", () => {
    const s = createSampler("uniform", 2, { lo: [0, -2], hi: [1, 2] }, new Rng(0));
    expect(s.count).toBe(1);
    expect(Array.from(s.next())).toEqual([0.5, 0]);
  });

  test("same points every call, each call a fresh copy", () => {
    const s = createSampler("uniform", 16, { lo: [0, 0], hi: [1, 1] }, new Rng(0));
    const a = s.next();
    const copy = a.slice();
    a.fill(-7);
    expect(s.next()).toEqual(copy);
    expect(createSampler("uniform", 16, { lo: [0, 0], hi: [1, 1] }, new Rng(99)).next()).toEqual(copy);
  });
});

describe("latin hypercube", () => {
  test("exactly one point per stratum in every dimension, on every call", () => {
    for (const box of BOXES) {
      const d = box.lo.length;
      for (const count of [1, 7, 50]) {
        const s = createSampler("lhs", count, box, new Rng(count + d));
        for (let call = 0; call < 3; call++) {
          const pts = s.next();
          for (let j = 0; j < d; j++) {
            const hits = new Array<number>(count).fill(0);
            const w = box.hi[j]! - box.lo[j]!;
            for (let k = 0; k < count; k++) hits[Math.floor(((pts[k * d + j]! - box.lo[j]!) / w) * count)]!++;
            expect(hits).toEqual(new Array<number>(count).fill(1));
          }
        }
      }
    }
  });

  test("strata are paired differently across dimensions (independent permutations)", () => {
    const count = 20;
    const pts = createSampler("lhs", count, { lo: [0, 0], hi: [1, 1] }, new Rng(8)).next();
    let sameStratum = 0;
    for (let k = 0; k < count; k++) {
      if (Math.floor(pts[2 * k]! * count) === Math.floor(pts[2 * k + 1]! * count)) sameStratum++;
    }
    expect(sameStratum).toBeLessThan(count); // identical permutations would put every point on the diagonal
  });
});

describe("sobol sampler", () => {
  test("is the Sobol' sequence from point 1 on, digitally shifted by rng.nextUint32() per dimension, scaled to the box", () => {
    const seed = 11;
    const box = { lo: [-1, 2], hi: [3, 2.5] };
    const pts = createSampler("sobol", 8, box, new Rng(seed)).next();
    const draw = new Rng(seed);
    const shift = [draw.nextUint32(), draw.nextUint32()];
    // Unshifted points 1..7 from the hand derivation in sobol.test.ts; point 8 has g(8) = 12 = 0b1100,
    // so it is v_3 ⊕ v_4 = (.001 ⊕ .0001, .101 ⊕ .1111) = (.0011, .0101) = (3/16, 5/16).
    const plain = [
      [0.5, 0.5], [0.75, 0.25], [0.25, 0.75], [0.375, 0.375],
      [0.875, 0.875], [0.625, 0.125], [0.125, 0.625], [0.1875, 0.3125],
    ];
    for (let k = 0; k < 8; k++) {
      for (let j = 0; j < 2; j++) {
        const unit = ((plain[k]![j]! * 2 ** 32) ^ shift[j]!) >>> 0;
        const expected = box.lo[j]! + (box.hi[j]! - box.lo[j]!) * (unit / 2 ** 32);
        expect(pts[2 * k + j]).toBe(expected);
      }
    }
  });

  test("successive calls continue the sequence", () => {
    const box = BOXES[2]!;
    const s = createSampler("sobol", 5, box, new Rng(4));
    const joined = new Float64Array(30);
    joined.set(s.next(), 0);
    joined.set(s.next(), 15);
    expect(joined).toEqual(createSampler("sobol", 10, box, new Rng(4)).next());
  });

  test("integrates a smooth function far better than random points (∫ sin πx sin πy = 4/π²)", () => {
    const exact = 4 / Math.PI ** 2;
    const f = (x: number, y: number): number => Math.sin(Math.PI * x) * Math.sin(Math.PI * y);
    const meanError = (method: SamplingMethod, seed: number): number => {
      const pts = createSampler(method, 1024, { lo: [0, 0], hi: [1, 1] }, new Rng(seed)).next();
      let acc = 0;
      for (let k = 0; k < 1024; k++) acc += f(pts[2 * k]!, pts[2 * k + 1]!);
      return acc / 1024 - exact;
    };
    const rms = (method: SamplingMethod): number => {
      let s2 = 0;
      for (let seed = 0; seed < 20; seed++) s2 += meanError(method, seed) ** 2;
      return Math.sqrt(s2 / 20);
    };
    // Monte Carlo RMS error is σ/√N with σ² = E f² − (E f)² = 1/4 − 16/π⁴, i.e. ≈ 0.00915 for N = 1024.
    const mcRms = Math.sqrt(0.25 - 16 / Math.PI ** 4) / 32;
    const randomRms = rms("random");
    const sobolRms = rms("sobol");
    expect(randomRms).toBeGreaterThan(mcRms / 2);
    expect(randomRms).toBeLessThan(mcRms * 2);
    expect(sobolRms).toBeLessThan(mcRms / 10);
    expect(sobolRms).toBeLessThan(randomRms / 10);
  });

  test("equals SobolSequence points 1..n with the shift drawn from the same seed", () => {
    const seed = 2;
    const pts = createSampler("sobol", 16, { lo: [0, 0, 0], hi: [1, 1, 1] }, new Rng(seed));
    const draw = new Rng(seed);
    const shift = [draw.nextUint32(), draw.nextUint32(), draw.nextUint32()];
    const seq = new SobolSequence(3, shift);
    seq.seek(1);
    const p = new Float64Array(3);
    const got = pts.next();
    for (let k = 0; k < 16; k++) {
      seq.next(p);
      expect(Array.from(got.subarray(3 * k, 3 * k + 3))).toEqual(Array.from(p));
    }
  });
});
