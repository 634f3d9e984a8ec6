// The generated residual-and-mean-square kernel against the op-by-op evaluation of the same
// residuals and against nested reverse mode: loss values and weight gradients.
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { buildModel } from "../../src/solve.js";
import { weightedLoss, meanSquare } from "../../src/loss/loss.js";
import { noGrad } from "../../src/engine/state.js";
import * as ops from "../../src/engine/ops/index.js";
import type { Problem } from "../../src/problem/types.js";

const PROBLEMS: Record<string, string> = {
  "a trial form with a first derivative": `domain: {x: [-1, 1]}\nunknowns: [u]\nequations: ["u' = 2*x"]\nconditions: ["u(0) = 1"]\ntrial: {u: "1 + x*N"}`,
  "Poisson with a trial form (Laplacian streams)": `domain: {x: [0, 1], y: [0, 2]}\nunknowns: [u]\nequations: ["u_xx + u_yy = -sin(pi*x)*y"]\nconditions: ["u(0, y) = 0"]\ntrial: {u: "x*(1 - x)*y*N"}`,
  "a system with every function, powers and quotients": [
    "domain: {x: [0.2, 1.1], t: [0, 0.5]}",
    "unknowns: [u, v]",
    "equations:",
    '  - "u_t - sin(u)*cos(v) + tan(0.3*u) - exp(-v^2) + log(2 + u^2) - sqrt(1 + v^2) + abs(u - v) = x"',
    '  - "tanh(u_x) + sinh(v)/cosh(u) + asin(0.5*sigmoid(v)) + acos(0.3*tanh(u)) + atan(v_t) + (1 + x)^u = t*v_xx"',
    'conditions: ["u(x, 0) = x", "v(0.2, t) = t^2", "u_x(1.1, t) + v(1.1, t) = 1"]',
    'trial: {u: "x + t*N"}',
    "network: {hidden: [8, 8], activation: sigmoid}",
  ].join("\n"),
};

function problem(yaml: string, derivatives: "taylor" | "reverse"): Problem {
  const p = parseProblem(`name: t\n${yaml}\ntraining: {points: 24, boundary_points: 7, derivatives: ${derivatives}}`, "t.yaml");
  return p;
}

/** The weighted loss and its weight gradients, through losses() (kernel) or residuals() (ops). */
function lossAndGrads(p: Problem, path: "kernel" | "ops"): { loss: number[]; grads: Float64Array[] } {
  const model = buildModel(p);
  const batch = model.draw();
  const perTerm = path === "kernel" ? model.losses(batch) : ops.stack(model.residuals(batch).map(meanSquare));
  const weights = model.terms.map((_, i) => 1 + i);
  const { total } = weightedLoss(perTerm, weights);
  total.backward();
  return { loss: Array.from(perTerm.data), grads: model.network.parameters().map((w) => Float64Array.from(w.grad!.data)) };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
}

describe("the residual kernel", () => {
  for (const [name, yaml] of Object.entries(PROBLEMS)) {
    it(`${name}: same losses and gradients as the op-by-op path and nested reverse mode`, () => {
      const fast = lossAndGrads(problem(yaml, "taylor"), "kernel");
      const ops = lossAndGrads(problem(yaml, "taylor"), "ops");
      const reverse = lossAndGrads(problem(yaml, "reverse"), "ops");
      expectClose(fast.loss, ops.loss, 1e-12);
      expectClose(fast.loss, reverse.loss, 1e-10);
      fast.grads.forEach((g, i) => {
        expectClose(g, ops.grads[i]!, 1e-10);
        expectClose(g, reverse.grads[i]!, 1e-9);
      });
    });
  }

  it("refuses to be differentiated twice", () => {
    const model = buildModel(problem(PROBLEMS["a trial form with a first derivative"]!, "taylor"));
    const { total } = weightedLoss(model.losses(model.draw()), [1]);
    expect(() => total.backward(undefined, { createGraph: true })).toThrow(/first-order/);
  });

  it("evaluates without recording a graph under noGrad", () => {
    const model = buildModel(problem(PROBLEMS["a trial form with a first derivative"]!, "taylor"));
    const l = noGrad(() => model.losses(model.draw()));
    expect(l.requiresGrad).toBe(false);
  });
});
