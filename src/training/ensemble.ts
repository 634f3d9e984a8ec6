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
// Reported per parameter: the members' mean, standard deviation (n − 1) and a 95% interval
// mean ± t(0.975, K − 1)·std, and per unknown the pointwise mean and standard deviation of the
// members' solutions on the evaluation grid.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Rng } from "../engine/random.js";
import type { Problem } from "../problem/types.js";
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
  members: MemberResult[];
  threads: number;
  seconds: number;
  parameters: Spread[];
  /** Per unknown, pointwise mean and standard deviation over the members. */
  mean: Float64Array[];
  std: Float64Array[];
}

export function summarise(members: MemberResult[], threads: number, seconds: number): EnsembleResult {
  const first = members[0]!;
  const parameters = first.estimates.map((_, k) => spread(members.map((m) => m.estimates[k]!)));
  const mean = first.predicted.map((p, u) => Float64Array.from(p, (_, i) => members.reduce((a, m) => a + m.predicted[u]![i]!, 0) / members.length));
  const std = first.predicted.map((p, u) =>
    Float64Array.from(p, (_, i) => {
      const mu = mean[u]![i]!;
      const ss = members.reduce((a, m) => a + (m.predicted[u]![i]! - mu) ** 2, 0);
      return members.length > 1 ? Math.sqrt(ss / (members.length - 1)) : 0;
    }),
  );
  return { members, threads, seconds, parameters, mean, std };
}

/** The worker script: the compiled module, or (running from the TypeScript sources) a loader for them. */
function workerUrl(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./ensemble-worker-source.mjs" : "./ensemble-worker.js", import.meta.url);
}

export interface EnsembleOptions {
  /** Worker threads (default: all cores, at most K). */
  threads?: number;
  /** Called as members finish. */
  onMember?: (done: number, total: number) => void;
}

/** Train the K members of `problem` (K = training.ensemble) on worker threads. */
export async function runEnsemble(problem: Problem, text: string, options: EnsembleOptions = {}): Promise<EnsembleResult> {
  const K = problem.training.ensemble ?? 1;
  const threads = Math.max(1, Math.min(K, options.threads ?? availableParallelism()));
  const started = performance.now();
  const results = new Array<MemberResult>(K);
  let next = 0;
  let done = 0;
  const spec = (index: number): MemberSpec => ({ text, file: problem.file, training: problem.training, network: problem.network, evaluate: problem.evaluate, index });
  await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(workerUrl());
        const give = (): void => {
          if (next >= K) {
            void worker.terminate().then(() => resolve());
            return;
          }
          worker.postMessage(spec(next++));
        };
        worker.on("message", (m: { result?: MemberResult; error?: string }) => {
          if (m.error !== undefined) {
            void worker.terminate();
            reject(new Error(`ensemble member failed: ${m.error}`));
            return;
          }
          results[m.result!.index] = m.result!;
          options.onMember?.(++done, K);
          give();
        });
        worker.on("error", reject);
        give();
      }),
    ),
  );
  return summarise(results, threads, (performance.now() - started) / 1000);
}
