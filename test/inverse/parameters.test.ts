// Learned parameters: the section's rules (errors with line and column), the reparametrisation
// that keeps bounds, gradients with respect to θ through both derivative paths (checked against
// central finite differences), and a small inverse problem that recovers its coefficient.

import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProblem, loadProblem } from "../../src/problem/load.js";
import { parameterValue, rawFor, reparametrise } from "../../src/problem/parameters.js";
import { buildSeededModel } from "../../src/training/member.js";
import { solve } from "../../src/solve.js";
import { noGrad } from "../../src/engine/state.js";
import * as ops from "../../src/engine/ops/index.js";
import { issuesOf } from "../helpers/problems.js";

const FILE = "case.yaml";

const BASE = `name: decay
domain:
  t: [0, 1]
unknowns: [u]
parameters:
  a: {initial: 0.5, min: 0, max: 4, exact: 1}
equations:
  - "u' = -a*u"
conditions:
  - "u(0) = 1"
`;


/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((l) => l.includes(needle)) + 1;
}

describe("the parameters section", () => {
  it("reads initial guesses, bounds and exact values", () => {
    const p = parseProblem(BASE.replace("exact: 1}", "exact: 1}\n  b: 2").replace("-a*u", "-a*b*u/2"), FILE);
    expect(p.parameters!.map((q) => q.name)).toEqual(["a", "b"]);
    expect(p.parameters![0]).toMatchObject({ initial: 0.5, min: 0, max: 4, exact: 1 });
    // The reparametrised value at θ₀ is the initial guess.
    expect(parameterValue(p.parameters![0]!, [p.parameters![0]!.raw, 0])).toBeCloseTo(0.5, 14);
    expect(parameterValue(p.parameters![1]!, [0, p.parameters![1]!.raw])).toBe(2);
  });

  it("keeps every estimate inside its bounds, whatever θ", () => {
    const cases: [number, number | undefined, number | undefined][] = [[2.5, 0, 10], [3, 1, undefined], [-2, undefined, 0], [0.7, undefined, undefined]];
    for (const [initial, min, max] of cases) {
      const r = reparametrise(0, initial, min, max);
      const value = (theta: number): number => parameterValue({ name: "p", source: { text: "p" }, initial, value: r.value, raw: r.raw }, [theta]);
      expect(value(r.raw)).toBeCloseTo(initial, 12);
      for (const theta of [-30, -3, 0, 3, 30]) {
        const v = value(theta);
        if (min !== undefined) expect(v).toBeGreaterThanOrEqual(min);
        if (max !== undefined) expect(v).toBeLessThanOrEqual(max);
      }
    }
  });

  it("rejects a parameter in the domain and in condition locations, with the line", () => {
    const inDomain = BASE.replace("t: [0, 1]", "t: [0, a]");
    // The domain is read before the parameters: the name is not known there.
    const [fromDomain] = issuesOf(inDomain);
    expect(fromDomain!.message).toContain('"a" is not defined');
    expect(fromDomain!.position!.line).toBe(lineOf(inDomain, "t: [0, a]"));
    const located = BASE.replace('"u(0) = 1"', '"u(a) = 1"');
    const [issue] = issuesOf(located);
    expect(issue!.message).toContain('"a" is a learned parameter');
    expect(issue!.position!.line).toBe(lineOf(located, "u(a) = 1"));
  });

  it("rejects a name that is both a constant and a parameter", () => {
    const text = BASE.replace("parameters:", "constants:\n  a: 2\nparameters:");
    const [issue] = issuesOf(text);
    expect(issue!.message).toContain('"a" cannot be a parameter\'s name (it is already a constant)');
    expect(issue!.position!.line).toBe(lineOf(text, "a: {initial"));
  });

  it("rejects a parameter that nothing uses", () => {
    const text = BASE.replace("exact: 1}", "exact: 1}\n  b: 2");
    const [issue] = issuesOf(text);
    expect(issue!.message).toContain("parameter b appears in no equation");
    expect(issue!.position!.line).toBe(lineOf(text, "b: 2"));
  });

  it("inverts the reparametrisation (θ for a value gives that value back)", () => {
    for (const [initial, min, max] of [[2.5, 0, 10], [3, 1, undefined], [-2, undefined, 0], [0.7, undefined, undefined]] as const) {
      const r = reparametrise(0, initial, min, max);
      const p = { name: "p", source: { text: "p" }, initial, min, max, value: r.value, raw: r.raw };
      for (const v of [initial, min === undefined ? initial - 1 : min + 0.5, max === undefined ? initial + 1 : max - 0.25]) {
        expect(parameterValue(p, [rawFor(p, v)])).toBeCloseTo(v, 12);
      }
    }
  });

  it("rejects an initial value outside the bounds, bounds in the wrong order and unknown keys", () => {
    expect(issuesOf(BASE.replace("initial: 0.5", "initial: 5"))[0]!.message).toContain("must lie strictly inside its bounds");
    expect(issuesOf(BASE.replace("min: 0, max: 4", "min: 4, max: 0"))[0]!.message).toContain("min (4) must be below max (0)");
    const typo = BASE.replace("exact: 1", "exakt: 1");
    const [issue] = issuesOf(typo);
    expect(issue!.message).toContain('unknown key "exakt"');
    expect(issue!.position!.line).toBe(lineOf(typo, "exakt"));
    expect(issuesOf(BASE.replace("initial: 0.5, ", ""))[0]!.message).toContain("needs an initial value");
  });
});

