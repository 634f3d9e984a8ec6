// Per-point input derivatives of a batched u(X), X of shape [N, d] (what PINN residuals need):
// partial, laplacian, inputGradient (reverse mode) and partialForward (forward mode) against each
// other, against closed forms, and on a network against finite differences.

import { describe, expect, it } from "vitest";
import {
  Tensor, gradients, inputGradient, laplacian, noGrad, nn, partial, partialForward, tensor,
} from "../../src/index.js";
import { expectClose } from "../helpers/tensors.js";

// u(x, y) = sin(x)·e^(2y) + x³y
//   u_x = cos x e^(2y) + 3x²y        u_y = 2 sin x e^(2y) + x³
//   u_xx = −sin x e^(2y) + 6xy       u_yy = 4 sin x e^(2y)       u_xy = 2 cos x e^(2y) + 3x²
//   u_xxy = −2 sin x e^(2y) + 6x     u_xxx = −cos x e^(2y) + 6y
//   Δu = 3 sin x e^(2y) + 6xy
const uOf = (X: Tensor): Tensor => {
  const x = X.column(0);
  const y = X.column(1);
  return x.sin().mul(y.mul(2).exp()).add(x.pow(3).mul(y));
};
type Closed = (x: number, y: number) => number;
const E = (y: number): number => Math.exp(2 * y);
const CLOSED: [string, number[], Closed][] = [
  ["u_x", [0], (x, y) => Math.cos(x) * E(y) + 3 * x * x * y],
  ["u_y", [1], (x, y) => 2 * Math.sin(x) * E(y) + x ** 3],
  ["u_xx", [0, 0], (x, y) => -Math.sin(x) * E(y) + 6 * x * y],
  ["u_yy", [1, 1], (x, y) => 4 * Math.sin(x) * E(y)],
  ["u_xy", [0, 1], (x, y) => 2 * Math.cos(x) * E(y) + 3 * x * x],
  ["u_yx", [1, 0], (x, y) => 2 * Math.cos(x) * E(y) + 3 * x * x],
  ["u_xxy", [0, 0, 1], (x, y) => -2 * Math.sin(x) * E(y) + 6 * x],
  ["u_xxx", [0, 0, 0], (x, y) => -Math.cos(x) * E(y) + 6 * y],
];
const laplacianClosed: Closed = (x, y) => 3 * Math.sin(x) * E(y) + 6 * x * y;

const POINTS = [[0.3, -0.2], [-1.1, 0.5], [2.0, 0.1], [0.7, -0.9], [-0.4, 0.35]];
const makeX = (points: number[][] = POINTS): Tensor => tensor(points, { requiresGrad: true });
const perPoint = (f: Closed, points: number[][] = POINTS): number[] => points.map(([x, y]) => f(x!, y!));

describe("partial / laplacian / partialForward on an analytic u", () => {
  it.each(CLOSED)("%s: reverse (partial) and forward (partialForward) match the closed form and each other", (_n, axes, closed) => {
    const X = makeX();
    const rev = partial(uOf(X), X, ...axes);
    const fwd = partialForward(uOf, X, ...axes);
    expect(rev.shape).toEqual([5, 1]);
    expect(fwd.shape).toEqual([5, 1]);
    expectClose(rev, fwd, { atol: 1e-12, rtol: 1e-12 });
    expectClose(rev, perPoint(closed), { atol: 1e-12, rtol: 1e-12 });
  });

  it("laplacian = u_xx + u_yy, and with a subset of axes", () => {
    const X = makeX();
    const u = uOf(X);
    const lap = laplacian(u, X);
    expectClose(lap, perPoint(laplacianClosed), { atol: 1e-12, rtol: 1e-12 });
    const sumOfSeconds = partialForward(uOf, X, 0, 0).add(partialForward(uOf, X, 1, 1));
    expectClose(lap, sumOfSeconds, { atol: 1e-12, rtol: 1e-12 });
    expectClose(laplacian(u, X, [1]), perPoint((x, y) => 4 * Math.sin(x) * E(y)), { atol: 1e-12, rtol: 1e-12 });
  });

  it("inputGradient is [u_x, u_y] per row; u may be [N] or [N, 1]", () => {
    const X = makeX();
    const g = inputGradient(uOf(X), X);
    expect(g.shape).toEqual([5, 2]);
    expectClose(g, POINTS.flatMap(([x, y]) => [CLOSED[0]![2](x!, y!), CLOSED[1]![2](x!, y!)]), { atol: 1e-12, rtol: 1e-12 });
    const flat = uOf(X).reshape([5]);
    expectClose(partial(flat, X, 0, 1), perPoint(CLOSED[4]![2]), { atol: 1e-12, rtol: 1e-12 });
  });

  it("rows do not mix: changing row k of X changes only row k of every derivative", () => {
    const derivatives = (points: number[][]): Tensor[] => {
      const X = makeX(points);
      const u = uOf(X);
      return [partial(u, X, 0), partial(u, X, 0, 1), laplacian(u, X), partialForward(uOf, X, 1, 1)];
    };
    const before = derivatives(POINTS);
    const k = 2;
    const moved = POINTS.map((p, i) => (i === k ? [p[0]! + 0.3, p[1]! - 0.2] : p));
    const after = derivatives(moved);
    before.forEach((b, m) => {
      for (let n = 0; n < POINTS.length; n++) {
        if (n === k) expect(after[m]!.data[n], `derivative ${m} row ${n}`).not.toBe(b.data[n]);
        else expect(after[m]!.data[n], `derivative ${m} row ${n}`).toBe(b.data[n]);
      }
    });
    expectClose(after[1]!.slice([k, k + 1]), [CLOSED[4]![2](moved[k]![0]!, moved[k]![1]!)], { rtol: 1e-12 });
  });

  it("derivatives stay differentiable with respect to parameters", () => {
    // u = c·x²·y with a parameter c: u_xx = 2cy, so d/dc Σ u_xx = 2 Σ y.
    const c = tensor(1.7, { requiresGrad: true });
    const X = makeX();
    const u = c.mul(X.column(0).square()).mul(X.column(1));
    const [dc] = gradients(partial(u, X, 0, 0).sum(), c);
    expectClose(dc!, 2 * POINTS.reduce((s, p) => s + p[1]!, 0));
  });

  it("clear errors for a bad X, u or axis", () => {
    const X = makeX();
    const u = uOf(X);
    expect(() => partial(u, X, 2)).toThrow(/axis 2 is out of range/);
    expect(() => inputGradient(u.reshape([1, 5]), X)).toThrow(/u must have shape \[5\] or \[5, 1\]/);
    const plain = tensor(POINTS);
    expect(() => inputGradient(uOf(plain), plain)).toThrow(/X must require grad/);
    expect(() => inputGradient(u, X.reshape([10]))).toThrow(/X must have shape \[N, d\]/);
  });
});

