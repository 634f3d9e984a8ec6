// Identifiability: do the data determine each learned parameter? (README, "Identifiability check")
//
// Why. Residuals cannot tell: a coefficient that the data do not determine fits every residual at any
// value, and one run returns whichever value training drifted to (QA stop 21: a diffusion coefficient
// learned from data at t = 0 only — data that repeat the initial condition — came out "solved" near its
// exact value, by luck). An ensemble's spread says so; one run said nothing.
//
// How. A local profile test (the profile likelihood of Raue et al., Bioinformatics 2009, in its
// cheapest form): from the trained weights, for each parameter θ_k, the refinement continues for a
// short budget with θ_k FIXED at its estimate moved by δ (the network and the other parameters free);
// a control continues for the same budget from the same weights with every parameter free. Both
// continuations run on the same points (the same seed), and their results are measured by one
// yardstick: the trained model's own loss (its term scales and weights) on those points. The move of
// θ_k adds loss (the trained network with θ_k moved, against the control's); when the continuation
// removes all but less than IDENTIFIABILITY.remaining of it and is still removing it at the end
// (IDENTIFIABILITY.decay), the network makes up for the move: the data cannot tell θ_k from its moved value, θ_k is not determined by them, and the verdict says so ("undetermined"). A
// determined parameter moved by δ leaves a conflict between the equations and the data that no
// network can fit: the added loss stops falling at a floor, usually most of it.
//
// When. After a single run that completed (no ensemble — its spread already measures this; no
// time-marching — its glued network is not one model to continue), on a problem with learned
// parameters and data, unless turned off (`--no-identifiability`, solve({identifiability: false})).

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Parameter, Problem, StageSettings } from "../problem/types.js";
import type { ResidualModel } from "../residual/model.js";
import { parameterValue, rawFor } from "../problem/parameters.js";
import { noGrad } from "../engine/state.js";
import { weightedLoss } from "../loss/loss.js";
import { train, type Progress, type TrainHooks, type TrainResult } from "../training/trainer.js";
import { buildSeededModel, loadWeights, weightsOf } from "../training/member.js";
import type { Diagnostics } from "./index.js";

export const IDENTIFIABILITY = {
  /** The relative move of each parameter (a parameter at 0 moves by δ·max(1, |initial|)). */
  delta: 0.1,
  /**
   * A parameter is not determined when its continuation removed all but less than this fraction of
   * the loss its move added (`remaining`)…
   */
  remaining: 1e-2,
  /**
   * …and was still removing it: the excess over the control at the end is below this fraction of the
   * excess halfway (`decay`). A refit under way falls by orders of magnitude (the diffusion
   * coefficient with data at t = 0: 0.023 after 300 iterations); a floor stays or is approached
   * slowly (clean Burgers' λ2, whose change the network refits at the shock but for 0.08%: 0.90;
   * noisy Burgers' λ2, weakly determined, 0.03% left: 0.28 after 208 iterations; every other
   * determined case measured ≥ 0.75; README table). 0.08 sits midway (geometrically) between 0.023 and
   * 0.28. The margin needs the budget: with a fifth of the refinement (250 and 167 iterations) the
   * diffusion coefficient's decay was 0.062 and noisy λ2's 0.12, too close to separate.
   */
  decay: 0.08,
  /**
   * Below this `remaining` the parameter is not determined whatever `decay`: the excess is then at the
   * losses' rounding noise (the decay rate from u(0) = 1 alone: 4e-6, decay 0.34; noisy Burgers' λ2,
   * determined, 3e-4).
   */
  remainingFlat: 1e-5,
  /** Iterations of each continuation: this fraction of the training's refinement iterations over the continuations… */
  budgetFraction: 0.25,
  /** …within these bounds. */
  minIterations: 50,
  maxIterations: 300,
};

/** One parameter's test (summary.json `identifiability.parameters`). */
export interface ParameterIdentifiability {
  estimate: number;
  /** The value the parameter was fixed at in its continuation. */
  fixed_at: number;
  /** The common yardstick's loss with the parameter moved and the trained network, before the continuation. */
  loss_before: number;
  /** The common yardstick's loss halfway through that continuation… */
  loss_mid: number;
  /** …and at its end. */
  loss: number;
  /**
   * The part of the loss the move added that the continuation could not remove: (loss − control) /
   * (loss_before − control), 0 when the move added nothing. Near a minimum, with the loss ≈ ½ xᵀHx, it
   * tends to the profile's curvature over the direct curvature in θ_k, (H_θθ − H_θw H_ww⁻¹ H_wθ) / H_θθ:
   * 1 when the network cannot make up for the move at all, 0 when it can entirely. A short continuation
   * overestimates it (the network has not finished making up), which errs towards "determined".
   */
  remaining: number;
  /** loss / control loss (for the record: with noisy data the control's loss is a floor, and the ratio of two small losses says little). */
  ratio: number;
  /**
   * The excess over the control at the end over that halfway, (loss − control) / (loss_mid − control):
   * near 1 when the continuation has reached a floor (the move cannot be refitted), small when it was
   * still removing the excess (the refit is under way).
   */
  decay: number;
  determined: boolean;
}

