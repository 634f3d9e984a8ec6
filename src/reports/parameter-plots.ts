// parameters.png: each learned parameter's estimate against iteration (one panel per parameter,
// stacked), with its exact value as a dashed line when the problem gives it.

import type { Problem } from "../problem/types.js";
import type { LossHistory } from "../training/trainer.js";
import { linePlot, type LineSeries } from "./plots.js";
import { createWhiteCanvas } from "./render.js";
import { loadImage } from "@napi-rs/canvas";

export async function parameterPlot(problem: Problem, history: LossHistory): Promise<Buffer | null> {
  const params = problem.parameters ?? [];
  const values = history.parameters ?? [];
  if (params.length === 0 || values.length === 0) return null;
  const width = 800;
  const height = 320;
  const panels = params.map((p, k) => {
    const series: LineSeries[] = [{ label: `${p.name} (estimate)`, x: history.iteration, y: values[k]! }];
    if (p.exact !== undefined) {
      const n = history.iteration.length;
      series.push({ label: `${p.name} exact = ${p.exact}`, x: [history.iteration[0] ?? 0, history.iteration[n - 1] ?? 1], y: [p.exact, p.exact], style: "dashed" });
    }
    return linePlot({ title: `Parameter ${p.name}`, xLabel: "iteration", yLabel: p.name, series, width, height });
  });
  if (panels.length === 1) return panels[0]!;
  const { canvas, ctx } = createWhiteCanvas(width, height * panels.length);
  for (let k = 0; k < panels.length; k++) ctx.drawImage(await loadImage(panels[k]!), 0, k * height);
  return canvas.toBuffer("image/png");
}
