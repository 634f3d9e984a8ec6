// The PNG plots of a solve: the loss history, then the solution by the shape of the domain.

import { errorPlot1D, heatmaps2D, lossPlot, snapshotsPlot, solutionPlot1D, type HeatmapPanel, type LossHistory } from "./plots.js";
import type { TrainResult } from "../training/trainer.js";
import type { Evaluation } from "./evaluation.js";
import type { Problem } from "../problem/types.js";
import { OPTIMIZER_NAMES } from "../optim/refinement.js";
import type { SolveReport } from "./outputs.js";
import { isInitial } from "../training/growth-rate.js";

/**
 * The loss history as the loss plot draws it: the total (when there is more than one term), then each
 * term by its label. With time-marching windows, an initial condition's term holds the file's initial
 * data in the first window only; in the later ones it matches the previous window's values at the
 * window's start (time-marching.ts), and its label says so. After an escalation's retry
 * (training/escalation.ts), both attempts: the first run's history, then the retry's, its stages named
 * "retry: …", and `attempts` saying where the retry starts and which attempt was kept.
 */
export function lossHistory(report: Pick<SolveReport, "problem" | "train" | "model" | "escalation" | "escalationTrains">): LossHistory {
  const { problem, model } = report;
  const attempts = report.escalation && report.escalationTrains ? { record: report.escalation, ...report.escalationTrains } : null;
  // An escalated solve: the first run's history, then the retry's, whichever was kept.
  const train = attempts ? joinAttempts(attempts.first, attempts.retry) : report.train;
  const windows = report.train.windows?.length ?? 0;
  const t = problem.timeVariable;
  const handedOn = (source: { text: string }): boolean => {
    if (windows < 2 || t === null) return false;
    const t0 = problem.bounds[t]![0];
    return problem.conditions.some((c) => c.source.text === source.text && isInitial(c, t, t0));
  };
  return {
    iteration: train.history.iteration,
    // With one term the total is that term (times its weight): draw it once.
    terms: [
      ...(model.terms.length > 1 ? [{ name: "total", values: train.history.total }] : []),
      ...model.terms.map((term, i) => ({
        name: handedOn(term.source) ? `${term.label} (window 1; windows 2–${windows}: the previous window's values)` : term.label,
        values: train.history.terms[i]!,
      })),
    ],
    stages: train.stages.map((s, i) => ({ name: `${attempts && i >= attempts.first.stages.length ? "retry: " : ""}${OPTIMIZER_NAMES[s.optimizer]}`, start: s.start })),
    ...(attempts
      ? {
          attempts: {
            first: `first run: ${attempts.record.first.points.toLocaleString("en-US")} points`,
            retry: `retry: ${attempts.record.retry.points.toLocaleString("en-US")} points, RAR-D`,
            start: attempts.first.epochs,
            kept: attempts.record.kept,
          },
        }
      : {}),
  };
}

/**
 * The history of an escalated solve's two trainings as one: the retry's iterations numbered on from
 * the first run's last (the first's history records iterations 0 … epochs − 1), its stages likewise.
 */
function joinAttempts(first: TrainResult, retry: TrainResult): Pick<TrainResult, "history" | "stages"> {
  const offset = first.epochs;
  const h1 = first.history;
  const h2 = retry.history;
  return {
    history: {
      iteration: [...h1.iteration, ...h2.iteration.map((i) => i + offset)],
      elapsedMs: [],
      total: [...h1.total, ...h2.total],
      terms: h1.terms.map((values, t) => [...values, ...(h2.terms[t] ?? [])]),
    },
    stages: [...first.stages, ...retry.stages.map((s) => ({ ...s, start: s.start + offset }))],
  };
}

/**
 * The PNG plots: loss history, then the solution by the shape of the domain. Each is drawn when its
 * function is called, so that a caller can stop between plots.
 */
