// The quasi-Newton optimisers' kernels (src/optim/optim-wasm.ts, optim-kernels.ts): the fused BFGS
// pass (rank-3 update of H, then H·g) and L-BFGS's fused axpby + dot, on the WebAssembly SIMD path
// and the JavaScript fallback, against straightforward loops written here on full matrices (an
// independent computation: every element of H⁺ from the formula, then H⁺·g as a double loop);
// the two paths give the same numbers to the bit; which one ran is reported (kernelUsage and the
// optimisers' `kernel`); and BFGS / L-BFGS take the same steps on either.

import { afterAll, describe, expect, it } from "vitest";
import { Rng, kernelUsage, resetKernelUsage } from "../../src/index.js";
import { setWasmKernels, wasmKernelsActive } from "../../src/engine/kernels/f64-heap.js";
import { OptimArena, interleaved, padded } from "../../src/optim/optim-kernels.js";
import { ROW_BLOCKS, RowThreads, rowBlocks } from "../../src/optim/optim-threads.js";
import { BFGS } from "../../src/optim/bfgs.js";
import { LBFGS } from "../../src/optim/lbfgs.js";
import { closureOf, flat, makeParams, quadratic, rosenbrock, run, spdMatrix } from "../helpers/objectives.js";

afterAll(() => setWasmKernels(true));

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

interface PassResult {
  /** H⁺'s upper triangle, row by row (j ≥ i), and H⁺·g. */
  upper: number[];
  out: number[];
}

/** The fused pass on an arena of the given kind, from a full symmetric H and vectors, over the row blocks `blocks` (default: one). */
function fusedPass(useWasm: boolean, H: number[][], u: number[], s: number[], g: number[], coef: number[], blocks?: { r0: number; r1: number }[]): PassResult & { kernel: string } {
  const n = u.length;
  const np = padded(n);
  const parts = blocks ?? [{ r0: 0, r1: n }];
  const arena = new OptimArena(4 + (3 + parts.length) * np + np * np, useWasm);
  const c = arena.alloc(4);
  const v = arena.alloc(3 * np);
  const outs = parts.map(() => arena.alloc(np));
  const h = arena.alloc(np * np);
  const f = arena.f64;
  f.set(coef, c);
  for (let i = 0; i < n; i++) {
    f[v + interleaved(i, 0)] = u[i]!;
    f[v + interleaved(i, 1)] = s[i]!;
    f[v + interleaved(i, 2)] = g[i]!;
    for (let j = 0; j < n; j++) f[h + i * np + j] = H[i]![j]!;
  }
  parts.forEach(({ r0, r1 }, b) => arena.symUpdateMv(h, r0, r1, np, c, v, outs[b]!));
  const upper: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) upper.push(f[h + i * np + j]!);
  const out = Array.from({ length: n }, (_, i) => outs.reduce((t, o) => t + f[o + i]!, 0));
  return { upper, out, kernel: arena.kernel };
}

/** H⁺ = H·inv + A·u·uᵀ − C·(s·uᵀ + u·sᵀ) + E·s·sᵀ element by element, then H⁺·g. */
function reference(H: number[][], u: number[], s: number[], g: number[], [inv, A, C, E]: number[]): PassResult {
  const n = u.length;
  const Hp = H.map((row, i) => row.map((hij, j) => hij * inv! + A! * u[i]! * u[j]! - C! * (s[i]! * u[j]! + u[i]! * s[j]!) + E! * s[i]! * s[j]!));
  const upper: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) upper.push(Hp[i]![j]!);
  const out = Hp.map((row) => row.reduce((t, hij, j) => t + hij * g[j]!, 0));
  return { upper, out };
}

