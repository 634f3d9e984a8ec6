// In-place updates between a forward pass and its backward (Tensor.version, PyTorch's version
// counters): the engine's own writers (optimizer steps, bumpVersion()) make backward() through a
// graph built from the old values throw, naming the op and the shape, instead of silently using the
// new values. The numbers asserted are worked by hand in the comments.

import { describe, expect, it } from "vitest";
import { Adam, LBFGS, gradients, noGrad, tensor, type Tensor } from "../../src/index.js";

/** Give every parameter a gradient so that an optimizer step moves it. */
function gradOf(params: Tensor[]): void {
  for (const p of params) p.grad = null;
  params.reduce((s: Tensor | null, p) => (s === null ? p.square().sum() : s.add(p.square().sum())), null)!.backward();
}

describe("in-place updates after the forward pass", () => {
  it("an Adam step on b between y = a·b and y.backward() throws, naming mul and b's shape", () => {
    const a = tensor([1.5, -0.5], { requiresGrad: true });
    const b = tensor([2, 3], { requiresGrad: true });
    const y = a.mul(b).sum();
    gradOf([b]);
    const before = b.version;
    new Adam([b], { lr: 0.1 }).step();
    expect(b.version).toBe(before + 1);
    expect(() => y.backward()).toThrow(/an input of mul was modified in place after mul used it — input 2 \(a tensor of shape \[2\], now at version 1\).*compute the loss again/);
    // gradients() walks the same graph and refuses it too
    expect(() => gradients(y, [a])).toThrow(/an input of mul was modified.*input 2/);
  });

  it("recomputing the loss after the step gives the gradient at the new values", () => {
    const a = tensor([1.5, -0.5], { requiresGrad: true });
    const b = tensor([2, 3], { requiresGrad: true });
    gradOf([b]); // b.grad = 2b = [4, 6]
    // The first Adam step moves each entry by lr·g/(|g| + ε) (m̂ = g, √v̂ = |g|): b = [2 − 0.1·4/(4 + 1e-8), 3 − 0.1·6/(6 + 1e-8)]
    new Adam([b], { lr: 0.1 }).step();
    a.grad = null;
    a.mul(b).sum().backward();
    // d/da Σ a·b = b, at the new b
    expect(a.grad!.data[0]).toBeCloseTo(2 - (0.1 * 4) / (4 + 1e-8), 14);
    expect(a.grad!.data[1]).toBeCloseTo(3 - (0.1 * 6) / (6 + 1e-8), 14);
  });

  it("a clone of the parameter in the graph keeps the old values: backward after the step is allowed and uses them", () => {
    const a = tensor([1.5, -0.5], { requiresGrad: true });
    const b = tensor([2, 3], { requiresGrad: true });
    const y = a.mul(b.clone()).sum();
    gradOf([b]);
    new Adam([b], { lr: 0.1 }).step();
    a.grad = null;
    b.grad = null;
    y.backward();
    // d/da Σ a·b_old = b_old = [2, 3]; d/db = a = [1.5, −0.5] (clone passes the gradient through)
    expect(Array.from(a.grad!.data)).toEqual([2, 3]);
    expect(Array.from(b.grad!.data)).toEqual([1.5, -0.5]);
  });

  it("an L-BFGS step (its line search writes the parameters) makes an older graph throw", () => {
    const x = tensor([3, -1], { requiresGrad: true });
    const c = tensor([1, 2]);
    const old = x.mul(c).sum(); // built before the step
    const opt = new LBFGS([x]);
    opt.step(() => {
      x.grad = null;
      const f = x.sub(c).square().sum(); // minimum at x = c
      f.backward();
      return f.item();
    });
    expect(x.version).toBeGreaterThan(0);
    expect(() => old.backward()).toThrow(/an input of mul was modified.*input 1 \(a tensor of shape \[2\], now at version/);
  });

  it("a non-differentiated input updated in place is caught too (its values enter the other input's gradient)", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const w = tensor([5, 7]); // no grad, but read by mul's backward rule for a
    const y = a.mul(w).sum();
    w.data[0] = 100;
    w.bumpVersion(); // a hand-written update says so (a direct .data write alone is not seen)
    expect(() => y.backward()).toThrow(/an input of mul was modified.*input 2/);
  });

  it("views share the counter: a detached copy and a reshape of the parameter", () => {
    const p = tensor([1, 2, 3, 4], { requiresGrad: true });
    const d = p.detach(); // same values, as in PyTorch
    const r = p.reshape(2, 2); // same values
    const q = tensor([[1, 1], [1, 1]], { requiresGrad: true });
    const y1 = d.mul(q.reshape(4)).sum();
    const y2 = r.mul(q).sum();
    const y3 = noGrad(() => p.reshape(4, 1)).mul(q.reshape(4, 1)).sum(); // a reshape made without grad is a leaf view
    p.bumpVersion();
    expect(d.version).toBe(1);
    expect(() => y1.backward()).toThrow(/an input of mul was modified.*input 1/);
    expect(() => y2.backward()).toThrow(/an input of mul was modified.*input 1 \(a tensor of shape \[2, 2\]/);
    expect(() => y3.backward()).toThrow(/an input of mul was modified.*input 1 \(a tensor of shape \[4, 1\]/);
  });

  it("ops whose backward reads only shapes (add, reshape, sum) allow an update in between, as PyTorch does", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const y = a.add(b).reshape(2, 1).sum();
    b.bumpVersion();
    y.backward();
    // d/da Σ (a + b) = d/db = 1
    expect(Array.from(a.grad!.data)).toEqual([1, 1]);
    expect(Array.from(b.grad!.data)).toEqual([1, 1]);
  });

  it("ops on sealed results record nothing and are unaffected; bumpVersion() on an op result is refused", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.square(); // an op result: read-only
    const hs = h.square();
    const y = hs.sum();
    expect(hs.gradFn!.versionSum).toBe(0); // no unsealed input
    expect(y.gradFn!.versionSum).toBe(-1); // sum's rule reads no values: not checked
    y.backward();
    // y = Σ x⁴, dy/dx = 4x³
    expect(Array.from(x.grad!.data)).toEqual([4, 32]);
    x.bumpVersion();
    x.bumpVersion();
    expect(x.square().gradFn!.versionSum).toBe(2); // x (a leaf made from an array) recorded at version 2
    expect(() => h.bumpVersion()).toThrow(/op's result, read-only/);
  });
});
