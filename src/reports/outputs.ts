// Write the results of a solve to its output folder: summary.json, solution.csv, model.json,
// loss.png and the solution plots. Every file is written atomically, into the staging folder of
// output-folder.ts, which then replaces the output folder as a whole.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { toCsv, type CsvColumn } from "./csv.js";
import type { Evaluation } from "./evaluation.js";
import type { Problem } from "../problem/types.js";
import type { TrainResult } from "../training/trainer.js";
import type { ResidualModel } from "../residual/model.js";
import { modelFile } from "./model-file.js";
import { settingsSummary } from "./settings.js";
import { activeKernels } from "./kernels.js";
import { parametersSummary } from "./parameters.js";
import { ensembleCsv, ensembleSummary } from "./ensemble-outputs.js";
import { memberVerdictsSummary, type MemberVerdict } from "../diagnostics/ensemble-verdicts.js";
import type { EnsembleResult } from "../training/ensemble.js";
import { diagnosticsSummary, type Diagnostics } from "../diagnostics/index.js";
import { escalationLine, type EscalationRecord } from "../training/escalation.js";
import { identifiabilitySummary, type IdentifiabilityOutcome } from "../diagnostics/identifiability.js";

/**
 * The package's version, from pinn's package.json: the nearest one above this module (two folders up
 * from src/reports and dist/reports, three from dist-bench/src/reports).
 */
export const PINN_VERSION: string = packageVersion();

function packageVersion(): string {
  for (let up = "../../"; up.length <= 5 * 3; up += "../") {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pinn" && typeof pkg.version === "string") return pkg.version;
    } catch {
      /* not here: one folder up */
    }
  }
  return "unknown";
}

export interface SolveReport {
  problem: Problem;
  model: ResidualModel;
  train: TrainResult;
  evaluation: Evaluation;
  /** The ensemble's members and statistics, when training.ensemble > 1. */
  ensemble?: EnsembleResult | null;
  diagnostics?: Diagnostics;
  /** The escalation's record, when the solve trained twice (training/escalation.ts). */
  escalation?: EscalationRecord | null;
  /** Both attempts' training when the escalation retried: loss.png draws both (solution-plots.ts). */
  escalationTrains?: EscalationTrains | null;
  /** Every ensemble member's verdict (diagnostics/ensemble-verdicts.ts). */
  memberVerdicts?: MemberVerdict[] | null;
  /** Whether the data determine each learned parameter (diagnostics/identifiability.ts). */
  identifiability?: IdentifiabilityOutcome;
}

/** The training of both attempts of an escalated solve (training/escalation.ts), in the order they ran. */
export interface EscalationTrains {
  first: TrainResult;
  retry: TrainResult;
}

/** The JSON summary of a solve. */
export function summaryOf(report: SolveReport, files: string[], written?: Omit<WriteResult, "files">): Record<string, unknown> {
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
        ...(s.note ? { note: s.note } : {}),
        ...(s.adaptiveSampling ? { adaptive_sampling_every: s.adaptiveSampling } : {}),
      })),
      ...(train.windows ? { time_windows: train.windows.map((w) => ({ from: w.from, to: w.to, status: w.status, epochs: w.epochs, seconds: round(w.seconds, 4), final_loss: w.finalLoss })) } : {}),
    },
    ...parametersSummary(problem, model.parameterValues()),
    ...(report.ensemble ? { ensemble: { ...ensembleSummary(problem, report.ensemble), ...(report.memberVerdicts ? memberVerdictsSummary(report.memberVerdicts) : {}) } } : {}),
    metrics: evaluation.metrics,
    kernels: activeKernels(problem),
    ...diagnosticsSummary(report.diagnostics),
    ...(report.identifiability ? identifiabilitySummary(report.identifiability.record, report.identifiability.skipped) : {}),
    ...(report.escalation ? { escalation: { ...report.escalation, message: escalationLine(report.escalation) } } : {}),
    evaluation: { points_per_variable: Object.fromEntries(problem.variables.map((v, i) => [v, problem.evaluate.points[i]])), grid_points: evaluation.grid.count, ...(evaluation.grid.inside ? { inside_region: evaluation.grid.inside.reduce((n, v) => n + v, 0) } : {}) },
    files,
    ...(written && written.failed.length > 0 ? { write_errors: written.failed } : {}),
    ...(written && written.skipped.length > 0 ? { skipped_plots: written.skipped } : {}),
    ...(written?.rescuedModel ? { model_saved_to: written.rescuedModel } : {}),
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
      columns.push({ name: `${u}_${evaluation.against?.[k] ?? "exact"}`, values: ex });
      columns.push({ name: `${u}_error`, values: predicted[k]!.map((p, n) => p - ex[n]!) });
    }
  });
  // A region's grid: only the rows inside it.
  const inside = grid.inside;
  if (inside) for (const c of columns) c.values = Float64Array.from(c.values).filter((_, n) => inside[n] === 1);
  return toCsv(columns);
}

