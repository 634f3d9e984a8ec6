// The whole solve, as a library call: problem → residual model → training → evaluation → outputs.

import { resolve as resolvePath, join } from "node:path";
import { Rng } from "./engine/random.js";
import type { Problem } from "./problem/types.js";
import { PinnNetwork, networkFeatures } from "./residual/network.js";
import { TECHNIQUE_DEFAULTS, defaultCausalWeights } from "./training/techniques.js";
import { ResidualModel } from "./residual/model.js";
import { train, type TrainHooks, type TrainResult } from "./training/trainer.js";
import { evaluateSolution, type Evaluation } from "./reports/evaluation.js";
import { prepareOutputFolder, summaryOf, writeOutputs } from "./reports/outputs.js";

export interface SolveOptions extends TrainHooks {
  /** Output folder (default out/<name> under the current directory). */
  outDir?: string;
  /** Write files at all (default true). */
  write?: boolean;
  /** Write PNG plots (default true). */
  plots?: boolean;
  /** Called once the residual model is built (e.g. to report enforced conditions). */
  onModel?: (model: ResidualModel) => void;
}

export interface SolveResult {
  problem: Problem;
  network: PinnNetwork;
  model: ResidualModel;
  train: TrainResult;
  evaluation: Evaluation;
  summary: Record<string, unknown>;
  outDir: string;
  files: string[];
}

export function buildModel(problem: Problem): ResidualModel {
  const rng = new Rng(problem.training.seed);
  const network = new PinnNetwork(problem.bounds, problem.unknowns.length, problem.network, rng.fork(), networkFeatures(problem));
  return new ResidualModel(problem, network, problem.training.derivatives, rng.fork());
}

export async function solve(problem: Problem, options: SolveOptions = {}): Promise<SolveResult> {
  const outDir = resolvePath(options.outDir ?? join("out", problem.name));
  const model = buildModel(problem);
  if (options.write !== false) prepareOutputFolder(outDir);
  options.onModel?.(model);
  const trained = await train(model, problem.training.stages, {
    ...options,
    lossWeighting: problem.training.lossWeighting,
    causal: model.causal(),
    causalWeights: model.causal() ? defaultCausalWeights(problem) : 0,
    lbfgsResample: problem.training.lbfgsResample ?? TECHNIQUE_DEFAULTS.lbfgsResample,
  });
  const evaluation = evaluateSolution(problem, model.network, model.outputScale);
  const report = { problem, model, train: trained, evaluation };
  const files = options.write === false ? [] : await writeOutputs(outDir, report, { plots: options.plots ?? true });
  return { problem, network: model.network, model, train: trained, evaluation, summary: summaryOf(report, files), outDir, files };
}
