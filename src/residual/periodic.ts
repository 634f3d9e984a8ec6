// {periodic: v}: every unknown, and its derivatives along v below the order in which the
// equations differentiate it along v, takes the same values at both ends of v. (For u_t = u_xx on
// a periodic x that is u and u_x: values alone leave a second-order problem under-determined.)

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Problem } from "../problem/types.js";
import type { FieldEvaluator } from "./fields.js";
import { withCoordinate } from "./point-sets.js";

/** The fields a periodic condition along `variable` matches: ∂^j_v u_k for j below the equations' order. */
export function periodicFields(problem: Problem, variable: number): { unknown: number; order: number; field: Sym }[] {
  return problem.unknowns.flatMap((_, k) => {
    let order = 1;
    for (const eq of problem.equations) {
      for (const f of S.fieldAtoms(eq.residual)) if (f.unknown === k) order = Math.max(order, f.alpha[variable] ?? 0);
    }
    return Array.from({ length: order }, (_, j) => {
      const alpha = new Array<number>(variable + 1).fill(0);
      alpha[variable] = j;
      return { unknown: k, order: j, field: S.field(k, alpha) };
    });
  });
}

/** Values at the low end minus values at the high end, for points given at the low end. */
export function periodicDifferences(evaluator: FieldEvaluator, points: Float64Array, dims: number, variable: number, hi: number): Tensor[] {
  const lo = evaluator.evaluate(points);
  const high = evaluator.evaluate(withCoordinate(points, dims, variable, hi));
  return lo.map((t, i) => ops.sub(t, high[i]!));
}