export function solutionPlots(report: SolveReport): [string, () => Buffer][] {
  const { problem, evaluation } = report;
  const out: [string, () => Buffer][] = [];
  const history = lossHistory(report);
  out.push(["loss.png", () => lossPlot(history, `${problem.title}: training loss`)]);
  const { grid, predicted, exact } = evaluation;
  const vars = problem.variables;
  const outline = regionOutline(problem);
  problem.unknowns.forEach((u, k) => {
    const pred = predicted[k]!;
    const ex = exact[k] ?? undefined;
    const against = evaluation.against[k] ?? "exact";
    if (vars.length === 1) {
      const x = grid.axes[0]!;
      out.push([`${u}.png`, () => solutionPlot1D({ title: problem.title, variable: vars[0]!, unknown: u, x, predicted: pred, exact: ex, against })]);
      if (ex) {
        out.push([`${u}_error.png`, () => errorPlot1D({ title: `${problem.title}: error`, variable: vars[0]!, unknown: u, x, against, error: pred.map((p, i) => Math.abs(p - ex[i]!)) })]);
      }
      return;
    }
    if (vars.length === 2) {
      out.push([`${u}_heatmap.png`, () => heatmaps2D({ title: `${problem.title}: ${u}`, xName: vars[0]!, yName: vars[1]!, x: grid.axes[0]!, y: grid.axes[1]!, panels: panels(u, pred, ex, against), inside: grid.inside ?? undefined, outline })]);
      if (problem.timeVariable !== null) out.push([`${u}_snapshots.png`, () => snapshots(problem, evaluation, k)]);
      return;
    }
    // Three variables: heat maps over the first two at a quarter, half and three quarters of the
    // third (its ends are often where Dirichlet data make the field all zero), named by value.
    const [n0, n1, n2] = problem.evaluate.points as [number, number, number];
    const third = vars[2]!;
    for (const j of sliceIndices(n2)) {
      const pick = (values: ArrayLike<number>): Float64Array => Float64Array.from({ length: n0 * n1 }, (_, m) => values[m * n2 + j]!);
      const at = Number(grid.axes[2]![j]!.toPrecision(4));
      out.push([
        `${u}_heatmap_${third}=${at}.png`,
        () => heatmaps2D({
          title: `${problem.title}: ${u} at ${third} = ${at}`,
          xName: vars[0]!, yName: vars[1]!, x: grid.axes[0]!, y: grid.axes[1]!,
          panels: panels(u, pick(pred), ex ? pick(ex) : undefined, against),
          ...(grid.inside ? { inside: pick(grid.inside), outline } : {}),
        }),
      ]);
    }
  });
  return out;
}

/** Grid indices of the 3-D slices: nearest to 1/4, 1/2 and 3/4 of the axis (interior points only when there are any). */
/** A region's boundary, drawn on heat maps when the plotted axes are its plane (cells outside stay blank). */
export function regionOutline(problem: SolveReport["problem"]): number[][] | undefined {
  const region = problem.domain?.region ?? null;
  return region !== null && region.dim === 2 && problem.domain!.spatial[0] === 0 && problem.domain!.spatial[1] === 1 ? region.outline() : undefined;
}

export function sliceIndices(n: number): number[] {
  if (n <= 2) return [...new Set([0, n - 1])];
  return [...new Set([0.25, 0.5, 0.75].map((f) => Math.min(n - 2, Math.max(1, Math.round(f * (n - 1))))))];
}

/**
 * The heat-map panels: prediction, then the exact solution (or the reference) and the error. Reference
 * data reach the grid by multilinear interpolation ("Reference data"), whose own error is part of the
 * difference between grid lines of a coarser reference (a KdV reference every 0.02 in t showed as
 * stripes at every other row of the 0.01 grid), so those panels say so.
 */
export function panels(u: string, pred: ArrayLike<number>, ex: ArrayLike<number> | undefined, label: "exact" | "reference" = "exact"): HeatmapPanel[] {
  // Prediction and exact share a colour scale, so that equal colours mean equal values.
  const list: HeatmapPanel[] = [{ title: `${u} (PINN)`, values: pred, scaleGroup: "solution" }];
  if (ex) {
    const reference = label === "reference";
    list.push({ title: reference ? `${u} (reference, interpolated onto the grid)` : `${u} (exact)`, values: ex, scaleGroup: "solution" });
    list.push({ title: reference ? `|${u} (PINN) − interpolated reference|` : `|error|`, values: Float64Array.from({ length: pred.length }, (_, i) => Math.abs(pred[i]! - ex[i]!)) });
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
    against: evaluation.against[k] ?? "exact",
  });
}
