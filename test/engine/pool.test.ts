// The buffer pool and its scopes (src/engine/pool.ts): tidy releases what its result does not
// reach, reading a released tensor throws, the result's graph survives, backward() releases its
// own temporaries, and a loop in steady state allocates nothing but the gradients it keeps.
// Expected values are derivatives worked out by hand (stated at each check).

import { describe, expect, it, onTestFinished } from "vitest";
import { tensor, rand, Rng, nn, tidy, keep, poolStats, gradients, type Tensor } from "../../src/index.js";
import { setFusion } from "../../src/engine/fusion.js";

const rng = new Rng(3);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
}

describe("tidy", () => {
  it("releases intermediates: reading one afterwards throws an error naming tidy and keep", () => {
    const x = rand([50], { rng });
    let inner: Tensor | null = null;
    const y = tidy(() => {
      inner = x.mul(3);
      return inner.sin();
    });
    // y = sin(3x), computed directly.
    close(y.data, Array.from(x.data, (v) => Math.sin(3 * v)));
    expect(() => inner!.data).toThrow(/tidy\(\).*keep\(\)/);
    expect(() => inner!.sum()).toThrow(/released/);
    expect(inner!.size).toBe(50);
  });

  it("keeps the result's graph: backward after tidy gives d/dx sin(3x)² = 6 sin(3x) cos(3x)", () => {
    const x = rand([40], { rng, requiresGrad: true });
    const loss = tidy(() => x.mul(3).sin().square().sum());
    loss.backward();
    close(x.grad!.data, Array.from(x.data, (v) => 6 * Math.sin(3 * v) * Math.cos(3 * v)));
  });

  it("keep() and arrays / objects of results survive; other tensors of the same buffers are not disturbed", () => {
    const x = rand([30], { rng });
    let kept: Tensor | null = null;
    const { a, b } = tidy(() => {
      kept = keep(x.add(1));
      return { a: x.mul(2), b: [x.sub(1)] };
    });
    close(kept!.data, Array.from(x.data, (v) => v + 1));
    close(a.data, Array.from(x.data, (v) => 2 * v));
    close(b[0]!.data, Array.from(x.data, (v) => v - 1));
    // New tensors after tidy never share a buffer with the survivors.
    const fresh = [x.mul(5), x.mul(6), x.mul(7)];
    const all = [kept!, a, b[0]!, ...fresh].map((t) => t.data);
    expect(new Set(all).size).toBe(all.length);
    close(a.data, Array.from(x.data, (v) => 2 * v));
  });

  it("does not release tensors created outside it, nor views of them (reshape, detach)", () => {
    const x = rand([4, 5], { rng });
    const copy = Float64Array.from(x.data);
    tidy(() => {
      x.reshape([20]).mul(2);
      x.detach().add(1);
    });
    for (let i = 0; i < 5; i++) tidy(() => x.mul(3).add(1));
    close(x.data, copy, 0);
  });

  it("nested: an inner result lives until the outer tidy ends", () => {
    const x = rand([10], { rng });
    let innerResult: Tensor | null = null;
    const outer = tidy(() => {
      innerResult = tidy(() => x.mul(2));
      return innerResult.add(1);
    });
    close(outer.data, Array.from(x.data, (v) => 2 * v + 1));
    expect(() => innerResult!.data).toThrow(/released/);
  });

  it("releases nothing when the function throws", () => {
    const x = rand([10], { rng });
    let t: Tensor | null = null;
    expect(() =>
      tidy(() => {
        t = x.mul(2);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    close(t!.data, Array.from(x.data, (v) => 2 * v));
  });

  it("gradients with createGraph inside tidy can be differentiated further: d²/dx² x³ = 6x", () => {
    const x = rand([8], { rng, requiresGrad: true });
    const second = tidy(() => {
      const [g] = gradients(x.pow(3).sum(), x, { createGraph: true });
      return gradients(g!.sum(), x)[0]!;
    });
    close(second.data, Array.from(x.data, (v) => 6 * v));
  });

  it("misuse from plain JavaScript is a TypeError that says what was wrong (was 'fn is not a function', 't.tangents is not iterable')", () => {
    expect(() => tidy(5 as never)).toThrow("tidy: expects a function to run, got the number 5");
    expect(() => tidy(async () => tensor([1]).mul(2))).toThrow(/^tidy: the function returned a Promise; tidy needs a synchronous function/);
    expect(() => tidy(() => keep(5 as never))).toThrow("keep: expects a tensor, got the number 5 (keep one tensor per call: keep(a), keep(b))");
    expect(() => keep([tensor([1])] as never)).toThrow("keep: expects a tensor, got an array of length 1");
    expect(keep(null)).toBe(null);
  });
});

describe("automatic reuse in backward()", () => {
  it("releases the backward pass's temporaries, keeps .grad and the forward tensors", () => {
    // (Fusion off: with it on, tanh and cos fuse and this pass has no temporaries at all — fusion-transcendental.test.ts.)
    setFusion(false);
    onTestFinished(() => setFusion(true));
    const x = rand([1000], { rng, requiresGrad: true });
    const h = x.tanh();
    // (cos: its derivative −sin x is a temporary of the backward pass; sin's, cos x, comes from its forward pass)
    const loss = h.mul(x.cos()).sum();
    const before = poolStats();
    loss.backward();
    const after = poolStats();
    expect(after.released - before.released).toBeGreaterThan(0);
    // d/dx tanh(x)·cos(x) = (1 − tanh²)·cos − tanh·sin
    close(x.grad!.data, Array.from(x.data, (v) => (1 - Math.tanh(v) ** 2) * Math.cos(v) - Math.tanh(v) * Math.sin(v)), 1e-13);
    close(h.data, Array.from(x.data, Math.tanh), 1e-15);
    // A second pass accumulates (twice the gradient) with reused buffers.
    const grad1 = Float64Array.from(x.grad!.data);
    x.tanh().mul(x.cos()).sum().backward();
    close(x.grad!.data, Array.from(grad1, (v) => 2 * v), 1e-14);
  });

  it("a training step in tidy allocates only the kept gradients in steady state, with the same numbers", () => {
    const net = new nn.MLP([2, 16, 16, 1], "tanh", { seed: 1 });
    const params = net.parameters();
    const X = rand([64, 2], { rng });
    const step = (): number => {
      for (const p of params) p.grad = null;
      const loss = net.forward(X).square().mean();
      loss.backward();
      return loss.item();
    };
    const plain = step();
    const plainGrads = params.map((p) => Float64Array.from(p.grad!.data));
    tidy(step);
    const s0 = poolStats();
    const tidied = tidy(step);
    const s1 = poolStats();
    expect(tidied).toBe(plain);
    params.forEach((p, i) => close(p.grad!.data, plainGrads[i]!, 0));
    expect(s1.fresh - s0.fresh).toBe(params.length);
    expect(s1.reused - s0.reused).toBeGreaterThan(20);
  });
});

describe("sin's cosines", () => {
  it("come from the pool and go back to it: the elementwise chain in tidy allocates only x's new gradient in steady state, with the same numbers", async () => {
    const { kernelUsage, resetKernelUsage } = await import("../../src/index.js");
    const x = rand([5000], { rng, requiresGrad: true });
    const step = (): number => {
      x.grad = null;
      const y = x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum();
      y.backward();
      return y.item();
    };
    const first = tidy(step);
    const g0 = Float64Array.from(x.grad!.data);
    tidy(step);
    resetKernelUsage();
    const s0 = poolStats();
    expect(tidy(step)).toBe(first);
    const s1 = poolStats();
    // Where the SIMD sincos kernel runs, the derivative took its cosines (they are a pooled buffer now).
    if (kernelUsage()["cos:with-sin"] !== undefined) expect(kernelUsage()["cos:with-sin"]).toBe(1);
    expect(s1.fresh - s0.fresh).toBe(1);
    // d/dx (tanh x·sin x + e^{−x²}/2 − x) = (1 − tanh²x)·sin x + tanh x·cos x − x·e^{−x²} − 1, by hand.
    close(x.grad!.data, Array.from(x.data, (v) => (1 - Math.tanh(v) ** 2) * Math.sin(v) + Math.tanh(v) * Math.cos(v) - v * Math.exp(-v * v) - 1), 1e-13);
    x.grad!.data.forEach((v, i) => expect(v).toBe(g0[i]));
  });
});

describe("released tensors cannot be read by mistake", () => {
  it("tensor(), zeros() inside tidy without returning them are released too", () => {
    let t: Tensor | null = null;
    tidy(() => {
      t = tensor([1, 2, 3]).mul(2);
    });
    expect(() => t!.toArray()).toThrow(/released/);
  });
});

describe("small buffers", () => {
  it("come from shared slabs: new ones are zero, never overlap, and keep their values while other small tensors are made", async () => {
    const { allocData, allocZeroed, resetPool } = await import("../../src/engine/pool.js");
    resetPool();
    const bufs = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? allocZeroed(1 + (i % 64)) : allocData(1 + (i % 64))));
    // Fresh memory is zero (allocData promises nothing, but a slab part is handed out once).
    for (const b of bufs) expect(b.every((v) => v === 0)).toBe(true);
    bufs.forEach((b, i) => b.fill(i + 1));
    bufs.forEach((b, i) => expect(b.every((v) => v === i + 1), `buffer ${i}`).toBe(true));
    const t = tensor([1, 2, 3]).mul(2);
    for (let i = 0; i < 2000; i++) tensor([i, i]).add(1);
    expect(Array.from(t.data)).toEqual([2, 4, 6]);
  });
});

describe("lazy values and tidy", () => {
  it("a lazy value made outside tidy and first read inside keeps its values after tidy returns (its buffer is not the scope's)", () => {
    const h = rand([1000], { rng }).tanh();
    const z = h.mul(2).add(1);
    expect(z.lazy).not.toBeNull();
    tidy(() => {
      // Read inside: z's buffer is allocated now, but z was made outside.
      expect(z.data[0]).toBe(h.data[0]! * 2 + 1);
      return h.mul(3).sum().item();
    });
    // Buffers released by that tidy are handed out again here; none may be z's.
    for (let i = 0; i < 5; i++) tidy(() => h.add(7).tanh().sum().item());
    z.data.forEach((v, i) => expect(v).toBe(h.data[i]! * 2 + 1));
  });

  it("a lazy value made in an outer tidy and read in an inner one belongs to the outer one", () => {
    const h = rand([1000], { rng }).tanh();
    const kept = tidy(() => {
      const z = h.mul(2).add(1);
      tidy(() => z.data[0]);
      for (let i = 0; i < 3; i++) tidy(() => h.add(7).tanh().sum().item());
      z.data.forEach((v, i) => expect(v).toBe(h.data[i]! * 2 + 1));
      return z;
    });
    kept.data.forEach((v, i) => expect(v).toBe(h.data[i]! * 2 + 1));
  });
});
