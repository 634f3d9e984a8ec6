// Forward mode and the function transforms: jvp against analytic directional derivatives, nested
// jvp, reverse-over-forward, Hessian–vector products in both modes, hessian and jacobian, and the
// perturbation-confusion examples.

import { describe, expect, it } from "vitest";
import {
  Tensor, grad, hessian, hvp, jacobian, jvp, matmul, noGrad, stack, sum, tensor, valueAndGrad, vjp,
} from "../../src/index.js";
import { expectClose, uniform } from "../helpers/tensors.js";

const dot = (p: ArrayLike<number>, q: ArrayLike<number>): number => Array.from(p).reduce((s, v, i) => s + v * q[i]!, 0);

// f(x) = (a·x)³:  ∇f = 3(a·x)² a,  H = 6(a·x) a aᵀ,  third derivative 6 a⊗a⊗a.
const a = tensor([0.5, -1, 2]);
const cubeOfDot = (x: Tensor): Tensor => matmul(a, x).pow(3);
const x0 = tensor([0.3, 0.2, 0.4]);
const u = tensor([1, 0.5, -0.25]);
const v = tensor([-0.2, 1, 0.7]);
const w = tensor([0.4, -0.6, 0.1]);
const ax = dot(a.data, x0.data);

// g(x) = Σ_{i<n−1} sin(x_i)·x_{i+1}: H_ii = −sin(x_i)·x_{i+1} (i < n−1), H_{i,i+1} = H_{i+1,i} = cos(x_i).
const chain = (x: Tensor): Tensor => {
  const n = x.shape[0]!;
  return sum(x.slice([0, n - 1]).sin().mul(x.slice([1, n])));
};
function chainHessian(x: ArrayLike<number>): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i + 1 < n; i++) {
    H[i]![i] = -Math.sin(x[i]!) * x[i + 1]!;
    H[i]![i + 1] = Math.cos(x[i]!);
    H[i + 1]![i] = Math.cos(x[i]!);
  }
  return H;
}
const matVec = (M: number[][], p: ArrayLike<number>): number[] => M.map((row) => dot(row, p));

describe("jvp", () => {
  it("elementwise: ∂(sin x · eˣ)·v = (cos x + sin x)eˣ · v", () => {
    const x = uniform([4], -2, 2, 1);
    const t = uniform([4], -1, 1, 2);
    const [y, dy] = jvp((z) => z.sin().mul(z.exp()), x, t);
    expectClose(y, Array.from(x.data, (p) => Math.sin(p) * Math.exp(p)));
    expectClose(dy, Array.from(x.data, (p, i) => (Math.cos(p) + Math.sin(p)) * Math.exp(p) * t.data[i]!));
  });

  it("linear in a matrix: ∂(W·b)·V = V·b", () => {
    const W = uniform([2, 3], -1, 1, 3);
    const V = uniform([2, 3], -1, 1, 4);
    const b = tensor([1, -2, 0.5]);
    const [, dy] = jvp((M) => matmul(M, b), W, V);
    expectClose(dy, [0, 1].map((i) => dot(V.data.subarray(3 * i, 3 * i + 3), b.data)));
  });

  it("scalar: ∂(a·x)³·v = 3(a·x)²(a·v)", () => {
    const [y, dy] = jvp(cubeOfDot, x0, v);
    expectClose(y, ax ** 3);
    expectClose(dy, 3 * ax ** 2 * dot(a.data, v.data));
  });

  it("a function that ignores x has a zero tangent; a shape mismatch throws", () => {
    const [, dy] = jvp(() => tensor([1, 2]), x0, v);
    expect(dy.toArray()).toEqual([0, 0]);
    expect(() => jvp(cubeOfDot, x0, tensor([1, 2]))).toThrow(/tangent of shape \[2\] for an input of shape \[3\]/);
  });

  it("the primal it returns carries no live tangent, and forward mode works inside noGrad", () => {
    const [y] = jvp((z) => z.exp(), x0, v);
    expect(y.tangents === null || y.tangents.every((t) => y.tangentAt(t.level) === null)).toBe(true);
    const [, dy] = noGrad(() => jvp((z) => z.square(), x0, v));
    expectClose(dy, Array.from(x0.data, (p, i) => 2 * p * v.data[i]!));
    expect(dy.requiresGrad).toBe(false);
  });

  it("nested jvp (forward-over-forward) gives uᵀHv and the third derivative", () => {
    const second = jvp((x) => jvp(cubeOfDot, x, u)[1], x0, v)[1];
    expectClose(second, 6 * ax * dot(a.data, u.data) * dot(a.data, v.data));
    const third = jvp((y) => jvp((x) => jvp(cubeOfDot, x, u)[1], y, v)[1], x0, w)[1];
    expectClose(third, 6 * dot(a.data, u.data) * dot(a.data, v.data) * dot(a.data, w.data));
  });

  it("reverse-over-forward: ∇ of the jvp tangent is H·v", () => {
    const Hv = grad((x) => jvp(cubeOfDot, x, v)[1])(x0);
    const s = 6 * ax * dot(a.data, v.data);
    expectClose(Hv, Array.from(a.data, (p) => s * p));
  });

  it("forward-over-reverse: the jvp of grad is H·v", () => {
    const [g, Hv] = jvp(grad(cubeOfDot), x0, v);
    expectClose(g, Array.from(a.data, (p) => 3 * ax ** 2 * p));
    expectClose(Hv, Array.from(a.data, (p) => 6 * ax * dot(a.data, v.data) * p));
  });
});

