// Training: run the optimizer stages in order (Adam on fresh points every epoch, L-BFGS on a fixed
// set), record the loss history, and stop cleanly on request or on a non-finite loss, keeping the
// best weights seen.

import type { Tensor } from "../engine/tensor.js";
import { noGrad } from "../engine/state.js";
import { Adam } from "../optim/adam.js";
import type { QuasiNewtonStepResult } from "../optim/quasi-newton.js";
import { OPTIMIZER_NAMES, createRefiner, type OptimizerKind } from "../optim/refinement.js";
import { learningRate, type Schedule } from "../optim/schedules.js";
import type { LossWeighting, StageSettings } from "../problem/types.js";
import type { ResidualModel, Batch } from "../residual/model.js";
import { backwardOf, termLoss, weightedLoss, type Loss } from "../loss/loss.js";
import { AdaptiveWeights } from "../loss/adaptive-weights.js";
import { CausalWeights } from "./causal.js";
import { AdaptiveSampler } from "./adaptive-sampling.js";
import { ParallelLoss, parallelThreads, trainedParameters } from "./parallel.js";
import type { WindowRecipe } from "./time-marching.js";

export interface StageRecord {
  /** The optimizer that ran (a bfgs stage runs L-BFGS above the dense-matrix limit; see `note`). */
  optimizer: OptimizerKind;
  /** Iterations (epochs for Adam) completed in this stage. */
  iterations: number;
  /** Global iteration at which the stage began. */
  start: number;
  seconds: number;
  /** Loss at the end of the stage. */
  finalLoss: number;
  /** Why the stage ended before its planned length, if it did. */
  stoppedEarly?: string;
  /** Why the stage ran another optimizer than it named, if it did (reported with the results). */
  note?: string;
  /** RAR-D (adaptive-sampling.ts): the equations' points were redrawn every this many iterations. */
  adaptiveSampling?: number;
}

export interface LossHistory {
  iteration: number[];
  /** Milliseconds since training started, at the end of each iteration. */
  elapsedMs: number[];
  total: number[];
  /** terms[t][i]: mean squared residual of term t at history entry i. */
  terms: number[][];
  /** parameters[k][i]: the estimate of learned parameter k at history entry i. */
  parameters?: number[][];
}

/**
 * completed; interrupted (stop requested); non-finite (the loss became NaN or infinite);
 * no-progress (an L-BFGS stage could not take its first step: training did nothing there).
 */
export type TrainStatus = "completed" | "interrupted" | "non-finite" | "no-progress";

/** Quasi-Newton stop reasons that, at a stage's first iteration, mean the stage changed nothing. */
const FIRST_STEP_FAILURES = new Set(["line search failed", "non-finite loss or gradient at the starting point"]);

/**
 * With RAR-D, a refinement that converges on its points is restarted on new ones (curvature model
 * dropped); converging again within this many iterations of such a restart ends the stage.
 */
const ADAPTIVE_RESTART_GAP = 10;

export interface TrainResult {
  status: TrainStatus;
  message?: string;
  history: LossHistory;
  stages: StageRecord[];
  /** Iterations completed over all stages. */
  epochs: number;
  /** Time spent in the training loop only. */
  seconds: number;
  finalLoss: number;
  /** The loss weights in effect at the end (file weights times adaptive factors). */
  finalWeights: number[];
  finalTerms: number[];
  /** Time-marching (time-marching.ts): each window's interval and how its training went, in order. */
  windows?: { from: number; to: number; status: TrainStatus; epochs: number; seconds: number; finalLoss: number }[];
}

export interface Progress {
  stage: number;
  optimizer: OptimizerKind;
  iteration: number;
  /** Planned iterations of the current stage. */
  stageIterations: number;
  stageIteration: number;
  loss: number;
  terms: number[];
  /** Time-marching (time-marching.ts): the window being trained, k of N (0-based index). */
  window?: { index: number; count: number; from: number; to: number };
}

export interface TrainHooks {
  /** Called after each iteration. */
  onProgress?: (p: Progress) => void;
  /** Polled between iterations; true stops training (outputs are still written). */
  shouldStop?: () => boolean;
}

