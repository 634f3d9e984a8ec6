// The internal tensors of library functions (nn.MLP.forward, laplacian) outside tidy(): their buffers
// go back to the pool after a backward pass without retainGraph (src/engine/pool.ts libraryScope), a
// second pass through the freed graph throws an error naming retainGraph, and every value is the
// same, bit for bit, as main's path (library scopes off: setLibraryScopes(false), every op a fresh
// buffer that nothing gives back) and as the same computation inside tidy(). Those are the independent
// references here: the numbers of the old code path, computed in the same process.

import { afterEach, describe, expect, it } from "vitest";
import { rand, Rng, nn, tidy, poolStats, gradients, laplacian, inputGradient, jvp, noGrad, type Tensor } from "../../src/index.js";
import { keep } from "../../src/index.js";
import { libraryScope, setLibraryScopes } from "../../src/engine/pool.js";

afterEach(() => setLibraryScopes(true));

function setup(seed: number): { net: nn.MLP; params: Tensor[]; X: Tensor } {
  const net = new nn.MLP([2, 16, 16, 1], "tanh", { seed });
  const X = rand([300, 2], { rng: new Rng(seed), requiresGrad: true });
  return { net, params: net.parameters(), X };
}

/** The tensors inside u's graph (not u, not leaves). */
function internals(u: Tensor): Tensor[] {
  const out = new Set<Tensor>();
  const stack = [...(u.gradFn?.inputs ?? [])];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (out.has(t) || t.gradFn === null) continue;
    out.add(t);
    stack.push(...t.gradFn.inputs);
  }
  return [...out];
}

const mlpLoss = (net: nn.MLP, X: Tensor): Tensor => net.forward(X).square().mean();
const lapLoss = (net: nn.MLP, X: Tensor): Tensor => laplacian(net.forward(X), X).square().mean();

/** The parameters' gradients of `loss` by backward(), as plain arrays (null where it does not depend on one: the Laplacian on the last bias). */
function grads(params: Tensor[], loss: () => Tensor): (number[] | null)[] {
  for (const p of params) p.grad = null;
  loss().backward();
  return params.map((p) => (p.grad === null ? null : Array.from(p.grad.data)));
}

