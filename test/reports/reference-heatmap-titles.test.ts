import { describe, expect, it } from "vitest";
import { panels } from "../../src/reports/solution-plots.js";

// Raissi's KdV problem written from the contract with a spectral reference every 0.02 in t: the
// heat map's "|error|" panel had stripes at every other row of the 0.01 evaluation grid — the linear
// interpolation of the reference in t (Δt²/8 · |u_tt| ≈ 3e-3 there), not the network's error.
describe("heat-map panels against reference data say that the reference was interpolated", () => {
  const pred = [1, 2, 4];
  const ex = [1, 2.5, 3];

  it("reference: titles name the interpolation; the error is |pred − ex| worked by hand (0, 0.5, 1)", () => {
    const p = panels("u", pred, ex, "reference");
    expect(p.map((q) => q.title)).toEqual(["u (PINN)", "u (reference, interpolated onto the grid)", "|u (PINN) − interpolated reference|"]);
    expect(Array.from(p[2]!.values)).toEqual([0, 0.5, 1]);
  });

  it("exact: unchanged titles", () => {
    expect(panels("u", pred, ex).map((q) => q.title)).toEqual(["u (PINN)", "u (exact)", "|error|"]);
    expect(panels("u", pred, undefined).map((q) => q.title)).toEqual(["u (PINN)"]);
  });
});
