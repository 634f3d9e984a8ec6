// Time-marching for evolution problems (Wight & Zhao 2020; Mattey & Ghosh 2022, bc-PINN; Penwarden
// et al. 2023, "causal sweeping"): the time interval [t_0, T] is cut into windows, and window k
// trains its own network on [t_k, t_{k+1}] (its inputs scaled to that window), starting from the
// weights of window k − 1. Window 0 has the problem's initial conditions; in window k > 0 each
// initial condition (a point condition at t = t_0: u, and u_t for a second-order equation) holds at
// t = t_k instead, its target the previous window's value of the same left-hand side there
// (evaluated once on a pool of points: per-point attributes, like observed data). Boundary and
// periodic conditions and the equations are restricted to the window. The result is a piecewise
// network (time-marching-network.ts) that every consumer reads like one network.
//
// A little over 400 lines on purpose: the window problem, the hand-over of the initial data and the
// loop that trains the windows in turn are one job sharing its window geometry; the piecewise
// network it produces lives apart (time-marching-network.ts).

import type { Condition, PointCondition, Problem, StageSettings } from "../problem/types.js";
import type { Location } from "../expressions/resolve.js";
import type { Sym } from "../expressions/symbolic.js";
import * as S from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import { noGrad } from "../engine/state.js";
import { PinnNetwork, networkFeatures } from "../residual/network.js";
import { ResidualModel } from "../residual/model.js";
import { TaylorFields, attributeVariable, unknownForms } from "../residual/fields.js";
import { outputScales } from "../residual/scales.js";
import { PointSet } from "../residual/point-sets.js";
import { evaluatePoints } from "../expressions/evaluate.js";
import { SymbolicTerms, type PointBatch, type PointSource, type TermContext, type TermGroup } from "../terms/index.js";
import { train, type TrainHooks, type TrainResult } from "./trainer.js";
import { releaseParkedWorkers } from "./parallel.js";
import { techniqueHooks, TECHNIQUE_DEFAULTS } from "./techniques.js";
import { PiecewiseNetwork, type Piece } from "./time-marching-network.js";
import { initialData, initialGrowthRate, initialPoints, isInitial, solvedForTopDerivative, topTimeDerivative } from "./growth-rate.js";

/** Points evaluated once on the previous window, per point drawn per epoch (the pool each batch is drawn from). */
export const TRANSFER_POOL = 8;

/**
 * Why time-marching cannot apply to a problem (null when it can): it needs a time variable and a
 * space variable, initial data at t's lower end and no other condition at a fixed time, a box
 * domain, no trial forms (they may build the initial data in at t_0), no learned parameters, data or
 * ensemble (one set of parameters shared by every window is not built).
 */
export function marchingObstacle(problem: Problem): string | null {
  const t = problem.timeVariable;
  if (t === null || problem.variables.length < 2) return "it needs a time variable t and a space variable";
  if (problem.domain !== undefined && problem.domain.region !== null) return "the domain is a region (windows of a region are not built)";
  if (problem.trial.some((f) => f !== null)) return "a trial form may build the initial data in at the start time";
  if ((problem.parameters ?? []).length > 0 || (problem.data ?? []).length > 0) return "learned parameters and data are shared by all times";
  if ((problem.training.ensemble ?? 1) > 1) return "an ensemble trains its members separately";
  const t0 = problem.bounds[t]![0];
  const fixedTimes = problem.conditions.flatMap((c) => (c.kind === "point" && !c.location[t]!.free ? [(c.location[t] as { value: number }).value] : []));
  if (fixedTimes.length === 0) return "it has no initial condition at the start time";
  if (fixedTimes.some((v) => v !== t0)) return "a condition holds at a later time";
  return null;
}

