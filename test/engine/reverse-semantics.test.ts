// Reverse-mode bookkeeping, checked against PyTorch's semantics: accumulation into .grad, seeds,
// retainGrad, zeroGrad, detach, noGrad, createGraph double backprop, gradients() on
// intermediates, and graphs built by ordinary JS control flow.

import { describe, expect, it } from "vitest";
import { Tensor, enableGrad, gradients, isGradEnabled, noGrad, ones, tensor } from "../../src/index.js";
import { expectClose } from "../helpers/tensors.js";

describe("backward()", () => {
  it("accumulates into .grad across calls, and zeroGrad() resets it", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = () => x.square().sum(); // dy/dx = 2x
    y().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    y().backward();
    expect(x.grad!.toArray()).toEqual([4, 8, 12]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3, 3]);
  });

  it("sums the contributions of every path to a leaf used several times", () => {
    const x = tensor(2, { requiresGrad: true });
    // y = x·x + 3x + x³: dy/dx = 2x + 3 + 3x² = 19 at x = 2
    x.mul(x).add(x.mul(3)).add(x.pow(3)).backward();
    expect(x.grad!.item()).toBe(19);
  });

  it("a non-scalar output without a seed throws a clear error; with a seed it is a vector–Jacobian product", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.square();
    expect(() => y.backward()).toThrow(/backward\(\) on a tensor of shape \[3\] needs a seed of that shape/);
    expect(() => y.backward(tensor([1, 1]))).toThrow(/seed of shape \[2\] does not match the output's shape \[3\]/);
    y.backward(tensor([1, 0.5, -1]));
    expect(x.grad!.toArray()).toEqual([2, 2, -6]); // seed · 2x
    x.zeroGrad();
    x.square().backward(2); // a number seed fills the output's shape
    expect(x.grad!.toArray()).toEqual([4, 8, 12]);
  });

  it("a [1]-shaped or [1, 1]-shaped output needs no seed", () => {
    const x = tensor([[3]], { requiresGrad: true });
    x.square().backward();
    expect(x.grad!.toArray()).toEqual([[6]]);
  });

  it("fails clearly on a tensor that does not require grad", () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  it("retainGrad() keeps the gradient of an intermediate; intermediates do not keep it otherwise", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const k = h.exp();
    k.sum().backward(); // d/dh Σ e^h = e^h
    expectClose(h.grad!, [Math.exp(3), Math.exp(6)]);
    expect(k.grad).toBeNull();
    expectClose(x.grad!, [3 * Math.exp(3), 3 * Math.exp(6)]);
    expect(() => tensor(1).retainGrad()).toThrow(/does not require grad/);
  });

  it("leaves that do not require grad get no .grad", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    a.mul(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([3, 4]);
    expect(b.grad).toBeNull();
  });
});

describe("graph recording", () => {
  it("results computed from tensors that do not require grad have no graph", () => {
    const y = tensor([1, 2]).mul(tensor([3, 4])).exp().sum();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
  });

  it("results of tensors that require grad record the op that made them", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.sin().sum();
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn!.name).toBe("sum");
    expect(y.gradFn!.inputs[0]!.gradFn!.name).toBe("sin");
    expect(y.isLeaf).toBe(false);
  });

  it("noGrad() records nothing, restores the mode afterwards, and enableGrad() re-enables inside it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(() => noGrad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });

  it("detach() cuts the graph: gradients do not flow through the detached value", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.square().detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    // y = x · stop(x²): dy/dx = x² (not 3x²)
    x.mul(d).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 4]);
  });

  it("requireGrad() applies to leaves only", () => {
    const x = tensor([1]).requireGrad();
    expect(x.requiresGrad).toBe(true);
    expect(() => x.mul(2).requireGrad()).toThrow(/leaf/);
  });

  it("dynamic control flow: the graph follows the branch and loop taken on .item() values", () => {
    // while |y| < 100: y = y·x  (a JS loop on the value), then a branch on its sign.
    const run = (x0: number): [number, number] => {
      const x = tensor(x0, { requiresGrad: true });
      let y: Tensor = x;
      let n = 1;
      while (Math.abs(y.item()) < 100) {
        y = y.mul(x);
        n++;
      }
      const out = y.item() > 0 ? y.sqrt() : y.neg().log();
      out.backward();
      return [n, x.grad!.item()];
    };
    // x = 3: y = 3^5 = 243 (n = 5), out = x^(5/2), d/dx = 2.5·x^1.5
    const [n1, g1] = run(3);
    expect(n1).toBe(5);
    expectClose(g1, 2.5 * 3 ** 1.5);
    // x = −2.5: |x⁵| ≈ 97.7 < 100, so the loop runs once more: y = x⁶ ≈ 244.1 > 0 (n = 6)
    const [n2, g2] = run(-2.5);
    expect(n2).toBe(6);
    // out = √(x⁶) = |x|³, d/dx = 3x²·sign(x) = −18.75
    expectClose(g2, -18.75);
    // x = −7: y = −7 → 49 → −343: n = 3, out = log(−x³), d/dx = 3/x
    const [n3, g3] = run(-7);
    expect(n3).toBe(3);
    expectClose(g3, 3 / -7);
  });
});

