// Ensembles (training.ensemble: K): K independently trained members, for the uncertainty of the
// learned parameters and of the solution.
//
// Member 0 is the ordinary run (the file's seed, every data row): its network gives the usual
// outputs. Member i ≥ 1 has its own seed (memberSeed) and, where there is data, trains on a
// bootstrap resample of every data set's rows (drawn from its seed). Members run in parallel on
// worker threads (ensemble-worker.ts; all cores by default). A member depends on its index and the
// problem only, and results are gathered by index, so the numbers are the same whatever the
// number of threads.
//
// Progress: each worker posts its member's iteration count a few times a second (onProgress gets
// the members done and the iterations of all members). Stopping (shouldStop, polled on this thread,
// e.g. after Ctrl-C): the members in training stop after their current iteration, members not yet
// started are skipped, and the workers are terminated; the statistics are then over the members
// that completed (none when fewer than two did: EnsembleResult.stopped says so).
//
// Reported per parameter: the members' mean, standard deviation (n − 1) and a 95% interval
// mean ± t(0.975, K − 1)·std, and per unknown the pointwise mean and standard deviation of the
// members' solutions on the evaluation grid.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Rng } from "../engine/random.js";
import type { Problem } from "../problem/types.js";
import { ensembleThreads } from "../problem/limits.js";
import { bootstrapRows } from "../terms/data.js";
import type { TrainResult } from "./trainer.js";

/** What a worker needs to train member `index` (plain data: it crosses the thread boundary). */
export interface MemberSpec {
  /** The problem file's text and name: the worker parses it again (symbolic expressions stay per thread). */
  text: string;
  file: string;
  /** The settings in effect (with command-line overrides), replacing the file's. */
  training: Problem["training"];
  network: Problem["network"];
  evaluate: Problem["evaluate"];
  index: number;
}

export interface MemberResult {
  index: number;
  seed: number;
  /** Parameter estimates, in the order of problem.parameters. */
  estimates: number[];
  /** Per unknown, the prediction on the evaluation grid. */
  predicted: Float64Array[];
  train: TrainResult;
  /** The trained weights (each network tensor, then θ), to rebuild the member's model. */
  weights: Float64Array[];
}

/** Member i's seed: the file's seed for member 0, distinct derived seeds for the others. */
export function memberSeed(seed: number, index: number): number {
  return index === 0 ? seed : (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + Math.imul(index, 0x6c8e9cf5)) >>> 1;
}

/** Member i's rows of each data set: all rows for member 0, a bootstrap resample otherwise. */
export function memberDataRows(problem: Problem, seed: number, index: number): (Int32Array | null)[] {
  const sets = problem.data ?? [];
  if (index === 0) return sets.map(() => null);
  const rng = new Rng(seed ^ 0x5bd1e995);
  const dims = problem.variables.length;
  return sets.map((s) => bootstrapRows(s.points.length / dims, () => rng.uniform()));
}

/** Two-sided 95% quantiles of Student's t with 1..30 degrees of freedom (beyond: the normal's 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t975(dof: number): number {
  return T975[dof - 1] ?? 1.96;
}

export interface Spread {
  mean: number;
  std: number;
  interval: [number, number];
}

/** Mean, sample standard deviation and the 95% interval mean ± t·std of K ≥ 2 values. */
export function spread(values: readonly number[]): Spread {
  const k = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / k;
  const std = k > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (k - 1)) : 0;
  const h = k > 1 ? t975(k - 1) * std : 0;
  return { mean, std, interval: [mean - h, mean + h] };
}

export interface EnsembleResult {
  /** The members in the statistics: all K, or after a stop those that completed training. */
  members: MemberResult[];
  /** Member 0 (the ordinary run, whose network gives the outputs), whether or not it completed. */
  first: MemberResult;
  /** K, the members planned (training.ensemble). */
  planned: number;
  /** Training was stopped on request before every member completed. */
  stopped: boolean;
  threads: number;
  seconds: number;
  parameters: Spread[];
  /** Per unknown, pointwise mean and standard deviation over the members. */
  mean: Float64Array[];
  std: Float64Array[];
}

export function summarise(members: MemberResult[], threads: number, seconds: number, first: MemberResult = members[0]!, planned = members.length, stopped = false): EnsembleResult {
  const parameters = first.estimates.map((_, k) => spread(members.map((m) => m.estimates[k]!)));
  const mean = first.predicted.map((p, u) => Float64Array.from(p, (_, i) => members.reduce((a, m) => a + m.predicted[u]![i]!, 0) / members.length));
  const std = first.predicted.map((p, u) =>
    Float64Array.from(p, (_, i) => {
      const mu = mean[u]![i]!;
      const ss = members.reduce((a, m) => a + (m.predicted[u]![i]! - mu) ** 2, 0);
      return members.length > 1 ? Math.sqrt(ss / (members.length - 1)) : 0;
    }),
  );
  return { members, first, planned, stopped, threads, seconds, parameters, mean, std };
}

