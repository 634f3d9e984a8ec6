// One ensemble member (training/ensemble.ts), trained in whichever thread runs this: the problem
// parsed again from its text, the member's seed and data rows, the usual model and trainer.

import { Rng } from "../engine/random.js";
import { noGrad } from "../engine/state.js";
import { parseProblem } from "../problem/load.js";
import type { Problem } from "../problem/types.js";
import { PinnNetwork, networkFeatures } from "../residual/network.js";
import { techniqueHooks } from "./techniques.js";
import { ResidualModel } from "../residual/model.js";
import { predictUnknowns } from "../residual/predict.js";
import { makeGrid } from "../reports/evaluation.js";
import { train, type TrainHooks } from "./trainer.js";
import { trainedParameters } from "./parallel.js";
import { withParameterValues } from "../problem/parameters.js";
import { memberDataRows, memberSeed, type MemberResult, type MemberSpec } from "./ensemble.js";

/** The residual model for a seed and data rows (the ordinary solve: the file's seed, all rows). */
export function buildSeededModel(problem: Problem, seed: number, dataRows: (Int32Array | null)[] = []): ResidualModel {
  const rng = new Rng(seed);
  const network = new PinnNetwork(problem.bounds, problem.unknowns.length, problem.network, rng.fork(), networkFeatures(problem));
  return new ResidualModel(problem, network, problem.training.derivatives, rng.fork(), { dataRows });
}

/** Member `index`'s model before training: its seed's network and points, its resample of the data rows. */
export function memberModel(problem: Problem, index: number, seed: number = memberSeed(problem.training.seed, index)): ResidualModel {
  return buildSeededModel(problem, seed, memberDataRows(problem, seed, index));
}

/** Train one member (hooks: progress and stop requests, as for an ordinary solve). */
export async function trainMember(spec: MemberSpec, hooks: TrainHooks = {}): Promise<MemberResult> {
  const parsed = parseProblem(spec.text, spec.file);
  const problem: Problem = { ...parsed, training: spec.training, network: spec.network, evaluate: spec.evaluate };
  const seed = memberSeed(problem.training.seed, spec.index);
  const model = memberModel(problem, spec.index, seed);
  const result = await train(model, problem.training.stages, { ...hooks, lossWeighting: problem.training.lossWeighting, causal: model.causal(), ...techniqueHooks(problem, model) });
  const grid = makeGrid(problem.bounds, problem.evaluate.points);
  const fitted = withParameterValues(problem, model.theta?.data ?? []);
  const predicted = noGrad(() => predictUnknowns(fitted, model.network, grid.points, model.outputScale));
  const weights = weightsOf(model);
  return { index: spec.index, seed, estimates: model.parameterValues(), predicted, train: result, weights };
}

/** A copy of a model's trained weights (network tensors, then θ: trainedParameters), for loadWeights. */
export function weightsOf(model: ResidualModel): Float64Array[] {
  return trainedParameters(model).map((p) => Float64Array.from(p.data));
}

/** Put a member's trained weights (network tensors, then θ) into a model of the same problem. */
export function loadWeights(model: ResidualModel, weights: readonly Float64Array[]): void {
  const params = trainedParameters(model);
  if (params.length !== weights.length) throw new Error("internal: an ensemble member's weights do not fit the model");
  params.forEach((p, i) => p.data.set(weights[i]!));
}
