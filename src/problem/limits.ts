// Limits on what a problem file (and the command line) may ask for, in one table: past them
// pinn would exhaust memory, the stack or the user's patience, so they are input errors at the
// line that asks (README, "Limits"). The expression limits live with the parser and are
// repeated here by reference.

import { asPositiveInt, get, isMap, type Node, type YAMLMap } from "./yaml-source.js";
import type { ReaderContext } from "./reader.js";
import type { Problem, StageSettings } from "./types.js";
import { EXPRESSION_LIMITS } from "../expressions/parser.js";
import * as S from "../expressions/symbolic.js";
import { availableParallelism } from "node:os";

export const LIMITS = {
  ...EXPRESSION_LIMITS,
  /** Equations, and conditions, in one file. */
  maxEquations: 1_000,
  maxConditions: 1_000,
  /** Width of one hidden layer, number of hidden layers, and trainable parameters in all. */
  maxWidth: 4_096,
  maxLayers: 32,
  maxParameters: 2_000_000,
  /** Collocation points per epoch: training.points, boundary_points, a condition's points, --points. */
  maxPoints: 1_000_000,
  /** Evaluation grid: points per variable and in all. */
  maxEvaluatePerVariable: 100_001,
  maxEvaluateTotal: 4_000_000,
  /** L-BFGS history (pairs of vectors, each the size of the network). */
  maxHistory: 1_000,
  /**
   * Trainable parameters up to which a bfgs stage keeps its dense n × n matrix (8n² bytes: 128 MiB
   * at the limit, and O(n²) time per step); above it the stage runs L-BFGS, and says so.
   */
  maxDenseBfgsParameters: 4_096,
  /** Adam epochs and L-BFGS iterations per stage. */
  maxIterations: 100_000_000,
  /** Ensemble members (each a full training run). */
  maxEnsemble: 64,
  /** Worker threads for one run. */
  maxThreads: 256,
  /** Seeds are 32-bit: 0 … 2^32 − 1 (a larger one would wrap to another seed). */
  maxSeed: 2 ** 32 - 1,
  /** Interval ends: |value| ≤ maxMagnitude; widths between minWidth and maxMagnitude, and ≥ relWidth·max(|lo|, |hi|). */
  maxMagnitude: 1e30,
  minWidth: 1e-30,
  relWidth: 1e-9,
  /** The estimate of memory for training or evaluation (memoryEstimate) may not exceed this. */
  maxMemoryBytes: 4 * 2 ** 30,
} as const;

const LIMITS_HINT = 'see README, "Problem files" → "Limits"';

/** Report `value` above `max` at `node`; true when within. */
export function atMost(ctx: ReaderContext, node: Node | undefined, value: number, max: number, what: string, hint?: string): boolean {
  if (value <= max) return true;
  ctx.src.error(node, `${what} is ${formatCount(value)}; the limit is ${formatCount(max)}`, hint ?? `use a smaller value (${LIMITS_HINT})`);
  return false;
}

/** The command line's --points (same limit as training.points); the message, or null when valid. */
export function checkPointsOption(points: number): string | null {
  if (!Number.isInteger(points) || points < 1) return `--points must be a whole number ≥ 1, not ${points}`;
  if (points > LIMITS.maxPoints) return `--points ${formatCount(points)} is above the limit of ${formatCount(LIMITS.maxPoints)} collocation points`;
  return null;
}

/** The command line's --seed; the message, or null when valid. */
export function checkSeedOption(seed: number): string | null {
  if (!Number.isInteger(seed) || seed < 0 || seed > LIMITS.maxSeed) return `--seed must be a whole number from 0 to ${LIMITS.maxSeed} (2^32 − 1), not ${seed}`;
  return null;
}

/** Trainable parameters of an MLP with these layer sizes (weights and biases). */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += (sizes[i - 1]! + 1) * sizes[i]!;
  return n;
}