/**
 * How much the solution may change within one window, in units of the initial rate (initialRate):
 * a window spans WINDOW_SPAN / rate of time (transport at speed β: WINDOW_SPAN radians of phase).
 * Measured (README, "Hard problems"): 4 gives convection 1.2e-3 (11 windows, 243 s CPU), wave-modes
 * 7.9e-3 (6), klein-gordon 4.5e-4 (4); 3 gives convection 1.0e-3 at 284 s and klein-gordon 8.5e-4.
 */
export const WINDOW_SPAN = 4;
/** At most this many windows by default (the cost grows with the count). */
export const MAX_DEFAULT_WINDOWS = 16;

/**
 * The default count: the interval's length times the problem's rate, over WINDOW_SPAN, rounded up (1:
 * no marching). The rate is the larger of how fast the solution starts to change (initialRate) and how
 * fast a perturbation of it grows (growth-rate.ts initialGrowthRate: logistic growth at rate ρ).
 */
export function defaultWindowCount(problem: Problem): number {
  const change = initialRate(problem);
  const growth = initialGrowthRate(problem);
  if (change === null && growth === null) return 1;
  const rate = Math.max(change ?? 0, growth ?? 0);
  const [lo, hi] = problem.bounds[problem.timeVariable!]!;
  return Math.max(1, Math.min(MAX_DEFAULT_WINDOWS, Math.ceil(((hi - lo) * rate) / WINDOW_SPAN - 1e-9)));
}

/** The number of windows for a problem: the setting, else the default; 0 when off or not applicable. */
export function timeWindowCount(problem: Problem): number {
  if (marchingObstacle(problem) !== null) return 0;
  const setting = problem.training.timeWindows ?? TECHNIQUE_DEFAULTS.timeWindows;
  const n = setting < 0 ? defaultWindowCount(problem) : setting;
  return n > 1 ? n : 0;
}

/** N equal windows of [lo, hi]: the cut times. */
export function windowCuts(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count + 1 }, (_, k) => (k === count ? hi : lo + ((hi - lo) * k) / count));
}

/**
 * The quantity an initial condition fixes: its left-hand side when only that side involves the
 * unknowns (u, u_t, …), its right-hand side in the mirror case, else LHS − RHS.
 */
export function handedOnQuantity(c: PointCondition): Sym {
  const left = S.unknownsOf(c.lhs).size > 0;
  const right = S.unknownsOf(c.rhs).size > 0;
  if (left && !right) return c.lhs;
  if (right && !left) return c.rhs;
  return c.residual;
}

export interface WindowProblem {
  problem: Problem;
  /** The window's copies of the initial conditions (at t = from), with the originals. */
  initial: { condition: PointCondition; original: PointCondition }[];
}

/** The problem restricted to [from, to] along t, its initial conditions moved to t = from. */
export function windowProblem(problem: Problem, from: number, to: number): WindowProblem {
  const t = problem.timeVariable!;
  const t0 = problem.bounds[t]![0];
  const bounds = problem.bounds.map((b, i) => (i === t ? ([from, to] as [number, number]) : ([b[0], b[1]] as [number, number])));
  const initial: WindowProblem["initial"] = [];
  const conditions = problem.conditions.map((c) => {
    if (!isInitial(c, t, t0)) return c;
    const location: Location = c.location.map((l, i) => (i === t ? { free: false as const, value: from } : l));
    const moved: PointCondition = { ...c, location };
    initial.push({ condition: moved, original: c });
    return moved;
  });
  const { domain: _domain, ...rest } = problem;
  return { problem: { ...rest, bounds, conditions }, initial };
}

/**
 * A pool of points on an initial condition's set with the previous window's values of the
 * condition's quantity there; each batch is `count` of them (a random choice when resampling).
 */
export class HandedOnPoints implements PointSource {
  private readonly pool: number;
  private fixed: PointBatch | null = null;

  constructor(
    private readonly x: Float64Array,
    private readonly values: Float64Array,
    private readonly dims: number,
    readonly count: number,
    private readonly resample: boolean,
    private readonly rng: Rng,
  ) {
    this.pool = values.length;
    if (x.length !== this.pool * dims) throw new Error("internal: handed-on values do not match their points");
  }