/** summary.json `identifiability`. */
export interface IdentifiabilityRecord {
  delta: number;
  /** Iterations of each continuation, and its optimizer. */
  iterations: number;
  optimizer: StageSettings["optimizer"];
  /** IDENTIFIABILITY's limits: not determined when remaining < remaining_flat, or remaining < remaining and decay < decay. */
  threshold: { remaining: number; decay: number; remaining_flat: number };
  control_loss: number;
  parameters: Record<string, ParameterIdentifiability>;
  /** Names of the parameters not determined by the data. */
  undetermined: string[];
  seconds: number;
}

export type IdentifiabilityDecision = { run: true } | { run: false; why: string };

/** Whether to run the check (see "When" above). `enabled`: false with --no-identifiability. */
export function identifiabilityDecision(
  problem: Pick<Problem, "parameters" | "data" | "training">,
  first: { train: Pick<TrainResult, "status" | "epochs"> },
  options: { enabled?: boolean; stopped?: boolean; windows?: number } = {},
): IdentifiabilityDecision {
  const no = (why: string): IdentifiabilityDecision => ({ run: false, why });
  if (options.enabled === false) return no("turned off (--no-identifiability)");
  if ((problem.parameters ?? []).length === 0) return no("no learned parameters");
  if ((problem.data ?? []).length === 0) return no("no data");
  if ((problem.training.ensemble ?? 1) > 1) return no("an ensemble runs: its spread measures this");
  if ((options.windows ?? 0) > 0) return no("time-marching windows");
  if (first.train.status !== "completed" || first.train.epochs === 0 || options.stopped) return no("training did not complete");
  return { run: true };
}

/** The rule (see IDENTIFIABILITY): a parameter is determined unless its move was refitted, or nearly and still being refitted. */
export function isDetermined(remaining: number, decay: number): boolean {
  const L = IDENTIFIABILITY;
  return !(remaining < L.remainingFlat || (remaining < L.remaining && decay < L.decay));
}

/** The problem with parameter k replaced by the number whose raw θ is `raw` (the others stay learned). */
export function withParameterFixed(problem: Problem, k: number, raw: number): Problem {
  const fix = (s: Sym): Sym => S.substitute(s, (atom) => (atom.kind === "param" && atom.index === k ? S.num(raw) : undefined));
  return {
    ...problem,
    equations: problem.equations.map((e) => ({ ...e, residual: fix(e.residual), lhs: fix(e.lhs), rhs: fix(e.rhs) })),
    conditions: problem.conditions.map((c) => (c.kind === "point" ? { ...c, residual: fix(c.residual), lhs: fix(c.lhs), rhs: fix(c.rhs) } : c)),
    trial: problem.trial.map((t) => (t === null ? null : { ...t, expr: fix(t.expr) })),
  };
}

/** The value parameter p is fixed at: its estimate moved by +δ, or by −δ where +δ leaves its bounds. */
export function perturbedValue(p: Pick<Parameter, "initial" | "min" | "max">, estimate: number, delta: number = IDENTIFIABILITY.delta): number {
  const step = delta * (estimate !== 0 ? Math.abs(estimate) : Math.max(1, Math.abs(p.initial)));
  const inside = (v: number): boolean => (p.min === undefined || v > p.min) && (p.max === undefined || v < p.max);
  if (inside(estimate + step)) return estimate + step;
  if (inside(estimate - step)) return estimate - step;
  // Bounds tighter than δ: halfway to the farther bound.
  const lo = p.min ?? -Infinity;
  const hi = p.max ?? Infinity;
  return hi - estimate > estimate - lo ? (estimate + hi) / 2 : (estimate + lo) / 2;
}

/** The continuation's stage: the training's last refinement stage (L-BFGS or BFGS; L-BFGS after Adam only), `iterations` long. */
export function continuationStage(stages: readonly StageSettings[], iterations: number): StageSettings {
  const refine = [...stages].reverse().find((s) => s.optimizer !== "adam");
  if (refine !== undefined) return { ...refine, iterations };
  return { optimizer: "lbfgs", iterations, learningRate: 1, historySize: 50 };
}

