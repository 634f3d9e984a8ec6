// The whole solve, as a library call: problem → residual model → training → evaluation → outputs.

import { resolve as resolvePath, join } from "node:path";
import type { Problem } from "./problem/types.js";
import { PinnNetwork } from "./residual/network.js";
import { ResidualModel } from "./residual/model.js";
import { train, type TrainHooks, type TrainResult } from "./training/trainer.js";
import { evaluateSolution, type Evaluation } from "./reports/evaluation.js";
import { prepareOutputFolder, summaryOf, writeOutputs } from "./reports/outputs.js";
import { buildSeededModel, loadWeights } from "./training/member.js";
import { runEnsemble, type EnsembleResult } from "./training/ensemble.js";
import { readFileSync } from "node:fs";
import { withParameterValues } from "./problem/parameters.js";

export interface SolveOptions extends TrainHooks {
  /** Output folder (default out/<name> under the current directory). */
  outDir?: string;
  /** Write files at all (default true). */
  write?: boolean;
  /** Write PNG plots (default true). */
  plots?: boolean;
  /** Called once the residual model is built (e.g. to report enforced conditions). */
  onModel?: (model: ResidualModel) => void;
  /** Worker threads for an ensemble (default: all cores). */
  threads?: number;
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
  /** The members' results when training.ensemble > 1. */
  ensemble: EnsembleResult | null;
}

export function buildModel(problem: Problem): ResidualModel {
  return buildSeededModel(problem, problem.training.seed);
}

export async function solve(problem: Problem, options: SolveOptions = {}): Promise<SolveResult> {
  const outDir = resolvePath(options.outDir ?? join("out", problem.name));
  const model = buildModel(problem);
  if (options.write !== false) prepareOutputFolder(outDir);
  options.onModel?.(model);
  // An ensemble trains its members on worker threads; member 0 is this run (training/ensemble.ts).
  const ensemble = (problem.training.ensemble ?? 1) > 1 ? await runEnsemble(problem, readFileSync(problem.file, "utf8"), { threads: options.threads }) : null;
  if (ensemble !== null) loadWeights(model, ensemble.members[0]!.weights);
  const trained = ensemble?.members[0]!.train ?? await train(model, problem.training.stages, {
    ...options,
    lossWeighting: problem.training.lossWeighting,
    causal: model.causal(),
  });
  // Learned parameters at their estimates (trial forms may use them), for evaluation and outputs.
  const fitted = withParameterValues(problem, model.theta?.data ?? []);
  const evaluation = evaluateSolution(fitted, model.network, model.outputScale);
  const report = { problem: fitted, model, train: trained, evaluation, ensemble };
  const files = options.write === false ? [] : await writeOutputs(outDir, report, { plots: options.plots ?? true });
  return { problem, network: model.network, model, train: trained, evaluation, summary: summaryOf(report, files), outDir, files, ensemble };
}
