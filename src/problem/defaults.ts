// Default settings for everything a problem file may leave out. The numbers are chosen by
// measurement (see README, "Accuracy"); change them only with a new measurement.

import type { ActivationName } from "../nn/activations.js";
import type { InitScheme } from "../nn/init.js";
import type { SamplingMethod } from "../sampling/index.js";
import type { BfgsUpdate } from "../optim/bfgs.js";

export const DEFAULTS = {
  network: {
    hidden: [32, 32, 32] as number[],
    activation: "tanh" as ActivationName,
    // ±1/√fan_in weights and biases: smaller errors than Glorot with zero biases on every shipped
    // problem (scripts/defaults-study.mjs; README, "Accuracy").
    init: "uniform" as InitScheme,
  },
  training: {
    epochs: 2000,
    learningRate: 1e-3,
    points: 256,
    boundaryPoints: 64,
    sampling: "random" as SamplingMethod,
    resample: true,
    seed: 0,
    // The refinement that takes errors from ~1e-4 to ~1e-6 (scripts/defaults-study.mjs).
    lbfgsIterations: 5000,
    lbfgsHistory: 50,
    /** The refinement stage after Adam (README, "Refinement: self-scaled BFGS and adaptive sampling"). */
    refinement: "bfgs" as "lbfgs" | "bfgs",
    /**
     * Length of a bfgs stage: half the L-BFGS iterations, because a dense BFGS step costs about
     * twice an L-BFGS step on the default network sizes (the n² matrix work beside the loss).
     */
    bfgsIterations: 2500,
    /** The update of a bfgs stage (optim/bfgs.ts). */
    bfgsUpdate: "ssbfgs" as BfgsUpdate,
  },
  /** Evaluation grid points per variable, by number of variables. */
  evaluatePoints: [201, 101, 41] as const,
};