describe("library functions' internal buffers outside tidy()", () => {
  it("are released after backward(): reading one throws an error naming retainGraph; the result stays", () => {
    const { net, X } = setup(1);
    const u = net.forward(X);
    const inner = internals(u);
    expect(inner.length).toBeGreaterThan(3);
    const uValues = Array.from(u.data);
    // (Not read before: a fused bias sum read now would get values of its own, which stay valid.)
    // Views made afterwards (sharing the values: reshape, detach) are released with them; a copy is not.
    const hidden = inner.find((t) => t.gradFn!.name === "tanh")!;
    const views = [hidden.reshape([hidden.size]), hidden.detach()];
    const own = hidden.detach().requireGrad();
    const copy = Array.from(hidden.data);
    u.square().mean().backward();
    for (const t of [...inner, ...views]) expect(() => t.data).toThrow(/nn\.MLP\.forward.*retainGraph: true/);
    expect(Array.from(own.data)).toEqual(copy);
    expect(String(inner[0])).toMatch(/released by backward\(\)/);
    expect(Array.from(u.data)).toEqual(uValues);
  });

  it("a second backward through the freed graph throws an error that names retainGraph", () => {
    const { net, X } = setup(2);
    const u = net.forward(X);
    u.square().mean().backward();
    expect(() => u.sum().backward()).toThrow(/made inside nn\.MLP\.forward.*pass \{ retainGraph: true \} to the earlier call/);
    expect(() => gradients(u.sum(), X)).toThrow(/retainGraph/);
    // Refused before anything is written: the .grad of the last bias (reached first) stays as it was.
    const lastBias = net.layers[net.layers.length - 1]!.bias!;
    lastBias.grad = null;
    expect(() => u.sum().backward()).toThrow(/retainGraph/);
    expect(lastBias.grad).toBeNull();
    // The laplacian's graph goes through the MLP's: a backward through it frees both.
    const v = net.forward(X);
    const lap = laplacian(v, X);
    lap.square().mean().backward();
    expect(() => lap.sum().backward()).toThrow(/made inside laplacian\(\)|made inside nn\.MLP\.forward/);
    expect(() => v.sum().backward()).toThrow(/made inside nn\.MLP\.forward/);
  });

  it("retainGraph keeps them: a second pass gives the same gradients as a new forward pass", () => {
    const { net, params, X } = setup(3);
    const u = net.forward(X);
    for (const p of params) p.grad = null;
    u.square().mean().backward(undefined, { retainGraph: true });
    const first = params.map((p) => Array.from(p.grad!.data));
    for (const p of params) p.grad = null;
    const [gx] = gradients(u.sum(), X, { retainGraph: true });
    u.sum().backward();
    const second = params.map((p) => Array.from(p.grad!.data));
    expect(grads(params, () => mlpLoss(net, X))).toEqual(first);
    expect(grads(params, () => net.forward(X).sum())).toEqual(second);
    setLibraryScopes(false);
    expect(Array.from(gradients(net.forward(X).sum(), X)[0]!.data)).toEqual(Array.from(gx!.data));
  });

  it("gives the same bits as main's path and as tidy(), call after call (buffers reused in between)", () => {
    const { net, params, X } = setup(4);
    for (const loss of [mlpLoss, lapLoss]) {
      setLibraryScopes(false);
      const old = grads(params, () => loss(net, X));
      const inTidy = tidy(() => grads(params, () => loss(net, X)));
      setLibraryScopes(true);
      expect(inTidy).toEqual(old);
      for (let k = 0; k < 4; k++) expect(grads(params, () => loss(net, X))).toEqual(old);
      // Interleaved with the other case, which takes buffers of the same lengths from the pool.
      grads(params, () => (loss === mlpLoss ? lapLoss : mlpLoss)(net, X));
      expect(grads(params, () => loss(net, X))).toEqual(old);
    }
  });

  it("double backward (createGraph) keeps the graph: the gradient's own gradient matches main's path", () => {
    const { net, params, X } = setup(5);
    const run = (): number[][] => {
      for (const p of params) p.grad = null;
      const u = net.forward(X);
      const g = gradients(u.square().mean(), params, { createGraph: true });
      // The graph survives a createGraph pass: a second one works.
      gradients(u.sum(), params, { createGraph: true });
      let penalty = g[0]!.square().sum();
      for (const gi of g.slice(1)) penalty = penalty.add(gi.square().sum());
      penalty.backward();
      return params.map((p) => Array.from(p.grad!.data));
    };
    setLibraryScopes(false);
    const old = run();
    setLibraryScopes(true);
    expect(run()).toEqual(old);
    expect(run()).toEqual(old);
  });

  it("a steady-state call allocates only the user's own tensors and the gradients", () => {
    const { net, params, X } = setup(6);
    const fresh = (on: boolean, loss: () => Tensor): number => {
      setLibraryScopes(on);
      for (let i = 0; i < 5; i++) grads(params, loss);
      const f0 = poolStats().fresh;
      grads(params, loss);
      return poolStats().fresh - f0;
    };
    // mlp: the .grad of the 6 parameters and of X (7), the user's square, and mean's sum and ·1/N (3): 11
    // (counted buffer by buffer). Main's path also allocates internal buffers of the MLP (15 in all
    // here, the others taken from what the backward pass left in the pool).
    expect(fresh(true, () => mlpLoss(net, X))).toBeLessThanOrEqual(11);
    expect(fresh(false, () => mlpLoss(net, X))).toBeGreaterThanOrEqual(14);
    // laplacian: the same eleven at most (its last bias gets no gradient), against 40 and more.
    expect(fresh(true, () => lapLoss(net, X))).toBeLessThanOrEqual(11);
    expect(fresh(false, () => lapLoss(net, X))).toBeGreaterThanOrEqual(40);
  });

  it("in noGrad, the internals go back at once; inside tidy() and with forward-mode tangents nothing is recorded", () => {
    const { net, X } = setup(7);
    setLibraryScopes(false);
    const old = Array.from(noGrad(() => net.forward(X)).data);
    setLibraryScopes(true);
    noGrad(() => net.forward(X));
    const f0 = poolStats().fresh;
    const u = noGrad(() => net.forward(X));
    // Only the result is new (the hidden layers' buffers come back from the previous call).
    expect(poolStats().fresh - f0).toBe(1);
    expect(Array.from(u.data)).toEqual(old);
    const inTidy = tidy(() => {
      const v = net.forward(X);
      for (const t of internals(v)) expect(t.graphBuffers).toBeNull();
      return v;
    });
    expect(Array.from(inTidy.data)).toEqual(old);
    const [y, dy] = jvp((Z) => net.forward(Z), X.detach(), X.detach().mul(0).add(1));
    for (const t of internals(y)) expect(t.graphBuffers).toBeNull();
    expect(Array.from(y.data)).toEqual(old);
    expect(dy.size).toBe(300);
  });

  it("gradients() without retainGraph frees the graph too; the results it returns are not touched", () => {
    const { net, X } = setup(8);
    setLibraryScopes(false);
    const old = Array.from(gradients(net.forward(X).sum(), X)[0]!.data);
    setLibraryScopes(true);
    const u = net.forward(X);
    const [g] = gradients(u.sum(), X);
    // New buffers taken from the pool after the release do not disturb g.
    net.forward(X).sum().backward();
    expect(Array.from(g!.data)).toEqual(old);
    expect(() => gradients(u.sum(), X)).toThrow(/retainGraph/);
  });

  it("a tensor passed to keep() inside a library call is the caller's: never released with the graph", () => {
    const x = rand([400], { rng: new Rng(9), requiresGrad: true });
    let kept: Tensor | null = null;
    let inner: Tensor | null = null;
    const y = libraryScope("a test function", true, () => {
      inner = x.tanh();
      kept = keep(inner.mul(3));
      return kept.sin().sum();
    });
    y.backward();
    // kept = 3·tanh(x), computed directly (the SIMD tanh is within 4 ulp of Math.tanh); the other internal tensor is released.
    const want = Array.from(x.data, (v) => 3 * Math.tanh(v));
    kept!.data.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(want[i]!))));
    expect(() => inner!.data).toThrow(/a test function/);
  });

  it("values the caller computed from the graph (here by inputGradient, a recorded pass) stay readable after it is freed", () => {
    const { net, params, X } = setup(10);
    setLibraryScopes(false);
    const old = Array.from(inputGradient(net.forward(X), X).data);
    setLibraryScopes(true);
    const u = net.forward(X);
    const ux = inputGradient(u, X);
    for (const p of params) p.grad = null;
    ux.square().mean().backward();
    expect(Array.from(ux.data)).toEqual(old);
    expect(() => ux.sum().backward()).toThrow(/retainGraph/);
  });

  it("a value the caller computes from an internal tensor is computed at once, so it stays valid after the graph is freed", () => {
    const { net, X } = setup(11);
    const u = net.forward(X);
    const hidden = internals(u).find((t) => t.gradFn!.name === "tanh")!;
    const twice = hidden.mul(2).add(1); // (would be a lazy value reading hidden later)
    // 2h + 1 from a copy of h's values taken now.
    const want = Array.from(hidden.data, (v) => 2 * v + 1);
    u.sum().backward();
    expect(() => hidden.data).toThrow(/retainGraph/);
    expect(Array.from(twice.data)).toEqual(want);
  });
});
