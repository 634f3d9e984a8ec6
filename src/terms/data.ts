// Data misfit terms: for one data set (problem/data.ts), one term per observed unknown,
//   mean_i ((u_k(x_i) − d_i) / s_k)²
// on the set's fixed points, the observed values d_i being per-point attributes (read by the
// fused kernel like any variable). s_k is the term's scale: the unknown's output scale or the
// data's RMS, whichever is larger, so that the misfit is relative to the values observed (1 when
// scaling is off). An ensemble member may train on a bootstrap resample of the rows.

import * as S from "../expressions/symbolic.js";
import type { DataSet } from "../problem/types.js";
import { attributeVariable } from "../residual/fields.js";
import { FixedPoints } from "./fixed-points.js";
import { SymbolicTerms } from "./symbolic-terms.js";
import type { TermContext, TermGroup, TermSpec } from "./term.js";

/** The terms of one data set (rows: the rows to train on, all when null). */
export function dataTerms(ctx: TermContext, set: DataSet, rows: Int32Array | null): TermGroup {
  const dims = ctx.problem.variables.length;
  const total = set.points.length / dims;
  const chosen = rows ?? Int32Array.from({ length: total }, (_, i) => i);
  const n = chosen.length;
  const m = set.observed.length;
  const x = new Float64Array(n * dims);
  const attrs = new Float64Array(n * m);
  chosen.forEach((r, i) => {
    x.set(set.points.subarray(r * dims, (r + 1) * dims), i * dims);
    set.observed.forEach((o, j) => (attrs[i * m + j] = o.values[r]!));
  });
  const specs: TermSpec[] = set.observed.map((o) => {
    const rms = Math.sqrt(o.values.reduce((a, v) => a + v * v, 0) / Math.max(1, o.values.length));
    const s = ctx.scaling ? Math.max(ctx.outputScale[o.unknown] ?? 1, rms) : 1;
    return {
      kind: "data" as const,
      source: { ...set.source, text: `${ctx.problem.unknowns[o.unknown]} = ${set.source.text}` },
      weight: set.weight,
      unknowns: [o.unknown],
      scale: s > 0 && Number.isFinite(s) ? s : 1,
    };
  });
  const residuals = set.observed.map((o, j) => S.sub(S.field(o.unknown, []), attributeVariable(dims, j)));
  return new SymbolicTerms(ctx, new FixedPoints(x, dims, attrs), specs, residuals);
}

/** Bootstrap: n row indices drawn uniformly with replacement from `next()` ∈ [0, 1). */
export function bootstrapRows(n: number, next: () => number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.min(n - 1, Math.floor(next() * n)));
}
