// Which conditions a trial form satisfies by construction: the condition's residual vanishes for
// any network. Checked numerically with a few random networks (random biases, so no accidental
// symmetry such as N(0) = 0) at random points of the condition's set.

import { Rng } from "../engine/random.js";
import { noGrad } from "../engine/state.js";
import type { Condition, Problem } from "../problem/types.js";
import type { ProblemIssue } from "../problem/errors.js";
import { PinnNetwork, networkFeatures } from "./network.js";
import { TaylorFields, unknownForms } from "./fields.js";
import { conditionSides } from "../terms/sides.js";

const PROBES = 3;
const PROBE_POINTS = 16;
const RELATIVE_TOLERANCE = 1e-9;

export type ConditionStatus = "enforced" | "impossible" | "penalty";

/** True when `condition` holds for every network, given the problem's trial forms. */
export function enforcedByTrial(problem: Problem, condition: Condition): boolean {
  return classifyCondition(problem, condition) === "enforced";
}

/**
 * How the trial forms treat a condition: "enforced" when its residual vanishes for every network,
 * "impossible" when the residual is the same non-zero function for every network (the trial form
 * fixes the value to something else), "penalty" otherwise (it must be trained).
 */
export function classifyCondition(problem: Problem, condition: Condition): ConditionStatus {
  const forms = unknownForms(problem.trial);
  const sides = conditionSides(problem, condition);
  // A periodic embedding of the variable makes the network periodic by construction: checked below.
  const embedded = condition.kind === "periodic" && networkFeatures(problem)?.periodicIn(condition.variable, problem.bounds[condition.variable]) === true;
  if (!embedded && ![...sides.unknowns].some((k) => problem.trial[k] !== null)) return "penalty";
  const rng = new Rng(12345);
  // The condition's points (on a boundary part, carrying the normals).
  const batch = sides.sample(PROBE_POINTS, rng.fork());
  const residuals: [Float64Array, Float64Array][][] = noGrad(() =>
    Array.from({ length: PROBES }, (_, p) => {
      const network = new PinnNetwork(problem.bounds, problem.unknowns.length, { hidden: [12, 12], activation: p % 2 === 0 ? "tanh" : "sigmoid", init: "uniform" }, rng.fork(), networkFeatures(problem));
      const evaluator = new TaylorFields(network, forms, [...sides.exprs]);
      return sides.pairs((x, attrs) => evaluator.evaluate(x, attrs), batch).map(([a, b]) => [a.data, b.data] as [Float64Array, Float64Array]);
    }),
  );
  if (residuals.every((pairs) => negligible(pairs))) return "enforced";
  // The same residual for every network: the trial forms decide it, and not in the condition's favour.
  const difference = (pairs: [Float64Array, Float64Array][]): Float64Array[] => pairs.map(([a, b]) => a.map((v, i) => v - b[i]!));
  const first = difference(residuals[0]!);
  const same = residuals.slice(1).every((pairs) => negligible(difference(pairs).map((d, k) => [d, first[k]!])));
  return same ? "impossible" : "penalty";
}

/** |a − b| ≤ tol·(1 + max|a| + max|b|) for every pair of arrays. */
function negligible(pairs: [Float64Array, Float64Array][]): boolean {
  for (const [a, b] of pairs) {
    let scale = 1;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) return false;
      scale = Math.max(scale, Math.abs(a[i]!), Math.abs(b[i]!));
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    }
    if (diff > RELATIVE_TOLERANCE * scale) return false;
  }
  return true;
}

/** The error for a condition that the trial forms make impossible. */
export function impossibleIssue(c: Condition): ProblemIssue {
  return {
    message: `the condition "${c.source.text}" cannot hold: the trial form gives the same, different value for every network`,
    position: c.source.position,
    hint: "change the trial form (or the condition) so that they agree, e.g. for u(0) = 1 use a trial such as 1 + x*N",
  };
}