  private choose(): PointBatch {
    const m = Math.min(this.count, this.pool);
    const x = new Float64Array(m * this.dims);
    const attrs = new Float64Array(m);
    // A partial Fisher–Yates shuffle: m distinct rows of the pool.
    const order = Int32Array.from({ length: this.pool }, (_, i) => i);
    for (let j = 0; j < m; j++) {
      const r = j + this.rng.int(this.pool - j);
      [order[j], order[r]] = [order[r]!, order[j]!];
      const row = order[j]!;
      x.set(this.x.subarray(row * this.dims, (row + 1) * this.dims), j * this.dims);
      attrs[j] = this.values[row]!;
    }
    return { x, attrs };
  }

  next(): PointBatch {
    if (this.resample) return this.choose();
    this.fixed ??= this.choose();
    return this.fixed;
  }
  fresh(): PointBatch {
    return this.choose();
  }
  /** The set sits at the window's start: the causal curriculum does not move it. */
  setWindow(): void {}
}

/** What builds window k's model besides the problem (plain data: worker threads rebuild it from this, parallel.ts). */
export interface WindowRecipe {
  from: number;
  to: number;
  /** The whole problem's output scales. */
  outputScale: number[];
  /** Whether the initial conditions are handed on from a previous window (every window but the first). */
  handedOn: boolean;
}

/**
 * Window [from, to]'s residual model on `network`: the problem restricted to the window; with
 * `handedOn`, each initial condition's quantity matched to per-point values (the attribute) on the
 * points `handedOnPoints` gives (the previous window's values; any points of the right count in a
 * worker thread, whose batches come from the training thread).
 */
export function windowModel(
  problem: Problem,
  recipe: WindowRecipe,
  network: PinnNetwork,
  rng: Rng,
  handedOnPoints: (ctx: TermContext, c: PointCondition, quantity: Sym, per: number) => PointSource,
): ResidualModel {
  const dims = problem.variables.length;
  const win = windowProblem(problem, recipe.from, recipe.to);
  const handedOn = new Map<Condition, Sym>();
  if (recipe.handedOn) for (const { condition, original } of win.initial) handedOn.set(condition, handedOnQuantity(original));
  const conditionTerms = (ctx: TermContext, c: Condition): TermGroup | null => {
    const quantity = handedOn.get(c);
    if (quantity === undefined || c.kind !== "point") return null;
    const per = c.points ?? problem.training.boundaryPoints;
    const points = handedOnPoints(ctx, c, quantity, per);
    const residual = S.sub(quantity, attributeVariable(dims, 0));
    const spec = { kind: "condition" as const, source: c.source, weight: c.weight, unknowns: [...S.unknownsOf(c.residual)].sort((a, b) => a - b), scale: ctx.scaleOf(c.residual, c.location) };
    return new SymbolicTerms(ctx, points, [spec], [residual]);
  };
  return new ResidualModel(win.problem, network, problem.training.derivatives, rng, { outputScale: recipe.outputScale, conditionTerms });
}

/** Window `recipe`'s model in a worker thread (parallel-worker.ts): the network's weights and every batch come from the training thread. */
export function workerWindowModel(problem: Problem, recipe: WindowRecipe): ResidualModel {
  const rng = new Rng(problem.training.seed);
  const win = windowProblem(problem, recipe.from, recipe.to).problem;
  const network = new PinnNetwork(win.bounds, problem.unknowns.length, problem.network, rng.fork(), networkFeatures(win));
  const dims = problem.variables.length;
  // Points on the condition's set (the worker warms its code up on them), values 0.
  return windowModel(problem, recipe, network, rng.fork(), (ctx, c, _quantity, per) => {
    const pool = new PointSet(dims, win.bounds, c.location, per, "random", true, ctx.rng.fork()).next();
    return new HandedOnPoints(pool, new Float64Array(per), dims, per, false, ctx.rng.fork());
  });
}

