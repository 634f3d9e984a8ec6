// The seedable generator: reproducibility, agreement with an independent implementation of the
// documented algorithm (splitmix32 seeding + xoshiro128**), and loose statistical checks.

import { describe, expect, it } from "vitest";
import { Rng, manualSeed, rand, randn } from "../../src/index.js";

/*
 * Reference values, computed with this independent Python implementation (python3, arbitrary-
 * precision integers masked to 32 bits) of the algorithm documented in src/engine/random.ts:
 *
 *   M = 0xFFFFFFFF
 *   def rotl(x, k): return ((x << k) | (x >> (32 - k))) & M
 *   def seed_state(seed):                      # splitmix32: Weyl step + murmur3 finaliser
 *       x = (seed ^ 0x9e3779b9) & M; out = []
 *       for _ in range(4):
 *           x = (x + 0x9e3779b9) & M; z = x
 *           z = ((z ^ (z >> 16)) * 0x85ebca6b) & M
 *           z = ((z ^ (z >> 13)) * 0xc2b2ae35) & M
 *           out.append((z ^ (z >> 16)) & M)
 *       return out
 *   def outputs(seed, n):                      # xoshiro128**
 *       s = seed_state(seed); res = []
 *       for _ in range(n):
 *           res.append((rotl((s[1] * 5) & M, 7) * 9) & M)
 *           t = (s[1] << 9) & M
 *           s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11)
 *       return res
 *   # uniform() = ((u0 >> 5) * 2**26 + (u1 >> 6)) / 2**53 from two consecutive outputs
 */
const REFERENCE: Record<number, { uint32: number[]; uniform: number[] }> = {
  0: {
    uint32: [1292791899, 1284423797, 2013314966, 3703690653, 3710537375, 750763077],
    uniform: [0.30100156589637106, 0.46876142071435356, 0.8639267994076062],
  },
  42: {
    uint32: [3704290710, 166753127, 957952423, 1464233848, 469586928, 2328421194],
    uniform: [0.8624723854573461, 0.2230406801471002, 0.10933422701155993],
  },
};

describe("Rng", () => {
  it.each([0, 42])("seed %i reproduces the reference xoshiro128** outputs", (seed) => {
    const rng = new Rng(seed);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual(REFERENCE[seed]!.uint32);
    const rng2 = new Rng(seed);
    expect(Array.from({ length: 3 }, () => rng2.uniform())).toEqual(REFERENCE[seed]!.uniform);
  });

  it("the same seed gives the same numbers; different seeds differ", () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return [r.uniform(), r.normal(), r.normal(), r.int(1000), r.uniform()];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(new Rng().uniform()).toBe(new Rng(0).uniform());
  });

  it("fork() gives a reproducible stream different from the parent's", () => {
    const p1 = new Rng(3);
    const p2 = new Rng(3);
    const c1 = p1.fork();
    const c2 = p2.fork();
    const a = [c1.uniform(), c1.uniform()];
    expect([c2.uniform(), c2.uniform()]).toEqual(a);
    expect([p1.uniform(), p1.uniform()]).not.toEqual(a);
  });

  it("uniform() lies in [0, 1) with mean 1/2 and variance 1/12 (10⁵ samples)", () => {
    const x = new Rng(123).fillUniform(new Float64Array(100_000));
    const [m, v] = meanVar(x);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    // standard errors: 0.29/√n ≈ 9e-4 for the mean, ≈ 2.4e-4 for the variance
    expect(Math.abs(m - 0.5)).toBeLessThan(5e-3);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(2e-3);
  });

  it("normal() has mean 0, variance 1 and normal tails (10⁵ samples)", () => {
    const x = new Rng(321).fillNormal(new Float64Array(100_000));
    const [m, v] = meanVar(x);
    expect(Math.abs(m)).toBeLessThan(0.015);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    // P(|Z| > 1.96) = 0.05
    const tail = x.filter((z) => Math.abs(z) > 1.96).length / x.length;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.005);
  });

  it("int(n) covers 0..n−1 evenly", () => {
    const rng = new Rng(5);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});

describe("rand / randn", () => {
  it("manualSeed makes the default generator reproducible", () => {
    manualSeed(99);
    const a = rand([3, 2]);
    const b = randn([4]);
    manualSeed(99);
    expect(rand([3, 2]).toArray()).toEqual(a.toArray());
    expect(randn([4]).toArray()).toEqual(b.toArray());
    manualSeed(100);
    expect(rand([3, 2]).toArray()).not.toEqual(a.toArray());
  });

  it("an explicit rng gives the generator's own numbers", () => {
    const t = rand([3], { rng: new Rng(42) });
    expect(Array.from(t.data)).toEqual(REFERENCE[42]!.uniform);
  });

  it("rand honours [low, high) and randn mean/std (10⁵ samples)", () => {
    const u = rand([100_000], { rng: new Rng(1), low: -2, high: 4 });
    const [mu, vu] = meanVar(u.data);
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u.data)).toBeLessThan(4);
    expect(Math.abs(mu - 1)).toBeLessThan(0.03);
    expect(Math.abs(vu - 3)).toBeLessThan(0.06); // (high − low)²/12
    const n = randn([100_000], { rng: new Rng(2), mean: 5, std: 0.5 });
    const [mn, vn] = meanVar(n.data);
    expect(Math.abs(mn - 5)).toBeLessThan(0.01);
    expect(Math.abs(vn - 0.25)).toBeLessThan(0.01);
    expect(rand([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});

function meanVar(x: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return [m, v / x.length];
}