describe("optimiser kernels", () => {
  it("the WebAssembly SIMD kernels are available here (else the tests below would compare the fallback with itself)", () => {
    setWasmKernels(true);
    expect(wasmKernelsActive()).toBe(true);
    expect(new OptimArena(16).kernel).toBe("wasm-simd");
    expect(new OptimArena(16, false).kernel).toBe("js");
  });

  for (const n of [1, 2, 3, 4, 7, 64, 65]) {
    it(`BFGS's fused pass (update, then H·g) against full-matrix loops, n = ${n}; SIMD and fallback equal to the bit`, () => {
      const rng = new Rng(300 + n);
      const r = (): number => rng.normal();
      const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) H[i]![j] = H[j]![i] = r() + (i === j ? 3 : 0);
      const u = Array.from({ length: n }, r);
      const s = Array.from({ length: n }, r);
      const g = Array.from({ length: n }, r);
      const coef = [0.7, r(), r(), r()];
      const simd = fusedPass(true, H, u, s, g, coef);
      const js = fusedPass(false, H, u, s, g, coef);
      expect(simd.kernel).toBe("wasm-simd");
      expect(js.kernel).toBe("js");
      const ref = reference(H, u, s, g, coef);
      // Rounding only: sums of n terms of size O(1)·O(1).
      expect(relErr(simd.upper, ref.upper)).toBeLessThan(1e-14);
      expect(relErr(simd.out, ref.out)).toBeLessThan(1e-13);
      expect(js.upper).toEqual(simd.upper);
      expect(js.out).toEqual(simd.out);
      // In the row blocks of a threaded pass (each block's share of H·g in its own vector): the
      // same H, and H·g to rounding.
      const blocks = rowBlocks(n, padded(n));
      expect(blocks.length).toBe(ROW_BLOCKS);
      expect(blocks[0]!.r0).toBe(0);
      expect(blocks.at(-1)!.r1).toBe(n);
      blocks.forEach((b, k) => {
        expect(b.r0 % 2 === 0 || b.r0 === n).toBe(true); // even, or an empty block at the end
        expect(b.r1).toBeGreaterThanOrEqual(b.r0);
        if (k > 0) expect(b.r0).toBe(blocks[k - 1]!.r1);
      });
      const split = fusedPass(true, H, u, s, g, coef, blocks);
      expect(split.upper).toEqual(simd.upper);
      expect(relErr(split.out, ref.out)).toBeLessThan(1e-13);
      expect(fusedPass(false, H, u, s, g, coef, blocks)).toEqual({ ...split, kernel: "js" });
    });
  }

  it("L-BFGS's fused axpby + dot against plain loops; SIMD and fallback equal to the bit", () => {
    for (const n of [1, 2, 5, 100, 101]) {
      const rng = new Rng(400 + n);
      const x = Array.from({ length: n }, () => rng.normal());
      const y = Array.from({ length: n }, () => rng.normal());
      const z = Array.from({ length: n }, () => rng.normal());
      const [a, b] = [rng.normal(), rng.normal()];
      const yRef = y.map((yi, i) => b * yi + a * x[i]!);
      const dotRef = yRef.reduce((t, yi, i) => t + z[i]! * yi, 0);
      const results = [true, false].map((useWasm) => {
        const np = padded(n);
        const arena = new OptimArena(4 + 3 * np + 2, useWasm);
        const [c, xa, ya, za, res] = [arena.alloc(2), arena.alloc(n), arena.alloc(n), arena.alloc(n), arena.alloc(1)];
        arena.f64.set([a, b], c);
        arena.f64.set(x, xa);
        arena.f64.set(y, ya);
        arena.f64.set(z, za);
        const d = arena.axpbyDot(c, xa, ya, za, np, res);
        return { d, y: Array.from(arena.view(ya, n)) };
      });
      const [simd, js] = results as [{ d: number; y: number[] }, { d: number; y: number[] }];
      expect(relErr(simd.y, yRef)).toBeLessThan(1e-15);
      expect(Math.abs(simd.d - dotRef)).toBeLessThan(1e-13 * Math.max(1, Math.abs(dotRef)) * n);
      expect(js).toEqual(simd);
    }
  });
});

