// Fused elementwise expressions on WebAssembly SIMD (src/engine/kernels/wasm-fused.ts) and the kernels'
// arena (src/engine/kernels/arena.ts, src/engine/pool.ts). The SIMD loop computes each element by the
// same IEEE float64 operations in the same order as the JavaScript loop, so the references here are the
// same expressions evaluated with the WebAssembly kernels off (setWasmKernels(false): the JavaScript
// loops) and compared bit for bit (Object.is: the same value, −0 and NaN included), at odd sizes, with
// plain numbers, broadcast values, bias rows (even: SIMD; odd: JavaScript), in and outside tidy() (tensors
// in the arena are read in place, ordinary arrays are copied block by block).

import { afterEach, describe, expect, it } from "vitest";
import { rand, tensor, Rng, tidy, kernelUsage, resetKernelUsage, type Tensor } from "../../../src/index.js";
import { setWasmKernels } from "../../../src/engine/kernels/f64-heap.js";
import { FUSIBLE } from "../../../src/engine/fusion.js";
import { hasWasmForm } from "../../../src/engine/kernels/wasm-fused.js";
import { inArena, setArenaBuffers } from "../../../src/engine/pool.js";
import { Arena } from "../../../src/engine/kernels/arena.js";
import { KERNEL_TABLE_BYTES } from "../../../src/engine/kernels/wasm-activations.js";

const rng = new Rng(21);

