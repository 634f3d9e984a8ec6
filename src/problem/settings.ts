// The settings sections of a problem file: network, training (with its optimizer stages and
// learning-rate schedules, and the command-line overrides) and evaluate. Every setting left out
// takes its value from defaults.ts.

import { checkKeys, get, asMap, asList, asString, asNumber, asPositiveInt, asBoolean, isScalar, isMap, type Node, type YAMLMap } from "./yaml-source.js";
import type { ReaderContext } from "./reader.js";
import type { StageSettings, TrainingSettings, NetworkSettings, LossWeighting } from "./types.js";
import { DEFAULTS } from "./defaults.js";
import { ACTIVATIONS, isActivation } from "../nn/activations.js";
import { INIT_SCHEMES, type InitScheme } from "../nn/init.js";
import { SAMPLING_METHODS, type SamplingMethod } from "../sampling/index.js";
import { validateSchedule, type Schedule } from "../optim/schedules.js";
import { didYouMean } from "../util/suggest.js";
import { LIMITS, atMost, boundedCount, checkPointsOption, checkSeedOption } from "./limits.js";
import { BFGS_UPDATES, type BfgsUpdate } from "../optim/bfgs.js";
import { NETWORK_TECHNIQUE_KEYS, TRAINING_TECHNIQUE_KEYS, readNetworkTechniques, readTrainingTechniques } from "../training/techniques.js";

const NETWORK_KEYS = ["hidden", "activation", "init", ...NETWORK_TECHNIQUE_KEYS];
const TRAINING_KEYS = ["epochs", "learning_rate", "points", "boundary_points", "sampling", "resample", "seed", "optimizer", "schedule", "lbfgs_iterations", "loss_weighting", "derivatives", "causal", "scaling", "ensemble", "threads", ...TRAINING_TECHNIQUE_KEYS];
const EVALUATE_KEYS = ["points"];
const ADAM_KEYS = ["epochs", "learning_rate", "schedule"];
const LBFGS_KEYS = ["iterations", "epochs", "learning_rate", "history"];
const BFGS_KEYS = ["iterations", "epochs", "learning_rate", "update", "history"];
/** The stage kinds a file may name. */
const STAGE_KINDS = ["adam", "lbfgs", "bfgs"] as const;
type StageKind = (typeof STAGE_KINDS)[number];
const SCHEDULE_TYPES = ["constant", "step", "exponential", "cosine"] as const;
const SCHEDULE_KEYS = ["type", "every", "gamma", "min"];
const SCHEDULE_HINT = "e.g. schedule: cosine, or schedule: {type: step, every: 1000, gamma: 0.5}, or {type: exponential, gamma: 0.999}";

/** A schedule as the file writes it: the cosine schedule's length is its stage's epochs. */
type ScheduleSpec = { type: "constant" } | { type: "step"; every: number; gamma: number } | { type: "exponential"; gamma: number } | { type: "cosine"; min: number };
interface ReadSchedule {
  spec: ScheduleSpec;
  /** Where it is written (null: the default). */
  node: Node | null;
}
const CONSTANT: ReadSchedule = { spec: { type: "constant" }, node: null };

/** An Adam stage before the command-line overrides and its schedule's length are applied. */
type StageDraft = { optimizer: "adam"; epochs: number; learningRate: number; schedule: ReadSchedule } | Exclude<StageSettings, { optimizer: "adam" }>;

export function readNetwork(ctx: ReaderContext, root: YAMLMap): NetworkSettings | null {
  const d = DEFAULTS.network;
  const map = asMap(ctx.src, get(root, "network"), "network", "e.g.\nnetwork:\n  hidden: [32, 32]\n  activation: tanh");
  if (map === null) return { hidden: [...d.hidden], activation: d.activation, init: d.init };
  checkKeys(ctx.src, map, NETWORK_KEYS, "network");
  let hidden = [...d.hidden];
  const hNode = get(map, "hidden");
  if (hNode !== undefined) {
    const items = isScalar(hNode) ? [hNode] : asList(ctx.src, hNode, "network.hidden", "e.g. hidden: [32, 32]");
    if (items !== null) {
      const widths = items.map((n) => boundedCount(ctx, n, "a hidden layer width", LIMITS.maxWidth));
      atMost(ctx, hNode, items.length, LIMITS.maxLayers, "the number of hidden layers");
      if (widths.every((w): w is number => w !== null)) hidden = widths;
      if (items.length === 0) ctx.src.error(hNode, "network.hidden is empty", "give at least one hidden layer, e.g. hidden: [32, 32]");
    }
  }
  const activation = ctx.choice(get(map, "activation"), "network.activation", Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[]) ?? d.activation;
  if (!isActivation(activation)) return null;
  const init = ctx.choice<InitScheme>(get(map, "init"), "network.init", INIT_SCHEMES) ?? d.init;
  return { hidden, activation, init, ...readNetworkTechniques(ctx.src, (k) => get(map, k)) };
}

