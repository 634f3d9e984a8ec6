// Run options that override a loaded problem's settings: `pinn solve --epochs/--seed` and the
// library's solve(problem, {epochs, seed}). One place, so that the command line and the library agree.

import type { Problem, StageSettings } from "./problem/types.js";

export interface RunOverrides {
  /**
   * A quick run: every Adam stage runs `epochs` epochs, and every L-BFGS stage is scaled by the same
   * factor as the longest Adam stage (never lengthened, at least 1 iteration); without an Adam stage,
   * every L-BFGS stage runs `epochs` iterations.
   */
  epochs?: number;
  /** The random seed (network initialisation and sampling). */
  seed?: number;
}

/** The stages with `epochs` applied (see RunOverrides.epochs). */
export function scaleStages(stages: readonly StageSettings[], epochs: number): StageSettings[] {
  const adamEpochs = stages.flatMap((s) => (s.optimizer === "adam" ? [s.epochs] : []));
  const longest = adamEpochs.length > 0 ? Math.max(...adamEpochs) : null;
  return stages.map((s): StageSettings => {
    if (s.optimizer === "adam") return { ...s, epochs };
    const iterations = longest === null ? epochs : Math.max(1, Math.min(s.iterations, Math.round((s.iterations * epochs) / longest)));
    return { ...s, iterations };
  });
}

/** `problem` with the overrides applied (a copy; the problem itself is not changed). */
export function withOverrides(problem: Problem, o: RunOverrides): Problem {
  if (o.epochs === undefined && o.seed === undefined) return problem;
  const training = { ...problem.training };
  if (o.epochs !== undefined) {
    if (!Number.isSafeInteger(o.epochs) || o.epochs < 1) throw new RangeError(`solve: epochs must be a whole number ≥ 1, not ${o.epochs}`);
    training.stages = scaleStages(training.stages, o.epochs);
  }
  if (o.seed !== undefined) {
    if (!Number.isSafeInteger(o.seed)) throw new RangeError(`solve: seed must be a whole number, not ${o.seed}`);
    training.seed = o.seed;
  }
  return { ...problem, training };
}
