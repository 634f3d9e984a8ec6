// Each kind of condition as pairs of quantities that must agree at its points — the one form that
// `pinn check` and the enforcement check of trial forms read, so that neither switches on a
// condition's kind:
//   point      u(…) = g:            the pair (LHS, RHS) on the condition's set;
//   part       … on a boundary part: the pair (LHS, RHS) on the part, the points carrying the
//                                  outward normals as attributes;
//   periodic   along v:             each matched field (periodicFields) at the low end and at the
//                                  same points moved to the high end.
// Adding a kind of condition: one entry in CONDITION_SIDES (the mapped type fails the type-check
// until it exists) and its builder in index.ts.

import type { Sym } from "../expressions/symbolic.js";
import * as S from "../expressions/symbolic.js";
import type { Rng } from "../engine/random.js";
import type { Condition, Problem } from "../problem/types.js";
import { PointSet, periodicLocations } from "../residual/point-sets.js";
import { periodicFields, periodicPairs } from "./periodic.js";
import { partSample } from "./boundary-part.js";
import type { PointBatch, TermKind } from "./term.js";

export interface ConditionSides {
  /** The kind of loss term it becomes. */
  readonly kind: TermKind;
  /** The unknowns it involves. */
  readonly unknowns: ReadonlySet<number>;
  /** LHS − RHS where the condition has one (not for a periodic condition). */
  readonly residual: Sym | null;
  /** The expressions to evaluate (by any evaluator: exact solutions, a network, …). */
  readonly exprs: readonly Sym[];
  /** `count` random points of the condition (and their attributes, if any). */
  sample(count: number, rng: Rng): PointBatch;
  /** The pairs (a, b) that must agree, from `at` (the values of `exprs` at points) and a sample. */
  pairs<T>(at: (x: Float64Array, attrs: Float64Array | null) => T[], batch: PointBatch): [T, T][];
}

type SidesOf = { [K in Condition["kind"]]: (problem: Problem, c: Extract<Condition, { kind: K }>) => ConditionSides };

function lhsRhs<T>(at: (x: Float64Array, attrs: Float64Array | null) => T[], batch: PointBatch): [T, T][] {
  const [l, r] = at(batch.x, batch.attrs);
  return [[l!, r!]];
}

export const CONDITION_SIDES: SidesOf = {
  point: (problem, c) => ({
    kind: "condition",
    unknowns: S.unknownsOf(c.residual),
    residual: c.residual,
    exprs: [c.lhs, c.rhs],
    sample: (count, rng) => ({
      x: new PointSet(problem.variables.length, problem.domain ?? problem.bounds, c.location, count, "random", true, rng).next(),
      attrs: null,
    }),
    pairs: lhsRhs,
  }),
  part: (problem, c) => ({
    kind: "condition",
    unknowns: S.unknownsOf(c.residual),
    residual: c.residual,
    exprs: [c.lhs, c.rhs],
    sample: (count, rng) => partSample(problem, c.part, count, rng, [c.lhs, c.rhs]),
    pairs: lhsRhs,
  }),
  periodic: (problem, c) => {
    const dims = problem.variables.length;
    const hi = problem.bounds[c.variable]![1];
    const lo = periodicLocations(dims, c.variable, problem.bounds)[0];
    return {
      kind: "periodic",
      unknowns: new Set(problem.unknowns.map((_, k) => k)),
      residual: null,
      exprs: periodicFields(problem, c.variable).map((f) => f.field),
      sample: (count, rng) => ({ x: new PointSet(dims, problem.domain ?? problem.bounds, lo, count, "random", true, rng).next(), attrs: null }),
      pairs: (at, batch) => periodicPairs((x) => at(x, null), batch.x, dims, c.variable, hi),
    };
  },
};

export function conditionSides(problem: Problem, c: Condition): ConditionSides {
  return (CONDITION_SIDES[c.kind] as (problem: Problem, c: Condition) => ConditionSides)(problem, c);
}
