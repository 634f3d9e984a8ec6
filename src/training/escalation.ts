// Escalation: when a steady problem "fits its points but not between them", train once more with the
// steady-region rule's settings (README, "Escalation").
//
// Why. Steady problems on 2-D and 3-D regions get more interior points and RAR-D from the start
// (region-defaults.ts); steady box and 1-D problems keep 256 fixed points in the refinement, which
// costs each of them a quarter of the time per iteration and solves the smooth ones. Some with
// structure between the points do not: the network fits the 256 points exactly and not what lies
// between them, and the verdict flags it ("gap", diagnostics/verdict.ts). Measured at defaults (README
// table): a boundary layer k·u'' = u' with k = 0.01, relative error 10.2; the Wang–Teng–Perdikaris
// Helmholtz problem, 5.1e-3; a two-scale 1-D Poisson problem, 1.3e-2 — each flagged suspect for the
// gap. The rule's settings solve them. Rather than give every steady box problem the rule (4× the
// cost per iteration of every smooth one, and changed results), pinn trains the problem once more
// with them when, and only when, the verdict blames the gap.
//
// When. All of: the verdict failed, one of its reasons is the gap and every other reason is an
// equation's residual (the same failure seen on the evaluation grid); training completed (no stop
// request, no non-finite loss); one network (no ensemble, no time-marching); a steady problem (no
// evolution from initial data); a forward problem (no learned parameters and no data: with measured
// data the gap usually means the network bends through their noise, which more points do not cure —
// verdict.ts says to lower the data's weight); the file (and the command line) left `training.points`,
// `adaptive_sampling` and `lbfgs_resample` to pinn; training has a refinement stage (L-BFGS or BFGS,
// where RAR-D acts: Adam draws fresh points every epoch already); and the rule's settings change
// something (a steady region already has them). At most once.
//
// How. From the trained weights: the refinement stages run again, on 1,024 points redrawn by RAR-D
// (the Adam stage is not repeated). Measured at defaults on the three problems above, one thread, CPU
// time of the retry (README, "Escalation"): continuing solved all three (2.4e-8 in 32 s, 4.6e-4 in 28 s,
// 5.3e-4 in 34 s); retraining from the start took 42–52 s (solving two: 2.0e-9, 6.7e-4) and left the two-scale Poisson problem at
// error 5.6 (its conditions unmet; seed 1: continuing 8.3e-4 and 4.4e-4, retraining 3.8 and 7.3e-4). The better of the two results is kept, by the verdict first and
// then the largest relative residual; the final verdict is computed on the model
// kept, by the same checks, and summary.json says what happened (`escalation`).

import type { Problem, StageSettings } from "../problem/types.js";
import type { Diagnosis, VerdictReason } from "../diagnostics/verdict.js";
import { diagnose, type Diagnostics } from "../diagnostics/index.js";
import type { ResidualModel } from "../residual/model.js";
import { withParameterValues } from "../problem/parameters.js";
import { train, type TrainHooks, type TrainResult } from "./trainer.js";
import { buildSeededModel, loadWeights, weightsOf } from "./member.js";
import { REGION_DEFAULTS } from "./region-defaults.js";
import { defaultAdaptiveSampling, techniqueHooks } from "./techniques.js";

/** The retry's settings: the steady-region rule's (region-defaults.ts). */
export const ESCALATION = {
  /** Interior collocation points of the retry (at least; a file's larger default stays). */
  points: REGION_DEFAULTS.points,
  /** RAR-D period of the retry's refinement stages. */
  adaptiveSampling: REGION_DEFAULTS.adaptiveSampling,
  /** The verdict's reasons that a retry with more points may cure: the gap, and an equation's residual on the grid beside it. */
  curable: new Set<VerdictReason>(["gap", "equation", "equation-local"]),
};

/** What the decision reads of a problem and its model. */
export interface EscalationProblem {
  variables: readonly string[];
  timeVariable: number | null;
  training: Problem["training"];
  equations: Problem["equations"];
  parameters?: readonly unknown[];
  data?: readonly unknown[];
}

export type EscalationDecision =
  | { retry: true; points: number; adaptiveSampling: number }
  | { retry: false; why: string };

/**
 * Whether to train again with the rule's settings (see "When" above), and with which. `enabled`:
 * false with `--no-escalate`; `stopped`: a stop was requested.
 */