describe("hvp, hessian, jacobian", () => {
  const xc = uniform([5], -2, 2, 5);
  const vc = uniform([5], -1, 1, 6);

  it("hvp forward-over-reverse and reverse-over-reverse agree with each other and with H·v", () => {
    const fwd = hvp(chain, xc, vc);
    const rev = hvp(chain, xc, vc, "reverse-over-reverse");
    expectClose(fwd, rev, { atol: 1e-14, rtol: 1e-13 });
    expectClose(fwd, matVec(chainHessian(xc.data), vc.data));
    const s = 6 * ax * dot(a.data, v.data);
    expectClose(hvp(cubeOfDot, x0, v), Array.from(a.data, (p) => s * p));
    expectClose(hvp(cubeOfDot, x0, v, "reverse-over-reverse"), Array.from(a.data, (p) => s * p));
  });

  it.each([undefined, "reverse-over-reverse", "forward-over-reverse"] as const)("hessian (mode %s) matches the analytic matrices", (mode) => {
    const H = hessian(chain, mode)(xc);
    expect(H.shape).toEqual([5, 5]);
    expectClose(H, chainHessian(xc.data).flat());
    const H2 = hessian(cubeOfDot, mode)(x0);
    expectClose(H2, Array.from(a.data).flatMap((p) => Array.from(a.data, (q) => 6 * ax * p * q)));
  });

  it("hessian's default is reverse-over-reverse: the gradient's graph once, a reverse pass per row, fewer ops than a forward pass per column", async () => {
    const { observeOps } = await import("../../src/engine/op.js");
    const count = (mode?: "reverse-over-reverse" | "forward-over-reverse"): number => {
      let n = 0;
      observeOps(() => n++, () => hessian(chain, mode)(xc));
      return n;
    };
    expect(count()).toBe(count("reverse-over-reverse"));
    expect(count()).toBeLessThan(count("forward-over-reverse"));
    expect(() => hessian(chain, "sideways" as never)).toThrow(/hessian: mode must be "forward-over-reverse" or "reverse-over-reverse"/);
  });

  // f(x) = [x0²·x1, 5x0 + sin x1, x1·e^x2]:
  // J = [[2x0x1, x0², 0], [5, cos x1, 0], [0, e^x2, x1·e^x2]]
  const f3 = (x: Tensor): Tensor => {
    const [p, q, r] = [x.slice(0), x.slice(1), x.slice(2)];
    return stack([p.square().mul(q), p.mul(5).add(q.sin()), q.mul(r.exp())]);
  };
  const J3 = ([p, q, r]: [number, number, number]): number[] => [2 * p * q, p * p, 0, 5, Math.cos(q), 0, 0, Math.exp(r), q * Math.exp(r)];

  it.each(["reverse", "forward"] as const)("jacobian (%s mode) of a vector function", (mode) => {
    const x = tensor([0.7, -1.3, 0.4]);
    const J = jacobian(f3, mode)(x);
    expect(J.shape).toEqual([3, 3]);
    expectClose(J, J3([0.7, -1.3, 0.4]));
  });

  it.each(["reverse", "forward"] as const)("jacobian (%s mode) of a matrix function X·A has shape [...y, ...x]", (mode) => {
    // y = X·A with X [2, 3], A [3, 2]: ∂y[i,j]/∂X[k,l] = δ_ik·A[l,j]
    const A = uniform([3, 2], -1, 1, 7);
    const X = uniform([2, 3], -1, 1, 8);
    const J = jacobian((Z) => matmul(Z, A), mode)(X);
    expect(J.shape).toEqual([2, 2, 2, 3]);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) for (let l = 0; l < 3; l++) {
      expected.push(i === k ? A.data[l * 2 + j]! : 0);
    }
    expectClose(J, expected);
  });

  it("transforms nest with reverse mode: ∇ Σ H(x) and ∇ of a jvp with respect to its direction", () => {
    // Σ_ij H_ij = 6(a·x)(Σa)²  ⇒  ∇ = 6(Σa)²·a
    const sa = Array.from(a.data).reduce((s, p) => s + p, 0);
    expectClose(grad((x) => sum(hessian(cubeOfDot)(x)))(x0), Array.from(a.data, (p) => 6 * sa * sa * p));
    // jvp is linear in v: ∇_v (∇f·v) = ∇f = 3(a·x)²·a
    expectClose(grad((dir) => jvp(cubeOfDot, x0, dir)[1])(v), Array.from(a.data, (p) => 3 * ax ** 2 * p));
  });

  it("vjp and valueAndGrad", () => {
    const [y, pullback] = vjp(f3, tensor([0.7, -1.3, 0.4]));
    expect(y.shape).toEqual([3]);
    const J = J3([0.7, -1.3, 0.4]);
    const ct = [1, -2, 0.5];
    expectClose(pullback(tensor(ct)), [0, 1, 2].map((j) => ct.reduce((s, c, i) => s + c * J[i * 3 + j]!, 0)));
    expect(() => pullback(tensor([1]))).toThrow(/cotangent of shape \[1\]/);
    const [val, g] = valueAndGrad(cubeOfDot)(x0);
    expectClose(val, ax ** 3);
    expectClose(g, Array.from(a.data, (p) => 3 * ax ** 2 * p));
    expect(() => grad((x) => x.mul(2))(x0)).toThrow(/must return one value/);
    // hvp and hessian name themselves (their errors said "grad" and "jvp").
    expect(() => hessian((x) => x.mul(2))(x0)).toThrow(/^hessian: the function must return one value, it returned shape \[/);
    expect(() => hvp((x) => x.mul(2), x0, x0)).toThrow(/^hvp: the function must return one value/);
    expect(() => hvp((x) => x.mul(2), x0, x0, "reverse-over-reverse")).toThrow(/^hvp: the function must return one value/);
    expect(() => hvp((x) => x.square().sum(), tensor([1, 2]), tensor([1, 2, 3]))).toThrow("hvp: direction v of shape [3] for an input of shape [2]");
  });
});