describe("BFGS and L-BFGS on either kernel", () => {
  /** Run `steps` steps of a fresh optimiser on the 13-D Rosenbrock function; the parameters and kernel usage. */
  function trajectory(make: (params: ReturnType<typeof makeParams>) => BFGS | LBFGS, wasm: boolean, steps: number): { x: number[]; kernel: string | null; usage: Record<string, number> } {
    setWasmKernels(wasm);
    const x0 = Array.from({ length: 13 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const params = makeParams(x0, [6, 7]);
    const opt = make(params);
    resetKernelUsage();
    run(opt, closureOf(params, rosenbrock), steps);
    return { x: flat(params), kernel: opt.kernel, usage: kernelUsage() };
  }

  it("BFGS: one pass over H per step, reported, and the same steps to the bit on the SIMD kernel and the fallback", () => {
    const simd = trajectory((p) => new BFGS(p), true, 30);
    const js = trajectory((p) => new BFGS(p), false, 30);
    expect(simd.kernel).toBe("wasm-simd");
    expect(js.kernel).toBe("js");
    // 30 steps: the first is steepest descent and its update starts H = γI without a pass; each
    // later one makes one pass (its update, with its direction the previous update's by-product),
    // so 29 (restarts, if any, would make fewer; a missed by-product would make more).
    const passes = simd.usage["bfgs-update:wasm-simd"]!;
    expect(passes).toBeGreaterThan(20);
    expect(passes).toBeLessThanOrEqual(29);
    expect(simd.usage["bfgs-update:js"]).toBeUndefined();
    expect(js.usage).toEqual({ "bfgs-update:js": passes });
    expect(js.x).toEqual(simd.x);
  });

  it("L-BFGS: the two-loop recursion reported once per direction, the same steps to the bit on either kernel", () => {
    const simd = trajectory((p) => new LBFGS(p, { historySize: 5 }), true, 40);
    const js = trajectory((p) => new LBFGS(p, { historySize: 5 }), false, 40);
    expect(simd.kernel).toBe("wasm-simd");
    expect(js.kernel).toBe("js");
    expect(simd.usage["lbfgs-two-loop:wasm-simd"]).toBeGreaterThanOrEqual(35);
    expect(js.usage).toEqual({ "lbfgs-two-loop:js": simd.usage["lbfgs-two-loop:wasm-simd"] });
    expect(js.x).toEqual(simd.x);
  });

  it("BFGS: a direction for a gradient other than the step's (after refreshPoint) is −H·g of the pending model", () => {
    setWasmKernels(true);
    const x0 = Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const params = makeParams(x0, [9]);
    const opt = new BFGS(params);
    run(opt, closureOf(params, rosenbrock), 8);
    // H with the pending update applied (inverseHessian applies it; the direction must agree).
    const H = opt.inverseHessian()!;
    const rng = new Rng(7);
    const g = Float64Array.from({ length: 9 }, () => rng.normal());
    const expected = Array.from({ length: 9 }, (_, i) => -g.reduce((t, gj, j) => t + H[i * 9 + j]! * gj, 0));
    const out = new Float64Array(9);
    const direction = (opt as unknown as { direction(g: Float64Array, out: Float64Array): boolean }).direction.bind(opt);
    expect(direction(g, out)).toBe(true);
    expect(relErr(out, expected)).toBeLessThan(1e-12);
  });

  for (const wasm of [true, false]) {
    for (const n of [12, 13]) {
      it(`BFGS (${wasm ? "SIMD" : "fallback"}): a ${n}-D convex quadratic in at most n + 1 steps`, () => {
        setWasmKernels(wasm);
        const rng = new Rng(500 + n);
        const eig = Array.from({ length: n }, (_, k) => 10 ** ((2 * k) / (n - 1)));
        const xStar = Array.from({ length: n }, () => rng.normal());
        const params = makeParams(new Array(n).fill(0), [n]);
        const opt = new BFGS(params, { c1: 1e-8, c2: 1e-6, tolGrad: 1e-6 });
        const { last, steps } = run(opt, closureOf(params, quadratic(spdMatrix(n, eig, rng), xStar)), 3 * n);
        expect(opt.kernel).toBe(wasm ? "wasm-simd" : "js");
        expect(last.reason).toBe("gradient below tolGrad");
        expect(steps).toBeLessThanOrEqual(n + 1);
        expect(Math.max(...flat(params).map((xi, i) => Math.abs(xi - xStar[i]!)))).toBeLessThan(1e-6);
      });
    }
  }

  it("BFGS with its pass over H on worker threads: the same steps to the bit as on one thread, the workers' share observable", () => {
    setWasmKernels(true);
    const n = 300; // above THREADED_MIN_WEIGHTS
    const x0 = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const steps = (threads: number, workersOnly = false): { x: number[]; threaded: boolean; usage: Record<string, number> } => {
      const params = makeParams(x0, [n]);
      const opt = new BFGS(params, { threads, workersOnly });
      resetKernelUsage();
      run(opt, closureOf(params, rosenbrock), 12);
      return { x: flat(params), threaded: opt.threaded, usage: kernelUsage() };
    };
    const one = steps(1);
    expect(one.threaded).toBe(false);
    const before = RowThreads.get(2).workerBlocks;
    // Every block on the worker (the calling thread only waits): the workers ran and gave the same numbers.
    const workers = steps(2, true);
    expect(workers.threaded).toBe(true);
    expect(workers.usage["bfgs-update:threads"]).toBe(workers.usage["bfgs-update:wasm-simd"]);
    expect(RowThreads.get(2).workerBlocks - before).toBe(ROW_BLOCKS * workers.usage["bfgs-update:threads"]!);
    expect(workers.x).toEqual(one.x);
    // Blocks shared between the calling thread and the worker, however they fall.
    expect(steps(2).x).toEqual(one.x);
    expect(steps(3).x).toEqual(one.x);
  });
});
