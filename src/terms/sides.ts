// Each kind of condition as pairs of quantities that must agree at its points — the one form that
// every consumer reads (the training term, `pinn check`, the enforcement check of trial forms), so
// that no consumer switches on a condition's kind:
//   point      u(…) = g:            the pair (LHS, RHS) on the condition's set;
//   periodic   along v:             each matched field (periodicFields) at the low end and at the
//                                  same points moved to the high end.
// Adding a kind of condition: one entry in CONDITION_SIDES (and its builder in index.ts).

import type { Sym } from "../expressions/symbolic.js";
import * as S from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import type { Condition, Problem } from "../problem/types.js";
import { periodicLocations } from "../residual/point-sets.js";
import { periodicFields, periodicPairs } from "./periodic.js";
import type { TermKind } from "./term.js";

export interface ConditionSides {
  /** The kind of loss term it becomes. */
  readonly kind: TermKind;
  /** Where its points lie. */
  readonly location: Location;
  /** The unknowns it involves. */
  readonly unknowns: ReadonlySet<number>;
  /** The expressions to evaluate (by any evaluator: exact solutions, a network, …). */
  readonly exprs: readonly Sym[];
  /**
   * The pairs (a, b) that must agree, from `at` (the values of `exprs` at some points) and points
   * drawn at `location`.
   */
  pairs<T>(at: (points: Float64Array) => T[], points: Float64Array): [T, T][];
}

type SidesOf = { [K in Condition["kind"]]: (problem: Problem, c: Extract<Condition, { kind: K }>) => ConditionSides };

export const CONDITION_SIDES: SidesOf = {
  point: (_problem, c) => ({
    kind: "condition",
    location: c.location,
    unknowns: S.unknownsOf(c.residual),
    exprs: [c.lhs, c.rhs],
    pairs: (at, points) => {
      const [l, r] = at(points);
      return [[l!, r!]];
    },
  }),
  periodic: (problem, c) => {
    const dims = problem.variables.length;
    const hi = problem.bounds[c.variable]![1];
    return {
      kind: "periodic",
      location: periodicLocations(dims, c.variable, problem.bounds)[0],
      unknowns: new Set(problem.unknowns.map((_, k) => k)),
      exprs: periodicFields(problem, c.variable).map((f) => f.field),
      pairs: (at, points) => periodicPairs(at, points, dims, c.variable, hi),
    };
  },
};

export function conditionSides(problem: Problem, c: Condition): ConditionSides {
  return (CONDITION_SIDES[c.kind] as (problem: Problem, c: Condition) => ConditionSides)(problem, c);
}