export function readTraining(ctx: ReaderContext, root: YAMLMap): TrainingSettings | null {
  const d = DEFAULTS.training;
  const o = ctx.options.overrides ?? {};
  const map = asMap(ctx.src, get(root, "training"), "training", "e.g.\ntraining:\n  epochs: 2000\n  learning_rate: 0.001");
  if (map !== null) checkKeys(ctx.src, map, TRAINING_KEYS, "training");
  const field = (key: string): Node | undefined => (map === null ? undefined : get(map, key));
  // The file's values are checked even when the command line overrides them.
  const fileEpochs = boundedCount(ctx, field("epochs"), "training.epochs", LIMITS.maxIterations);
  const fileRate = ctx.positiveNumber(field("learning_rate"), "training.learning_rate");
  const filePoints = boundedCount(ctx, field("points"), "training.points", LIMITS.maxPoints);
  // "Smaller" only for a value above its limit: --seed -1 or 1.5 needs a whole number in the range.
  for (const [message, tooLarge] of [
    [o.points === undefined ? null : checkPointsOption(o.points), o.points !== undefined && o.points > LIMITS.maxPoints],
    [o.seed === undefined ? null : checkSeedOption(o.seed), o.seed !== undefined && o.seed > LIMITS.maxSeed],
  ] as const) {
    if (message !== null) ctx.src.errorAt(undefined, `command line: ${message}`, tooLarge ? `use a smaller value (README, "Limits")` : "give a whole number in the range the message names");
  }
  if (o.epochs !== undefined) atMost(ctx, undefined, o.epochs, LIMITS.maxIterations, "command line: --epochs");
  const epochs = fileEpochs ?? d.epochs;
  const learningRate = fileRate ?? d.learningRate;
  const points = o.points ?? filePoints ?? d.points;
  const boundaryPoints = boundedCount(ctx, field("boundary_points"), "training.boundary_points", LIMITS.maxPoints) ?? d.boundaryPoints;
  const sampling = ctx.choice<SamplingMethod>(field("sampling"), "training.sampling", SAMPLING_METHODS) ?? d.sampling;
  const resample = asBoolean(ctx.src, field("resample"), "training.resample") ?? d.resample;
  const fileSeed = asNumber(ctx.src, field("seed"), "training.seed");
  if (fileSeed !== null && (!Number.isInteger(fileSeed) || fileSeed < 0 || fileSeed > LIMITS.maxSeed)) {
    ctx.src.error(field("seed"), `training.seed must be a whole number from 0 to ${LIMITS.maxSeed} (2^32 − 1), not ${fileSeed}`, "seeds are 32-bit: a larger one would silently become another seed; e.g. seed: 0");
  }
  const seed = o.seed ?? fileSeed ?? d.seed;
  const lossWeighting = ctx.choice<LossWeighting>(field("loss_weighting"), "training.loss_weighting", ["fixed", "annealing", "gradnorm"]) ?? "fixed";
  const derivatives = ctx.choice(field("derivatives"), "training.derivatives", ["taylor", "reverse"] as const) ?? "taylor";
  const causal = asBoolean(ctx.src, field("causal"), "training.causal");
  const scaling = asBoolean(ctx.src, field("scaling"), "training.scaling") ?? true;
  // The length of the default refinement stage, whichever optimizer it is.
  const refineIterations = boundedCount(ctx, field("lbfgs_iterations"), "training.lbfgs_iterations", LIMITS.maxIterations);
  // Absent unless the file asks for an ensemble (one member is the ordinary run).
  const ensemble = boundedCount(ctx, field("ensemble"), "training.ensemble", LIMITS.maxEnsemble);
  const threads = o.threads ?? boundedCount(ctx, field("threads"), "training.threads", LIMITS.maxThreads) ?? undefined;
  const schedule = readSchedule(ctx, field("schedule")) ?? CONSTANT;
  const adam = (): StageDraft => ({ optimizer: "adam", epochs, learningRate, schedule });
  const refine = (kind: "lbfgs" | "bfgs", iterations = refineIterations ?? (kind === "bfgs" ? d.bfgsIterations : d.lbfgsIterations)): StageDraft =>
    kind === "lbfgs"
      ? { optimizer: "lbfgs", iterations, learningRate: 1, historySize: d.lbfgsHistory }
      : { optimizer: "bfgs", iterations, learningRate: 1, update: d.bfgsUpdate, historySize: d.lbfgsHistory };
  const read = readStages(ctx, field("optimizer"), adam, refine, o.epochs ?? epochs);
  if (read === null) return null;
  // Command-line --epochs and --lr win over the file, also inside an explicit list of stages.
  const stages: StageSettings[] = [];
  const badSchedules = new Set<ReadSchedule>();
  for (const s of read) {
    if (s.optimizer !== "adam") {
      stages.push(s);
      continue;
    }
    const stageEpochs = o.epochs ?? s.epochs;
    const stageSchedule = finishSchedule(ctx, s.schedule, stageEpochs, badSchedules);
    stages.push({ optimizer: "adam", epochs: stageEpochs, learningRate: o.learningRate ?? s.learningRate, schedule: stageSchedule });
  }
  const optimizerDefault = field("optimizer") === undefined ? { optimizerDefault: true } : {};
  // What the file leaves to pinn that a rule may size (training/budget.ts, training/region-defaults.ts).
  const networkNode = get(root, "network");
  const leftOut = {
    points: o.points === undefined && filePoints === null,
    boundaryPoints: field("boundary_points") === undefined,
    refinement: field("optimizer") === undefined && refineIterations === null,
    hidden: !(networkNode !== undefined && isMap(networkNode) && get(networkNode, "hidden") !== undefined),
  };
  return { stages, points, boundaryPoints, sampling, resample, seed, lossWeighting, derivatives, causal, scaling, ...(ensemble !== null ? { ensemble } : {}), threads, ...optimizerDefault, leftOut, ...readTrainingTechniques(ctx.src, field) };
}

