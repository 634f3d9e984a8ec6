// Never a silent wrong answer: a network can drive the loss to ~0 on its collocation points while
// missing the equations between them (measured: convection at speed 40, training loss 9e-9 on
// 256 fixed L-BFGS points, relative error 1.1). The loss on fresh points gives it away.

import type { TrainResult } from "./trainer.js";

/** Fresh-point loss this many times the training loss (and above FLOOR) is reported. */
export const OVERFIT_RATIO = 100;
const FLOOR = 1e-6;

/** A warning when the loss on fresh points is far above the training loss, else null. */
export function overfitWarning(train: Pick<TrainResult, "finalLoss" | "validationLoss">): string | null {
  const v = train.validationLoss;
  if (v === undefined || !(v > FLOOR && v > OVERFIT_RATIO * train.finalLoss) && Number.isFinite(v)) return null;
  return (
    `the loss on fresh points is ${v.toExponential(2)}, ${(v / train.finalLoss).toExponential(1)} times the training loss: ` +
    "the network fits its collocation points but not the equations between them, so the solution is likely wrong. " +
    "Try more points (training.points), L-BFGS on fresh points (training.lbfgs_resample: 500) or a longer Adam stage."
  );
}
