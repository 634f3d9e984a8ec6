// Shapes and regions against numbers computed independently: areas and volumes by formula vs the
// Monte-Carlo fraction of the bounding box that `contains` accepts, perimeters and boundary-part
// lengths by elementary geometry, normals from the analytic gradient of each shape.

import { describe, expect, it } from "vitest";
import { Rng } from "../../src/engine/random.js";
import { Ball, Box3, Cylinder, Disk, Ellipse, Polygon, Rectangle, ShapeError, type Shape } from "../../src/geometry/shapes.js";
import { Region, type RegionNode } from "../../src/geometry/region.js";
import { BoxDomain, RegionDomain } from "../../src/geometry/domain.js";

const leaf = (name: string, shape: Shape): RegionNode => ({ kind: "shape", name, shape });
const op = (kind: "union" | "difference" | "intersection", left: RegionNode, right: RegionNode): RegionNode => ({ kind, left, right });

/** Monte-Carlo volume: the fraction of n uniform bounding-box points inside × the box's volume. */
function mcVolume(r: { bbox: { lo: readonly number[]; hi: readonly number[] }; contains(p: ArrayLike<number>): boolean }, n: number, seed: number): number {
  const rng = new Rng(seed);
  const d = r.bbox.lo.length;
  const p = new Float64Array(d);
  let inside = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < d; i++) p[i] = r.bbox.lo[i]! + rng.uniform() * (r.bbox.hi[i]! - r.bbox.lo[i]!);
    if (r.contains(p)) inside++;
  }
  return (inside / n) * r.bbox.hi.reduce((v, h, i) => v * (h - r.bbox.lo[i]!), 1);
}

describe("primitive shapes", () => {
  // Standard error of a Monte-Carlo volume with n = 200000 is below 0.3% of the box here; 1% is 3σ+.
  const cases: [string, Shape, number][] = [
    ["rectangle", new Rectangle(-1, 0, 2, 0.5), 1.5],
    ["disk", new Disk(0.5, -1, 0.7), Math.PI * 0.49],
    ["ellipse", new Ellipse(0, 0, 2, 1), 2 * Math.PI],
    // L-shaped hexagon: the unit square [0,2]² minus [1,2]²: area 3 (shoelace by hand).
    ["polygon", new Polygon([0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2]), 3],
    ["box", new Box3([0, 0, 0], [1, 2, 3]), 6],
    ["ball", new Ball(0, 0, 0, 1), (4 / 3) * Math.PI],
    ["cylinder", new Cylinder(0, 0, 0.5, -1, 1), Math.PI * 0.25 * 2],
  ];
  for (const [name, shape, volume] of cases) {
    it(`${name}: Monte-Carlo area/volume matches the formula`, () => {
      expect(Math.abs(mcVolume(shape, 200000, 1) - volume) / volume).toBeLessThan(0.01);
    });
  }

  it("perimeters and surface areas by formula", () => {
    expect(new Rectangle(-1, 0, 2, 0.5).measure).toBeCloseTo(7, 12);
    expect(new Disk(0, 0, 0.7).measure).toBeCloseTo(1.4 * Math.PI, 12);
    // The perimeter of the ellipse a = 2, b = 1 is 9.688448220547675... (complete elliptic integral
    // 4a·E(e), e² = 3/4; tabulated value).
    expect(new Ellipse(0, 0, 2, 1).measure).toBeCloseTo(9.688448220547675, 10);
    expect(new Polygon([0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2]).measure).toBeCloseTo(8, 12);
    expect(new Box3([0, 0, 0], [1, 2, 3]).measure).toBeCloseTo(22, 12);
    expect(new Ball(0, 0, 0, 2).measure).toBeCloseTo(16 * Math.PI, 12);
    expect(new Cylinder(0, 0, 0.5, -1, 1).measure).toBeCloseTo(2 * Math.PI * 0.5 * 2 + 2 * Math.PI * 0.25, 12);
  });

  it("boundary samples lie on the boundary with the analytic outward unit normal", () => {
    const rng = new Rng(3);
    const shapes: Shape[] = [new Rectangle(-1, 0, 2, 0.5), new Disk(0.5, -1, 0.7), new Ellipse(1, 0, 2, 1), new Polygon([0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2]), new Polygon([0, 0, 0, 2, 2, 0]), new Box3([0, 0, 0], [1, 2, 3]), new Ball(1, 0, 0, 2), new Cylinder(0, 0, 0.5, -1, 1)];
    for (const s of shapes) {
      const p = new Float64Array(s.dim);
      const n = new Float64Array(s.dim);
      for (let k = 0; k < 200; k++) {
        s.sampleBoundary(rng, p, n);
        expect(Math.abs(s.distance(p))).toBeLessThan(1e-12);
        expect(Math.hypot(...n)).toBeCloseTo(1, 12);
        // Outward: a small step along n leaves the shape, a step against it enters.
        const out = p.map((v, i) => v + 1e-6 * n[i]!);
        const inn = p.map((v, i) => v - 1e-6 * n[i]!);
        expect(s.contains(out)).toBe(false);
        expect(s.contains(inn)).toBe(true);
      }
    }
    // Ellipse normal ∝ ((x−cx)/a², y/b²), disk normal = (p − c)/r.
    const e = new Ellipse(1, 0, 2, 1);
    const p = new Float64Array(2);
    const n = new Float64Array(2);
    e.sampleBoundary(rng, p, n);
    const g = [(p[0]! - 1) / 4, p[1]! / 1];
    expect(n[0]! * g[1]! - n[1]! * g[0]!).toBeCloseTo(0, 12);
  });

  it("boundary samples are uniform by arc length (rectangle: each side's share is its length over the perimeter)", () => {
    const r = new Rectangle(0, 0, 3, 1);
    const rng = new Rng(5);
    const p = new Float64Array(2);
    const n = new Float64Array(2);
    let bottom = 0;
    const N = 40000;
    for (let k = 0; k < N; k++) {
      r.sampleBoundary(rng, p, n);
      if (n[1] === -1) bottom++;
    }
    // Expected share 3/8; binomial σ = √(3/8·5/8/N) ≈ 0.0024.
    expect(Math.abs(bottom / N - 3 / 8)).toBeLessThan(0.01);
  });

  it("invalid arguments are refused with a reason", () => {
    expect(() => new Disk(0, 0, -1)).toThrow(ShapeError);
    expect(() => new Rectangle(1, 0, 0, 1)).toThrow(/x0 = 1 must be less than x1 = 0/);
    expect(() => new Polygon([0, 0, 2, 2, 2, 0, 0, 1])).toThrow(/cross/);
    expect(() => new Polygon([0, 0, 1, 1])).toThrow(/three vertices/);
    expect(() => new Polygon([0, 0, 1, 1, 2, 2])).toThrow(/zero area/);
    // A bow-tie (0,0)→(1,1)→(1,0)→(0,1): its edges (0,0)–(1,1) and (1,0)–(0,1) cross at (½, ½), and its two
    // triangles' signed areas (+¼, −¼) cancel — the crossing is the reason to give, not collinearity.
    expect(() => new Polygon([0, 0, 1, 1, 1, 0, 0, 1])).toThrow(/edges cross/);
  });
});

