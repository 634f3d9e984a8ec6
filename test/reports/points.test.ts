import { describe, expect, it } from "vitest";
import { decimateMinMax, sortByX, toPoints, yRange, type XY } from "../../src/reports/points.js";

describe("toPoints", () => {
  it("drops non-finite x, keeps non-finite y as NaN gaps", () => {
    const { points, drawable } = toPoints([0, NaN, 2, 3, Infinity], [1, 2, NaN, -Infinity, 5]);
    expect(points).toEqual([
      { x: 0, y: 1 },
      { x: 2, y: NaN },
      { x: 3, y: NaN },
    ]);
    expect(drawable).toBe(1);
  });
  it("drops non-positive y on a log axis", () => {
    const { points, drawable } = toPoints([0, 1, 2, 3], [1e-3, 0, -2, 4], true);
    expect(points).toEqual([
      { x: 0, y: 1e-3 },
      { x: 3, y: 4 },
    ]);
    expect(drawable).toBe(2);
  });
  it("throws on mismatched lengths", () => {
    expect(() => toPoints([1, 2], [1])).toThrow(/2 x values but 1 y values/);
  });
});

describe("sortByX", () => {
  it("orders points by x", () => {
    expect(sortByX([{ x: 2, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 2 }]).map((p) => p.x)).toEqual([0, 1, 2]);
  });
});

describe("decimateMinMax", () => {
  // A reference that checks the defining property independently: for every bucket the kept
  // points include the bucket's first, last, smallest-y and largest-y points.
  function bucketsOf(points: XY[], buckets: number): XY[][] {
    const x0 = points[0]!.x;
    const span = points[points.length - 1]!.x - x0;
    const out: XY[][] = Array.from({ length: buckets }, () => []);
    for (const p of points) out[Math.min(buckets - 1, Math.floor(((p.x - x0) / span) * buckets))]!.push(p);
    return out.filter((b) => b.length > 0);
  }

  it("keeps the extremes, first and last point of every bucket and shrinks the series", () => {
    const n = 20_000;
    const points: XY[] = Array.from({ length: n }, (_, i) => ({ x: i, y: Math.sin(i * 0.37) * Math.exp(-i / 5000) }));
    const kept = decimateMinMax(points, 500);
    expect(kept.length).toBeLessThanOrEqual(4 * 500);
    expect(kept.length).toBeGreaterThan(500);
    const keptSet = new Set(kept);
    for (const b of bucketsOf(points, 500)) {
      const ys = b.map((p) => p.y);
      expect(keptSet.has(b[0]!)).toBe(true);
      expect(keptSet.has(b[b.length - 1]!)).toBe(true);
      expect(b.some((p) => p.y === Math.min(...ys) && keptSet.has(p))).toBe(true);
      expect(b.some((p) => p.y === Math.max(...ys) && keptSet.has(p))).toBe(true);
    }
    // Order is preserved.
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.x).toBeGreaterThan(kept[i - 1]!.x);
  });

  it("keeps a gap (NaN) that falls inside a bucket", () => {
    const points: XY[] = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i === 503 ? NaN : i }));
    const kept = decimateMinMax(points, 10);
    expect(kept.some((p) => Number.isNaN(p.y) && p.x === 503)).toBe(true);
  });

  it("leaves short or unsorted series unchanged", () => {
    const short: XY[] = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
    expect(decimateMinMax(short, 100)).toBe(short);
    const unsorted: XY[] = Array.from({ length: 1000 }, (_, i) => ({ x: (i * 7919) % 1000, y: i }));
    expect(decimateMinMax(unsorted, 10)).toBe(unsorted);
  });
});

describe("yRange", () => {
  it("ignores non-finite values and, when asked, non-positive ones", () => {
    const s: XY[][] = [[{ x: 0, y: -3 }, { x: 1, y: NaN }], [{ x: 0, y: 0.5 }, { x: 1, y: 7 }]];
    expect(yRange(s)).toEqual({ min: -3, max: 7 });
    expect(yRange(s, true)).toEqual({ min: 0.5, max: 7 });
    expect(yRange([[{ x: 0, y: NaN }]])).toBeUndefined();
  });
});