/** Values of `quantity` (an expression of the unknowns) at points, from a trained network. */
export function handedOnValues(network: PinnNetwork, problem: Problem, outputScale: readonly number[], quantity: Sym, points: Float64Array): Float64Array {
  return noGrad(() => {
    const [t] = new TaylorFields(network, unknownForms(problem.trial, outputScale), [quantity]).evaluate(points);
    const n = points.length / problem.variables.length;
    const data = t!.data;
    return data.length === n ? Float64Array.from(data) : new Float64Array(n).fill(data[0]!);
  });
}

/**
 * L-BFGS iterations of the first window, as a multiple of the file's: it starts from random weights,
 * the others from the window before. Measured on convection's first window t ∈ [0, 0.1]: 5000
 * iterations 9.0e-4 (21 s CPU), 10000 iterations 3.9e-4 (37 s); that window's error is carried
 * through every later window, which add about 1e-4 each.
 */
export const FIRST_WINDOW_LBFGS = 2;

/**
 * Share of the default refinement among the windows: N windows run together WINDOW_REFINEMENT_SHARE
 * times the iterations of one network's default stage (each window at most the whole stage).
 * 2 while a BFGS step cost three passes over its matrix; 6 since the one-pass SIMD kernel (stop 17,
 * README "Hard problems": wave-modes 2.5e-3 with 2, 1.03e-3 with 4, 6.1e-4 with 6; its target 1e-3).
 */
export const WINDOW_REFINEMENT_SHARE = 6;

/**
 * The stages of window k of `count`: the file's, with the first window's quasi-Newton refinement
 * stages (L-BFGS or BFGS) FIRST_WINDOW_LBFGS times as long. When the file left the optimizer to pinn
 * (`optimizerDefault`), the default dense-BFGS refinement is shared among the windows
 * (WINDOW_REFINEMENT_SHARE): each starts from the window before, and the full stage in every window
 * took the budget several times over. Measured at the end of stop 16 on one thread (2,273 / 2,241
 * weights; relative L2, CPU time): convection, 11 windows: BFGS 2,500 per window 3.1e-5 in 984 s,
 * shared (455) 9.2e-4 in 205 s, L-BFGS 5,000 per window 1.2e-3 in 231 s; wave-modes, 6 windows:
 * 3.3e-4 in 621 s, shared (833) 7.8e-4 in 218 s, L-BFGS 7.9e-3 in 191 s.
 */
export function windowStages(stages: readonly StageSettings[], k: number, count: number, optimizerDefault = false): StageSettings[] {
  return stages.map((s) => {
    const t: StageSettings =
      s.optimizer === "bfgs" && optimizerDefault && count > 1
        ? { ...s, iterations: Math.max(1, Math.min(s.iterations, Math.round((s.iterations * WINDOW_REFINEMENT_SHARE) / count))) }
        : s;
    return k === 0 && t.optimizer !== "adam" ? { ...t, iterations: t.iterations * FIRST_WINDOW_LBFGS } : t;
  });
}

/** One window's record, for summary.json and for an interrupted run's message. */
export type WindowRecord = NonNullable<TrainResult["windows"]>[number];

export interface MarchingResult {
  network: PiecewiseNetwork;
  /** The whole problem's residual model on the piecewise network (terms, scales, for the reports). */
  model: ResidualModel;
  train: TrainResult;
}

export interface MarchingOptions extends TrainHooks {
  threads?: number | null;
  /** Stages per window (default: the problem's stages in every window). */
  stages?: (k: number, count: number) => readonly StageSettings[];
}


/**
 * Train `problem` window by window over `cuts` (t_0 < … < t_N along the time variable). The output
 * scales are the whole problem's in every window (one U per unknown for the glued result).
 */
