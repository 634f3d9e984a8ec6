// Raw residual diagnostics and the reference data, on networks whose output is known in closed form:
// a trial form u = x^3 + 1e-300·N makes the network's contribution vanish (|N| ≤ O(1)), so every
// residual below is computed here directly from the formula, independently of pinn's evaluation.
// (Conditions use 1e-7·N: with 1e-300 pinn rightly calls a condition impossible for every network.)

import { describe, expect, it } from "vitest";
import { parseProblem, loadProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { buildModel, solve } from "../../src/solve.js";
import { residualDiagnostics } from "../../src/diagnostics/residuals.js";
import { shipped, tempFolder } from "../helpers/problems.js";

const folder = tempFolder("diag");

function cubic(extra = ""): string {
  return `name: cubic
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = 2*x"
conditions:
  - "u(1) = 0.5"
trial:
  u: "x^3 + 1e-7*N"
evaluate:
  points: 11
${extra}`;
}

describe("raw residuals", () => {
  it("are |LHS − RHS| in the problem's units on the evaluation grid, with where the largest sits", () => {
    const problem = parseProblem(cubic(), "cubic.yaml");
    const model = buildModel(problem);
    const d = residualDiagnostics(problem, model.network, model.outputScale);
    // u = x^3: u' − 2x = 3x^2 − 2x on the grid x = 0, 0.1, ..., 1.
    const xs = Array.from({ length: 11 }, (_, i) => i / 10);
    const r = xs.map((x) => 3 * x * x - 2 * x);
    const rms = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
    const size = Math.sqrt(xs.map((x) => 3 * x * x + 2 * x).reduce((s, v) => s + v * v, 0) / xs.length);
    const eq = d.equations[0]!;
    expect(eq.rms).toBeCloseTo(rms, 5);
    expect(eq.max).toBeCloseTo(1, 5); // |3 − 2| at x = 1
    expect(eq.at.x).toBe(1);
    expect(eq.size).toBeGreaterThanOrEqual(size * (1 - 1e-5));
    // u(1) = 1 against 0.5: residual 0.5 at the single point x = 1.
    const c = d.conditions[0]!;
    expect(c.points).toBe(1);
    expect(c.rms).toBeCloseTo(0.5, 5);
    expect(c.at.x).toBe(1);
  });

  it("are not divided by the training scales (a domain and solution far from unit size)", () => {
    const text = `name: big
domain:
  x: [0, 100]
unknowns: [u]
equations:
  - "u' = 2*x"
conditions:
  - "u(0) = 0"
trial:
  u: "x^2 + 1e-300*N"
evaluate:
  points: 5
`;
    const problem = parseProblem(text, "big.yaml");
    const model = buildModel(problem);
    expect(model.termScale[0]).not.toBe(1); // scaling is on, yet the residual is raw:
    const d = residualDiagnostics(problem, model.network, model.outputScale);
    expect(d.equations[0]!.rms).toBeLessThan(1e-9); // u = x^2 solves u' = 2x exactly
    const off = parseProblem(text.replace('"x^2 + 1e-300*N"', '"x^2 + 3*x + 1e-300*N"'), "big.yaml");
    const m2 = buildModel(off);
    // u' − 2x = 3 everywhere, in the problem's units.
    expect(residualDiagnostics(off, m2.network, m2.outputScale).equations[0]!.rms).toBeCloseTo(3, 9);
  });
});

describe("reference data", () => {
  it("gives metrics against the reference when there is no exact solution", async () => {
    // Reference u = x^3 + 0.1 at 6 points: the prediction x^3 is off by 0.1 everywhere, so
    // rel_l2 = 0.1·√6 / ‖x^3 + 0.1‖ and max_abs = 0.1, computed here.
    const xs = [0, 0.2, 0.4, 0.6, 0.8, 1];
    folder.write("ref.csv", `x,u\n${xs.map((x) => `${x},${x ** 3 + 0.1}`).join("\n")}\n`);
    const problem = loadProblem(folder.write("p.yaml", cubic("reference:\n  file: ref.csv\ntraining:\n  optimizer:\n    - adam: {epochs: 1}\n")));
    const result = await solve(problem, { write: false });
    const m = result.evaluation.metrics.u!;
    const norm = Math.sqrt(xs.reduce((s, x) => s + (x ** 3 + 0.1) ** 2, 0));
    expect(m.against).toBe("reference");
    expect(m.rel_l2!).toBeCloseTo((0.1 * Math.sqrt(6)) / norm, 5);
    expect(m.max_abs).toBeCloseTo(0.1, 5);
    // The grid (11 points) gets the reference interpolated: at x = 0.1, between 0.1 (x = 0) and 0.108 (x = 0.2).
    expect(result.evaluation.against[0]).toBe("reference");
    expect(result.evaluation.exact[0]![1]).toBeCloseTo((0.1 + 0.108) / 2, 12);
    // The raw residual of u(1) = 0.5 for u = x^3 is 0.5; the verdict calls the result suspect.
    expect(result.diagnostics.residuals.conditions[0]!.rms).toBeCloseTo(0.5, 5);
    expect(result.diagnostics.diagnosis.ok).toBe(false);
    expect(result.summary.metrics).toMatchObject({ u: { against: "reference" } });
  });

  it("reports a reference point outside the domain at its CSV line, and a missing file", () => {
    folder.write("bad.csv", "x,u\n0.5,1\n1.5,2\n");
    const bad = folder.write("bad.yaml", cubic("reference:\n  file: bad.csv\n"));
    expect(() => loadProblem(bad)).toThrow(ProblemError);
    try {
      loadProblem(bad);
    } catch (e) {
      expect((e as ProblemError).message).toMatch(/bad\.csv:3:1: error: reference point x = 1\.5 lies outside the domain/);
    }
    expect(() => loadProblem(folder.write("missing.yaml", cubic("reference:\n  file: nowhere.csv\n")))).toThrow(/nowhere\.csv.*cannot read the reference file/);
    expect(() => loadProblem(folder.write("typo.yaml", cubic("reference:\n  fil: ref.csv\n")))).toThrow(/unknown key "fil" in reference/);
  });

  it("ships Burgers with its reference", () => {
    const p = shipped("burgers");
    expect(p.reference!.count).toBe(201 * 21);
    expect(p.exact[0]).toBeNull();
  });
});
