// A problem whose time is called s gets the treatment the same file with t gets (problem/time-variable.ts):
// before, only t was time and Raissi's Allen–Cahn with s ended at a relative error of 0.99 (6.2e-3 with t).
// The file below is Allen–Cahn at reduced settings, written twice, differing only in the time's name;
// the two runs see the same numbers in the same order (same seed, one thread), so every figure of the
// training must agree exactly — the windows, the causal curriculum and the losses — which would fail
// if any step keyed on the name t.

import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";
import { timeWindowCount } from "../../src/training/time-marching.js";
import { initialGrowthRate } from "../../src/training/growth-rate.js";
import { evolutionOf } from "../../src/residual/model.js";
import { describeModel } from "../../src/cli/describe.js";

const AC = (time: string): string => `name: ac
domain:
  x: [-1, 1]
  ${time}: [0, 1]
unknowns: [u]
equations:
  - "u_${time} = 0.0001*u_xx - 5*u^3 + 5*u"
conditions:
  - "u(x, 0) = x^2*cos(pi*x)"
  - periodic: x
network:
  hidden: [8, 8]
training:
  epochs: 40
  lbfgs_iterations: 20
  points: 64
  boundary_points: 16
evaluate:
  points: 9
`;

describe("time named s (reduced settings)", () => {
  it("has t's evolution settings: initial data, growth rate, time-marching windows", () => {
    const [t, s] = [parseProblem(AC("t"), "t.yaml"), parseProblem(AC("s"), "s.yaml")];
    expect(s.timeVariable).toBe(1);
    expect(evolutionOf(s)).toEqual(evolutionOf(t));
    expect(evolutionOf(s)).toEqual({ variable: 1, from: 0 });
    // λ = ∂(5u − 5u³)/∂u = 5 − 15u² is largest, 5, where the initial data x²cos(πx) vanishes.
    expect(initialGrowthRate(s)).toBeCloseTo(5, 1);
    expect(initialGrowthRate(s)).toBe(initialGrowthRate(t));
    expect(timeWindowCount(s)).toBeGreaterThan(0);
    expect(timeWindowCount(s)).toBe(timeWindowCount(t));
  });

  it("trains as t does: the same windows, the same causal curriculum and the same losses", async () => {
    const run = async (time: string) => solve(parseProblem(AC(time), `${time}.yaml`), { write: false, threads: 1 });
    const [t, s] = [await run("t"), await run("s")];
    const windows = (r: typeof t) => r.train.windows!.map((w) => [w.from, w.to, w.status]);
    expect(windows(s).length).toBe(timeWindowCount(parseProblem(AC("t"), "t.yaml")));
    expect(windows(s)).toEqual(windows(t));
    expect(s.model.causal()).toBe(true);
    const described = describeModel(s.model).join("\n");
    expect(described).toContain("  time: s (initial condition at s = 0, none at s = 1)");
    expect(described).toMatch(/time-marching: \d+ windows along s/);
    expect(s.model.evolution()).toEqual(t.model.evolution());
    const figures = (r: typeof t) => ({ total: r.train.history.total, terms: r.train.history.terms, windows: r.train.windows!.map((w) => [w.epochs, w.finalLoss]), loss: r.train.finalLoss, u: r.evaluation.predicted });
    expect(figures(s)).toEqual(figures(t));
    // The verdict applies the same limits (that for problems evolving from initial data among them).
    expect(s.diagnostics.diagnosis.ok).toBe(t.diagnostics.diagnosis.ok);
  }, 120_000);
});
