// The optimizer kinds a training stage may name, with their display names (one table for the
// progress bar, the report, the plots and the summary), and the quasi-Newton optimizer of a
// refinement stage: dense (self-scaled) BFGS where its n × n matrix fits the limit, L-BFGS
// otherwise — a fallback that is reported with the stage, never silent.

import type { Tensor } from "../engine/tensor.js";
import type { StageSettings } from "../problem/types.js";
import { LIMITS } from "../problem/limits.js";
import { LBFGS } from "./lbfgs.js";
import { BFGS, denseBfgsBytes } from "./bfgs.js";
import type { QuasiNewton } from "./quasi-newton.js";

export const OPTIMIZER_NAMES = { adam: "Adam", lbfgs: "L-BFGS", bfgs: "BFGS" } as const;
export type OptimizerKind = keyof typeof OPTIMIZER_NAMES;
export const OPTIMIZER_KINDS = Object.keys(OPTIMIZER_NAMES) as OptimizerKind[];

export type RefinementStage = Exclude<StageSettings, { optimizer: "adam" }>;

export interface Refiner {
  optimizer: QuasiNewton;
  /** What runs (a bfgs stage may run L-BFGS). */
  kind: "lbfgs" | "bfgs";
  /** Why it is not what the stage asked for, if it is not. */
  note?: string;
}

/**
 * The optimizer for a refinement stage over `params` (a fresh one: no curvature information yet).
 * `threads`: the threads training uses; dense BFGS splits its pass over H over them.
 */
export function createRefiner(params: Tensor[], stage: RefinementStage, threads = 1): Refiner {
  const lbfgs = (): LBFGS => new LBFGS(params, { lr: stage.learningRate, historySize: stage.historySize });
  if (stage.optimizer === "lbfgs") return { optimizer: lbfgs(), kind: "lbfgs" };
  const n = params.reduce((s, p) => s + p.size, 0);
  if (n > LIMITS.maxDenseBfgsParameters) {
    const mib = (denseBfgsBytes(n) / 2 ** 20).toFixed(0);
    return {
      optimizer: lbfgs(),
      kind: "lbfgs",
      note:
        `BFGS keeps a dense ${n} × ${n} matrix (${mib} MiB) for this network's ${n} weights, above the limit of ` +
        `${LIMITS.maxDenseBfgsParameters} weights; this stage ran L-BFGS (history ${stage.historySize}) instead`,
    };
  }
  return { optimizer: new BFGS(params, { lr: stage.learningRate, update: stage.update, threads }), kind: "bfgs" };
}