export function escalationDecision(
  problem: EscalationProblem,
  model: { evolution(): unknown },
  first: { diagnosis: Pick<Diagnosis, "ok" | "reasons">; train: Pick<TrainResult, "status"> },
  options: { enabled?: boolean; stopped?: boolean; windows?: number } = {},
): EscalationDecision {
  const no = (why: string): EscalationDecision => ({ retry: false, why });
  if (options.enabled === false) return no("turned off (--no-escalate)");
  const { diagnosis, train } = first;
  if (diagnosis.ok) return no("the verdict is solved");
  if (!diagnosis.reasons.includes("gap")) return no("the verdict does not blame the gap between the collocation points");
  const other = diagnosis.reasons.filter((r) => !ESCALATION.curable.has(r));
  if (other.length > 0) return no(`the verdict also found ${[...new Set(other)].join(", ")}`);
  if (train.status !== "completed" || options.stopped) return no(`training did not complete (${options.stopped ? "stop requested" : train.status})`);
  const t = problem.training;
  if ((t.ensemble ?? 1) > 1) return no("an ensemble");
  if ((options.windows ?? 0) > 0) return no("time-marching windows");
  if (problem.timeVariable !== null || model.evolution() !== null) return no("not a steady problem");
  if ((problem.parameters ?? []).length > 0 || (problem.data ?? []).length > 0) return no("an inverse problem (learned parameters or data)");
  if (t.leftOut?.points !== true) return no("training.points was given");
  if (t.adaptiveSampling !== undefined) return no("training.adaptive_sampling was given");
  if (t.lbfgsResample !== undefined) return no("training.lbfgs_resample was given");
  if (!t.stages.some((s) => s.optimizer !== "adam")) return no("no refinement stage (RAR-D redraws the points of L-BFGS and BFGS stages)");
  const points = Math.max(t.points, ESCALATION.points);
  const current = defaultAdaptiveSampling(problem, model);
  if (points === t.points && current === ESCALATION.adaptiveSampling) return no("the problem already has the rule's settings");
  return { retry: true, points, adaptiveSampling: ESCALATION.adaptiveSampling };
}

/** The problem with the retry's settings (a copy). */
export function escalatedProblem<P extends { training: Problem["training"] }>(problem: P, d: { points: number; adaptiveSampling: number }): P {
  return { ...problem, training: { ...problem.training, points: d.points, adaptiveSampling: d.adaptiveSampling } };
}

/** The stages a retry that continues from the trained weights runs: the refinement stages (all the stages when there are none). */
export function continuationStages(stages: readonly StageSettings[]): StageSettings[] {
  const refine = stages.filter((s) => s.optimizer !== "adam");
  return refine.length > 0 ? refine : [...stages];
}

/** A result's rank for keeping the better: solved before suspect, then the smaller largest relative residual (NaN last). */
export function escalationScore(d: Pick<Diagnosis, "ok" | "worst_equation_relative" | "worst_condition_relative">): [number, number] {
  const worst = Math.max(d.worst_equation_relative, d.worst_condition_relative);
  return [d.ok ? 0 : 1, Number.isNaN(worst) ? Infinity : worst];
}

/** Whether the retry's result is better than the first's (ties keep the first: it is the cheaper answer). */
export function retryIsBetter(first: Parameters<typeof escalationScore>[0], retry: Parameters<typeof escalationScore>[0]): boolean {
  const [a0, a1] = escalationScore(first);
  const [b0, b1] = escalationScore(retry);
  return b0 < a0 || (b0 === a0 && b1 < a1);
}

/** One attempt, for the record (summary.json `escalation`). */
export interface AttemptRecord {
  points: number;
  adaptive_sampling: number;
  verdict: "solved" | "suspect";
  reasons: VerdictReason[];
  worst_equation_relative_rms: number;
  worst_condition_relative_rms: number;
  status: TrainResult["status"];
  epochs: number;
  seconds: number;
  /**
   * The process's CPU time (user + system, every thread's) over the attempt's training: the cost a
   * shared machine does not inflate as it does `seconds`. null when the caller did not measure it.
   */
  cpu_seconds: number | null;
}

/** What the escalation did (summary.json `escalation`). */
export interface EscalationRecord {
  first: AttemptRecord;
  retry: AttemptRecord;
  /** "retrain": a new network from the file's seed; "continue": the refinement again from the first attempt's weights. */
  mode: "retrain" | "continue";
  /** Which attempt's model is in the outputs. */
  kept: "first" | "retry";
}