/** Parameters' values, for restoring the best weights. */
class Snapshot {
  private readonly saved: Float64Array[];
  loss = Infinity;
  constructor(private readonly params: Tensor[]) {
    this.saved = params.map((p) => Float64Array.from(p.data));
  }
  offer(loss: number): void {
    if (!(loss < this.loss)) return;
    this.loss = loss;
    this.params.forEach((p, i) => this.saved[i]!.set(p.data));
  }
  restore(): void {
    this.params.forEach((p, i) => p.data.set(this.saved[i]!));
  }
}

const YIELD_EVERY_MS = 50;

/** Let signal handlers and timers run (training is otherwise one long synchronous loop). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface TrainOptions extends TrainHooks {
  /** Adaptive loss weighting during Adam stages (default "fixed"). */
  lossWeighting?: LossWeighting;
  /**
   * Causal curriculum for evolution problems: during Adam stages the points cover a window along
   * the evolution variable that grows from the initial data to the whole interval (default false).
   */
  causal?: boolean;
  /**
   * Causal residual weights (training/causal.ts) during Adam stages: the largest ε, 0 or undefined
   * for none. Used for evolution problems; they replace the growing window.
   */
  causalWeights?: number;
  /**
   * L-BFGS on fresh points every this many iterations, with its history restarted (0 or
   * undefined: one fixed set for the whole stage). Keeps L-BFGS from fitting the residual only at
   * its points when the solution has more structure than one point set resolves.
   */
  lbfgsResample?: number;
  /** RAR-D redraws of the equations' points every this many refinement iterations (adaptive-sampling.ts); 0 or undefined: off. */
  adaptiveSampling?: number;
  /** Threads for data-parallel evaluation of the loss (parallel.ts); default all cores where it pays. */
  threads?: number | null;
  /** The time-marching window the model was built for (the worker threads build the same: parallel.ts). */
  window?: WindowRecipe;
  /** Keep the worker threads at the end for the next window's run (time-marching; parallel.ts releaseParkedWorkers ends them). */
  keepWorkers?: boolean;
}

/** Fraction of the evolution interval covered at step `step` of `total`: 10% to 100% over the first half. */
export function causalWindow(step: number, total: number): number {
  return Math.min(1, 0.1 + (0.9 * step) / Math.max(1, 0.5 * total));
}

