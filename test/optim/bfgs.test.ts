// Dense (self-scaled) BFGS and Broyden on problems whose minimizers are known in closed form:
// convex quadratics built with a chosen x* (b = A·x*), where with a near-exact line search the
// Broyden class terminates in at most n quasi-Newton steps after the first (N&W Theorem 6.4 for
// BFGS; the self-scaling only rescales H, so the directions stay conjugate), and Rosenbrock
// (minimum 0 at x = 1). The update formula is checked against the secant condition H⁺y = s, which
// every member of the class satisfies whatever φ and τ are.

import { describe, expect, it } from "vitest";
import { Rng, Tensor } from "../../src/index.js";
import { BFGS, BFGS_UPDATES, ssBroydenParameters } from "../../src/optim/bfgs.js";
import { closureOf, flat, makeParams, quadratic, rosenbrock, run, spdMatrix } from "../helpers/objectives.js";

const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((ai, i) => Math.abs(ai - b[i]!)));

describe("BFGS (dense, self-scaled)", () => {
  for (const update of BFGS_UPDATES) {
    for (const n of [5, 12]) {
      it(`${update}: a ${n}-D convex quadratic (condition number 100) in at most n + 1 steps`, () => {
        const rng = new Rng(200 + n);
        const eig = Array.from({ length: n }, (_, k) => 10 ** ((2 * k) / (n - 1)));
        const a = spdMatrix(n, eig, rng);
        const xStar = Array.from({ length: n }, () => rng.normal());
        const params = makeParams(new Array(n).fill(0), [n]);
        const fg = quadratic(a, xStar);
        // A near-exact line search (cubic interpolation is exact on a quadratic).
        // The gradient falls from ~10 to ~1e-8 at step n + 1 (rounding); before it, it is still ≥ 1e-2.
        const opt = new BFGS(params, { update, c1: 1e-8, c2: 1e-6, tolGrad: 1e-6 });
        const { last, steps } = run(opt, closureOf(params, fg), 3 * n);
        expect(last.reason).toBe("gradient below tolGrad");
        expect(steps).toBeLessThanOrEqual(n + 1);
        expect(maxAbsDiff(flat(params), xStar)).toBeLessThan(1e-6);
      });
    }

    it(`${update}: the 2-D Rosenbrock function from (−1.2, 1) to 1e-10 of (1, 1)`, () => {
      const params = makeParams([-1.2, 1], [2]);
      const opt = new BFGS(params, { update });
      const { last, steps } = run(opt, closureOf(params, rosenbrock), 500);
      expect(last.converged).toBe(true);
      expect(maxAbsDiff(flat(params), [1, 1])).toBeLessThan(1e-10);
      expect(rosenbrock(flat(params)).f).toBeLessThan(1e-20);
      expect(steps).toBeLessThan(200);
    });

    it(`${update}: the 10-D Rosenbrock function (parameters split over three tensors) to 1e-10`, () => {
      const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const params = makeParams(x0, [3, 5, 2]);
      const opt = new BFGS(params, { update });
      const { last } = run(opt, closureOf(params, rosenbrock), 2000);
      expect(last.converged).toBe(true);
      expect(maxAbsDiff(flat(params), new Array(10).fill(1))).toBeLessThan(1e-10);
    });
  }

  it("every update satisfies the secant condition H⁺y = s after each step", () => {
    for (const update of BFGS_UPDATES) {
      const x0 = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const params = makeParams(x0, [6]);
      const opt = new BFGS(params, { update });
      const closure = closureOf(params, rosenbrock);
      opt.step(closure); // the first step builds H from the first pair
      for (let k = 0; k < 8; k++) {
        const before = flat(params);
        const gBefore = rosenbrock(before).g;
        opt.step(closure);
        const after = flat(params);
        const gAfter = rosenbrock(after).g;
        const s = after.map((v, i) => v - before[i]!);
        const y = gAfter.map((v, i) => v - gBefore[i]!);
        const H = opt.inverseHessian()!;
        const Hy = s.map((_, i) => y.reduce((acc, yj, j) => acc + H[i * 6 + j]! * yj, 0));
        const scale = Math.max(...s.map(Math.abs));
        expect(maxAbsDiff(Hy, s) / scale).toBeLessThan(1e-8);
        // The next direction (formed from the update's by-product) is −H⁺·g⁺ with the updated matrix.
        const direct = gAfter.map((_, i) => -gAfter.reduce((acc, gj, j) => acc + H[i * 6 + j]! * gj, 0));
        const d = new Float64Array(6);
        (opt as unknown as { direction(g: Float64Array, out: Float64Array): boolean }).direction(Float64Array.from(gAfter), d);
        expect(maxAbsDiff(Array.from(d), direct)).toBeLessThan(1e-9 * Math.max(...direct.map(Math.abs)));
      }
    }
  });

  it("the SSBroyden parameters reduce to SSBFGS when a = bh − 1 vanishes, and keep τ > 0", () => {
    // a = 0: φ = 1 (BFGS) and τ = min(1, 1/b).
    expect(ssBroydenParameters(2, 0.5, 100)).toEqual({ tau: 0.5, phi: 1 });
    for (const [b, h] of [[0.5, 3], [2, 1], [10, 0.2], [1.2, 1.2]] as const) {
      const { tau, phi } = ssBroydenParameters(b, h, 50);
      expect(tau).toBeGreaterThan(0);
      expect(Number.isFinite(phi)).toBe(true);
    }
  });

  it("never ends above its starting loss and reports a failed line search on an objective that is NaN away from the start", () => {
    const p = [new Tensor(Float64Array.from([0, 0]), [2]).requireGrad()];
    const opt = new BFGS(p);
    const closure = (): number => {
      const x = p[0]!.data;
      const moved = x[0] !== 0 || x[1] !== 0;
      p[0]!.grad = new Tensor(Float64Array.from([1, 1]), [2]);
      return moved ? NaN : 1;
    };
    const r = opt.step(closure);
    expect(r.converged).toBe(true);
    expect(r.reason).toBe("line search failed");
    expect(Array.from(p[0]!.data)).toEqual([0, 0]);
  });

  it("rejects an unknown update", () => {
    expect(() => new BFGS(makeParams([0], [1]), { update: "dfp" as never })).toThrow(/BFGS: update/);
  });
});