/**
 * optimizer: adam | lbfgs | bfgs | [adam, bfgs] | a list of stages, each `adam: {epochs, learning_rate,
 * schedule}`, `lbfgs: {iterations, history}` or `bfgs: {iterations, update}` (also `{name: adam, ...}`).
 * Default: Adam then the default refinement (DEFAULTS.training.refinement). `epochs` is the length
 * of a lone `optimizer: lbfgs` or `bfgs`.
 */
function readStages(ctx: ReaderContext, node: Node | undefined, adam: () => StageDraft, refine: (kind: "lbfgs" | "bfgs", n?: number) => StageDraft, epochs: number): StageDraft[] | null {
  const stageOf = (kind: StageKind, n?: number): StageDraft => (kind === "adam" ? adam() : refine(kind, n));
  if (node === undefined) return [adam(), refine(DEFAULTS.training.refinement)];
  const hint = "optimizer: adam, lbfgs, bfgs, or a list of stages such as\n  optimizer:\n    - adam: {epochs: 2000, learning_rate: 0.001}\n    - bfgs: {iterations: 500}";
  if (isScalar(node)) {
    const v = ctx.choice(node, "training.optimizer", STAGE_KINDS);
    if (v === null) return null;
    return [stageOf(v, v === "adam" ? undefined : epochs)];
  }
  const items = asList(ctx.src, node, "training.optimizer", hint);
  if (items === null) return null;
  const stages: StageDraft[] = [];
  for (const item of items) {
    if (isScalar(item)) {
      const v = ctx.choice(item, "an optimizer stage", STAGE_KINDS);
      if (v !== null) stages.push(stageOf(v));
      continue;
    }
    if (!isMap(item)) {
      ctx.src.error(item, "each optimizer stage must be adam, lbfgs, bfgs, or a map such as adam: {epochs: 1000}", hint);
      continue;
    }
    let kind: string | null;
    let settings: YAMLMap | null;
    const named = get(item, "name");
    if (named !== undefined) {
      kind = asString(ctx.src, named, "stage name");
      settings = item;
    } else if (item.items.length === 1) {
      const pair = item.items[0]!;
      kind = isScalar(pair.key) ? String(pair.key.value) : null;
      const v = pair.value as Node | undefined;
      settings = v === undefined || (isScalar(v) && v.value === null) ? null : asMap(ctx.src, v, `the ${kind} stage`, hint);
    } else {
      ctx.src.error(item, "an optimizer stage names one optimizer", hint);
      continue;
    }
    if (!STAGE_KINDS.includes(kind as StageKind)) {
      ctx.src.error(item, `unknown optimizer "${kind}"${didYouMean(kind ?? "", [...STAGE_KINDS])}`, "use adam, lbfgs or bfgs");
      continue;
    }
    const keys = kind === "adam" ? ADAM_KEYS : kind === "lbfgs" ? LBFGS_KEYS : BFGS_KEYS;
    if (settings !== null) checkKeys(ctx.src, settings, named !== undefined ? ["name", ...keys] : keys, `the ${kind} stage`);
    const field = (k: string): Node | undefined => (settings === null ? undefined : get(settings, k));
    const base = stageOf(kind as StageKind);
    if (base.optimizer === "adam") {
      stages.push({
        optimizer: "adam",
        epochs: boundedCount(ctx, field("epochs"), "epochs", LIMITS.maxIterations) ?? base.epochs,
        learningRate: ctx.positiveNumber(field("learning_rate"), "learning_rate") ?? base.learningRate,
        schedule: readSchedule(ctx, field("schedule")) ?? base.schedule,
      });
    } else {
      const common = {
        iterations: boundedCount(ctx, field("iterations") ?? field("epochs"), "iterations", LIMITS.maxIterations) ?? base.iterations,
        learningRate: ctx.positiveNumber(field("learning_rate"), "learning_rate") ?? base.learningRate,
        historySize: boundedCount(ctx, field("history"), "history", LIMITS.maxHistory) ?? base.historySize,
      };
      if (base.optimizer === "lbfgs") stages.push({ optimizer: "lbfgs", ...common });
      else stages.push({ optimizer: "bfgs", ...common, update: ctx.choice<BfgsUpdate>(field("update"), "update", BFGS_UPDATES) ?? base.update });
    }
  }
  if (stages.length === 0) {
    if (stages.length === items.length) ctx.src.error(node, "training.optimizer lists no stages", hint);
    return null;
  }
  return stages;
}