/** What a memory estimate is about: one run's training or evaluation, or an ensemble's members together. */
export interface MemoryEstimate {
  bytes: number;
  part: "training" | "evaluation" | "ensemble";
  /** An ensemble: one member's estimate, and the members that train at once (ensembleWorkers). */
  perMember?: number;
  inFlight?: number;
}

/**
 * A coarse estimate, in bytes, of the largest allocation of a run: activations and their Taylor
 * coefficients for every collocation point (forward values, coefficients kept for the backward
 * pass, and gradients: 3 copies), the L-BFGS history (2 vectors per pair) or the dense BFGS matrix
 * (n² values), and the evaluation
 * grid. It is meant to catch requests that are orders of magnitude too large, not to be exact.
 *
 * An ensemble (training.ensemble: K) holds that much for each member in training at once — the
 * members in flight, ensembleWorkers: at most one per thread (`threads`, default training.threads,
 * else all cores), and no more than the limit holds — plus what the main thread gathers: every
 * member's solution on the evaluation grid and its weights, and the pointwise mean and standard
 * deviation.
 */
export function memoryEstimate(problem: Problem, threads?: number): MemoryEstimate {
  const one = runMemoryEstimate(problem);
  if ((problem.training.ensemble ?? 1) <= 1) return one;
  const inFlight = ensembleThreads(problem, threads ?? problem.training.threads ?? undefined);
  return { bytes: inFlight * one.bytes + ensembleGatheredBytes(problem), part: "ensemble", perMember: one.bytes, inFlight };
}

/** What the main thread of an ensemble gathers: K solutions on the grid, the mean and std, K weight vectors. */
function ensembleGatheredBytes(problem: Problem): number {
  const K = problem.training.ensemble ?? 1;
  const grid = problem.evaluate.points.reduce((a, b) => a * b, 1);
  return 8 * grid * problem.unknowns.length * (K + 2) + 8 * K * trainedCount(problem);
}

/**
 * Members of an ensemble that train at once: K members on at most `threads` worker threads, and only
 * as many as the memory limit holds beside what the main thread gathers (at least one: a single
 * member above the limit is an input error, checkMemory). Fewer workers change the time, never
 * the numbers (members are gathered by index).
 */
export function ensembleWorkers(members: number, perMember: number, gathered: number, threads: number): number {
  const fit = Math.floor((LIMITS.maxMemoryBytes - gathered) / Math.max(perMember, 1));
  return Math.max(1, Math.min(members, Math.max(1, Math.floor(threads)), fit));
}

/** The workers an ensemble of `problem` runs on (runEnsemble): ensembleWorkers with this problem's estimate. */
export function ensembleThreads(problem: Problem, threads: number = availableParallelism()): number {
  return ensembleWorkers(problem.training.ensemble ?? 1, runMemoryEstimate(problem).bytes, ensembleGatheredBytes(problem), threads);
}

/** Trained values: the network's weights and the learned parameters (θ). */
function trainedCount(problem: Problem): number {
  const sizes = [problem.variables.length, ...problem.network.hidden, problem.unknowns.length];
  return parameterCount(sizes) + (problem.parameters?.length ?? 0);
}