export async function march(problem: Problem, cuts: readonly number[], options: MarchingOptions = {}): Promise<MarchingResult> {
  const t = problem.timeVariable!;
  const count = cuts.length - 1;
  const rng = new Rng(problem.training.seed);
  const dims = problem.variables.length;
  const outputScale = problem.training.scaling ? outputScales(problem) : problem.unknowns.map(() => 1);
  const pieces: Piece[] = [];
  const results: TrainResult[] = [];
  const models: ResidualModel[] = [];
  const records: WindowRecord[] = [];
  let previous: PinnNetwork | null = null;

  // The worker threads are kept from one window to the next (parallel.ts), and ended here.
  try {
    for (let k = 0; k < count; k++) {
      const from = cuts[k]!;
      const to = cuts[k + 1]!;
      const win = windowProblem(problem, from, to);
      const windowRng = rng.fork();
      const network = new PinnNetwork(win.problem.bounds, problem.unknowns.length, problem.network, windowRng.fork(), networkFeatures(win.problem));
      // Transfer: start from the previous window's weights (the same architecture; only the input scaling differs).
      if (previous !== null) network.parameters().forEach((p, i) => p.data.set(previous!.parameters()[i]!.data));
      const prior = previous;
      const recipe: WindowRecipe = { from, to, outputScale: [...outputScale], handedOn: prior !== null };
      const model = windowModel(problem, recipe, network, windowRng.fork(), (ctx, c, quantity, per) => {
        const pool = new PointSet(dims, win.problem.bounds, c.location, per * TRANSFER_POOL, "random", true, ctx.rng.fork()).next();
        const values = handedOnValues(prior!, problem, outputScale, quantity, pool);
        return new HandedOnPoints(pool, values, dims, per, problem.training.resample, ctx.rng.fork());
      });
      const window = { index: k, count, from, to };
      const result = await train(model, options.stages?.(k, count) ?? windowStages(problem.training.stages, k, count, problem.training.optimizerDefault), {
        onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, window })),
        shouldStop: options.shouldStop,
        lossWeighting: problem.training.lossWeighting,
        causal: model.causal(),
        ...techniqueHooks(win.problem, model, { window: true }),
        threads: options.threads,
        window: recipe,
        keepWorkers: k + 1 < count,
      });
      pieces.push({ from, to, network });
      results.push(result);
      models.push(model);
      records.push({ from, to, status: result.status, epochs: result.epochs, seconds: result.seconds, finalLoss: result.finalLoss });
      previous = network;
      if (result.status !== "completed") break;
    }
  } finally {
    releaseParkedWorkers();
  }

  const glued = new PiecewiseNetwork(problem.bounds, t, pieces);
  const model = new ResidualModel(problem, glued, problem.training.derivatives, new Rng(problem.training.seed).fork(), { outputScale });
  return { network: glued, model, train: { ...mergeResults(results, models, model, cuts, t, problem), windows: records } };
}

/**
 * One TrainResult for the whole run: the windows' histories one after the other; each term's final
 * loss the largest over the windows, converted to the whole problem's term scales (so that the
 * verdict's comparison of training loss and raw residual stays in one unit).
 */
