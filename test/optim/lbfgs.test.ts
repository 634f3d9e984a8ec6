// L-BFGS on problems whose minimizers are known in closed form: Rosenbrock (x* = 1), convex
// quadratics built with a chosen x* (b = A·x*), a least-squares MLP fit compared with Adam, and
// objectives that return NaN away from the start. Gradients are derived by hand (except for the MLP).

import { describe, expect, it } from "vitest";
import { Adam, Rng, Tensor, linspace, nn, sin } from "../../src/index.js";
import { LBFGS, type LBFGSOptions } from "../../src/optim/lbfgs.js";
import { closureOf, flat, makeParams, quadratic, rosenbrock, run, spdMatrix } from "../helpers/objectives.js";

const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((ai, i) => Math.abs(ai - b[i]!)));

describe("LBFGS", () => {
  it("minimizes the 2-D Rosenbrock function from (−1.2, 1) to within 1e-8 of (1, 1)", () => {
    const params = makeParams([-1.2, 1], [2]);
    const opt = new LBFGS(params);
    const { last, steps } = run(opt, closureOf(params, rosenbrock), 200);
    expect(last.converged).toBe(true);
    expect(maxAbsDiff(flat(params), [1, 1])).toBeLessThan(1e-8);
    expect(steps).toBeLessThan(60);
  });

  it("minimizes the 10-D Rosenbrock function (parameters split over three tensors)", () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const params = makeParams(x0, [3, 5, 2]);
    const opt = new LBFGS(params, { historySize: 10 });
    const { last, steps } = run(opt, closureOf(params, rosenbrock), 500);
    expect(last.converged).toBe(true);
    expect(maxAbsDiff(flat(params), new Array(10).fill(1))).toBeLessThan(1e-8);
    expect(steps).toBeLessThan(150);
  });

  it("reaches a machine-precision gradient quickly on a 20-D convex quadratic (condition number 100)", () => {
    const n = 20;
    const rng = new Rng(7);
    const eig = Array.from({ length: n }, (_, k) => 10 ** ((2 * k) / (n - 1)));
    const a = spdMatrix(n, eig, rng);
    const xStar = Array.from({ length: n }, () => rng.normal());
    const params = makeParams(new Array(n).fill(0), [n]);
    const fg = quadratic(a, xStar);
    const opt = new LBFGS(params);
    const { last, steps } = run(opt, closureOf(params, fg), 200);
    expect(last.reason).toBe("gradient below tolGrad");
    expect(Math.max(...fg(flat(params)).g.map(Math.abs))).toBeLessThan(1e-12);
    expect(maxAbsDiff(flat(params), xStar)).toBeLessThan(1e-12);
    expect(steps).toBeLessThan(60);
  });

  for (const n of [5, 10, 20]) {
    it(`with history ≥ n and a near-exact line search, behaves like conjugate gradients (n = ${n})`, () => {
      const rng = new Rng(100 + n);
      const eig = Array.from({ length: n }, (_, k) => 10 ** ((2 * k) / (n - 1)));
      const a = spdMatrix(n, eig, rng);
      const xStar = Array.from({ length: n }, () => rng.normal());
      const params = makeParams(new Array(n).fill(0), [n]);
      const fg = quadratic(a, xStar);
      const opt = new LBFGS(params, { historySize: n, c1: 1e-8, c2: 1e-6, tolGrad: 1e-11 });
      const { last, steps } = run(opt, closureOf(params, fg), 100);
      expect(last.reason).toBe("gradient below tolGrad");
      expect(maxAbsDiff(flat(params), xStar)).toBeLessThan(1e-10);
      expect(steps).toBeLessThanOrEqual(n + 2);
    });
  }

  it("fits sin(x) with a 1-16-16-1 tanh MLP far better than Adam given the same extra steps", () => {
    const x = linspace(-Math.PI, Math.PI, 32).reshape(32, 1);
    const y = sin(x);
    const mse = (net: nn.MLP): Tensor => net.forward(x).sub(y).square().mean();
    const closureFor = (net: nn.MLP) => (): number => {
      for (const p of net.parameters()) p.grad = null;
      const loss = mse(net);
      loss.backward();
      return loss.item();
    };

    const net = new nn.MLP([1, 16, 16, 1], "tanh", { seed: 3 });
    const adam = new Adam(net.parameters(), { lr: 1e-2 });
    const adamStep = (): number => {
      const loss = closureFor(net)();
      adam.step();
      return loss;
    };
    for (let i = 0; i < 200; i++) adamStep();
    const warm = nn.MLP.fromJSON(net.toJSON());
    const lossAfterWarmup = mse(warm).item();

    for (let i = 0; i < 200; i++) adamStep();
    const adamLoss = mse(net).item();

    const lbfgs = new LBFGS(warm.parameters());
    let previous = lossAfterWarmup;
    for (let i = 0; i < 200; i++) {
      const r = lbfgs.step(closureFor(warm));
      expect(r.loss).toBeLessThanOrEqual(previous);
      previous = r.loss;
      if (r.converged) break;
    }
    const lbfgsLoss = mse(warm).item();
    expect(lbfgsLoss).toBe(previous);
    expect(adamLoss).toBeLessThan(lossAfterWarmup);
    expect(lbfgsLoss * 10).toBeLessThan(adamLoss);
  });

  it("never ends a step worse than it started when the loss is NaN at large steps", () => {
    // Σ(x_i − 0.9)², undefined where any x_i > 1; lr = 100 makes every first trial land there
    const fg = (x: number[]): { f: number; g: number[] } =>
      x.some((v) => v > 1) ? { f: NaN, g: x.map(() => NaN) } : { f: x.reduce((s, v) => s + (v - 0.9) ** 2, 0), g: x.map((v) => 2 * (v - 0.9)) };
    for (const lineSearch of ["strong-wolfe", "none"] as const) {
      const params = makeParams([0, -0.5, 0.3], [3]);
      const opt = new LBFGS(params, { lr: 100, lineSearch });
      const closure = closureOf(params, fg);
      let previous = fg(flat(params)).f;
      run(opt, closure, 100, (r) => {
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(r.loss).toBeLessThanOrEqual(previous);
        expect(r.loss).toBe(fg(flat(params)).f);
        previous = r.loss;
      });
      expect(maxAbsDiff(flat(params), [0.9, 0.9, 0.9])).toBeLessThan(1e-8);
    }
  });

  it("restores the starting point and its gradient when no trial is finite", () => {
    const x0 = [0.5, -2];
    // finite only at x0: f = 1, ∇f = (1, −3)
    const fg = (x: number[]): { f: number; g: number[] } =>
      x[0] === x0[0] && x[1] === x0[1] ? { f: 1, g: [1, -3] } : { f: NaN, g: [NaN, NaN] };
    const params = makeParams(x0, [1, 1]);
    const opt = new LBFGS(params, { maxLineSearchEvals: 8 });
    const calls = { n: 0 };
    const r = opt.step(closureOf(params, fg, calls));
    expect(r).toEqual({ loss: 1, evaluations: 9, converged: true, reason: "line search failed" });
    expect(calls.n).toBe(9);
    expect(flat(params)).toEqual(x0);
    expect([params[0]!.grad!.data[0], params[1]!.grad!.data[0]]).toEqual([1, -3]);
    // again: the cached point is reused, the line search fails again, nothing moves
    const again = opt.step(closureOf(params, fg, calls));
    expect(again).toEqual({ loss: 1, evaluations: 8, converged: true, reason: "line search failed" });
    expect(flat(params)).toEqual(x0);
  });

  it("reports a non-finite loss at the starting point", () => {
    const params = makeParams([1], [1]);
    const r = new LBFGS(params).step(closureOf(params, () => ({ f: NaN, g: [0] })));
    expect(r.converged).toBe(true);
    expect(r.reason).toMatch(/non-finite/);
    expect(flat(params)).toEqual([1]);
  });

  it("stops at once when the gradient is already below tolGrad", () => {
    const params = makeParams([1, 1], [2]);
    const r = new LBFGS(params).step(closureOf(params, rosenbrock));
    expect(r).toEqual({ loss: 0, evaluations: 1, converged: true, reason: "gradient below tolGrad" });
  });

  it("with lineSearch 'none' converges on a quadratic", () => {
    // f = ½(x₁² + 10x₂²) − (x₁ + 10x₂)·1 shifted: minimizer (1, 1)
    const fg = quadratic([[1, 0], [0, 10]], [1, 1]);
    const params = makeParams([0, 0], [2]);
    const { last } = run(new LBFGS(params, { lineSearch: "none" }), closureOf(params, fg), 100);
    expect(last.converged).toBe(true);
    expect(maxAbsDiff(flat(params), [1, 1])).toBeLessThan(1e-10);
  });

  it("reuses the accepted point's loss and gradient, and re-evaluates after outside changes", () => {
    const fg = quadratic([[2, 0.5], [0.5, 1]], [1, -1]);
    const params = makeParams([3, 3], [2]);
    const calls = { n: 0 };
    const closure = closureOf(params, fg, calls);
    const opt = new LBFGS(params);
    let reported = 0;
    for (let i = 0; i < 3; i++) reported += opt.step(closure).evaluations;
    expect(reported).toBe(calls.n);
    // the first step evaluates the start, every step evaluates at least one trial
    expect(calls.n).toBeGreaterThanOrEqual(4);
    expect(opt.iterations).toBe(3);

    params[0]!.data[0] = 5; // moved by someone else
    const before = calls.n;
    const r = opt.step(closure);
    expect(r.evaluations).toBe(calls.n - before);
    expect(r.evaluations).toBeGreaterThanOrEqual(2);
    expect(r.loss).toBeLessThan(fg([5, params[0]!.data[1]!]).f);
  });

  it("treats a parameter whose .grad stays null as having zero gradient", () => {
    const used = new Tensor(Float64Array.from([-1.2, 1]), [2]).requireGrad();
    const unused = new Tensor(Float64Array.from([7, 8, 9]), [3]).requireGrad();
    const closure = (): number => {
      used.grad = null;
      unused.grad = null;
      const { f, g } = rosenbrock(Array.from(used.data));
      used.grad = new Tensor(Float64Array.from(g), [2]);
      return f;
    };
    run(new LBFGS([unused, used]), closure, 200);
    expect(Array.from(unused.data)).toEqual([7, 8, 9]);
    expect(maxAbsDiff(Array.from(used.data), [1, 1])).toBeLessThan(1e-8);
  });

  it("keeps at most historySize pairs", () => {
    const x0 = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const params = makeParams(x0, [6]);
    const opt = new LBFGS(params, { historySize: 3 });
    run(opt, closureOf(params, rosenbrock), 10, () => expect(opt.historyLength).toBeLessThanOrEqual(3));
    expect(opt.historyLength).toBe(3);
  });

  it("rejects invalid options", () => {
    const p = [new Tensor(new Float64Array(2), [2]).requireGrad()];
    const bad: LBFGSOptions[] = [
      { lr: 0 }, { historySize: 0 }, { historySize: 2.5 }, { tolGrad: -1 }, { tolChange: -1 },
      { c1: 0.9, c2: 0.5 }, { c2: 1 }, { maxLineSearchEvals: 0 }, { lineSearch: "backtracking" as "none" },
    ];
    for (const options of bad) expect(() => new LBFGS(p, options)).toThrow(/LBFGS/);
    expect(() => new LBFGS([p[0]!, p[0]!])).toThrow(/twice/);
  });
});