export async function train(model: ResidualModel, stages: readonly StageSettings[], hooks: TrainOptions = {}): Promise<TrainResult> {
  // One flat vector in effect: the network's weights, then θ (the learned parameters, if any).
  const params = trainedParameters(model);
  const baseWeights = model.terms.map((t) => t.weight);
  const annealing =
    hooks.lossWeighting === undefined || hooks.lossWeighting === "fixed"
      ? null
      : new AdaptiveWeights(hooks.lossWeighting, model.terms.map((t) => t.kind === "equation"));
  /** The weights in use: the file's, times the adaptive factors (frozen outside Adam stages). */
  const weights = (): number[] => baseWeights.map((w, i) => w * (annealing?.factors[i] ?? 1));
  const history: LossHistory = { iteration: [], elapsedMs: [], total: [], terms: model.terms.map(() => []), parameters: (model.problem.parameters ?? []).map(() => []) };
  const records: StageRecord[] = [];
  const best = new Snapshot(params);
  let iteration = 0;
  let status: TrainStatus = "completed";
  let message: string | undefined;
  let last: { loss: number; terms: number[] } = { loss: NaN, terms: model.terms.map(() => NaN) };
  let lastBatch: Batch | null = null;
  const started = performance.now();
  let lastYield = started;

  // On every core where it pays (parallel.ts), but not while causal weights tie the points together.
  const parallel = ParallelLoss.create(model, params, parallelThreads(model, hooks.threads, false), hooks.window ?? null);
  const evaluateWith = (batch: Batch, w: readonly number[]): Loss => (model.causalWeights === null ? parallel?.evaluate(batch, w) : undefined) ?? weightedLoss(model.losses(batch), w);
  const evaluate = (batch: Batch): Loss => evaluateWith(batch, weights());
  /** Term t's unweighted loss with its graph (adaptive weighting's per-term gradients), split over the threads like the total. */
  const termLossOn = (batch: Batch, t: number): Tensor =>
    parallel !== null && model.causalWeights === null ? parallel.evaluate(batch, model.terms.map((_, i) => (i === t ? 1 : 0))).total : termLoss(model.losses(batch), t);
  const record = (loss: number, terms: number[]): void => {
    history.iteration.push(iteration);
    history.total.push(loss);
    terms.forEach((v, t) => history.terms[t]!.push(v));
    model.parameterValues().forEach((v, k) => history.parameters![k]!.push(v));
    last = { loss, terms };
  };
  const nonFinite = (loss: number, terms: number[]): boolean => {
    if (Number.isFinite(loss)) return false;
    const bad = model.terms.filter((_, t) => !Number.isFinite(terms[t]!)).map((t) => `"${t.label}"`);
    status = "non-finite";
    const where = bad.length > 0 ? ` (term ${bad.join(", ")})` : "";
    message =
      best.loss === Infinity
        ? `the loss was ${loss} from the first iteration${where}: the network was never trained, and the outputs hold ` +
          "the initial network. Check the equations and conditions for divisions by zero, logs or square roots of " +
          "negative values, or values that overflow, at the initial network's output."
        : `the loss became ${loss} at iteration ${iteration}${where}; ` +
          `training stopped and the best weights seen (loss ${best.loss.toExponential(3)}) were kept. ` +
          "Try a smaller learning_rate, or check the equations for divisions by zero or logs of negative values.";
    best.restore();
    return true;
  };

  for (let s = 0; s < stages.length && status === "completed"; s++) {
    const stage = stages[s]!;
    const start = iteration;
    const t0 = performance.now();
    const planned = stage.optimizer === "adam" ? stage.epochs : stage.iterations;
    let done = 0;
    let stoppedEarly: string | undefined;
    let ran: OptimizerKind = stage.optimizer;
    let note: string | undefined;
    const report = (loss: number, terms: number[]): void =>
      hooks.onProgress?.({ stage: s, optimizer: ran, iteration, stageIterations: planned, stageIteration: done, loss, terms });

    if (stage.optimizer === "adam") {
      const adam = new Adam(params, { lr: stage.learningRate });
      const schedule: Schedule = stage.schedule.type === "cosine" ? { ...stage.schedule, total: stage.epochs } : stage.schedule;
      // One epoch; false when the loss is not finite. An ordinary function rather than the body of
      // this async loop, so that V8 optimises it like any hot function.
      const evolution = model.evolution();
      const causalWeights =
        hooks.causalWeights && evolution !== null && evolution.from === model.problem.bounds[evolution.variable]![0]
          ? new CausalWeights(evolution.variable, ...(model.problem.bounds[evolution.variable]! as [number, number]), hooks.causalWeights)
          : null;
      model.causalWeights = causalWeights;
      const epoch = (): boolean => {
        adam.lr = learningRate(schedule, stage.learningRate, done);
        if (hooks.causal && causalWeights === null) model.setWindow(causalWindow(done, stage.epochs));
        const batch = model.draw();
        lastBatch = batch;
        // The weights first, then the loss with them (the same numbers as the loss then re-weighted).
        if (annealing?.due(done)) annealing.update((t) => termLossOn(batch, t), params, baseWeights);
        const loss = evaluate(batch);
        const value = loss.total.item();
        if (nonFinite(value, loss.terms)) return false;
        best.offer(value);
        record(value, loss.terms);
        adam.zeroGrad();
        backwardOf(loss);
        adam.step();
        causalWeights?.anneal();
        history.elapsedMs.push(performance.now() - started);
        iteration++;
        report(value, loss.terms);
        return true;
      };
      for (; done < stage.epochs; done++) {
        if (hooks.shouldStop?.()) {
          status = "interrupted";
          break;
        }
        if (!epoch()) break;
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      model.causalWeights = null;
    } else {
      model.setWindow(null);
      const refiner = createRefiner(params, stage, parallel?.threads ?? 1);
      ({ kind: ran, note } = refiner);
      let optimizer = refiner.optimizer;
      const adaptive = hooks.adaptiveSampling ? new AdaptiveSampler(model, model.problem.training.seed + 7919 * (s + 1)) : null;
      const drawBatch = (): Batch => adaptive?.draw() ?? model.drawFresh();
      let batch = drawBatch();
      lastBatch = batch;
      let restarted = -Infinity;
      // The terms of every point the line search evaluates, to report those of the accepted one.
      let evaluated: { loss: number; terms: number[] }[] = [];
      let terms: number[] = [];
      const closure = (): number => {
        clearGrads(params);
        const loss = evaluate(batch);
        backwardOf(loss);
        const value = loss.total.item();
        evaluated.push({ loss: value, terms: loss.terms });
        return value;
      };
      const iterate = (): QuasiNewtonStepResult | null => {
        evaluated = [];
        const step = optimizer.step(closure);
        // A step that reused its cached point evaluated nothing new: the terms stay as they were.
        terms = evaluated.find((e) => Object.is(e.loss, step.loss))?.terms ?? terms;
        if (nonFinite(step.loss, terms)) return null;
        best.offer(step.loss);
        record(step.loss, terms);
        history.elapsedMs.push(performance.now() - started);
        iteration++;
        report(step.loss, terms);
        return step;
      };
      for (; done < stage.iterations; done++) {
        if (hooks.shouldStop?.()) {
          status = "interrupted";
          break;
        }
        if (hooks.lbfgsResample && done > 0 && done % hooks.lbfgsResample === 0) {
          batch = drawBatch();
          lastBatch = batch;
          optimizer = createRefiner(params, stage, parallel?.threads ?? 1).optimizer;
        } else if (adaptive !== null && done > 0 && done % hooks.adaptiveSampling! === 0) {
          // New points where the residual is large; the curvature model stays (the objective is a new sample of the same one).
          batch = drawBatch();
          lastBatch = batch;
          optimizer.refreshPoint();
        }
        const step = iterate();
        if (step === null) break;
        if (step.converged && done === 0 && FIRST_STEP_FAILURES.has(step.reason ?? "")) {
          status = "no-progress";
          message =
            `the ${OPTIMIZER_NAMES[ran]} stage${stages.length > 1 ? ` (stage ${s + 1} of ${stages.length})` : ""} stopped at its first iteration ` +
            `(${step.reason}, loss ${step.loss.toExponential(3)}): it changed nothing` +
            (s > 0 ? "; the weights are those the stages before it reached" : ", so the network was never trained") +
            ". Try more Adam epochs before L-BFGS, a smaller learning rate, or check the problem's scaling.";
          stoppedEarly = step.reason;
          done++;
          break;
        }
        if (step.converged && adaptive !== null && done - restarted >= ADAPTIVE_RESTART_GAP) {
          // Converged on these points is not converged on the problem: new points and a fresh
          // curvature model (as when Urbán et al. restart BFGS on each new batch), unless that was
          // just done and the optimizer is converged again.
          restarted = done;
          batch = drawBatch();
          lastBatch = batch;
          optimizer.reset();
          continue;
        }
        if (step.converged) {
          stoppedEarly = step.reason ?? "converged";
          done++;
          break;
        }
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    }
    const redrawn = stage.optimizer !== "adam" && hooks.adaptiveSampling && !hooks.lbfgsResample ? { adaptiveSampling: hooks.adaptiveSampling } : {};
    records.push({ optimizer: ran, iterations: done, start, seconds: (performance.now() - t0) / 1000, finalLoss: last.loss, stoppedEarly, ...(note ? { note } : {}), ...redrawn });
  }
  const seconds = (performance.now() - started) / 1000;

  model.setWindow(null);
  // The loss at the final weights on the last stage's points (the history holds losses before
  // each step).
  const final = noGrad(() => evaluate(lastBatch ?? model.draw()));
  parallel?.close(hooks.keepWorkers ?? false);
  return {
    status,
    message,
    history,
    stages: records,
    epochs: iteration,
    seconds,
    finalLoss: final.total.item(),
    finalTerms: final.terms,
    finalWeights: weights(),
  };
}

function clearGrads(params: Tensor[]): void {
  for (const p of params) p.grad = null;
}
