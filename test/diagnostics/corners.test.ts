// Re-entrant corners (src/diagnostics/corners.ts): found from the region's straight edges, with
// their interior angles, and the weight min(1, r/ℓ) near them; the verdict's warning blames a
// residual that peaks at such a corner on it. Expected corners and angles are the geometry's,
// worked out by hand in each comment.

import { describe, expect, it } from "vitest";
import { Disk, Polygon, Rectangle, type Shape } from "../../src/geometry/shapes.js";
import { Region, type RegionNode } from "../../src/geometry/region.js";
import { RegionDomain } from "../../src/geometry/domain.js";
import { cornerWeights, interiorAngle, reentrantCorners } from "../../src/diagnostics/corners.js";
import { verdict } from "../../src/diagnostics/verdict.js";
import type { ResidualDiagnostics, ResidualStat } from "../../src/diagnostics/residuals.js";
import type { TrainResult } from "../../src/training/trainer.js";

const leaf = (name: string, shape: Shape): RegionNode => ({ kind: "shape", name, shape });
const op = (kind: "union" | "difference" | "intersection", left: RegionNode, right: RegionNode): RegionNode => ({ kind, left, right });

describe("re-entrant corners", () => {
  it("the L-shape (square minus its lower-right quadrant): one corner at the origin, 270°, ℓ = 1", () => {
    const region = new Region(op("difference", leaf("square", new Rectangle(-1, -1, 1, 1)), leaf("notch", new Rectangle(0, -1, 1, 0))));
    const corners = reentrantCorners(region);
    expect(corners).toHaveLength(1);
    expect(corners[0]!.at[0]).toBeCloseTo(0, 12);
    expect(corners[0]!.at[1]).toBeCloseTo(0, 12);
    // 3π/2, to the probe's resolution (2π/720).
    expect(corners[0]!.angle).toBeCloseTo((3 * Math.PI) / 2, 2);
    // The nearest other corners of the boundary, (0, −1) and (1, 0), are 1 away.
    expect(corners[0]!.range).toBeCloseTo(1, 12);
  });

  it("the same L as a polygon; convex shapes and a disk cut-out have none", () => {
    const l = new Region(leaf("l", new Polygon([-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1])));
    expect(reentrantCorners(l).map((c) => c.at)).toEqual([[0, 0]]);
    expect(reentrantCorners(new Region(leaf("s", new Rectangle(0, 0, 2, 1))))).toEqual([]);
    expect(reentrantCorners(new Region(leaf("t", new Polygon([0, 0, 1, 0, 0, 1]))))).toEqual([]);
    // A disk cut from the middle of a square: a smooth hole, no corner.
    expect(reentrantCorners(new Region(op("difference", leaf("s", new Rectangle(-1, -1, 1, 1)), leaf("d", new Disk(0, 0, 0.3)))))).toEqual([]);
  });

  it("a plus sign (the union of two crossing rectangles): the four crossings of their edges, 270° each", () => {
    const plus = new Region(op("union", leaf("h", new Rectangle(-2, -1, 2, 1)), leaf("v", new Rectangle(-1, -2, 1, 2))));
    const corners = reentrantCorners(plus);
    expect(corners.map((c) => c.at).sort()).toEqual([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
    for (const c of corners) {
      expect(c.angle).toBeCloseTo((3 * Math.PI) / 2, 2);
      // Nearest other corner: the arm's outer corner, 1 away (e.g. (1, 1) → (2, 1)).
      expect(c.range).toBeCloseTo(1, 12);
    }
  });

  it("measures interior angles: 90° at a square's corner, 180° on an edge", () => {
    const square = new Region(leaf("s", new Rectangle(0, 0, 1, 1)));
    expect(interiorAngle(square, [0, 0], 1e-6)).toBeCloseTo(Math.PI / 2, 2);
    expect(interiorAngle(square, [0.5, 0], 1e-6)).toBeCloseTo(Math.PI, 2);
  });

  it("weights min(1, r/ℓ) in the region's variables of (x, y, t) points; none without a corner", () => {
    const region = new Region(op("difference", leaf("square", new Rectangle(-1, -1, 1, 1)), leaf("notch", new Rectangle(0, -1, 1, 0))));
    const domain = new RegionDomain([[-1, 1], [-1, 1], [0, 1]], [0, 1], region);
    const corners = reentrantCorners(region);
    // (x, y, t): r = 0.5 → 0.5; r = 0.3·√2 ≈ 0.424; r = √2 > ℓ → 1; the time does not count.
    const w = cornerWeights(domain, corners, Float64Array.from([0.5, 0, 0.9, -0.3, 0.3, 0, -1, 1, 0.5]), 3)!;
    expect(Array.from(w)).toEqual([0.5, Math.hypot(0.3, 0.3), 1].map((v) => expect.closeTo(v, 12)));
    expect(cornerWeights(domain, [], new Float64Array(3), 3)).toBeNull();
  });
});

describe("the verdict at a re-entrant corner", () => {
  const train: TrainResult = {
    status: "completed", history: { iteration: [0, 1], elapsedMs: [], total: [1, 0.5], terms: [] },
    stages: [{ optimizer: "adam", iterations: 2, start: 0, seconds: 1, finalLoss: 0.5 }],
    epochs: 2, seconds: 1, finalLoss: 0, finalWeights: [], finalTerms: [],
  };
  const stat = (corners?: ResidualStat["corners"]): ResidualDiagnostics => ({
    equations: [{ kind: "equation", label: "u_xx + u_yy = 0", source: { text: "u_xx + u_yy = 0" }, points: 10, rms: 1.3, max: 66, at: { x: 0, y: 0.033 }, size: 2.7, relative: 0.49, relative_max: 1, ...(corners ? { corners } : {}) }],
    conditions: [],
    field: { grid: { axes: [], points: new Float64Array(0), count: 0 }, values: [] },
  });

  it("still says suspect, and says why: the residual peaks at the corner; the weighted figure is given", () => {
    const corners = { list: [{ at: [0, 0] as [number, number], angle: (3 * Math.PI) / 2, range: 1 }], rms: 0.049, relative: 0.018, worstNear: 0.033 };
    const d = verdict({ residuals: stat(corners), train, terms: [], termScale: [] });
    expect(d.ok).toBe(false);
    expect(d.warnings[0]).toMatch(/re-entrant corner \(0, 0\), interior angle 270°/);
    expect(d.warnings[0]).toMatch(/it is 1\.8e-2 of its size/);
    // A residual that peaks away from the corner gets the usual advice.
    const far = verdict({ residuals: stat({ ...corners, worstNear: 0.8 }), train, terms: [], termScale: [] });
    expect(far.warnings[0]).not.toMatch(/re-entrant/);
    expect(verdict({ residuals: stat(), train, terms: [], termScale: [] }).warnings[0]).toMatch(/train longer/);
  });
});
