// Outputs of an ensemble (training/ensemble.ts): the `ensemble` entry of summary.json and
// ensemble.csv (per grid point and unknown the members' mean and standard deviation). The spread
// plots are in inverse-plots.ts.

import type { Problem } from "../problem/types.js";
import type { EnsembleResult } from "../training/ensemble.js";
import type { Evaluation } from "./evaluation.js";
import { toCsv, type CsvColumn } from "./csv.js";
import { relativeError } from "./parameters.js";

export function ensembleSummary(problem: Problem, e: EnsembleResult): Record<string, unknown> {
  const params = problem.parameters ?? [];
  return {
    members: e.members.length,
    // Stopped on request: the statistics are over the members that completed.
    ...(e.stopped ? { stopped: true, planned: e.planned } : {}),
    threads: e.threads,
    seconds: Number(e.seconds.toFixed(3)),
    seeds: e.members.map((m) => m.seed),
    statuses: e.members.map((m) => m.train.status),
    parameters: Object.fromEntries(
      params.map((p, k) => {
        const s = e.parameters[k]!;
        const entry: Record<string, unknown> = { mean: s.mean, std: s.std, interval95: s.interval, members: e.members.map((m) => m.estimates[k]) };
        if (p.exact !== undefined) {
          entry.rel_error_of_mean = relativeError(s.mean, p.exact);
          entry.interval_covers_exact = s.interval[0] <= p.exact && p.exact <= s.interval[1];
        }
        return [p.name, entry];
      }),
    ),
    solution: Object.fromEntries(
      problem.unknowns.map((u, k) => {
        const std = e.std[k]!;
        return [u, { max_std: std.reduce((a, v) => Math.max(a, v), 0), mean_std: std.reduce((a, v) => a + v, 0) / Math.max(1, std.length) }];
      }),
    ),
  };
}

export function ensembleCsv(problem: Problem, evaluation: Evaluation, e: EnsembleResult): string {
  const { grid } = evaluation;
  const d = problem.variables.length;
  const columns: CsvColumn[] = problem.variables.map((v, i) => ({ name: v, values: Float64Array.from({ length: grid.count }, (_, n) => grid.points[n * d + i]!) }));
  problem.unknowns.forEach((u, k) => {
    columns.push({ name: `${u}_mean`, values: e.mean[k]! });
    columns.push({ name: `${u}_std`, values: e.std[k]! });
  });
  return toCsv(columns);
}
