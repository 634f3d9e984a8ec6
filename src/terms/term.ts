// The loss-term abstraction. A term is one mean squared residual in the training loss; terms that
// share a point set form a group, evaluated in one network pass. Each kind of term (an equation, a
// located condition, a periodic condition, …) is a builder in the registry (index.ts) that turns a
// problem item into groups: the points, the residuals (scaled to natural size), the unknowns involved.
//
// Adding a kind of term: a file here with its builder and group class, and one entry in index.ts.

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import type { Rng } from "../engine/random.js";
import type { Problem, Source } from "../problem/types.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import type { PinnNetwork, DerivativeMode } from "../residual/network.js";
import type { FieldEvaluator } from "../residual/fields.js";
import { meanSquare } from "../loss/loss.js";

export type TermKind = "equation" | "condition" | "periodic" | "data";

/** What the trainer, the reports and the CLI know of a term. */
export interface LossTerm {
  /** Short label for the loss history, plots and summary (unique within a model). */
  label: string;
  kind: TermKind;
  weight: number;
  source: Source;
  /** Indices of the unknowns its residual involves. */
  unknowns: number[];
}

/** A term as a builder describes it, before the model labels it. */
export type TermSpec = Omit<LossTerm, "label"> & {
  /** The magnitude the raw residual was divided by (1 when scaling is off). */
  scale: number;
};

/** One batch of a group's points: coordinates (n × d) and per-point attributes (n × A) if any. */
export interface PointBatch {
  x: Float64Array;
  attrs: Float64Array | null;
}

/** Where a group draws its points from. */
export interface PointSource {
  /** Points per batch. */
  readonly count: number;
  /** This epoch's points (fresh ones when resampling). */
  next(): PointBatch;
  /** New points regardless of the resampling setting (the fixed set of an L-BFGS stage). */
  fresh(): PointBatch;
  /** Squeeze coordinate `dim` towards `from` by `fraction` (causal curriculum); null lifts it. */
  setWindow(window: { dim: number; from: number; fraction: number } | null): void;
}

/** Terms evaluated together on one point source. */
export abstract class TermGroup {
  constructor(
    readonly points: PointSource,
    readonly specs: TermSpec[],
  ) {}

  /**
   * Whether each row of a batch gives residuals of its own (a block of rows' mean square times its
   * share of the rows is its part of the term's loss): data-parallel training (training/parallel.ts)
   * then cuts the batch by rows. False unless a kind of term says so: its group stays on one thread.
   */
  readonly rowwise: boolean = false;

  /** Scaled residuals, one [n, 1] tensor per term (differentiable to any order). */
  abstract residuals(batch: PointBatch): Tensor[];

  /** Each term's mean squared residual as one [T] tensor (groups with a fused kernel override this). */
  meanSquares(batch: PointBatch): Tensor {
    const squares = this.residuals(batch).map(meanSquare);
    return squares.length === 1 ? ops.reshape(squares[0]!, [1]) : ops.stack(squares);
  }
}

/** What a builder gets: the problem, the network's field evaluators, the scales, the random stream. */
export interface TermContext {
  problem: Problem;
  network: PinnNetwork;
  mode: DerivativeMode;
  /** U_k per unknown (1 when scaling is off). */
  outputScale: readonly number[];
  scaling: boolean;
  /** Fork it once per point set, in the order of the problem's items (reproducible seeds). */
  rng: Rng;
  /** An evaluator of expressions in the unknowns, through the trial forms and the network. */
  fields(exprs: Sym[]): FieldEvaluator;
  /** The natural size of a residual at a location (1 when scaling is off). */
  scaleOf(residual: Sym, location: Location): number;
  /** Per data set, the rows to train on (an ensemble member's bootstrap resample); all rows when absent. */
  dataRows?: readonly (Int32Array | null)[];
}