function mergeResults(results: TrainResult[], models: ResidualModel[], whole: ResidualModel, cuts: readonly number[], t: number, problem: Problem): TrainResult {
  const T = whole.terms.length;
  const history: TrainResult["history"] = { iteration: [], elapsedMs: [], total: [], terms: whole.terms.map(() => []), parameters: [] };
  const stages: TrainResult["stages"] = [];
  let offset = 0;
  let elapsed = 0;
  const finalTerms = new Array<number>(T).fill(0);
  let finalLoss = 0;
  results.forEach((r, k) => {
    const m = models[k]!;
    if (m.terms.length !== T) throw new Error("internal: a window's terms differ from the problem's");
    r.history.iteration.forEach((i) => history.iteration.push(i + offset));
    r.history.elapsedMs.forEach((ms) => history.elapsedMs.push(ms + elapsed));
    history.total.push(...r.history.total);
    r.history.terms.forEach((values, i) => history.terms[i]!.push(...values));
    r.stages.forEach((s) => stages.push({ ...s, start: s.start + offset }));
    r.finalTerms.forEach((loss, i) => {
      const raw = loss * (m.termScale[i]! / whole.termScale[i]!) ** 2;
      finalTerms[i] = Number.isNaN(raw) || Number.isNaN(finalTerms[i]!) ? NaN : Math.max(finalTerms[i]!, raw);
    });
    finalLoss = Number.isNaN(r.finalLoss) ? NaN : Math.max(finalLoss, r.finalLoss);
    offset += r.epochs;
    elapsed += r.seconds * 1000;
  });
  const last = results[results.length - 1]!;
  const count = cuts.length - 1;
  const done = results.length;
  const name = problem.variables[t]!;
  let message = last.message;
  if (last.status !== "completed") {
    const where = `window ${done} of ${count} (${name} ∈ [${cuts[done - 1]}, ${cuts[done]}])`;
    const kept =
      done > 2 ? `windows 1–${done - 1} (${name} up to ${cuts[done - 1]}) were trained fully; ` : done === 2 ? `window 1 (${name} up to ${cuts[1]}) was trained fully; ` : "";
    const beyond = done < count ? `; ${name} > ${cuts[done]} was never trained: the result there is window ${done}'s network extrapolated` : "";
    message = `time-marching stopped in ${where}: ${kept}window ${done} ${last.status === "interrupted" ? "was interrupted" : "did not finish"}${beyond}${last.message ? ` (${last.message})` : ""}`;
  }
  return {
    status: last.status,
    message,
    history,
    stages,
    epochs: offset,
    seconds: elapsed / 1000,
    finalLoss,
    finalTerms,
    finalWeights: last.finalWeights,
  };
}

/** Time-marching for a problem with its window count (timeWindowCount > 0): N equal windows of t's interval. */
export function marchProblem(problem: Problem, windows: number, options: MarchingOptions = {}): Promise<MarchingResult> {
  const [lo, hi] = problem.bounds[problem.timeVariable!]!;
  return march(problem, windowCuts(lo, hi, windows), options);
}

/**
 * How fast the solution starts to change, from the equations and the initial data alone: for each
 * equation with one highest time derivative ∂_t^m u_k (m = 1, 2), that derivative at t_0 follows
 * from the equation with u_k (and, for m = 2, u_t) replaced by the initial data; the rate is
 * (RMS ∂_t^m u_k / RMS u_k)^{1/m} on points of the initial line (1/time: β for transport at speed β,
 * the angular frequency ω for a wave, ρ(1 − u) for logistic growth). The largest over the equations;
 * null when no equation has that form or the initial data does not give what it needs.
 */
export function initialRate(problem: Problem, samples = 256): number | null {
  const t = problem.timeVariable;
  if (t === null) return null;
  const dims = problem.variables.length;
  const initial = initialData(problem);
  const points = initialPoints(problem, samples);
  const rms = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / Math.max(1, v.length));
  let rate: number | null = null;
  for (const e of problem.equations) {
    const top = topTimeDerivative(e.residual, t);
    if (top === null) continue;
    const u0 = initial.get(`${top.unknown}:0`);
    if (u0 === undefined) continue;
    const F = solvedForTopDerivative(e.residual, t, top, initial);
    if (F === null) continue;
    const y = evaluatePoints(F, points, dims);
    const size = rms(evaluatePoints(u0, points, dims));
    const r = Math.pow(rms(y) / size, 1 / top.order);
    if (Number.isFinite(r) && size > 0) rate = Math.max(rate ?? 0, r);
  }
  return rate;
}