/** The worker script: the compiled module, or (running from the TypeScript sources) a loader for them. */
function workerUrl(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./ensemble-worker-source.mjs" : "./ensemble-worker.js", import.meta.url);
}

/** Where an ensemble's training stands (for a progress bar). */
export interface EnsembleProgress {
  /** Members that finished (completed or stopped). */
  membersDone: number;
  members: number;
  /** Iterations done over all members (a finished member counts its whole plan). */
  iterations: number;
  /** Iterations planned over all members (K times the stages' lengths). */
  totalIterations: number;
}

export interface EnsembleOptions {
  /** Worker threads (default: all cores; at most K, and at most what the memory limit holds: ensembleThreads). */
  threads?: number;
  /** Called as members finish. */
  onMember?: (done: number, total: number) => void;
  /** Called as the members train (a few times a second) and as each finishes. */
  onProgress?: (p: EnsembleProgress) => void;
  /** Polled a few times a second: true stops the members after their current iteration. */
  shouldStop?: () => boolean;
}

/** Messages between this thread and a worker (ensemble-worker.ts). */
export type ToWorker = { spec: MemberSpec } | { stop: true };
export type FromWorker = { result: MemberResult } | { error: string } | { progress: { index: number; iterations: number } };

/** How often the stop request is polled (ms). */
const STOP_POLL_MS = 100;

/** Iterations one member plans: its stages' lengths. */
export function plannedIterations(problem: Problem): number {
  return problem.training.stages.reduce((a, s) => a + (s.optimizer === "adam" ? s.epochs : s.iterations), 0);
}

/** Train the K members of `problem` (K = training.ensemble) on worker threads. */
export async function runEnsemble(problem: Problem, text: string, options: EnsembleOptions = {}): Promise<EnsembleResult> {
  const K = problem.training.ensemble ?? 1;
  // At most one member per thread, and no more members in training at once than the memory limit
  // holds (each holds its activations and, with BFGS, an n × n matrix: problem/limits.ts).
  const threads = ensembleThreads(problem, options.threads ?? availableParallelism());
  const started = performance.now();
  const results = new Array<MemberResult | undefined>(K);
  const perMember = plannedIterations(problem);
  const iterations = new Array<number>(K).fill(0);
  let next = 0;
  let done = 0;
  let stopping = false;
  const workers: Worker[] = [];
  const progress = (): void =>
    options.onProgress?.({ membersDone: done, members: K, iterations: iterations.reduce((a, v) => a + v, 0), totalIterations: K * perMember });
  const spec = (index: number): MemberSpec => ({ text, file: problem.file, training: problem.training, network: problem.network, evaluate: problem.evaluate, index });
  const poll =
    options.shouldStop === undefined
      ? null
      : setInterval(() => {
          if (stopping || !options.shouldStop!()) return;
          stopping = true;
          for (const w of workers) w.postMessage({ stop: true } satisfies ToWorker);
        }, STOP_POLL_MS);
  try {
    progress();
    await Promise.all(
      Array.from({ length: threads }, () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(workerUrl());
          workers.push(worker);
          const fail = (e: Error): void => {
            // One failure ends the ensemble: no worker is left running.
            stopping = true;
            for (const w of workers) void w.terminate();
            reject(e);
          };
          const give = (): void => {
            if (next >= K || stopping) {
              void worker.terminate().then(() => resolve());
              return;
            }
            worker.postMessage({ spec: spec(next++) } satisfies ToWorker);
          };
          worker.on("message", (m: FromWorker) => {
            if ("progress" in m) {
              iterations[m.progress.index] = Math.min(perMember, m.progress.iterations);
              progress();
              return;
            }
            if ("error" in m) {
              fail(new Error(`ensemble member failed: ${m.error}`));
              return;
            }
            results[m.result.index] = m.result;
            iterations[m.result.index] = m.result.train.status === "completed" ? perMember : Math.min(perMember, m.result.train.epochs);
            done++;
            options.onMember?.(done, K);
            progress();
            give();
          });
          worker.on("error", fail);
          give();
        }),
      ),
    );
  } finally {
    if (poll !== null) clearInterval(poll);
  }
  const seconds = (performance.now() - started) / 1000;
  const trained = results.filter((m): m is MemberResult => m !== undefined);
  const first = results[0];
  if (first === undefined) throw new Error("internal: the ensemble's member 0 did not run");
  const stopped = trained.length < K || trained.some((m) => m.train.status === "interrupted");
  // After a stop, only members that completed training count (a half-trained member would widen or
  // shift the interval without saying so).
  const counted = stopped ? trained.filter((m) => m.train.status === "completed") : trained;
  return summarise(counted.length > 0 ? counted : [first], threads, seconds, first, K, stopped);
}
