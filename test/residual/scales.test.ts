// Output and term scales, against values worked out by hand from the formulas in scales.ts
// (ℓ_v = (hi − lo)/π; a derivative ∂^α u has natural size U/Π ℓ^α).
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { outputScales, termScales } from "../../src/residual/scales.js";
import { interiorLocation } from "../../src/residual/point-sets.js";

const load = (yaml: string) => parseProblem(`name: t\n${yaml}`, "t.yaml");

describe("output scales", () => {
  it("come from Dirichlet data", () => {
    const p = load(`domain: {x: [0, 100], t: [0, 10]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = 50*sin(pi*x/100)"]`);
    // max |50 sin(πx/100)| over Sobol points of (0, 100): just below 50.
    expect(outputScales(p)[0]).toBeGreaterThan(49);
    expect(outputScales(p)[0]).toBeLessThanOrEqual(50);
  });

  it("come from derivative data times ℓ^order", () => {
    const p = load(`domain: {t: [0, 6.283185307179586]}\nunknowns: [u]\nequations: ["u'' + u = 0"]\nconditions: ["u(0) = 0", "u'(0) = 3"]`);
    // |u'(0)| · ℓ = 3 · 2π/π = 6
    expect(outputScales(p)[0]).toBeCloseTo(6, 12);
  });

  it("come from sources times ℓ^m for the highest derivative", () => {
    const p = load(`domain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u'' = -1e4*pi^2*sin(pi*x)"]\nconditions: ["u(0) = 0", "u(1) = 0"]`);
    // max |f| · ℓ² ≈ 1e4 π² · (1/π)² = 1e4 (f peaks at x = 1/2; Sobol points come close).
    expect(outputScales(p)[0]).toBeGreaterThan(0.99e4);
    expect(outputScales(p)[0]).toBeLessThanOrEqual(1e4 * (1 + 1e-12));
  });

  it("are 1 without data or sources", () => {
    const p = load(`domain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u'' + u = 0"]\nconditions: ["u(0) = 0"]`);
    expect(outputScales(p)).toEqual([1]);
  });
});

describe("term scales", () => {
  it("add the natural sizes of the parts, with no cancellation", () => {
    const p = load(`domain: {x: [0, 1], t: [0, 2]}\nunknowns: [u]\nconstants: {k: 0.5}\nequations: ["u_t = k*u_xx"]\nconditions: ["u(x, 0) = 0"]`);
    // U = 1 (no data, no source): |u_t| = 1/ℓ_t = π/2, |k u_xx| = 0.5/ℓ_x² = 0.5 π²
    const [s] = termScales(p, [{ residual: p.equations[0]!.residual, location: interiorLocation(2) }], [1]);
    expect(s).toBeCloseTo(Math.PI / 2 + 0.5 * Math.PI ** 2, 12);
  });

  it("include sources, as RMS over the points", () => {
    const p = load(`domain: {x: [-1, 1]}\nunknowns: [u]\nequations: ["u' = 2"]`);
    // |u'| = U/ℓ with U = max|2|·ℓ = 2·(2/π) → |u'| = 2; plus |2| → 4
    const U = 2 * (2 / Math.PI);
    const [s] = termScales(p, [{ residual: p.equations[0]!.residual, location: interiorLocation(1) }], [U]);
    expect(s).toBeCloseTo(4, 12);
  });
});

describe("term scales of data-only parts", () => {
  it("use the data's actual size, even inside functions (a Gaussian initial condition)", () => {
    const p = load(`domain: {x: [0, 1], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = exp(-100*(x - 0.5)^2)"]`);
    const c = p.conditions[0]!;
    if (c.kind !== "point") throw new Error("expected a point condition");
    // |u| = U = max of the Gaussian ≈ 1 (Sobol points near 0.5), plus RMS of the Gaussian over
    // [0, 1], √(∫ e^(−200(x−½)²) dx) ≈ (π/200)^(1/4) ≈ 0.354: a size of order one, not e^100.
    const [s] = termScales(p, [{ residual: c.residual, location: c.location }], outputScales(p));
    expect(s).toBeGreaterThan(1);
    expect(s).toBeLessThan(1.5);
  });
});