/** Iterations of each continuation (see IDENTIFIABILITY). */
export function continuationIterations(trained: Pick<TrainResult, "stages">, parameters: number): number {
  const L = IDENTIFIABILITY;
  const refined = trained.stages.filter((s) => s.optimizer !== "adam").reduce((n, s) => n + s.iterations, 0);
  const base = refined > 0 ? refined : trained.stages.reduce((n, s) => n + s.iterations, 0);
  return Math.max(L.minIterations, Math.min(L.maxIterations, Math.round((L.budgetFraction * base) / (parameters + 1))));
}

export interface IdentifiabilityOptions extends TrainHooks {
  threads?: number | null;
  /** Iterations of each continuation in place of continuationIterations (tests). */
  iterations?: number;
}

/**
 * Run the test on a trained model (`problem` is the problem it trained, its parameters still learned):
 * the record, or null when a continuation did not complete (a stop request, a non-finite loss).
 */
export async function checkIdentifiability(problem: Problem, model: ResidualModel, trained: TrainResult, options: IdentifiabilityOptions = {}): Promise<IdentifiabilityRecord | null> {
  const started = performance.now();
  const params = problem.parameters ?? [];
  const weights = weightsOf(model);
  const theta = Float64Array.from(model.theta?.data ?? []);
  const iterations = options.iterations ?? continuationIterations(trained, params.length);
  const stage = continuationStage(problem.training.stages, iterations);
  const seed = problem.training.seed;
  // The yardstick: the trained problem's model (its scales, its file weights) on the continuations'
  // points. Each continuation's model is built from the same seed, so its refinement stage draws the
  // same points as this first draw: the yardstick is the objective the continuations minimised (up to
  // the term scales, which the variants estimate with θ_k at its fixed value). Fresh points were
  // tried first: on noisy Burgers their equation residual between the points at the shock (the gap
  // warning's) outweighed the fit, and the control's continuation came out worse than λ2's 10% off.
  const yardstick = buildSeededModel(problem, seed);
  const batch = yardstick.drawFresh();
  const measure = (w: readonly Float64Array[]): number => {
    loadWeights(yardstick, w);
    return noGrad(() => weightedLoss(yardstick.losses(batch), yardstick.terms.map((t) => t.weight)).total.data[0]!);
  };
  /** m's weights with θ_k set to `raw` (k null: as they are). */
  const weightsWith = (m: ResidualModel, k: number | null, raw: number): Float64Array[] => {
    const w = weightsOf(m);
    if (k !== null) w[w.length - 1]![k] = raw;
    return w;
  };
  /**
   * Continue from the trained weights on `variant` (θ_k replaced by a number, or the problem itself):
   * the yardstick's loss halfway and at the end (θ_k set to `raw`), or null when training did not complete.
   */
  const continueOn = async (variant: Problem, k: number | null, raw: number): Promise<{ mid: number; end: number } | null> => {
    const m = buildSeededModel(variant, seed);
    loadWeights(m, weights);
    const half = Math.max(1, Math.floor(iterations / 2));
    let mid = NaN;
    const onProgress = (p: Progress): void => {
      options.onProgress?.(p);
      // After `half` iterations (stageIteration counts those completed before this one).
      if (p.stageIteration === half - 1) mid = measure(weightsWith(m, k, raw));
    };
    const result = await train(m, [stage], { shouldStop: options.shouldStop, onProgress, threads: options.threads });
    if (result.status !== "completed") return null;
    const end = measure(weightsWith(m, k, raw));
    return { mid: Number.isNaN(mid) ? end : mid, end };
  };
  const controlRun = await continueOn(problem, null, 0);
  if (controlRun === null || !Number.isFinite(controlRun.end)) return null;
  const control = controlRun.end;
  const record: IdentifiabilityRecord = {
    delta: IDENTIFIABILITY.delta,
    iterations,
    optimizer: stage.optimizer,
    threshold: { remaining: IDENTIFIABILITY.remaining, decay: IDENTIFIABILITY.decay, remaining_flat: IDENTIFIABILITY.remainingFlat },
    control_loss: control,
    parameters: {},
    undetermined: [],
    seconds: 0,
  };
  for (let k = 0; k < params.length; k++) {
    const p = params[k]!;
    const estimate = parameterValue(p, theta);
    const fixedAt = perturbedValue(p, estimate);
    const raw = rawFor(p, fixedAt);
    const before = measure(weightsWith(model, k, raw));
    const run = await continueOn(withParameterFixed(problem, k, raw), k, raw);
    if (run === null || !Number.isFinite(run.end)) return null;
    const loss = run.end;
    const excessMid = Math.max(0, run.mid - control);
    const decay = excessMid > 0 ? Math.max(0, loss - control) / excessMid : 0;
    const ratio = control > 0 ? loss / control : loss > 0 ? Infinity : 1;
    const remaining = before > control ? Math.max(0, loss - control) / (before - control) : 0;
    const determined = isDetermined(remaining, decay);
    record.parameters[p.name] = { estimate, fixed_at: fixedAt, loss_before: before, loss_mid: run.mid, loss, ratio, remaining, decay, determined };
    if (!determined) record.undetermined.push(p.name);
  }
  record.seconds = Math.round(performance.now() - started) / 1e3;
  return record;
}