describe("regions (CSG) and their boundary parts", () => {
  const rng = new Rng(11);

  it("annulus: area by Monte Carlo, each circle a boundary part of its own length, hole normals point inward", () => {
    const region = new Region(op("difference", leaf("outer", new Disk(0, 0, 1)), leaf("inner", new Disk(0, 0, 0.5))));
    expect(Math.abs(mcVolume(region, 200000, 2) - Math.PI * 0.75) / (Math.PI * 0.75)).toBeLessThan(0.01);
    expect(Math.abs(region.partMeasure("outer", rng, 20000) - 2 * Math.PI)).toBeLessThan(1e-9);
    expect(Math.abs(region.partMeasure("inner", rng, 20000) - Math.PI)).toBeLessThan(1e-9);
    const { points, normals } = region.sampleBoundary("inner", 100, rng);
    for (let k = 0; k < 100; k++) {
      // Outward from the annulus on the hole is towards the centre: n = −p/|p|.
      expect(normals[2 * k]!).toBeCloseTo(-points[2 * k]! / 0.5, 10);
      expect(normals[2 * k + 1]!).toBeCloseTo(-points[2 * k + 1]! / 0.5, 10);
    }
    // The whole boundary: 2π + π, with about a third of the points on the hole.
    const whole = region.sampleBoundary(null, 6000, rng);
    let onHole = 0;
    for (let k = 0; k < 6000; k++) if (Math.hypot(whole.points[2 * k]!, whole.points[2 * k + 1]!) < 0.75) onHole++;
    expect(Math.abs(onHole / 6000 - 1 / 3)).toBeLessThan(0.025);
  });

  it("L-shape cut flush from a square: the removed edges are not boundary, the notch has length 2", () => {
    // [-1,1]² minus [0,1]²: outer part = 8 − 2 (two unit edges removed with the corner) = 6; notch = 2.
    const region = new Region(op("difference", leaf("square", new Rectangle(-1, -1, 1, 1)), leaf("notch", new Rectangle(0, 0, 1, 1))));
    expect(region.partMeasure("square", new Rng(1), 40000)).toBeCloseTo(6, 1);
    expect(region.partMeasure("notch", new Rng(2), 40000)).toBeCloseTo(2, 1);
    expect(region.partMeasure(null, new Rng(3), 40000)).toBeCloseTo(8, 1);
    const { points, normals } = region.sampleBoundary("notch", 200, rng);
    for (let k = 0; k < 200; k++) {
      const [x, y] = [points[2 * k]!, points[2 * k + 1]!];
      // On the notch's left edge (x = 0, y > 0) the region's outward normal is +x; on its bottom (y = 0, x > 0) it is +y.
      if (x === 0) expect([normals[2 * k], normals[2 * k + 1]]).toEqual([1, -0]);
      else expect(y).toBe(0);
    }
  });

  it("union of two overlapping disks: boundary length 2·(2π − 2π/3) (each loses an arc of angle 2π/3)", () => {
    const region = new Region(op("union", leaf("a", new Disk(0, 0, 1)), leaf("b", new Disk(1, 0, 1))));
    const len = region.partMeasure(null, new Rng(4), 100000);
    expect(Math.abs(len - (8 * Math.PI) / 3) / ((8 * Math.PI) / 3)).toBeLessThan(0.01);
    // A disk inside another and added to it has an empty boundary part.
    const inner = new Region(op("union", leaf("big", new Disk(0, 0, 1)), leaf("small", new Disk(0, 0, 0.3))));
    expect(inner.acceptance("small", new Rng(5))).toBe(0);
    expect(() => inner.sampleBoundary("small", 1, new Rng(5))).toThrow(/empty or too small/);
  });

  it("intersection and 3-D difference: volumes by formula", () => {
    // Square [0,1]² ∩ disk(0, 0, 1): a quarter disk, area π/4.
    const quarter = new Region(op("intersection", leaf("s", new Rectangle(0, 0, 1, 1)), leaf("d", new Disk(0, 0, 1))));
    expect(Math.abs(mcVolume(quarter, 200000, 6) - Math.PI / 4) / (Math.PI / 4)).toBeLessThan(0.01);
    // Unit cube minus a ball of radius 0.25 at its centre: 1 − (4/3)π/64.
    const holed = new Region(op("difference", leaf("cube", new Box3([0, 0, 0], [1, 1, 1])), leaf("ball", new Ball(0.5, 0.5, 0.5, 0.25))));
    const v = 1 - ((4 / 3) * Math.PI) / 64;
    expect(Math.abs(mcVolume(holed, 200000, 7) - v) / v).toBeLessThan(0.01);
    expect(Math.abs(holed.partMeasure("ball", new Rng(8), 5000) - 4 * Math.PI * 0.0625)).toBeLessThan(1e-9);
  });

  it("signed distance: exact for a primitive, right sign for combinations", () => {
    const annulus = new Region(op("difference", leaf("outer", new Disk(0, 0, 1)), leaf("inner", new Disk(0, 0, 0.5))));
    expect(annulus.distance([0.75, 0])).toBeCloseTo(-0.25, 12);
    expect(annulus.distance([0.1, 0])).toBeCloseTo(0.4, 12);
    expect(annulus.distance([2, 0])).toBeCloseTo(1, 12);
    expect(new Polygon([0, 0, 2, 0, 0, 2]).distance([0.5, 0.5])).toBeCloseTo(-0.5, 12);
  });
});