/** One run (or one ensemble member): training or evaluation, whichever needs more. */
function runMemoryEstimate(problem: Problem): { bytes: number; part: "training" | "evaluation" } {
  const t = problem.training;
  const sizes = [problem.variables.length, ...problem.network.hidden, problem.unknowns.length];
  const widths = sizes.slice(1).reduce((a, b) => a + b, 0);
  // Taylor coefficients: one per derivative order of each distinct derivative used, plus the value.
  const alphas = new Set<string>();
  for (const e of problem.equations) for (const f of S.fieldAtoms(e.residual)) alphas.add(f.alpha.join(","));
  for (const c of problem.conditions) if (c.kind === "point") for (const f of S.fieldAtoms(c.residual)) alphas.add(f.alpha.join(","));
  let coefficients = 1;
  for (const a of alphas) coefficients += a.split(",").reduce((s, v) => s + Number(v || 0), 0) + 1;
  let points = t.points;
  for (const c of problem.conditions) {
    if (c.kind === "periodic") points += 2 * (c.points ?? t.boundaryPoints);
    else points += c.points ?? (c.kind === "point" && c.location.every((l) => !l.free) ? 1 : t.boundaryPoints);
  }
  // Observations: the network at every row of every data set.
  for (const d of problem.data ?? []) points += d.points.length / problem.variables.length;
  const training = 8 * 3 * points * coefficients * widths;
  // The optimisers move the weights and the learned parameters (θ) together.
  const n = trainedCount(problem);
  const dense = (s: StageSettings): boolean => s.optimizer === "bfgs" && n <= LIMITS.maxDenseBfgsParameters;
  const lbfgs = Math.max(0, ...t.stages.map((s) => (s.optimizer === "adam" ? 0 : dense(s) ? 8 * n * n : 8 * 2 * s.historySize * n)));
  const grid = problem.evaluate.points.reduce((a, b) => a * b, 1);
  const evaluation = 8 * 2 * grid * (widths + 2 * problem.unknowns.length);
  return training + lbfgs >= evaluation ? { bytes: training + lbfgs, part: "training" } : { bytes: evaluation, part: "evaluation" };
}

/** Report a problem whose memory estimate is above the limit (at the training or evaluate section). */
export function checkMemory(ctx: ReaderContext, problem: Problem, trainingNode: Node | undefined, evaluateNode: Node | undefined): void {
  const estimate = memoryEstimate(problem);
  if (estimate.bytes <= LIMITS.maxMemoryBytes) return;
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(b < 10 * 2 ** 30 ? 1 : 0)} GiB`;
  // An ensemble over the limit with one member in flight: one member too large (said as for a single
  // run), or the members' solutions gathered on the evaluation grid.
  const member = estimate.part === "ensemble" ? runMemoryEstimate(problem) : null;
  const part = member !== null && member.bytes > LIMITS.maxMemoryBytes ? member.part : estimate.part;
  const bytes = member !== null && member.bytes > LIMITS.maxMemoryBytes ? member.bytes : estimate.bytes;
  if (part === "ensemble") {
    const at = trainingNode !== undefined && isMap(trainingNode) ? get(trainingNode, "ensemble") ?? trainingNode : trainingNode;
    ctx.src.error(
      at,
      `an ensemble of ${problem.training.ensemble} members would need about ${gib(bytes)} of memory (one member training, and every member's solution on the evaluation grid); the limit is ${gib(LIMITS.maxMemoryBytes)}`,
      "use fewer members (training.ensemble) or fewer evaluate.points",
    );
    return;
  }
  ctx.src.error(
    part === "training" ? trainingNode : evaluateNode,
    `${part === "training" ? "training" : "evaluation on the grid"} would need about ${gib(bytes)} of memory; the limit is ${gib(LIMITS.maxMemoryBytes)}`,
    part === "training" ? "use fewer points, a smaller network or a shorter L-BFGS history" : "use fewer evaluate.points",
  );
}

function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 1e7 ? n.toExponential(2).replace("e+", "e") : n.toLocaleString("en-US");
}

/** A whole number ≥ 1 and ≤ max at `node` (null when missing or invalid; the error is reported). */
export function boundedCount(ctx: ReaderContext, node: Node | undefined, what: string, max: number): number | null {
  const v = asPositiveInt(ctx.src, node, what);
  if (v === null) return null;
  return atMost(ctx, node, v, max, what) ? v : null;
}

/** The limits that need the whole problem: network size and the memory estimate. */
export function checkProblemLimits(ctx: ReaderContext, problem: Problem, root: YAMLMap): void {
  const network = get(root, "network");
  const sizes = [problem.variables.length, ...problem.network.hidden, problem.unknowns.length];
  const where = network !== undefined && isMap(network) ? get(network, "hidden") ?? network : network;
  if (!atMost(ctx, where, parameterCount(sizes), LIMITS.maxParameters, "the number of network parameters", "use fewer or narrower hidden layers")) return;
  checkMemory(ctx, problem, get(root, "training"), get(root, "evaluate"));
}