describe("perturbation confusion", () => {
  // d/dx [ x · (d/dy (x + y))|_{y=1} ] = d/dx [ x · 1 ] = 1. A system that confuses the two
  // perturbations counts x's perturbation as y's and gets 2.
  const x = tensor(2.5);
  it("d/dx [x · d/dy (x + y)] = 1 via grad of grad", () => {
    const outer = grad((xv) => xv.mul(grad((y) => xv.add(y))(tensor(1))));
    expectClose(outer(x), 1);
  });

  it("d/dx [x · d/dy (x + y)] = 1 via jvp of jvp", () => {
    const inner = (xv: Tensor): Tensor => jvp((y) => xv.add(y), tensor(1), tensor(1))[1];
    expectClose(jvp((xv) => xv.mul(inner(xv)), x, tensor(1))[1], 1);
  });

  // Siskind & Pearlmutter: d/dx [ x · (d/dy (x·y))|_{y=y0} ] = d/dx [x · x] = 2x (= 5 at x = 2.5),
  // whatever y0 is.
  it("Siskind–Pearlmutter d/dx [x · d/dy (x·y)] = 2x in every combination of modes", () => {
    const y0 = tensor(-0.7);
    const innerRev = (xv: Tensor): Tensor => grad((y) => xv.mul(y))(y0);
    const innerFwd = (xv: Tensor): Tensor => jvp((y) => xv.mul(y), y0, tensor(1))[1];
    expectClose(grad((xv) => xv.mul(innerRev(xv)))(x), 5);
    expectClose(jvp((xv) => xv.mul(innerFwd(xv)), x, tensor(1))[1], 5);
    expectClose(grad((xv) => xv.mul(innerFwd(xv)))(x), 5);
    expectClose(jvp((xv) => xv.mul(innerRev(xv)), x, tensor(1))[1], 5);
  });

  it("the same input perturbed twice at different levels keeps the levels apart", () => {
    // Nesting jvp on the same tensor, each level seeded with 1: d²/dx² x⁴ = 12x².
    const f = (t: Tensor): Tensor => t.pow(4);
    const d2 = jvp((t) => jvp(f, t, tensor(1))[1], x, tensor(1))[1];
    expectClose(d2, 12 * 2.5 ** 2);
  });
});