afterEach(() => {
  setWasmKernels(true);
  setArenaBuffers(true);
});

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}, element ${i}: ${a[i]} vs ${b[i]}`);
}

/** `f()`'s values with the SIMD kernels on and off (a fresh run each), and the kernel usage of the SIMD run. */
function bothWays(f: () => ArrayLike<number>): { simd: Float64Array; js: Float64Array; usage: Record<string, number> } {
  setWasmKernels(true);
  resetKernelUsage();
  const simd = Float64Array.from(f());
  const usage = kernelUsage();
  resetKernelUsage();
  setWasmKernels(false);
  const js = Float64Array.from(f());
  setWasmKernels(true);
  return { simd, js, usage };
}

/** Op results (sealed: fusion reads them lazily) with awkward values among ordinary ones. */
function operand(n: number, seed: number): Tensor {
  const r = new Rng(seed);
  const v = Float64Array.from({ length: n }, () => 4 * r.uniform() - 2);
  const special = [0, -0, 1e-310, -1e308, 1e308, Infinity, -Infinity, NaN, 3.5, -7];
  special.forEach((s, i) => (v[(i * 37) % n] = s));
  return tensor(v).mul(1);
}

describe("fused expressions on SIMD", () => {
  it("every fusible kernel text has a WebAssembly form", () => {
    for (const e of FUSIBLE) expect(hasWasmForm(e), e).toBe(true);
  });

  for (const n of [257, 2048, 2049, 6001]) {
    it(`every op, numbers and a broadcast value, n = ${n}: the same bits as the JavaScript loop, recorded as elementwise:wasm-simd`, () => {
      const expr = (): Float64Array => {
        const a = operand(n, 1);
        const b = operand(n, 2);
        const c = tensor([0.75]);
        // x + y, x − y, x·y, x/y, x + p, x·p, p − x, p/x, −x, x·x and a broadcast value (size-1 operand).
        const e = a.add(b).mul(a.sub(b)).div(b.add(0.5)).sub(a.mul(b)).add(3).mul(0.25);
        const g = e.neg().add(e.square()).add(c.broadcastTo([n])).sub(e.mul(-1.5));
        const h = g.add(a.neg().add(2).div(b)).add(a.mul(2).sub(1).neg()).add(a.square().mul(a));
        return h.add(tensor([2]).sub(h).div(h.add(1))).data;
      };
      const plain = bothWays(expr);
      sameBits(plain.simd, plain.js, "outside tidy");
      // Outside tidy nothing lies in the arena: the JavaScript loop runs (copies would cost more).
      expect(plain.usage["elementwise:wasm-simd"]).toBeUndefined();
      const tidied = bothWays(() => tidy(() => Float64Array.from(expr())));
      sameBits(tidied.simd, tidied.js, "inside tidy");
      expect(tidied.usage["elementwise:wasm-simd"]).toBeGreaterThan(0);
      sameBits(tidied.simd, plain.simd, "inside vs outside tidy");
    });
  }

  it("bias rows: even rows on SIMD, odd rows in JavaScript, blocks starting inside a row; the same bits", () => {
    for (const [rows, cols] of [[300, 8], [129, 6], [700, 5], [64, 33]] as const) {
      const f = (): Float64Array => {
        const X = operand(rows * cols, 3).reshape([rows, cols]);
        const b = rand([cols], { rng: new Rng(4) });
        void X.data;
        // (Only the expression with the rows is counted.)
        resetKernelUsage();
        return X.mul(2).add(b).mul(X).sub(b).data;
      };
      const r = bothWays(f);
      sameBits(r.simd, r.js, `${rows}×${cols}`);
      const t = bothWays(() => tidy(() => Float64Array.from(f())));
      sameBits(t.simd, r.js, `${rows}×${cols} in tidy`);
      expect(t.usage["elementwise:wasm-simd"]).toBe(cols % 2 === 0 ? 1 : undefined);
    }
  });

  it("sums of lazy values and of buffers: the bits of sumAll's order (four running sums, then the tail), recorded as sum:wasm-simd", () => {
    for (const n of [1001, 2048, 4099, 10003]) {
      const f = (): number[] => {
        const a = rand([n], { rng: new Rng(n) }).mul(1);
        const b = rand([n], { rng: new Rng(n + 1) }).mul(1);
        const lazy = a.mul(b).sub(a.mul(0.3)).sum().item();
        // (a buffer: the lazy product evaluated first; the same values either way)
        const m = a.mul(b).add(a);
        void m.data;
        const buffer = m.sum().item();
        return [lazy, buffer];
      };
      const r = bothWays(f);
      sameBits(r.simd, r.js, `n = ${n}`);
      // In tidy the values lie in the arena: the lazy value's operands are read and the buffer added where they lie.
      const t = bothWays(() => tidy(f));
      sameBits(t.simd, r.js, `n = ${n}, in tidy`);
      // (the lazy sum reads snapshots of a and b, ordinary arrays: the JavaScript loop; the buffer lies in the arena)
      if (n >= 2048) expect(t.usage["sum:wasm-simd"]).toBe(1);
    }
  });

  it("a lazy input of a SIMD activation is evaluated into its block (tanh of a lazy value, with and without rows): the same bits as evaluating it first", () => {
    for (const cols of [8, 7]) {
      const f = (): Float64Array => {
        const X = operand(1000 * cols, 5).reshape([1000, cols]);
        const b = rand([cols], { rng: new Rng(6) });
        return X.mul(0.5).add(b).tanh().data;
      };
      setWasmKernels(true);
      resetKernelUsage();
      const lazy = tidy(() => Float64Array.from(f()));
      expect(kernelUsage()["elementwise:wasm-simd"]).toBeGreaterThan(0);
      // The same tanh kernel on the evaluated input (fusion's bits are tested above).
      const X = operand(1000 * cols, 5).reshape([1000, cols]);
      const b = rand([cols], { rng: new Rng(6) });
      const input = tensor(Float64Array.from(X.mul(0.5).add(b).data)).reshape([1000, cols]);
      sameBits(lazy, input.tanh().data, `${cols} columns`);
    }
  });

  it("a lazy input with a leaf in the arena and one outside it (copied into the heap for each block), 9,001 values (three vector blocks, the last odd): the same bits as evaluating it first", () => {
    const outside = operand(9001, 8);
    outside.data; // (evaluated now, outside tidy: an ordinary array)
    const f = (t: Tensor): Tensor => t.add(outside.mul(300)).exp(); // (values beyond ±708 too: patched by the JavaScript formula)
    setWasmKernels(true);
    resetKernelUsage();
    const lazy = tidy(() => Float64Array.from(f(operand(9001, 9)).data));
    expect(kernelUsage()["elementwise:wasm-simd"]).toBeGreaterThan(0);
    // The same exp kernel on the evaluated input (fusion's bits are tested above).
    const input = tensor(Float64Array.from(operand(9001, 9).add(outside.mul(300)).data));
    sameBits(lazy, input.exp().data, "exp of a mixed lazy input");
  });
});

describe("the kernels' arena", () => {
  it("tidy's buffers live in the arena; what survives the outermost tidy is moved to ordinary arrays with its values; nested scopes keep theirs until then", () => {
    const x = rand([5000], { rng });
    let inside = false;
    let innerSurvivorInArena = false;
    const y = tidy(() => {
      const t = x.tanh();
      inside = inArena(t.data);
      const z = tidy(() => t.mul(2).sin());
      innerSurvivorInArena = inArena(z.data);
      return z;
    });
    expect(inside).toBe(true);
    expect(innerSurvivorInArena).toBe(true);
    expect(inArena(y.data)).toBe(false);
    // sin(2·tanh x) by Math (the SIMD kernels agree with Math.* to a few units in the last place).
    y.data.forEach((v, i) => expect(Math.abs(v - Math.sin(2 * Math.tanh(x.data[i]!)))).toBeLessThan(1e-15));
    // Outside tidy, op results are ordinary arrays.
    expect(inArena(x.tanh().data)).toBe(false);
  });

  it("the elementwise chain's value and gradient: the same bits with tensors in the arena (read in place) as with ordinary arrays (copied)", () => {
    const x = rand([20001], { rng, requiresGrad: true });
    const step = (): number[] => {
      x.grad = null;
      const y = x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum();
      y.backward();
      return [y.item(), ...x.grad!.data];
    };
    const arena = tidy(step);
    const again = tidy(step);
    setArenaBuffers(false);
    const plain = tidy(step);
    const asWritten = step();
    sameBits(arena, plain, "arena vs ordinary arrays");
    sameBits(again, arena, "second step (reused arena blocks)");
    sameBits(asWritten, arena, "outside tidy");
    expect(inArena(x.grad!.data)).toBe(false);
  });

  it("a reused arena block handed out zeroed where zeros are promised (column sums accumulate into one)", () => {
    const f = (): Float64Array => tidy(() => Float64Array.from(rand([300, 4], { rng: new Rng(8) }).mul(1).sum(0).data));
    const first = f();
    for (let i = 0; i < 3; i++) sameBits(f(), first, `call ${i}`);
  });

  it("the activations and sincos in place on arena tensors (odd lengths, blocks with inputs outside the kernels' range patched by the JavaScript formula): the same bits as through the heap", () => {
    const n = 9001;
    const v = Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? [1e6, -800, 800, NaN, Infinity, -Infinity][i % 6]! : 6 * Math.sin(i)));
    const run = (): number[] => {
      const x = tensor(v).mul(1);
      const y = tensor(v).mul(1).requireGrad();
      // (sin of a tensor that requires grad runs sincos, keeping cos x for the derivative)
      const s = y.sin();
      const g = s.sum();
      g.backward();
      return [...x.tanh().data, ...x.exp().data, ...x.sigmoid().data, ...x.sin().data, ...x.cos().data, ...s.data, ...y.grad!.data];
    };
    const inPlace = tidy(() => {
      const x = tensor(v).mul(1);
      expect(inArena(x.data)).toBe(true);
      return run();
    });
    setArenaBuffers(false);
    const copied = tidy(run);
    setArenaBuffers(true);
    sameBits(inPlace, copied, "in place vs copied");
    // and outside tidy (ordinary arrays, through the shared heap)
    const outside = run();
    sameBits(outside, copied, "outside tidy");
  });

  it("a full arena hands out nothing more (the pool then makes ordinary arrays); scratch blocks come from a few power-of-two sizes", () => {
    const a = new Arena(80); // 80 pages = 655,360 values: the kernels' tables, then tensors, then 524,288 for scratch
    const room = 655360 - (1 << 19) - Math.ceil(KERNEL_TABLE_BYTES / 16) * 2;
    const first = a.newBuffer(room - 10);
    expect(first).not.toBeNull();
    expect(a.newBuffer(12)).toBeNull();
    expect(a.newBuffer(10)).not.toBeNull();
    const s1 = a.alloc(100);
    const s2 = a.alloc(120);
    a.release(s2, 120);
    // 100 and 120 both take a 128-value block: the released one is handed out again.
    expect(a.alloc(101)).toBe(s2);
    expect(s1).not.toBe(s2);
  });
});

