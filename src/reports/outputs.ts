// Write the results of a solve to its output folder: summary.json, solution.csv, model.json,
// loss.png and the solution plots. Every file is written atomically.

import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.js";
import { toCsv, type CsvColumn } from "./csv.js";
import type { Evaluation } from "./evaluation.js";
import type { Problem } from "../problem/types.js";
import type { TrainResult } from "../training/trainer.js";
import type { ResidualModel } from "../residual/model.js";
import { modelFile } from "./model-file.js";
import { settingsSummary } from "./settings.js";

/** The package's version, from package.json (two folders up from src/reports and dist/reports). */
export const PINN_VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

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
      ...(problem.description ? { description: problem.description } : {}),
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
      ...(train.validationLoss === undefined ? {} : { validation_loss: train.validationLoss }),
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

/** The output folder cannot be created or written. */
export class OutputFolderError extends Error {}

/** Create the output folder and make sure it is writable, before any training. */
export function prepareOutputFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOTDIR" || code === "EEXIST" ? "a part of the path is a file, not a folder" : code === "EACCES" || code === "EPERM" ? "permission denied" : (code ?? String(e));
    throw new OutputFolderError(`cannot write the outputs to ${dir}: ${why}`);
  }
}

/**
 * Write every output; returns the file names written (relative to `dir`). The plotting modules
 * (and the native canvas they need) are loaded only when plots are wanted.
 */
export async function writeOutputs(dir: string, report: SolveReport, options: { plots: boolean }): Promise<string[]> {
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array): void => {
    writeFileAtomic(join(dir, name), data);
    files.push(name);
  };
  write("solution.csv", solutionCsv(report.problem, report.evaluation));
  writeJsonAtomic(join(dir, "model.json"), modelFile(report.problem, report.model.network, report.model.outputScale));
  files.push("model.json");
  if (options.plots) {
    const { solutionPlots } = await import("./solution-plots.js");
    for (const [name, png] of solutionPlots(report)) write(name, png);
  }
  files.push("summary.json");
  writeJsonAtomic(join(dir, "summary.json"), summaryOf(report, files));
  return files;
}
