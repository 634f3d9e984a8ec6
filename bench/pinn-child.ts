// One pinn measurement in its own process (so that peak memory and JIT state belong to it):
// loads a bench problem, optionally overrides points, widths and epochs, runs the normal solve()
// path (no plots, no files) several times and prints one JSON line.
//
//   node dist-bench/bench/pinn-child.js PROBLEM.yaml [--epochs N] [--points N] [--width W] [--runs R] [--threads N]

import { loadProblem } from "../src/problem/load.js";
import { appliedInterruptBudget, tuneV8 } from "../src/cli/v8-flags.js";
import { solve } from "../src/solve.js";
import { PinnNetwork } from "../src/residual/network.js";
import { sharedHeap, wasmKernelsActive } from "../src/engine/kernels/f64-heap.js";
import type { Evaluation } from "../src/reports/evaluation.js";
import { lastParallelProfile } from "../src/training/parallel-profile.js";
import { epochFlops } from "./flops.js";
import { median, msPerEpoch, warmupEpochs } from "./stats.js";

interface Args {
  problem: string;
  epochs?: number;
  points?: number;
  width?: number;
  runs: number;
  threads?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { problem: "", runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): number => Number(argv[++i]);
    if (a === "--epochs") args.epochs = value();
    else if (a === "--points") args.points = value();
    else if (a === "--width") args.width = value();
    else if (a === "--runs") args.runs = value();
    else if (a === "--threads") args.threads = value();
    else args.problem = a;
  }
  if (args.problem === "") throw new Error("usage: pinn-child PROBLEM.yaml [--epochs N] [--points N] [--width W] [--runs R]");
  return args;
}

async function main(): Promise<void> {
  // As the `pinn` command runs (src/cli/v8-flags.ts); PINN_INTERRUPT_BUDGET=0 keeps V8's own.
  tuneV8();
  const args = parseArgs(process.argv.slice(2));
  // The derivative multi-indices the training loop asks the network for: those of the call with
  // the most points (set-up code, e.g. the check for enforced conditions, uses a few points).
  const requestedSets: number[][][] = [];
  let largest = 0;
  const note = (network: PinnNetwork, count: number, requested: readonly (readonly number[])[]): void => {
    const size = requested.length * 1e9 + count;
    if (size > largest) {
      largest = size;
      requestedSets[0] = requested.map((a) => Array.from({ length: network.dims }, (_, i) => a[i] ?? 0));
    }
  };
  // Training goes through stackedDerivatives (the fused residual path); other paths through derivatives.
  const original = PinnNetwork.prototype.derivatives;
  const originalStacked = PinnNetwork.prototype.stackedDerivatives;
  PinnNetwork.prototype.derivatives = function (this: PinnNetwork, points, requested, mode) {
    note(this, points.shape[0]!, requested);
    return original.call(this, points, requested, mode);
  };
  PinnNetwork.prototype.stackedDerivatives = function (this: PinnNetwork, points, requested) {
    note(this, points.length / this.dims, requested);
    return originalStacked.call(this, points, requested);
  };

  const runs: number[] = [];
  const typical: number[] = [];
  let peakHeap = 0;
  let last: Awaited<ReturnType<typeof solve>> | null = null;
  for (let r = 0; r < args.runs; r++) {
    const problem = loadProblem(args.problem);
    const stage = problem.training.stages[0]!;
    if (stage.optimizer !== "adam") throw new Error("bench problems use optimizer: adam");
    if (args.epochs !== undefined) stage.epochs = args.epochs;
    if (args.points !== undefined) problem.training.points = args.points;
    if (args.width !== undefined) problem.network.hidden = problem.network.hidden.map(() => args.width!);
    // The workloads are defined as plain uniform sampling of the whole domain and the raw mean
    // squared residual: no causal window, no rescaling (the work per epoch is the same either way).
    problem.training.causal = false;
    problem.training.scaling = false;
    if (args.threads !== undefined) problem.training.threads = args.threads;
    let epoch = 0;
    const result = await solve(problem, {
      write: false,
      plots: false,
      onProgress: () => {
        if (++epoch % 200 === 1) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      },
    });
    const elapsed = result.train.history.elapsedMs;
    runs.push(msPerEpoch(elapsed));
    const deltas = elapsed.slice(warmupEpochs(elapsed.length) + 1).map((t, i) => t - elapsed[warmupEpochs(elapsed.length) + i]!);
    typical.push(median(deltas));
    last = result;
  }
  PinnNetwork.prototype.derivatives = original;
  PinnNetwork.prototype.stackedDerivatives = originalStacked;
  const problem = last!.problem;
  const sizes = [problem.variables.length, ...problem.network.hidden, problem.unknowns.length];
  const flops = epochFlops(sizes, problem.training.points, requestedSets[0] ?? []);
  const ms = median(runs);
  console.log(
    JSON.stringify({
      impl: "pinn",
      problem: problem.name,
      sizes,
      points: problem.training.points,
      epochs: last!.train.epochs,
      threads: problem.training.threads ?? null,
      streams: flops.streams,
      derivatives: requestedSets[0] ?? [],
      ms_per_epoch: ms,
      ms_per_epoch_runs: runs,
      median_epoch_ms: median(typical),
      flops_per_epoch: flops.total,
      matmul_flops_per_epoch: flops.matmul,
      gflops: flops.total / (ms * 1e6),
      loss: last!.train.finalLoss,
      rel_l2: relativeL2(last!.evaluation),
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      peak_heap_mb: peakHeap / 2 ** 20,
      kernel_heap_mb: sharedHeap().byteLength / 2 ** 20,
      wasm_simd: wasmKernelsActive(),
      interrupt_budget: appliedInterruptBudget(),
      // With PINN_THREAD_PROFILE=1: the last run's per-phase CPU times (src/training/parallel-profile.ts).
      thread_profile: lastParallelProfile(),
    }),
  );
}

/** The first unknown's relative L2 error against the exact solution, if there is one. */
function relativeL2(evaluation: Evaluation): number | null {
  const first = Object.values(evaluation.metrics)[0];
  return first?.rel_l2 ?? null;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
