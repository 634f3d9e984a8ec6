// Data misfit terms: for one data set (problem/data.ts), one term per observed unknown,
//   mean_i ((u_k(x_i) − d_i) / s_k)²
// on the set's fixed points, where s_k is the term's scale (the unknown's output scale or the
// data's RMS, whichever is larger, so that the misfit is O(1) relative to the values observed;
// 1 when scaling is off). An ensemble member may train on a bootstrap resample of the rows.

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { DataSet } from "../problem/types.js";
import type { FieldEvaluator } from "../residual/fields.js";
import { meanSquare } from "../loss/loss.js";

export class DataTerms {
  /** The rows trained on (all rows, or a bootstrap resample), as row-major points. */
  readonly points: Float64Array;
  private readonly evaluator: FieldEvaluator;
  /** Observed values per observed unknown, as [n, 1] tensors. */
  private readonly values: Tensor[];
  /** 1/s_k per observed unknown. */
  private readonly inverseScale: number[];

  constructor(
    readonly set: DataSet,
    dims: number,
    fields: (exprs: Sym[]) => FieldEvaluator,
    /** U_k per unknown (1 when scaling is off). */
    outputScale: readonly number[],
    scaling: boolean,
    /** Row indices to train on (a bootstrap resample); all rows when null. */
    rows: Int32Array | null = null,
  ) {
    const total = set.points.length / dims;
    const chosen = rows ?? Int32Array.from({ length: total }, (_, i) => i);
    const n = chosen.length;
    this.points = new Float64Array(n * dims);
    chosen.forEach((r, i) => this.points.set(set.points.subarray(r * dims, (r + 1) * dims), i * dims));
    this.values = set.observed.map((o) => new Tensor(Float64Array.from(chosen, (r) => o.values[r]!), [n, 1]));
    this.inverseScale = set.observed.map((o) => {
      if (!scaling) return 1;
      const rms = Math.sqrt(o.values.reduce((a, v) => a + v * v, 0) / Math.max(1, o.values.length));
      const s = Math.max(outputScale[o.unknown] ?? 1, rms);
      return s > 0 && Number.isFinite(s) ? 1 / s : 1;
    });
    this.evaluator = fields(set.observed.map((o) => S.field(o.unknown, [])));
  }

  /** The scale each term's misfit is divided by. */
  scales(): number[] {
    return this.inverseScale.map((v) => 1 / v);
  }

  /** (u_k − d) / s_k at the set's points, one [n, 1] tensor per observed unknown. */
  residuals(): Tensor[] {
    const u = this.evaluator.evaluate(this.points);
    return u.map((uk, j) => {
      const misfit = ops.sub(uk, this.values[j]!);
      return this.inverseScale[j] === 1 ? misfit : ops.mul(misfit, this.inverseScale[j]!);
    });
  }

  /** Each term's mean squared (scaled) misfit. */
  losses(): Tensor[] {
    return this.residuals().map(meanSquare);
  }
}

/** Bootstrap: n row indices drawn uniformly with replacement from `next()` ∈ [0, 1). */
export function bootstrapRows(n: number, next: () => number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.min(n - 1, Math.floor(next() * n)));
}