/** The process's CPU seconds (user + system) since `start`, a process.cpuUsage() reading. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export function attemptRecord(points: number, adaptiveSampling: number, d: Diagnosis, train: TrainResult, cpuSeconds: number | null = null): AttemptRecord {
  return {
    points,
    adaptive_sampling: adaptiveSampling,
    verdict: d.ok ? "solved" : "suspect",
    reasons: [...new Set(d.reasons)],
    worst_equation_relative_rms: d.worst_equation_relative,
    worst_condition_relative_rms: d.worst_condition_relative,
    status: train.status,
    epochs: train.epochs,
    seconds: Math.round(train.seconds * 1e3) / 1e3,
    cpu_seconds: cpuSeconds === null ? null : Math.round(cpuSeconds * 1e3) / 1e3,
  };
}

const describeAttempt = (a: AttemptRecord): string =>
  `${a.verdict}${a.verdict === "suspect" ? ` (${a.reasons.join(", ")})` : ""}, ${a.seconds.toFixed(1)} s${a.cpu_seconds === null ? "" : ` (CPU ${a.cpu_seconds.toFixed(1)} s)`}`;

/** The line announcing a retry (before it trains). */
export function escalationStartLine(first: AttemptRecord, d: { points: number; adaptiveSampling: number }, mode: EscalationRecord["mode"]): string {
  return (
    `escalation: first run ${describeAttempt(first)}: the network fits its collocation points but not the points between them; ` +
    `${mode === "continue" ? "refining again from its weights" : "training again from the start"} with ${d.points} points and RAR-D every ${d.adaptiveSampling} iterations ` +
    "(--no-escalate: train once)"
  );
}

/** The line that says what the escalation did (printed after training, stored in summary.json). */
export function escalationLine(r: EscalationRecord): string {
  const how = `${r.retry.points} points and RAR-D every ${r.retry.adaptive_sampling}`;
  const outcome = r.retry.status !== "completed" ? `stopped (${r.retry.status})` : describeAttempt(r.retry);
  const retried = r.mode === "continue" ? `refined again from its weights with ${how}` : `retrained with ${how}`;
  return `escalation: first run ${describeAttempt(r.first)}; ${retried}: ${outcome}; kept the ${r.kept === "retry" ? "retry" : "first run"}`;
}

/** One trained attempt: the problem it trained (its settings), its model, training and diagnostics. */
export interface Attempt {
  problem: Problem;
  model: ResidualModel;
  train: TrainResult;
  diagnostics: Diagnostics;
  /** The process's CPU seconds over its training (cpuSecondsSince), when measured. */
  cpuSeconds?: number;
}

export interface EscalateOptions extends TrainHooks {
  /** false: never retry (`pinn solve --no-escalate`). */
  enabled?: boolean;
  threads?: number | null;
  /** Called when the retry is about to train: the line to show and the retry's model (for a progress display). */
  onRetry?: (line: string, model: ResidualModel) => void;
  /** How the retry starts (see "How" above); default "continue". */
  mode?: "retrain" | "continue";
}

/**
 * Train `first`'s problem once more with the rule's settings when escalationDecision says so, and
 * return the better attempt (`kept`), the retry, and the record of both; null when there is no retry.
 */
export async function escalate(first: Attempt, options: EscalateOptions = {}): Promise<{ kept: Attempt; retry: Attempt; record: EscalationRecord } | null> {
  const decision = escalationDecision(first.problem, first.model, { diagnosis: first.diagnostics.diagnosis, train: first.train }, {
    enabled: options.enabled,
    stopped: options.shouldStop?.() ?? false,
  });
  if (!decision.retry) return null;
  const mode = options.mode ?? "continue";
  const before = attemptRecord(first.problem.training.points, defaultAdaptiveSampling(first.problem, first.model), first.diagnostics.diagnosis, first.train, first.cpuSeconds ?? null);
  const problem = escalatedProblem(first.problem, decision);
  const model = buildSeededModel(problem, problem.training.seed);
  if (mode === "continue") loadWeights(model, weightsOf(first.model));
  options.onRetry?.(escalationStartLine(before, decision, mode), model);
  const stages = mode === "continue" ? continuationStages(problem.training.stages) : problem.training.stages;
  const cpu = process.cpuUsage();
  const trained = await train(model, stages, {
    onProgress: options.onProgress,
    shouldStop: options.shouldStop,
    lossWeighting: problem.training.lossWeighting,
    causal: model.causal(),
    ...techniqueHooks(problem, model),
    threads: options.threads,
  });
  const cpuSeconds = cpuSecondsSince(cpu);
  const diagnostics = diagnose(withParameterValues(problem, model.theta?.data ?? []), model, trained);
  const retry: Attempt = { problem, model, train: trained, diagnostics, cpuSeconds };
  // A retry stopped on request is not a finished answer: the first, which completed, stays.
  const better = trained.status === "completed" && retryIsBetter(first.diagnostics.diagnosis, diagnostics.diagnosis);
  const record: EscalationRecord = {
    first: before,
    retry: attemptRecord(decision.points, decision.adaptiveSampling, diagnostics.diagnosis, trained, cpuSeconds),
    mode,
    kept: better ? "retry" : "first",
  };
  return { kept: better ? retry : first, retry, record };
}