export { OutputFolderError } from "./output-folder.js";

/** An output that could not be written, and why. */
export interface WriteFailure {
  file: string;
  reason: string;
}

export interface WriteResult {
  /** Files written into the folder (relative names). */
  files: string[];
  /** Files that could not be written. */
  failed: WriteFailure[];
  /** Plots not drawn because a stop was requested while writing. */
  skipped: string[];
  /** Where model.json went when it could not be written into the folder. */
  rescuedModel?: string;
}

/** What went wrong in a write, in words (the error code kept for searching). */
export function writeErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENAMETOOLONG: "the file name is too long",
    EIO: "input/output error",
    ENOENT: "the folder no longer exists",
  };
  return code !== undefined ? `${words[code] ?? (e as Error).message} (${code})` : e instanceof Error ? e.message : String(e);
}

/** Longest file name written, in bytes (most file systems allow 255). */
const MAX_NAME_BYTES = 200;

/** A file name no longer than MAX_NAME_BYTES: a long one keeps its start and extension, plus a short hash of the whole. */
export function safeFileName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot) : "";
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619) >>> 0;
  let stem = name.slice(0, dot > 0 ? dot : name.length);
  const tail = `~${hash.toString(16).padStart(8, "0")}${ext}`;
  while (Buffer.byteLength(stem) + Buffer.byteLength(tail) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
  return stem + tail;
}

export interface WriteOptions {
  plots: boolean;
  /** Polled between plots: true skips the remaining plots (the other outputs are still written). */
  shouldStop?: () => boolean;
}

/**
 * Write every output into `dir`; model.json first, so that nothing after it can lose the trained
 * network, then the solution, the plots and summary.json last. A file that cannot be written is
 * recorded and the others are still tried; when model.json cannot be written, it goes to a folder
 * under the system's temporary folder instead. The plotting modules (and the native canvas they
 * need) are loaded only when plots are wanted.
 */
export async function writeOutputs(dir: string, report: SolveReport, options: WriteOptions): Promise<WriteResult> {
  const result: WriteResult = { files: [], failed: [], skipped: [] };
  const attempt = (name: string, data: () => string | Uint8Array): boolean => {
    const file = safeFileName(name);
    try {
      writeFileAtomic(join(dir, file), data());
      result.files.push(file);
      return true;
    } catch (e) {
      result.failed.push({ file, reason: writeErrorReason(e) });
      return false;
    }
  };
  const model = (): string => `${JSON.stringify(modelFile(report.problem, report.model.network, report.model.outputScale), null, 2)}\n`;
  if (!attempt("model.json", model)) result.rescuedModel = rescueModel(report.problem.name, model());
  attempt("solution.csv", () => solutionCsv(report.problem, report.evaluation));
  if (report.ensemble) attempt("ensemble.csv", () => ensembleCsv(report.problem, report.evaluation, report.ensemble!));
  if (options.plots) {
    try {
      const { solutionPlots } = await import("./solution-plots.js");
      const { residualPlots } = await import("./residual-plots.js");
      const plots: [string, () => Buffer][] = [...solutionPlots(report), ...(await import("./inverse-plots.js")).inversePlots(report), ...residualPlots(report).map(([n, png]): [string, () => Buffer] => [n, () => png])];
      for (const [i, [name, draw]] of plots.entries()) {
        // Let a stop signal be seen between plots (drawing is synchronous).
        await new Promise((r) => setImmediate(r));
        if (options.shouldStop?.()) {
          result.skipped.push(...plots.slice(i).map(([n]) => safeFileName(n)));
          break;
        }
        attempt(name, draw);
      }
    } catch (e) {
      result.failed.push({ file: "plots", reason: writeErrorReason(e) });
    }
  }
  attempt("summary.json", () => `${JSON.stringify(summaryOf(report, [...result.files, "summary.json"], result), null, 2)}\n`);
  return result;
}

/** model.json under the system's temporary folder, when the output folder cannot take it; returns its path or undefined. */
function rescueModel(name: string, text: string): string | undefined {
  try {
    const dir = mkdtempSync(join(tmpdir(), `pinn-${safeFileName(name).slice(0, 60)}-`));
    const path = join(dir, "model.json");
    writeFileAtomic(path, text);
    return path;
  } catch {
    return undefined;
  }
}
