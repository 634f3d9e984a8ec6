// The whole solve, as a library call: problem → residual model → training → evaluation → outputs.

import { resolve as resolvePath, join } from "node:path";
import type { Problem } from "./problem/types.js";
import { PinnNetwork } from "./residual/network.js";
import { ResidualModel } from "./residual/model.js";
import { train, type TrainHooks, type TrainResult } from "./training/trainer.js";
import { evaluateSolution, type Evaluation } from "./reports/evaluation.js";
import { summaryOf, writeOutputs, writeErrorReason, type WriteResult, type EscalationTrains } from "./reports/outputs.js";
import { OutputStaging } from "./reports/output-folder.js";
import { withOverrides, type RunOverrides } from "./run-overrides.js";
import { readFileSync } from "node:fs";
import { buildSeededModel, loadWeights } from "./training/member.js";
import { techniqueHooks } from "./training/techniques.js";
import { withRefinementBudget } from "./training/budget.js";
import { runEnsemble, type EnsembleProgress, type EnsembleResult } from "./training/ensemble.js";
import { withParameterValues } from "./problem/parameters.js";
import { diagnose, type Diagnostics } from "./diagnostics/index.js";
import { assertPreflight } from "./residual/check.js";
import { marchProblem, timeWindowCount } from "./training/time-marching.js";
import { cpuSecondsSince, escalate, type EscalationRecord } from "./training/escalation.js";
import { memberVerdicts, type MemberVerdict } from "./diagnostics/ensemble-verdicts.js";
import { identify, type IdentifiabilityOutcome } from "./diagnostics/identifiability.js";

export type SolvePhase = "training" | "evaluating" | "writing";

export interface SolveOptions extends TrainHooks, RunOverrides {
  /** Output folder (default out/<name> under the current directory). */
  outDir?: string;
  /** The same as outDir. */
  out?: string;
  /** Write files at all (default true). */
  write?: boolean;
  /** Write PNG plots (default true). */
  plots?: boolean;
  /** Called once the residual model is built (e.g. to report enforced conditions). */
  onModel?: (model: ResidualModel) => void;
  /** Called as the solve moves from training to evaluation to writing the outputs. */
  onPhase?: (phase: SolvePhase) => void;
  /** Worker threads for an ensemble or for data-parallel training (default training.threads, else all cores). */
  threads?: number;
  /** An ensemble's progress (members done, iterations of all members), in place of onProgress. */
  onEnsembleProgress?: (p: EnsembleProgress) => void;
  /** Train once more with more points and RAR-D when a steady problem fits its points but not between them (default true; training/escalation.ts). */
  escalate?: boolean;
  /** Called when that retry is about to train: the line to show and the retry's model (then onProgress restarts). */
  onRetry?: (line: string, model: ResidualModel) => void;
  /** Test whether the data determine each learned parameter after a single run (default true; diagnostics/identifiability.ts). */
  identifiability?: boolean;
}

const OPTION_KEYS = new Set(["outDir", "out", "write", "plots", "onModel", "onPhase", "onProgress", "shouldStop", "epochs", "seed", "threads", "onEnsembleProgress", "escalate", "onRetry", "identifiability"]);

export interface SolveResult {
  problem: Problem;
  network: PinnNetwork;
  model: ResidualModel;
  train: TrainResult;
  evaluation: Evaluation;
  /** Raw residuals and the verdict (README, "Reading the diagnostics"). */
  diagnostics: Diagnostics;
  summary: Record<string, unknown>;
  /** The folder holding the outputs (the staging folder when they could not be moved into place). */
  outDir: string;
  files: string[];
  /** What was written, failed or skipped (null when nothing was to be written). */
  written: WriteResult | null;
  /** A stop was requested before the first iteration: nothing was written, the folder is unchanged. */
  aborted: boolean;
  /** The members' results when training.ensemble > 1 (in the outputs only with two members that completed: see stopped). */
  ensemble: EnsembleResult | null;
  /** What the escalation did, when it retried (training/escalation.ts); the other fields are the attempt kept. */
  escalation: EscalationRecord | null;
  /** Both attempts' training (their loss histories: loss.png draws both), when the escalation retried. */
  escalationTrains: EscalationTrains | null;
  /** Every ensemble member's verdict (member 0's is `diagnostics`'), when there is an ensemble (diagnostics/ensemble-verdicts.ts). */
  memberVerdicts: MemberVerdict[] | null;
  /** Whether the data determine each learned parameter (diagnostics/identifiability.ts), or why that was not tested. */
  identifiability: IdentifiabilityOutcome;
}

export function buildModel(problem: Problem): ResidualModel {
  return buildSeededModel(problem, problem.training.seed);
}