const pct = (delta: number): string => `${Number((100 * delta).toPrecision(3))}%`;

/** The verdict's warning for an undetermined parameter. */
export function undeterminedWarning(name: string, r: IdentifiabilityRecord): string {
  const p = r.parameters[name]!;
  const g = (x: number): string => Number(x.toPrecision(4)).toString();
  return (
    `the parameter ${name} is not determined by the data: fixed at ${g(p.fixed_at)} instead of its estimate ${g(p.estimate)} (a change of ${pct(Math.abs(p.fixed_at / p.estimate - 1))}), ` +
    `the network refits the equations, conditions and data (${r.iterations} iterations removed all but ${pct(p.remaining)} of the loss the change added, ` +
    `${p.loss_before.toExponential(1)} → ${p.loss.toExponential(1)} against ${r.control_loss.toExponential(1)} with it free, and still falling; a determined parameter leaves ${pct(r.threshold.remaining)} or more, or stops falling), ` +
    `so its estimate ${g(p.estimate)} is one of many values that fit. Add data that depend on ${name} (e.g. observations where the solution's behaviour changes with it, ` +
    `not only where a condition already fixes the solution), or run \`training.ensemble: 4\` to see the spread of its estimates`
  );
}

/** The diagnostics with one "undetermined" warning per undetermined parameter (unchanged when none). */
export function withIdentifiability(d: Diagnostics, r: IdentifiabilityRecord | null): Diagnostics {
  if (r === null || r.undetermined.length === 0) return d;
  const diagnosis = {
    ...d.diagnosis,
    ok: false,
    warnings: [...d.diagnosis.warnings, ...r.undetermined.map((n) => undeterminedWarning(n, r))],
    reasons: [...d.diagnosis.reasons, ...r.undetermined.map(() => "undetermined" as const)],
  };
  return { ...d, diagnosis };
}

/** summary.json `identifiability`: the record, or why the check did not run. */
export function identifiabilitySummary(r: IdentifiabilityRecord | null, skipped: string | null): Record<string, unknown> {
  if (r !== null) return { identifiability: r };
  return skipped === null ? {} : { identifiability: { skipped } };
}

/** What solve() keeps of the check: the record, or why it did not run (null for a problem without parameters or data). */
export interface IdentifiabilityOutcome {
  record: IdentifiabilityRecord | null;
  skipped: string | null;
}

/**
 * The check as solve() runs it: decide, run, and return the diagnostics with its warnings (the
 * diagnostics unchanged when it does not run or finds nothing).
 */
export async function identify(
  attempt: { problem: Problem; model: ResidualModel; train: TrainResult; diagnostics: Diagnostics },
  options: IdentifiabilityOptions & { enabled?: boolean; windows?: number },
): Promise<{ diagnostics: Diagnostics; outcome: IdentifiabilityOutcome }> {
  const decision = identifiabilityDecision(attempt.problem, attempt, { enabled: options.enabled, windows: options.windows, stopped: options.shouldStop?.() ?? false });
  // A forward problem (no parameters or no data) has nothing to test: no entry, no line.
  const applies = (attempt.problem.parameters ?? []).length > 0 && (attempt.problem.data ?? []).length > 0;
  if (!decision.run) return { diagnostics: attempt.diagnostics, outcome: { record: null, skipped: applies ? decision.why : null } };
  const record = await checkIdentifiability(attempt.problem, attempt.model, attempt.train, { threads: options.threads, shouldStop: options.shouldStop, iterations: options.iterations });
  return {
    diagnostics: withIdentifiability(attempt.diagnostics, record),
    outcome: { record, skipped: record === null ? "a continuation did not complete (stop requested or a non-finite loss)" : null },
  };
}

/** The line `pinn solve` prints about the check (null when it did not run for want of parameters or data). */
export function identifiabilityLine(o: IdentifiabilityOutcome): string | null {
  const r = o.record;
  if (r === null) return o.skipped === null ? null : `identifiability: not checked (${o.skipped})`;
  const each = Object.entries(r.parameters).map(([n, p]) => `${n} ${p.determined ? "determined" : "NOT determined"} (${pct(p.remaining)} remains)`);
  return (
    `identifiability: ${each.join(", ")}: of the loss added by moving each parameter ${pct(r.delta)}, what ${r.iterations} ${r.optimizer} iterations ` +
    `with it fixed do not remove (below ${pct(r.threshold.remaining)} and still falling: not determined; ${r.seconds.toFixed(1)} s; --no-identifiability skips this)`
  );
}