/** schedule: constant | step | exponential | cosine, or a map {type, every, gamma, min}. */
function readSchedule(ctx: ReaderContext, node: Node | undefined): ReadSchedule | null {
  if (node === undefined) return null;
  let type: (typeof SCHEDULE_TYPES)[number] | null;
  let map: YAMLMap | null = null;
  if (isScalar(node)) type = ctx.choice(node, "schedule", SCHEDULE_TYPES);
  else {
    map = asMap(ctx.src, node, "schedule", SCHEDULE_HINT);
    if (map === null) return null;
    checkKeys(ctx.src, map, SCHEDULE_KEYS, "schedule");
    type = ctx.choice(get(map, "type"), "schedule.type", SCHEDULE_TYPES);
    if (get(map, "type") === undefined) ctx.src.error(node, "schedule needs a type", SCHEDULE_HINT);
  }
  if (type === null) return null;
  const num = (k: string): number | null => (map === null ? null : asNumber(ctx.src, get(map, k), `schedule.${k}`));
  switch (type) {
    case "constant":
      return { spec: { type }, node };
    case "step": {
      const every = (map === null ? null : asPositiveInt(ctx.src, get(map, "every"), "schedule.every")) ?? 1000;
      return { spec: { type, every, gamma: num("gamma") ?? 0.5 }, node };
    }
    case "exponential":
      return { spec: { type, gamma: num("gamma") ?? 0.999 }, node };
    case "cosine":
      return { spec: { type, min: num("min") ?? 0 }, node };
  }
}

/**
 * The schedule of a stage of `epochs` epochs, checked by the optimizer's own validation (the one
 * place its ranges are written). An invalid one is reported once (in `reported`).
 */
function finishSchedule(ctx: ReaderContext, read: ReadSchedule, epochs: number, reported: Set<ReadSchedule>): Schedule {
  const schedule: Schedule = read.spec.type === "cosine" ? { type: "cosine", total: epochs, min: read.spec.min } : read.spec;
  try {
    validateSchedule(schedule);
    return schedule;
  } catch (e) {
    if (!reported.has(read)) ctx.src.error(read.node, `schedule settings out of range: ${(e as Error).message}`, SCHEDULE_HINT);
    reported.add(read);
    return { type: "constant" };
  }
}

/** evaluate.points: one number for every variable, or a map of variable to number. */
export function readEvaluate(ctx: ReaderContext, root: YAMLMap, variables: string[]): { points: number[] } {
  const fallback: number = DEFAULTS.evaluatePoints[variables.length - 1] ?? 41;
  const points = variables.map(() => fallback);
  const map = asMap(ctx.src, get(root, "evaluate"), "evaluate", "e.g.\nevaluate:\n  points: 101");
  if (map === null) return { points };
  checkKeys(ctx.src, map, EVALUATE_KEYS, "evaluate");
  const node = get(map, "points");
  const count = (n: Node | undefined, what: string): number | null => {
    const p = boundedCount(ctx, n, what, LIMITS.maxEvaluatePerVariable);
    if (p !== null && p < 2) {
      ctx.src.error(n, `${what} must be at least 2`);
      return null;
    }
    return p;
  };
  if (node !== undefined && isMap(node)) {
    checkKeys(ctx.src, node, variables, "evaluate.points");
    variables.forEach((v, i) => (points[i] = count(get(node, v), `evaluate.points.${v}`) ?? fallback));
  } else {
    const p = count(node, "evaluate.points");
    points.fill(p ?? fallback);
  }
  const total = points.reduce((a, b) => a * b, 1);
  if (variables.length > 1) atMost(ctx, node, total, LIMITS.maxEvaluateTotal, `the evaluation grid (${points.join(" × ")} points)`, "use fewer evaluate.points per variable");
  return { points };
}