describe("double backprop with createGraph", () => {
  it("the .grad from backward(createGraph) is differentiable", () => {
    const x = tensor([0.5, -1.2], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!; // 3x²
    expect(g.requiresGrad).toBe(true);
    expectClose(g, [0.75, 4.32]);
    x.zeroGrad();
    g.sum().backward(); // d/dx Σ 3x² = 6x
    expectClose(x.grad!, [3, -7.2]);
  });

  it("without createGraph the .grad is a constant", () => {
    const x = tensor([2], { requiresGrad: true });
    x.pow(3).sum().backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.gradFn).toBeNull();
  });

  it("a gradient penalty: d/dx ‖∇f‖² through gradients(createGraph)", () => {
    // f = Σ sin(x_i)·x_i  ⇒ ∇f_i = cos x_i·x_i + sin x_i = : g_i,
    // ∂g_i/∂x_i = −sin x_i·x_i + 2 cos x_i, so d/dx Σ g² = 2g·∂g/∂x.
    const xs = [0.3, -1.1, 2];
    const x = tensor(xs, { requiresGrad: true });
    const [g] = gradients(x.sin().mul(x).sum(), x, { createGraph: true });
    g!.square().sum().backward();
    const expected = xs.map((v) => {
      const gi = Math.cos(v) * v + Math.sin(v);
      return 2 * gi * (-Math.sin(v) * v + 2 * Math.cos(v));
    });
    expectClose(x.grad!, expected);
  });
});

describe("gradients()", () => {
  it("a non-tensor output or input is a TypeError naming it (an array input was 'does not require grad')", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradients(x.sum(), [[1]] as never)).toThrow("gradients(): input 0 must be a Tensor, got an array of length 1");
    expect(() => gradients(x.sum(), [x, "x"] as never)).toThrow('gradients(): input 1 must be a Tensor, got the string "x"');
    expect(() => gradients(3 as never, x)).toThrow("gradients(): output 0 must be a Tensor, got the number 3");
  });

  it("returns gradients with respect to leaves without touching .grad", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const [ga, gb] = gradients(a.mul(b).sum(), [a, b]);
    expect(ga!.toArray()).toEqual([3, 4]);
    expect(gb!.toArray()).toEqual([1, 2]);
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it("differentiates with respect to an intermediate tensor", () => {
    const x = tensor([0.5, 1.5], { requiresGrad: true });
    const h = x.mul(2);
    const y = h.sin().sum();
    const [gh] = gradients(y, h); // cos h
    expectClose(gh!, [Math.cos(1), Math.cos(3)]);
    const [gx, gh2] = gradients(y, [x, h]);
    expectClose(gx!, [2 * Math.cos(1), 2 * Math.cos(3)]);
    expectClose(gh2!, [Math.cos(1), Math.cos(3)]);
  });

  it("fails on an unused input unless allowUnused, which gives zeros", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([[5, 6]], { requiresGrad: true });
    const y = x.square().sum();
    expect(() => gradients(y, [x, unused])).toThrow(/input 1 is not used to compute the outputs \(pass allowUnused: true/);
    const [gx, gu] = gradients(y, [x, unused], { allowUnused: true });
    expect(gx!.toArray()).toEqual([2, 4]);
    expect(gu!.toArray()).toEqual([[0, 0]]);
    expect(() => gradients(y, tensor([1]))).toThrow(/input 0 does not require grad/);
  });

  it("takes several outputs with their seeds (gradOutputs)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    // 2·∂(x²)/∂x·[1, 1] + ∂(Σ x³)/∂x = 2·2x + 3x²
    const [g] = gradients([x.square(), x.pow(3).sum()], x, { gradOutputs: [tensor([2, 2]), null] });
    expect(g!.toArray()).toEqual([7, 20]);
    expect(() => gradients(x.square(), x)).toThrow(/needs a seed/);
  });

  it("results stay connected to the graph only with createGraph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g0] = gradients(x.pow(3).sum(), x);
    expect(g0!.requiresGrad).toBe(false);
    const [g1] = gradients(x.pow(3).sum(), x, { createGraph: true });
    const [h] = gradients(g1!.sum(), x); // Σ 3x² → 6x
    expect(h!.toArray()).toEqual([6, 12]);
  });

  it("deep graphs (longer than the call stack) back-propagate", () => {
    const x = tensor(1, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 20000; i++) y = y.add(1e-4);
    y.mul(2).backward();
    expect(x.grad!.item()).toBe(2);
  });

  it("an output that is the input itself has the seed as its gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = gradients(x, x, { gradOutputs: ones([2]).mul(3) });
    expect(g!.toArray()).toEqual([3, 3]);
  });
});

describe("gradient objects", () => {
  it("gives every leaf its own .grad tensor, even when one gradient reaches several", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    a.grad!.data[0] = 100;
    expect(Array.from(b.grad!.data)).toEqual([1, 1]);
  });
});