export async function solve(loaded: Problem, options: SolveOptions = {}): Promise<SolveResult> {
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0) throw new TypeError(`solve: unknown option ${unknown.map((k) => `"${k}"`).join(", ")} (options: ${[...OPTION_KEYS].join(", ")})`);
  if (options.out !== undefined && options.outDir !== undefined && options.out !== options.outDir) throw new TypeError("solve: give out or outDir, not both");
  // The default refinement budget of a problem with RAR-D (training/budget.ts), before --epochs scales it.
  const problem = withOverrides(withRefinementBudget(loaded), options);
  assertPreflight(problem);
  const outDir = resolvePath(options.outDir ?? options.out ?? join("out", problem.name));
  const model = buildModel(problem);
  const staging = options.write !== false ? OutputStaging.begin(outDir) : null;
  try {
    options.onModel?.(model);
    options.onPhase?.("training");
    // An ensemble trains its members on worker threads; member 0 is this run (training/ensemble.ts).
    const run = (problem.training.ensemble ?? 1) > 1
      ? await runEnsemble(problem, readFileSync(problem.file, "utf8"), { threads: options.threads ?? problem.training.threads ?? undefined, onProgress: options.onEnsembleProgress, shouldStop: options.shouldStop })
      : null;
    if (run !== null) loadWeights(model, run.first.weights);
    // Statistics need two members that completed (fewer only after a stop: run.stopped).
    const ensemble = run !== null && run.members.length >= 2 ? run : null;
    // Time-marching (training/time-marching.ts): one network per time window, glued into one.
    const windows = run === null ? timeWindowCount(problem) : 0;
    const marched = windows > 0 ? await marchProblem(problem, windows, { onProgress: options.onProgress, shouldStop: options.shouldStop, threads: options.threads ?? problem.training.threads }) : null;
    const firstCpu = process.cpuUsage();
    const firstTrain = run?.first.train ?? marched?.train ?? await train(model, problem.training.stages, {
      onProgress: options.onProgress,
      shouldStop: options.shouldStop,
      lossWeighting: problem.training.lossWeighting,
      causal: model.causal(),
      ...techniqueHooks(problem, model),
      threads: options.threads ?? problem.training.threads,
    });
    const firstCpuSeconds = cpuSecondsSince(firstCpu);
    // A stop that ended training does not also skip the plots; one that comes after training does.
    let stoppedInTraining = options.shouldStop?.() ?? false;
    options.onPhase?.("evaluating");
    // Learned parameters at their estimates (trial forms may use them), for evaluation and outputs.
    const firstFitted = withParameterValues(problem, model.theta?.data ?? []);
    const firstUsed = marched?.model ?? model;
    const firstDiagnostics = diagnose(firstFitted, firstUsed, firstTrain);
    // A steady problem that fits its points but not between them: once more with more points and RAR-D (training/escalation.ts).
    const escalated = run === null && marched === null
      ? await escalate({ problem, model, train: firstTrain, diagnostics: firstDiagnostics, cpuSeconds: firstCpuSeconds }, {
          enabled: options.escalate,
          threads: options.threads ?? problem.training.threads,
          onProgress: options.onProgress,
          shouldStop: options.shouldStop,
          onRetry: (line, retryModel) => {
            options.onRetry?.(line, retryModel);
            options.onPhase?.("training");
          },
        })
      : null;
    if (escalated !== null) {
      stoppedInTraining = options.shouldStop?.() ?? false;
      options.onPhase?.("evaluating");
    }
    const trained = escalated?.kept.train ?? firstTrain;
    const fitted = escalated ? withParameterValues(escalated.kept.problem, escalated.kept.model.theta?.data ?? []) : firstFitted;
    const used = escalated?.kept.model ?? firstUsed;
    // Whether the data determine each learned parameter: an "undetermined" warning when not (diagnostics/identifiability.ts).
    const identified = await identify(
      { problem: escalated?.kept.problem ?? problem, model: used, train: trained, diagnostics: escalated?.kept.diagnostics ?? firstDiagnostics },
      { enabled: options.identifiability !== false && !stoppedInTraining, windows, threads: options.threads ?? problem.training.threads, shouldStop: options.shouldStop },
    );
    const diagnostics = identified.diagnostics;
    const identifiability = identified.outcome;
    const escalation = escalated?.record ?? null;
    const escalationTrains = escalated ? { first: firstTrain, retry: escalated.retry.train } : null;
    const evaluation = evaluateSolution(fitted, used.network, used.outputScale);
    // The other members' verdicts: the ensemble's intervals are computed over them too.
    const members = ensemble !== null ? memberVerdicts(problem, ensemble, diagnostics) : null;
    const report = { problem: fitted, model: used, train: trained, evaluation, diagnostics, ensemble, escalation, escalationTrains, memberVerdicts: members, identifiability };
    const aborted = trained.status === "interrupted" && trained.epochs === 0;
    if (staging === null || aborted) {
      staging?.discard();
      return { problem: escalated?.kept.problem ?? problem, network: used.network, model: used, train: trained, evaluation, diagnostics, summary: summaryOf(report, []), outDir, files: [], written: null, aborted, ensemble: run, escalation, escalationTrains, memberVerdicts: members, identifiability };
    }
    options.onPhase?.("writing");
    const shouldStop = (): boolean => !stoppedInTraining && (options.shouldStop?.() ?? false);
    const written = await writeOutputs(staging.dir, report, { plots: options.plots ?? true, shouldStop });
    let folder: string;
    try {
      folder = staging.commit();
    } catch (e) {
      staging.keep();
      folder = staging.dir;
      written.failed.push({ file: outDir, reason: e instanceof Error ? e.message : writeErrorReason(e) });
    }
    return { problem: escalated?.kept.problem ?? problem, network: used.network, model: used, train: trained, evaluation, diagnostics, summary: summaryOf(report, written.files, written), outDir: folder, files: written.files, written, aborted: false, ensemble: run, escalation, escalationTrains, memberVerdicts: members, identifiability };
  } catch (e) {
    staging?.discard();
    throw e;
  }
}
