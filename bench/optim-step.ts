// Micro-bench of the quasi-Newton optimisers' own work per step (README "Refinement" and "Every
// core"): CPU ms per step of dense BFGS and of the L-BFGS direction at n weights, on the
// WebAssembly SIMD kernels and on the JavaScript fallback, against the loops they replaced (copied
// below: BFGS's product by H and its rank-3 update as two passes over the upper triangle; L-BFGS's
// two-loop recursion as a dot product and an axpy per pair).
//   npx tsc -p bench/tsconfig.json && node dist-bench/bench/optim-step.js [N ...]   (default 1153 3297)
// BFGS runs on f(x) = ½ Σ d_i x_i² (d_i from 1 to 100), whose closure costs O(n): a step's time is
// then its O(n²) work. CPU time is the process's (user + system), so a loaded machine counts less.

import { Tensor } from "../src/engine/tensor.js";
import { setWasmKernels } from "../src/engine/kernels/f64-heap.js";
import { kernelUsage, resetKernelUsage } from "../src/engine/kernels/usage.js";
import { BFGS } from "../src/optim/bfgs.js";
import { LBFGS } from "../src/optim/lbfgs.js";

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(1153, 3297);

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** CPU ms per call of `fn`, the fastest of `repeats` rounds of `calls` calls. */
function perCall(fn: () => void, calls: number, repeats = 3): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = cpuMs();
    for (let k = 0; k < calls; k++) fn();
    best = Math.min(best, (cpuMs() - t0) / calls);
  }
  return best;
}

function quadratic(n: number): { params: Tensor[]; closure: () => number } {
  const x = new Tensor(new Float64Array(n).map((_, i) => Math.sin(i + 1)), [n]);
  const d = new Float64Array(n).map((_, i) => 10 ** ((2 * i) / (n - 1)));
  const closure = (): number => {
    const g = new Float64Array(n);
    let f = 0;
    for (let i = 0; i < n; i++) {
      g[i] = d[i]! * x.data[i]!;
      f += 0.5 * g[i]! * x.data[i]!;
    }
    x.grad = new Tensor(g, [n]);
    return f;
  };
  return { params: [x], closure };
}

/** CPU ms per BFGS step (steps 5..) on the quadratic. */
function bfgsStep(n: number, wasm: boolean): { ms: number; kernel: string | null; usage: Record<string, number> } {
  setWasmKernels(wasm);
  resetKernelUsage();
  const { params, closure } = quadratic(n);
  const opt = new BFGS(params, { tolGrad: 0, tolChange: 0 });
  for (let k = 0; k < 5; k++) opt.step(closure);
  const steps = n > 2000 ? 10 : 40;
  const ms = perCall(() => opt.step(closure), steps);
  return { ms, kernel: opt.kernel, usage: kernelUsage() };
}

/** The O(n²) work of a step before this change (bfgs.ts at 1195ad7): symv, then the update pass. */
function bfgsBefore(n: number): number {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const g = new Float64Array(n).map((_, i) => Math.cos(i));
  const u = new Float64Array(n).map((_, i) => Math.sin(i) * 1e-3);
  const s = new Float64Array(n).map((_, i) => Math.cos(2 * i) * 1e-3);
  const w = new Float64Array(n);
  const [A, C, E, inv] = [1e-3, 2e-3, 3e-3, 0.999];
  return perCall(() => {
    w.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const vi = g[i]!;
      let acc = H[row + i]! * vi;
      for (let j = i + 1; j < n; j++) {
        const m = H[row + j]!;
        acc += m * g[j]!;
        w[j]! += m * vi;
      }
      w[i]! += acc;
    }
    for (let i = 0; i < n; i++) {
      const ui = u[i]!;
      const si = s[i]!;
      const au = A * ui - C * si;
      const as = E * si - C * ui;
      const row = i * n;
      for (let j = i; j < n; j++) H[row + j] = H[row + j]! * inv + au * u[j]! + as * s[j]!;
    }
  }, n > 2000 ? 10 : 40);
}

/** CPU ms per L-BFGS direction with m = 50 pairs held. */
function lbfgsDirection(n: number, wasm: boolean): number {
  setWasmKernels(wasm);
  const { params, closure } = quadratic(n);
  const opt = new LBFGS(params, { tolGrad: 0, tolChange: 0, historySize: 50 });
  for (let k = 0; k < 60; k++) opt.step(closure);
  const g = new Float64Array(n).map((_, i) => Math.cos(i));
  const out = new Float64Array(n);
  const direction = (opt as unknown as { direction(g: Float64Array, out: Float64Array): boolean }).direction.bind(opt);
  if (opt.historyLength !== 50) throw new Error(`L-BFGS holds ${opt.historyLength} pairs, not 50`);
  return perCall(() => direction(g, out), 200);
}

/** The two-loop recursion before this change (lbfgs.ts at 1195ad7), m = 50. */
function lbfgsBefore(n: number): number {
  const m = 50;
  const S = Array.from({ length: m }, (_, k) => new Float64Array(n).map((_, i) => Math.sin(i + k)));
  const Y = Array.from({ length: m }, (_, k) => new Float64Array(n).map((_, i) => Math.cos(i * k)));
  const rho = Array.from({ length: m }, () => 1e-3);
  const alphas = new Float64Array(m);
  const g = new Float64Array(n).map((_, i) => Math.cos(i));
  const q = new Float64Array(n);
  const dot = (a: Float64Array, b: Float64Array): number => {
    let t = 0;
    for (let i = 0; i < a.length; i++) t += a[i]! * b[i]!;
    return t;
  };
  const axpy = (a: number, x: Float64Array, y: Float64Array): void => {
    for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
  };
  return perCall(() => {
    q.set(g);
    for (let i = m - 1; i >= 0; i--) {
      const a = rho[i]! * dot(S[i]!, q);
      alphas[i] = a;
      axpy(-a, Y[i]!, q);
    }
    for (let j = 0; j < n; j++) q[j]! *= 0.5;
    for (let i = 0; i < m; i++) {
      const b = rho[i]! * dot(Y[i]!, q);
      axpy(alphas[i]! - b, S[i]!, q);
    }
    for (let j = 0; j < n; j++) q[j] = -q[j]!;
  }, 200);
}

const { loadavg } = await import("node:os");
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const wasm = bfgsStep(n, true);
  const js = bfgsStep(n, false);
  rows.push({
    n,
    "BFGS before (2 passes, JS) ms": +bfgsBefore(n).toFixed(3),
    "BFGS step wasm ms": +wasm.ms.toFixed(3),
    "BFGS step js ms": +js.ms.toFixed(3),
    "L-BFGS before ms": +lbfgsBefore(n).toFixed(3),
    "L-BFGS wasm ms": +lbfgsDirection(n, true).toFixed(3),
    "L-BFGS js ms": +lbfgsDirection(n, false).toFixed(3),
    kernels: `${wasm.kernel} / ${js.kernel}`,
  });
}
setWasmKernels(true);
console.table(rows);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
