import { describe, expect, it } from "vitest";
import { parameterLines } from "../../src/reports/parameters.js";

// DeepXDE's diffusion_1d_inverse written from the contract learned C = 0.9999985587 (exact 1):
// the line said "relative error 0.000%", as if the estimate were exact. The expected strings are
// |estimate − exact|/|exact| · 100 worked by hand: 1.4412e-6 · 100 = 1.44e-4; 0.0123 · 100 = 1.23.
describe("the parameter line gives the relative error's size, however small", () => {
  const line = (estimate: number, exact: number, rel_error: number): string =>
    parameterLines({ parameters: { C: { estimate, initial: 2, exact, rel_error } } })[0]!;

  it("a tiny error keeps its significant digits", () => {
    expect(line(0.9999985587, 1, 1.4413e-6)).toBe("  C = 0.999999 (exact 1, relative error 0.000144%)");
  });

  it("a percent-sized error as before, without padding zeros", () => {
    expect(line(0.2024, 0.2, 0.012)).toBe("  C = 0.2024 (exact 0.2, relative error 1.2%)");
    expect(line(1.0123, 1, 0.0123)).toBe("  C = 1.0123 (exact 1, relative error 1.23%)");
  });
});

describe("an estimate from one run says it has no uncertainty, and how to get one", () => {
  it("without an ensemble, a hint after the parameters; with one, its interval instead", () => {
    const one = parameterLines({ parameters: { C: { estimate: 0.99977, initial: 2 } } });
    expect(one[0]).toBe("  C = 0.99977");
    expect(one[1]).toMatch(/one run: no uncertainty; `training.ensemble: 4` gives each parameter a 95% interval/);
    const ens = parameterLines({
      parameters: { C: { estimate: 1, initial: 2 } },
      ensemble: { members: 4, statuses: ["completed", "completed", "completed", "completed"], parameters: { C: { mean: 1, std: 0.01, interval95: [0.98, 1.02] } } },
    });
    expect(ens.join("\n")).not.toMatch(/no uncertainty/);
    expect(ens[1]).toMatch(/ensemble of 4: mean 1, std 0.01, 95% interval \[0.98, 1.02\]/);
    // No parameters: nothing.
    expect(parameterLines({})).toEqual([]);
  });
});