describe("per-point derivatives of an MLP against finite differences", () => {
  const net = new nn.MLP([2, 12, 12, 1], "tanh", { seed: 11 });
  const points = [[0.1, 0.2], [-0.7, 0.4], [0.9, -0.5], [0.3, 0.8], [-0.2, -0.6], [0.5, 0.05]];
  const N = points.length;
  /** The network at the points shifted by (dx, dy), without a graph. */
  const at = (dx: number, dy: number): Float64Array =>
    noGrad(() => net.forward(tensor(points.map(([x, y]) => [x! + dx, y! + dy]))).data);
  const combine = (terms: [number, Float64Array][], scale: number): number[] =>
    Array.from({ length: N }, (_, n) => terms.reduce((s, [c, d]) => s + c * d[n]!, 0) / scale);

  const X = tensor(points, { requiresGrad: true });
  const u = net.forward(X);

  it("first derivatives: central differences with h = 1e-5", () => {
    const h = 1e-5;
    const ux = combine([[1, at(h, 0)], [-1, at(-h, 0)]], 2 * h);
    const uy = combine([[1, at(0, h)], [-1, at(0, -h)]], 2 * h);
    expectClose(partial(u, X, 0), ux, { atol: 1e-9, rtol: 1e-7 });
    expectClose(partial(u, X, 1), uy, { atol: 1e-9, rtol: 1e-7 });
  });

  it("second derivatives and the Laplacian: second differences with h = 1e-4", () => {
    const h = 1e-4;
    const c = at(0, 0);
    const uxx = combine([[1, at(h, 0)], [-2, c], [1, at(-h, 0)]], h * h);
    const uyy = combine([[1, at(0, h)], [-2, c], [1, at(0, -h)]], h * h);
    const uxy = combine([[1, at(h, h)], [-1, at(h, -h)], [-1, at(-h, h)], [1, at(-h, -h)]], 4 * h * h);
    expectClose(partial(u, X, 0, 0), uxx, { atol: 1e-6, rtol: 1e-5 });
    expectClose(partial(u, X, 1, 1), uyy, { atol: 1e-6, rtol: 1e-5 });
    expectClose(partial(u, X, 0, 1), uxy, { atol: 1e-6, rtol: 1e-5 });
    expectClose(laplacian(u, X), uxx.map((v, n) => v + uyy[n]!), { atol: 2e-6, rtol: 1e-5 });
  });

  it("reverse and forward mode agree to ~1e-12", () => {
    const f = (Z: Tensor): Tensor => net.forward(Z);
    for (const axes of [[0], [1], [0, 0], [0, 1], [1, 1], [0, 1, 1]]) {
      expectClose(partial(u, X, ...axes), partialForward(f, X, ...axes), { atol: 1e-12, rtol: 1e-12 });
    }
  });

  it("the gradient of a residual loss with respect to weights matches finite differences", () => {
    // loss(θ) = Σ_n (Δu_n)², differentiated with respect to the first layer's bias.
    const bias = net.layers[0]!.bias!;
    const loss = (): Tensor => {
      const Z = tensor(points, { requiresGrad: true });
      return laplacian(net.forward(Z), Z).square().sum();
    };
    const [g] = gradients(loss(), bias);
    const h = 1e-6;
    const numeric = Array.from(bias.data, (_, j) => {
      const orig = bias.data[j]!;
      bias.data[j] = orig + h;
      const plus = loss().item();
      bias.data[j] = orig - h;
      const minus = loss().item();
      bias.data[j] = orig;
      return (plus - minus) / (2 * h);
    });
    expectClose(g!, numeric, { atol: 1e-7, rtol: 1e-5 });
  });

  it("a residual built with forward mode has the same weight gradient as one built with reverse mode", () => {
    const weight = net.layers[1]!.weight;
    const Z = tensor(points, { requiresGrad: true });
    const viaReverse = partial(net.forward(Z), Z, 0, 1).square().sum();
    const viaForward = partialForward((P) => net.forward(P), Z, 0, 1).square().sum();
    expectClose(viaForward, viaReverse, { rtol: 1e-12 });
    expectClose(gradients(viaForward, weight)[0]!, gradients(viaReverse, weight)[0]!, { atol: 1e-12, rtol: 1e-10 });
  });
});
