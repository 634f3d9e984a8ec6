// Micro-bench of the quasi-Newton optimisers' own work per step (README "Refinement" and "Every
// core"): CPU ms per step of dense BFGS and of the L-BFGS direction at n weights, on the
// WebAssembly SIMD kernels and on the JavaScript fallback, and — with --before DIR, the dist/
// directory of an earlier build (tsc -p tsconfig.build.json) — the same for that build's optimisers;
// and the wall-clock ms per BFGS step on one thread and with the pass over H on two (process CPU in
// brackets: both threads).
//   npx tsc -p bench/tsconfig.json && node dist-bench/bench/optim-step.js [--before DIR] [N ...]
// (default n: 1153 and 3297, the weights of a 2-32-32-1 network and of Burgers' network).
// BFGS runs on f(x) = ½ Σ d_i x_i² (d_i from 1 to 100), whose closure costs O(n): a step's time is
// then its O(n²) work. CPU time is the process's (user + system), so a loaded machine counts less.

import { Tensor } from "../src/engine/tensor.js";
import { setWasmKernels } from "../src/engine/kernels/f64-heap.js";
import { kernelUsage, resetKernelUsage } from "../src/engine/kernels/usage.js";
import { BFGS } from "../src/optim/bfgs.js";
import { LBFGS } from "../src/optim/lbfgs.js";

type Optimizer = { step(closure: () => number): unknown; historyLength?: number };
type OptimizerClass = new (params: Tensor[], options: Record<string, unknown>) => Optimizer;
const args = process.argv.slice(2);
const beforeAt = args.indexOf("--before");
const beforeDir = beforeAt >= 0 ? args.splice(beforeAt, 2)[1]! : null;
const sizes = args.map(Number);
if (sizes.length === 0) sizes.push(1153, 3297);
const { resolve } = await import("node:path");
const before =
  beforeDir === null
    ? null
    : {
        BFGS: ((await import(resolve(beforeDir, "optim/bfgs.js"))) as { BFGS: OptimizerClass }).BFGS,
        LBFGS: ((await import(resolve(beforeDir, "optim/lbfgs.js"))) as { LBFGS: OptimizerClass }).LBFGS,
      };

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** CPU ms per call of `fn`, the fastest of `repeats` rounds of `calls` calls (and the wall ms of that round). */
function timed(fn: () => void, calls: number, repeats = 3): { cpu: number; wall: number } {
  fn();
  let best = { cpu: Infinity, wall: Infinity };
  for (let r = 0; r < repeats; r++) {
    const t0 = cpuMs();
    const w0 = performance.now();
    for (let k = 0; k < calls; k++) fn();
    const cpu = (cpuMs() - t0) / calls;
    if (cpu < best.cpu) best = { cpu, wall: (performance.now() - w0) / calls };
  }
  return best;
}

function perCall(fn: () => void, calls: number, repeats = 3): number {
  return timed(fn, calls, repeats).cpu;
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

/** CPU ms per BFGS step (steps 5..) on the quadratic, and the kernels' calls per step. */
function bfgsStep(n: number, wasm: boolean, Class: OptimizerClass = BFGS as unknown as OptimizerClass, threads = 1): { ms: number; wall: number; usage: Record<string, number> } {
  setWasmKernels(wasm);
  const { params, closure } = quadratic(n);
  const opt = new Class(params, { tolGrad: 0, tolChange: 0, threads });
  for (let k = 0; k < 5; k++) opt.step(closure);
  const steps = n > 2000 ? 10 : 40;
  resetKernelUsage();
  const { cpu: ms, wall } = timed(() => opt.step(closure), steps);
  const usage = Object.fromEntries(Object.entries(kernelUsage()).map(([k, c]) => [k, c / (3 * steps + 1)]));
  return { ms, wall, usage };
}

/** CPU ms per L-BFGS direction with m = 50 pairs held. */
function lbfgsDirection(n: number, wasm: boolean, Class: OptimizerClass = LBFGS as unknown as OptimizerClass): number {
  setWasmKernels(wasm);
  const { params, closure } = quadratic(n);
  const opt = new Class(params, { tolGrad: 0, tolChange: 0, historySize: 50 });
  for (let k = 0; k < 60; k++) opt.step(closure);
  const g = new Float64Array(n).map((_, i) => Math.cos(i));
  const out = new Float64Array(n);
  const direction = (opt as unknown as { direction(g: Float64Array, out: Float64Array): boolean }).direction.bind(opt);
  if ((opt as { historyLength?: number }).historyLength !== 50) throw new Error(`L-BFGS holds ${opt.historyLength} pairs, not 50`);
  return perCall(() => direction(g, out), 200);
}

const { loadavg } = await import("node:os");
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const wasm = bfgsStep(n, true);
  const js = bfgsStep(n, false);
  const row: Record<string, unknown> = { n };
  if (before !== null) row["BFGS before ms"] = +bfgsStep(n, true, before.BFGS).ms.toFixed(3);
  row["BFGS wasm ms"] = +wasm.ms.toFixed(3);
  row["BFGS js ms"] = +js.ms.toFixed(3);
  const two = bfgsStep(n, true, undefined, 2);
  row["BFGS 1 thread wall ms"] = +wasm.wall.toFixed(3);
  row["BFGS 2 threads wall ms (CPU)"] = `${two.wall.toFixed(3)} (${two.ms.toFixed(3)})`;
  row["passes/step"] = Object.entries({ ...wasm.usage, ...js.usage }).map(([k, c]) => `${k} ${c}`).join(", ");
  if (before !== null) row["L-BFGS before ms"] = +lbfgsDirection(n, true, before.LBFGS).toFixed(3);
  row["L-BFGS wasm ms"] = +lbfgsDirection(n, true).toFixed(3);
  row["L-BFGS js ms"] = +lbfgsDirection(n, false).toFixed(3);
  rows.push(row);
}
setWasmKernels(true);
console.table(rows);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}, Node ${process.version}`);
