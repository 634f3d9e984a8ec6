// Plots of inverse problems, drawn lazily like the solution plots: per learned parameter its
// estimate against iteration (`parameter_<name>.png`, the exact value dashed when given); with an
// ensemble, per unknown the spread (`<u>_ensemble.png`: one variable, the mean with a band of
// ±1.96 standard deviations; two, maps of the mean and the standard deviation).

import { heatmaps2D, linePlot, type LineSeries } from "./plots.js";
import type { SolveReport } from "./outputs.js";

export function inversePlots(report: SolveReport): [string, () => Buffer][] {
  const { problem, train, evaluation } = report;
  const out: [string, () => Buffer][] = [];
  const values = train.history.parameters ?? [];
  (problem.parameters ?? []).forEach((p, k) => {
    const y = values[k];
    if (y === undefined || y.length === 0) return;
    out.push([
      `parameter_${p.name}.png`,
      () => {
        const series: LineSeries[] = [{ label: `${p.name} (estimate)`, x: train.history.iteration, y }];
        if (p.exact !== undefined) {
          const n = train.history.iteration.length;
          series.push({ label: `exact ${p.exact}`, x: [train.history.iteration[0] ?? 0, train.history.iteration[n - 1] ?? 1], y: [p.exact, p.exact], style: "dashed", color: "#d62728" });
        }
        return linePlot({ title: `${problem.title}: parameter ${p.name}`, xLabel: "iteration", yLabel: p.name, series });
      },
    ]);
  });
  const e = report.ensemble;
  if (!e) return out;
  const { grid } = evaluation;
  const vars = problem.variables;
  const title = `${problem.title}: ensemble of ${e.members.length}`;
  problem.unknowns.forEach((u, k) => {
    const mean = e.mean[k]!;
    const std = e.std[k]!;
    if (vars.length === 1) {
      out.push([
        `${u}_ensemble.png`,
        () => {
          const x = grid.axes[0]!;
          const series: LineSeries[] = [
            { label: "ensemble mean", x, y: mean, style: "solid", lineWidth: 2.4 },
            { label: "mean ± 1.96 std", x, y: mean.map((m, i) => m + 1.96 * std[i]!), style: "dashed", color: "#7f7f7f", lineWidth: 1.4 },
            { label: "lower", x, y: mean.map((m, i) => m - 1.96 * std[i]!), style: "dashed", color: "#7f7f7f", lineWidth: 1.4, hideInLegend: true },
          ];
          const ex = evaluation.exact[k];
          if (ex) series.push({ label: "exact", x, y: ex, style: "dashed", color: "#d62728", lineWidth: 1.6 });
          return linePlot({ title, xLabel: vars[0]!, yLabel: `${u}(${vars[0]})`, series });
        },
      ]);
    } else if (vars.length === 2) {
      out.push([
        `${u}_ensemble.png`,
        () =>
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