describe("gradients with respect to the parameters", () => {
  // d(Σ_t loss_t)/dθ from the engine, against central differences of the loss in θ.
  for (const derivatives of ["taylor", "reverse"] as const) {
    it(`match finite differences (${derivatives})`, () => {
      const text = BASE.replace("parameters:", `training:\n  derivatives: ${derivatives}\n  points: 8\nnetwork:\n  hidden: [5]\nparameters:`).replace('"u\' = -a*u"', '"u\'\' = -a*u + sin(a*t)"');
      const problem = parseProblem(text, FILE);
      const model = buildSeededModel(problem, 3);
      const batch = model.draw();
      const theta = model.theta!;
      theta.data[0] = 0.3;
      const total = (): number => noGrad(() => Array.from(model.losses(batch).data).reduce((a, v) => a + v, 0));
      theta.grad = null;
      const losses = model.losses(batch);
      expect(Array.from(losses.data).every(Number.isFinite)).toBe(true);
      ops.sum(losses).backward();
      const h = 1e-6;
      theta.data[0] = 0.3 + h;
      const up = total();
      theta.data[0] = 0.3 - h;
      const down = total();
      theta.data[0] = 0.3;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(fd)).toBeGreaterThan(1e-3);
      expect(theta.grad!.data[0]!).toBeCloseTo(fd, 5);
    });
  }
});


describe("a small inverse problem", () => {
  it("recovers the decay rate from data (reduced settings)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinn-inverse-"));
    // u = e^(-t): the data of a = 1, at 21 points.
    const rows = Array.from({ length: 21 }, (_, i) => `${i / 20},${Math.exp(-i / 20)}`);
    writeFileSync(join(dir, "decay.csv"), ["t,u", ...rows].join("\n") + "\n");
    writeFileSync(
      join(dir, "decay.yaml"),
      BASE.replace("conditions:", "data:\n  - file: decay.csv\nconditions:") +
        "network:\n  hidden: [12, 12]\ntraining:\n  optimizer: [{adam: {epochs: 200, learning_rate: 0.01}}, {lbfgs: {iterations: 200}}]\n  points: 32\n",
    );
    const problem = loadProblem(join(dir, "decay.yaml"));
    const result = await solve(problem, { write: false });
    const summary = result.summary as { parameters: { a: { estimate: number; initial: number; rel_error: number } } };
    // Starting at 0.5 (an error of 50%), the estimate must come within 1% of a = 1.
    expect(summary.parameters.a.initial).toBe(0.5);
    expect(Math.abs(summary.parameters.a.estimate - 1)).toBeLessThan(0.01);
    expect(summary.parameters.a.rel_error).toBeCloseTo(Math.abs(summary.parameters.a.estimate - 1), 12);
    // The history has one estimate per iteration, starting from the initial guess.
    const history = result.train.history.parameters![0]!;
    expect(history.length).toBe(result.train.history.iteration.length);
    expect(history[0]).toBeCloseTo(0.5, 12);
  }, 120_000);

  it("learns a parameter that a generated trial form uses (constraints: hard)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinn-inverse-"));
    // u' = -u, u(0) = a: u = a e^(-t); data of a = 2 at 11 points.
    const rows = Array.from({ length: 11 }, (_, i) => `${i / 10},${2 * Math.exp(-i / 10)}`);
    writeFileSync(join(dir, "d.csv"), ["t,u", ...rows].join("\n") + "\n");
    writeFileSync(
      join(dir, "p.yaml"),
      'name: hard\ndomain:\n  t: [0, 1]\nunknowns: [u]\nparameters:\n  a: {initial: 0.5, exact: 2}\nequations:\n  - "u\' = -u"\nconditions:\n  - "u(0) = a"\nconstraints: hard\ndata:\n  - file: d.csv\nnetwork:\n  hidden: [8]\ntraining:\n  optimizer: [{adam: {epochs: 100, learning_rate: 0.01}}, {lbfgs: {iterations: 100}}]\n  points: 32\nexact:\n  u: "2*exp(-t)"\n',
    );
    const result = await solve(loadProblem(join(dir, "p.yaml")), { write: false });
    // The condition is enforced by the trial form (it is not a loss term), and a is found.
    expect(result.model.enforced.map((c) => c.source.text)).toEqual(["u(0) = a"]);
    expect(Math.abs((result.summary as { parameters: { a: { estimate: number } } }).parameters.a.estimate - 2)).toBeLessThan(1e-3);
    expect(result.evaluation.metrics.u!.rel_l2!).toBeLessThan(1e-3);
  }, 120_000);
});
