// residuals.png: |LHS − RHS| of each equation over the domain, in the problem's units (no scaling),
// on the evaluation grid: a log-scale line per equation for one variable, heat maps for two, and for
// three variables heat maps over the first two at the middle of the third.

import { linePlot } from "./plots.js";
import { heatmaps2D } from "./heatmap.js";
import type { SolveReport } from "./outputs.js";
import { regionOutline } from "./solution-plots.js";

const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

export function residualPlots(report: SolveReport): [string, Buffer][] {
  const d = report.diagnostics;
  if (!d || d.residuals.equations.length === 0) return [];
  const { problem } = report;
  const { grid, values } = d.residuals.field;
  const vars = problem.variables;
  const labels = d.residuals.equations.map((s) => s.label);
  // Short: a single heat-map panel is about 440 pixels wide.
  const title = vars.length === 1 ? `${problem.title}: raw equation residuals` : "raw residual |LHS − RHS|";
  if (vars.length === 1) {
    // Log axis: exact zeros drawn one decade below the smallest positive value.
    let floor = Infinity;
    for (const v of values) for (const r of v) if (r > 0 && Number.isFinite(r)) floor = Math.min(floor, r);
    floor = Number.isFinite(floor) ? floor / 10 : 1e-16;
    return [[
      "residuals.png",
      linePlot({
        title,
        xLabel: vars[0]!,
        yLabel: "|LHS − RHS|",
        series: values.map((v, i) => ({ label: labels[i]!, x: grid.axes[0]!, y: v.map((r) => (r > 0 ? r : floor)), style: "solid" as const, color: COLORS[i % COLORS.length]! })),
        logY: true,
        legend: values.length > 1,
      }),
    ]];
  }
  const [n0, n1] = [grid.axes[0]!.length, grid.axes[1]!.length];
  const n2 = vars.length === 3 ? grid.axes[2]!.length : 1;
  const mid = Math.floor((n2 - 1) / 2);
  const slice = <T extends ArrayLike<number>>(v: T): Float64Array => Float64Array.from({ length: n0 * n1 }, (_, m) => v[m * n2 + mid]!);
  // A region: cells outside it blank, its boundary drawn, as on the solution's heat maps.
  const inside = grid.inside ? (vars.length === 3 ? slice(grid.inside) : grid.inside) : undefined;
  return [[
    "residuals.png",
    heatmaps2D({
      title: vars.length === 3 ? `${title} at ${vars[2]} = ${Number(grid.axes[2]![mid]!.toPrecision(4))}` : title,
      xName: vars[0]!,
      yName: vars[1]!,
      x: grid.axes[0]!,
      y: grid.axes[1]!,
      panels: values.map((v, i) => ({ title: `|${labels[i]}|`, values: vars.length === 3 ? slice(v) : v })),
      ...(inside ? { inside, outline: regionOutline(problem) } : {}),
    }),
  ]];
}
