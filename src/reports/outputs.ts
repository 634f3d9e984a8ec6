// Write the results of a solve to its output folder: summary.json, solution.csv, model.json,
// loss.png and the solution plots. Every file is written atomically.

import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.js";
import { toCsv, type CsvColumn } from "./csv.js";
import { errorPlot1D, heatmaps2D, lossPlot, snapshotsPlot, solutionPlot1D, type HeatmapPanel } from "./plots.js";
import type { Evaluation } from "./evaluation.js";
import type { Problem } from "../problem/types.js";
import type { TrainResult } from "../training/trainer.js";
import type { ResidualModel } from "../residual/model.js";
import { modelFile } from "./model-file.js";
import { settingsSummary } from "./settings.js";

export const PINN_VERSION = "0.1.0";

export interface SolveReport {
  problem: Problem;
  model: ResidualModel;
  train: TrainResult;
  evaluation: Evaluation;
}

/** The JSON summary of a solve. */
export function summaryOf(report: SolveReport, files: string[]): Record<string, unknown> {
  const { problem, model, train, evaluation } = report;
  const lossTerms: Record<string, number> = {};
  model.terms.forEach((t, i) => (lossTerms[t.label] = train.finalTerms[i]!));
  return {
    problem: {
      name: problem.name,
      title: problem.title,
      file: problem.file,
      domain: Object.fromEntries(problem.variables.map((v, i) => [v, problem.bounds[i]])),
      unknowns: problem.unknowns,
      equations: problem.equations.map((e) => e.source.text),
      conditions: problem.conditions.map((c) => c.source.text),
      trial: Object.fromEntries(problem.unknowns.flatMap((u, k) => (problem.trial[k] ? [[u, problem.trial[k]!.source.text]] : []))),
      exact: Object.fromEntries(problem.unknowns.flatMap((u, k) => (problem.exact[k] ? [[u, problem.exact[k]!.source.text]] : []))),
      constraints: problem.constraints,
    },
    settings: settingsSummary(problem),
    seed: problem.training.seed,
    conditions: {
      enforced_by_trial: model.enforced.map((c) => c.source.text),
      penalty_terms: model.terms.filter((t) => t.kind !== "equation").map((t) => t.label),
    },
    train: {
      status: train.status,
      ...(train.message ? { message: train.message } : {}),
      epochs: train.epochs,
      seconds: round(train.seconds, 4),
      ms_per_epoch: train.epochs > 0 ? round((1000 * train.seconds) / train.epochs, 4) : null,
      final_loss: train.finalLoss,
      loss_terms: lossTerms,
      loss_weights: Object.fromEntries(model.terms.map((t, i) => [t.label, train.finalWeights[i]!])),
      points_per_term: Object.fromEntries(model.terms.map((t, i) => [t.label, model.pointCounts()[i]!])),
      scales: {
        unknowns: Object.fromEntries(problem.unknowns.map((u, k) => [u, model.outputScale[k]!])),
        terms: Object.fromEntries(model.terms.map((t, i) => [t.label, model.termScale[i]!])),
      },
      stages: train.stages.map((s) => ({
        optimizer: s.optimizer,
        iterations: s.iterations,
        seconds: round(s.seconds, 4),
        final_loss: s.finalLoss,
        ...(s.stoppedEarly ? { stopped_early: s.stoppedEarly } : {}),
      })),
    },
    metrics: evaluation.metrics,
    evaluation: { points_per_variable: Object.fromEntries(problem.variables.map((v, i) => [v, problem.evaluate.points[i]])), grid_points: evaluation.grid.count },
    files,
    pinn_version: PINN_VERSION,
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** solution.csv: grid coordinates, then per unknown the prediction, exact value and error. */
export function solutionCsv(problem: Problem, evaluation: Evaluation): string {
  const { grid, predicted, exact } = evaluation;
  const d = problem.variables.length;
  const columns: CsvColumn[] = problem.variables.map((v, i) => ({
    name: v,
    values: Float64Array.from({ length: grid.count }, (_, n) => grid.points[n * d + i]!),
  }));
  problem.unknowns.forEach((u, k) => {
    columns.push({ name: u, values: predicted[k]! });
    const ex = exact[k];
    if (ex) {
      columns.push({ name: `${u}_exact`, values: ex });
      columns.push({ name: `${u}_error`, values: predicted[k]!.map((p, n) => p - ex[n]!) });
    }
  });
  return toCsv(columns);
}

/** Write every output; returns the file names written (relative to `dir`). */
export function writeOutputs(dir: string, report: SolveReport, options: { plots: boolean }): string[] {
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array): void => {
    writeFileAtomic(join(dir, name), data);
    files.push(name);
  };
  write("solution.csv", solutionCsv(report.problem, report.evaluation));
  writeJsonAtomic(join(dir, "model.json"), modelFile(report.problem, report.model.network, report.model.outputScale));
  files.push("model.json");
  if (options.plots) {
    for (const [name, png] of plots(report)) write(name, png);
  }
  files.push("summary.json");
  writeJsonAtomic(join(dir, "summary.json"), summaryOf(report, files));
  return files;
}

/** The PNG plots: loss history, then the solution by the shape of the domain. */
export function plots(report: SolveReport): [string, Buffer][] {
  const { problem, train, evaluation, model } = report;
  const out: [string, Buffer][] = [];
  const history = {
    iteration: train.history.iteration,
    // With one term the total is that term (times its weight): draw it once.
    terms: [
      ...(model.terms.length > 1 ? [{ name: "total", values: train.history.total }] : []),
      ...model.terms.map((t, i) => ({ name: t.label, values: train.history.terms[i]! })),
    ],
    stages: train.stages.map((s) => ({ name: s.optimizer === "adam" ? "Adam" : "L-BFGS", start: s.start })),
  };
  out.push(["loss.png", lossPlot(history, `${problem.title}: training loss`)]);
  const { grid, predicted, exact } = evaluation;
  const vars = problem.variables;
  problem.unknowns.forEach((u, k) => {
    const pred = predicted[k]!;
    const ex = exact[k] ?? undefined;
    if (vars.length === 1) {
      const x = grid.axes[0]!;
      out.push([`${u}.png`, solutionPlot1D({ title: problem.title, variable: vars[0]!, unknown: u, x, predicted: pred, exact: ex })]);
      if (ex) {
        out.push([`${u}_error.png`, errorPlot1D({ title: `${problem.title}: error`, variable: vars[0]!, unknown: u, x, error: pred.map((p, i) => Math.abs(p - ex[i]!)) })]);
      }
      return;
    }
    if (vars.length === 2) {
      out.push([`${u}_heatmap.png`, heatmaps2D({ title: `${problem.title}: ${u}`, xName: vars[0]!, yName: vars[1]!, x: grid.axes[0]!, y: grid.axes[1]!, panels: panels(u, pred, ex) })]);
      if (problem.timeVariable !== null) out.push([`${u}_snapshots.png`, snapshots(problem, evaluation, k)]);
      return;
    }
    // Three variables: heat maps over the first two at the start, middle and end of the third.
    const [n0, n1, n2] = problem.evaluate.points as [number, number, number];
    const third = vars[2]!;
    for (const j of [0, Math.floor((n2 - 1) / 2), n2 - 1]) {
      const pick = (values: ArrayLike<number>): Float64Array => Float64Array.from({ length: n0 * n1 }, (_, m) => values[m * n2 + j]!);
      const at = grid.axes[2]![j]!;
      out.push([
        `${u}_heatmap_${third}${j}.png`,
        heatmaps2D({
          title: `${problem.title}: ${u} at ${third} = ${Number(at.toPrecision(4))}`,
          xName: vars[0]!, yName: vars[1]!, x: grid.axes[0]!, y: grid.axes[1]!,
          panels: panels(u, pick(pred), ex ? pick(ex) : undefined),
        }),
      ]);
    }
  });
  return out;
}

function panels(u: string, pred: ArrayLike<number>, ex: ArrayLike<number> | undefined): HeatmapPanel[] {
  // Prediction and exact share a colour scale, so that equal colours mean equal values.
  const list: HeatmapPanel[] = [{ title: `${u} (PINN)`, values: pred, scaleGroup: "solution" }];
  if (ex) {
    list.push({ title: `${u} (exact)`, values: ex, scaleGroup: "solution" });
    list.push({ title: `|error|`, values: Float64Array.from({ length: pred.length }, (_, i) => Math.abs(pred[i]! - ex[i]!)) });
  }
  return list;
}

/** The solution along the space variable at several times (for a two-variable problem with t). */
function snapshots(problem: Problem, evaluation: Evaluation, k: number): Buffer {
  const t = problem.timeVariable!;
  const s = 1 - t;
  const [ns, nt] = [problem.evaluate.points[s]!, problem.evaluate.points[t]!];
  const { grid } = evaluation;
  const times = [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * (nt - 1))))];
  // values[i0 * n1 + i1] is at (axis0[i0], axis1[i1]).
  const slice = (values: ArrayLike<number>, j: number): Float64Array =>
    Float64Array.from({ length: ns }, (_, i) => values[t === 1 ? i * nt + j : j * ns + i]!);
  const ex = evaluation.exact[k];
  return snapshotsPlot({
    title: problem.title,
    variable: problem.variables[s]!,
    unknown: problem.unknowns[k]!,
    timeName: problem.variables[t]!,
    x: grid.axes[s]!,
    times: times.map((j) => grid.axes[t]![j]!),
    predicted: times.map((j) => slice(evaluation.predicted[k]!, j)),
    exact: ex ? times.map((j) => slice(ex, j)) : undefined,
  });
}