describe("domains", () => {
  it("region × time: interior points inside the region, exact counts, t over its interval", () => {
    const region = new Region(leaf("tri", new Polygon([0, 0, 1, 0, 0, 1])));
    const domain = new RegionDomain([[0, 1], [0, 1], [0, 2]], [0, 1], region);
    for (const method of ["random", "lhs", "sobol"] as const) {
      const s = domain.sampler([{ free: true }, { free: true }, { free: true }], 100, method, new Rng(1));
      const pts = s.next();
      expect(pts.length).toBe(300);
      for (let k = 0; k < 100; k++) expect(pts[3 * k]! + pts[3 * k + 1]!).toBeLessThanOrEqual(1);
    }
    // Initial condition at t = 0: t fixed, x, y inside the triangle.
    const ic = domain.sampler([{ free: true }, { free: true }, { free: false, value: 0 }], 50, "random", new Rng(2)).next();
    for (let k = 0; k < 50; k++) expect(ic[3 * k + 2]).toBe(0);
    // The uniform grid keeps its points inside. In the triangle x + y ≤ 1.05 (no cell centre on the
    // edge), centres ((i + ½)/10, (j + ½)/10) are inside iff i + j ≤ 9: 55 of 100, times 10 in t.
    const wide = new RegionDomain([[0, 1], [0, 1], [0, 2]], [0, 1], new Region(leaf("tri", new Polygon([0, 0, 1.05, 0, 0, 1.05]))));
    const grid = wide.sampler([{ free: true }, { free: true }, { free: true }], 1000, "uniform", new Rng(3));
    expect(grid.count).toBe(550);
    const b = domain.boundarySampler("tri", 64, new Rng(4)).next();
    expect(b.points.length).toBe(64 * 3);
    expect(b.normals.length).toBe(64 * 2);
    for (let k = 0; k < 64; k++) expect(b.points[3 * k + 2]!).toBeGreaterThanOrEqual(0);
  });

  it("evaluation grid: the inside mask counts the grid points in the region", () => {
    const region = new Region(leaf("d", new Disk(0, 0, 1)));
    const g = new RegionDomain([[-1, 1], [-1, 1]], [0, 1], region).grid([5, 5]);
    // Grid −1, −0.5, 0, 0.5, 1 per axis: points with x² + y² ≤ 1 — counted by hand: 13.
    expect(g.inside!.reduce((a, b) => a + b, 0)).toBe(13);
    expect(new BoxDomain([[0, 1]]).grid([3]).inside).toBeNull();
  });
});
