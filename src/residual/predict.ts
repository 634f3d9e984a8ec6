// Evaluate the trained unknowns (and exact solutions) on arbitrary points, outside any graph.

import { noGrad } from "../engine/state.js";
import { evaluatePoints } from "../expressions/evaluate.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Problem } from "../problem/types.js";
import type { PinnNetwork } from "./network.js";
import { TaylorFields, unknownForms } from "./fields.js";

/** u_k at every point (row-major n × d), one array per unknown; `outputScale` as in training. */
export function predictUnknowns(problem: { unknowns: readonly string[]; trial: readonly ({ expr: Sym } | null)[] }, network: PinnNetwork, points: Float64Array, outputScale?: readonly number[]): Float64Array[] {
  return noGrad(() => {
    const fields = problem.unknowns.map((_, k) => S.field(k, []));
    return new TaylorFields(network, unknownForms(problem.trial, outputScale), fields).evaluate(points).map((t) => Float64Array.from(t.data));
  });
}

/** The exact solution of each unknown at every point (null where none is given). */
export function exactValues(problem: Problem, points: Float64Array): (Float64Array | null)[] {
  return problem.exact.map((e) => (e === null ? null : noGrad(() => evaluatePoints(e.expr, points, problem.variables.length))));
}
