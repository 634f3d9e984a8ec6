import { describe, expect, it } from "vitest";
import { interpolateReference } from "../../src/reports/evaluation.js";

// A reference for a problem on a region (contract v2: "Regions", "Reference data") can only hold
// points inside the region, so on a tensor grid it lacks the nodes in the holes. Such a reference
// (PINNacle's Poisson 2d-C: a square with four holes, written from the contract) was treated as
// scattered: summary.json had its metrics, but the plots and solution.csv had no comparison at all.
describe("reference data on a tensor grid with nodes missing (a region's reference)", () => {
  // Nodes of {0, 0.5, 1}², without the centre (a "hole"); values of f = 2x + 3y + 1, which
  // multilinear interpolation reproduces exactly, so the expected values are f at the query points.
  const f = (x: number, y: number): number => 2 * x + 3 * y + 1;
  const nodes: [number, number][] = [];
  for (const x of [0, 0.5, 1]) for (const y of [0, 0.5, 1]) if (!(x === 0.5 && y === 0.5)) nodes.push([x, y]);
  const points = Float64Array.from(nodes.flat());
  const values = Float64Array.from(nodes.map(([x, y]) => f(x, y)));

  it("interpolates where every node it needs is present, and gives NaN where one is missing", () => {
    // (0.25, 0.1): cell [0, 0.5]² needs the missing centre -> NaN; (0.5, 0): a node -> f exactly;
    // (0.75, 0): on the bottom edge of cell [0.5, 1] x [0, 0.5], the upper corners have weight 0 -> f.
    // (0.25, 0.75): cell [0, 0.5] x [0.5, 1] needs the centre -> NaN; (0, 0.75): the left edge -> f.
    const at = Float64Array.from([0.25, 0.1, 0.5, 0, 0.75, 0, 0.25, 0.75, 0, 0.75]);
    const out = interpolateReference(points, nodes.length, 2, [values], at);
    expect(out).not.toBeNull();
    const u = out![0]!;
    expect(u[0]).toBeNaN();
    expect(u[1]).toBeCloseTo(f(0.5, 0), 14); // 2
    expect(u[2]).toBeCloseTo(f(0.75, 0), 14); // 2.5
    expect(u[3]).toBeNaN();
    expect(u[4]).toBeCloseTo(f(0, 0.75), 14); // 3.25
  });

  it("a complete grid still interpolates everywhere (the centre node added)", () => {
    const all = Float64Array.from([...points, 0.5, 0.5]);
    const vals = Float64Array.from([...values, f(0.5, 0.5)]);
    const out = interpolateReference(all, nodes.length + 1, 2, [vals], Float64Array.from([0.25, 0.1]))!;
    expect(out[0]![0]).toBeCloseTo(f(0.25, 0.1), 14); // 1.8
  });

  it("scattered points (a quarter or less of their tensor grid present) are not a grid", () => {
    // 5 points with distinct coordinates span a 5 x 5 tensor grid: 5/25 = 20 % present.
    const scattered = Float64Array.from([0, 0.1, 0.3, 0.7, 0.5, 0.2, 0.8, 0.9, 1, 0.4]);
    expect(interpolateReference(scattered, 5, 2, [new Float64Array(5)], Float64Array.from([0.5, 0.5]))).toBeNull();
  });
});
