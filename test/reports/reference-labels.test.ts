import { describe, expect, it } from "vitest";
import { errorYLabel, solutionSeries } from "../../src/reports/plots.js";

// A problem with reference data and no exact solution (contract v2, "Reference data") is compared
// with the reference: its 1-D plots said "exact" (legend) and "|prey(t) − exact|" (axis) for an RK4
// reference (a Lotka–Volterra problem written from the contract).
describe("1-D plots name what the prediction is compared with", () => {
  const base = { title: "t", variable: "t", unknown: "prey", x: [0, 1], predicted: [2, 3], exact: [2, 3.1] };

  it("the reference, when the comparison is against reference data", () => {
    expect(solutionSeries({ ...base, against: "reference" }).map((s) => s.label)).toEqual(["predicted", "reference"]);
    expect(errorYLabel({ unknown: "prey", variable: "t", against: "reference" })).toBe("|prey(t) − reference|");
  });

  it("the exact solution otherwise (the default)", () => {
    expect(solutionSeries(base).map((s) => s.label)).toEqual(["predicted", "exact"]);
    expect(errorYLabel({ unknown: "u", variable: "x" })).toBe("|u(x) − exact|");
    expect(solutionSeries({ ...base, exact: undefined }).map((s) => s.label)).toEqual(["predicted"]);
  });
});
