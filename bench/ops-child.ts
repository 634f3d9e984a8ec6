// The engine as a library, op by op (issue 14 item 3): the four cases of bench/peers/torch_ops.py,
// through pinn's public engine API (src/index.ts) as a user who writes their own loss would call it.
// Each case is run `reps` times after `warm` warm-up runs, twice: as written, and inside tidy() (the
// way a training step is written with the engine: every buffer the step does not return goes back to
// the pool, so that the next step allocates nothing). Prints one JSON line: per case the median ms of
// one call (wall clock) and the mean process CPU ms of one call (insensitive to waiting for a core on
// a loaded machine), the buffers a steady-state call still allocates (as written: `*_fresh_buffers`,
// in tidy: `*_tidy_fresh_buffers`), and which kernels a call ran.
//
//   node --expose-gc dist-bench/bench/ops-child.js [--reps N] [--case chain|mlp|laplacian|hessian] [--mode plain|tidy|both]
//
// bench/ops.ts runs one process per case and way of calling (`--case C --mode plain`, then `tidy`):
// in one process, after a switch from one to the other the next few hundred calls often ran up to
// 1.4× slower (the state that V8's compiled code and its collector carry over; measured in stop 24:
// the chain alternating plain / tidy / plain / tidy in one process, 200 warm-up calls each: 1.25, 1.65,
// 1.60, 1.15 ms; each alone in a fresh process: 1.17–1.35 either way). A user's program calls one
// computation one way.
//
// The cases: bench/op-cases.ts.

import { tidy, poolStats, kernelUsage, resetKernelUsage } from "../src/index.js";
import { opCases } from "./op-cases.js";
import { median } from "./stats.js";

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A full garbage collection, when node runs with --expose-gc (bench/ops.ts starts this file so). */
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/**
 * Median wall ms and mean CPU ms of one call. The process CPU includes V8's background threads
 * (concurrent marking and sweeping), so the garbage of earlier cases is collected before the timed
 * calls, and the sweeping that follows is given 0.2 s to finish, so that neither is charged to them.
 * (Not a full collection after them: its cost is that of marking every live object, tens of ms,
 * which would be charged to the short cases.)
 */
async function time(fn: () => void, warm: number, reps: number): Promise<{ ms: number; cpuMs: number }> {
  for (let i = 0; i < warm; i++) fn();
  collect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const ts: number[] = [];
  const c0 = cpuMs();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), cpuMs: (cpuMs() - c0) / reps };
}

/** The value after `flag` in the arguments, or undefined. */
function option(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const reps = Number(option(argv, "--reps") ?? 30);
  const only = option(argv, "--case");
  const mode = option(argv, "--mode") ?? "both";
  if (!["plain", "tidy", "both"].includes(mode)) throw new Error(`--mode ${mode}: plain, tidy or both`);
  const { chain, mlp, laplacian: lap, hessian: hess } = opCases();
  // [name, call, warm-up calls, timed calls], as in torch_ops.py. The warm-up lets V8 compile the hot
  // functions first (its optimising compiler runs on background threads, whose CPU the process CPU
  // counts): the timed calls measure the steady state a user's loop of thousands of calls runs in. The
  // warm-ups are where the time per call stops falling (measured in stop 24, medians of blocks of calls
  // in one process): the MLP took 2.4–2.7 ms per call over calls 1–100 (10 → 4 ms of CPU), 1.9–2.2
  // over 150–350 and 1.2–1.3 from 500 on; the Laplacian 9–11 ms over calls 1–40 and 8–9 from 60 on;
  // the chain 2.9 ms over calls 1–50 and 1.7–1.8 from 100 on; the Hessian 0.28 ms over 1–250 and 0.17–0.18 from 500.
  // (Until stop 23: 100, 20, 10 and 500 calls, so the MLP's and the Laplacian's times were partly V8's compiling.)
  const cases: [string, () => void, number, number][] = [["chain", chain, 200, reps], ["mlp", mlp, 600, reps], ["laplacian", lap, 100, reps], ["hessian", hess, 1000, reps * 10]];
  const result: Record<string, unknown> = { impl: "pinn" };
  const kernels: Record<string, Record<string, number>> = {};
  if (only !== undefined && !cases.some(([name]) => name === only)) throw new Error(`--case ${only}: ${cases.map(([name]) => name).join(", ")}`);
  for (const [name, fn, warm, n] of cases) {
    if (only !== undefined && name !== only) continue;
    if (mode !== "tidy") {
      const plain = await time(fn, warm, n);
      // One more call as written, after the timed ones (steady state): what it allocates.
      const p0 = poolStats().fresh;
      fn();
      result[`${name}_fresh_buffers`] = poolStats().fresh - p0;
      result[`${name}_ms`] = plain.ms;
      result[`${name}_cpu_ms`] = plain.cpuMs;
    }
    if (mode !== "plain") {
      const tidied = await time(() => tidy(fn), warm, n);
      // One more call in tidy, after the timed ones (steady state): what it allocates and which kernels run.
      const s0 = poolStats();
      resetKernelUsage();
      tidy(fn);
      kernels[name] = kernelUsage();
      result[`${name}_tidy_ms`] = tidied.ms;
      result[`${name}_tidy_cpu_ms`] = tidied.cpuMs;
      result[`${name}_tidy_fresh_buffers`] = poolStats().fresh - s0.fresh;
    }
  }
  if (mode !== "plain") result["kernels"] = kernels;
  console.log(JSON.stringify(result));
}

await main();
