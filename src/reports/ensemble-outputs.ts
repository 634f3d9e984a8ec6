// Outputs of an ensemble (training/ensemble.ts): the `ensemble` entry of summary.json,
// ensemble.csv (per grid point and unknown the members' mean and standard deviation) and the
// spread plots: on one variable the mean with a band of ±1.96 standard deviations, on two a map
// of the standard deviation beside the mean.

import type { Problem } from "../problem/types.js";
import type { EnsembleResult } from "../training/ensemble.js";
import type { Evaluation } from "./evaluation.js";
import { toCsv, type CsvColumn } from "./csv.js";
import { relativeError } from "./parameters.js";
import type { LineSeries } from "./plots.js";

export function ensembleSummary(problem: Problem, e: EnsembleResult): Record<string, unknown> {
  const params = problem.parameters ?? [];
  return {
    members: e.members.length,
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

export async function ensemblePlots(problem: Problem, evaluation: Evaluation, e: EnsembleResult): Promise<[string, Buffer][]> {
  const { linePlot, heatmaps2D } = await import("./plots.js");
  const { grid } = evaluation;
  const vars = problem.variables;
  const out: [string, Buffer][] = [];
  problem.unknowns.forEach((u, k) => {
    const mean = e.mean[k]!;
    const std = e.std[k]!;
    const title = `${problem.title}: ensemble of ${e.members.length}`;
    if (vars.length === 1) {
      const x = grid.axes[0]!;
      const series: LineSeries[] = [
        { label: "ensemble mean", x, y: mean, style: "solid" as const, lineWidth: 2.4 },
        { label: "mean ± 1.96 std", x, y: mean.map((m, i) => m + 1.96 * std[i]!), style: "dashed" as const, color: "#7f7f7f", lineWidth: 1.4 },
        { label: "lower", x, y: mean.map((m, i) => m - 1.96 * std[i]!), style: "dashed" as const, color: "#7f7f7f", lineWidth: 1.4, hideInLegend: true },
      ];
      const ex = evaluation.exact[k];
      if (ex) series.push({ label: "exact", x, y: ex, style: "dashed", color: "#d62728", lineWidth: 1.6 });
      out.push([`${u}_ensemble.png`, linePlot({ title, xLabel: vars[0]!, yLabel: `${u}(${vars[0]})`, series })]);
    } else if (vars.length === 2) {
      out.push([
        `${u}_ensemble.png`,
        heatmaps2D({
          title,
          xName: vars[0]!,
          yName: vars[1]!,
          x: grid.axes[0]!,
          y: grid.axes[1]!,
          panels: [
            { title: `${u}: ensemble mean`, values: mean },
            { title: `${u}: standard deviation`, values: std },
          ],
        }),
      ]);
    }
  });
  return out;
}
