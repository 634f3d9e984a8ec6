// Which conditions a trial form satisfies by construction: the condition's residual vanishes for
// any network. Checked numerically with a few random networks (random biases, so no accidental
// symmetry such as N(0) = 0) at random points of the condition's set.

import { Rng } from "../engine/random.js";
import { noGrad } from "../engine/state.js";
import type { Condition, Problem } from "../problem/types.js";
import type { Sym } from "../expressions/symbolic.js";
import { PinnNetwork } from "./network.js";
import { TaylorFields, unknownForms } from "./fields.js";
import { PointSet, periodicLocations, withCoordinate } from "./point-sets.js";
import * as S from "../expressions/symbolic.js";

const PROBES = 3;
const PROBE_POINTS = 16;
const RELATIVE_TOLERANCE = 1e-9;

function involvedUnknowns(s: Sym, out = new Set<number>()): Set<number> {
  if (s.kind === "field") out.add(s.unknown);
  if ("a" in s) involvedUnknowns(s.a, out);
  if ("b" in s) involvedUnknowns(s.b, out);
  return out;
}

/** True when `condition` holds for every network, given the problem's trial forms. */
export function enforcedByTrial(problem: Problem, condition: Condition): boolean {
  const forms = unknownForms(problem.trial);
  const involved = condition.kind === "periodic" ? new Set(problem.unknowns.map((_, k) => k)) : involvedUnknowns(condition.residual);
  if (![...involved].some((k) => problem.trial[k] !== null)) return false;
  const dims = problem.variables.length;
  const rng = new Rng(12345);
  return noGrad(() => {
    for (let p = 0; p < PROBES; p++) {
      const network = new PinnNetwork(problem.bounds, problem.unknowns.length, { hidden: [12, 12], activation: p % 2 === 0 ? "tanh" : "sigmoid", init: "uniform" }, rng.fork());
      if (condition.kind === "periodic") {
        const [lo, hi] = periodicLocations(dims, condition.variable, problem.bounds);
        const points = new PointSet(dims, problem.bounds, lo, PROBE_POINTS, "random", true, rng.fork()).next();
        const fields = problem.unknowns.map((_, k) => S.field(k, []));
        const evaluator = new TaylorFields(network, forms, fields);
        const a = evaluator.evaluate(points);
        const hiValue = (hi[condition.variable] as { value: number }).value;
        const b = evaluator.evaluate(withCoordinate(points, dims, condition.variable, hiValue));
        if (!negligible(a.map((t, k) => [t.data, b[k]!.data]))) return false;
      } else {
        const points = new PointSet(dims, problem.bounds, condition.location, PROBE_POINTS, "random", true, rng.fork()).next();
        const [lhs, rhs] = new TaylorFields(network, forms, [condition.lhs, condition.rhs]).evaluate(points);
        if (!negligible([[lhs!.data, rhs!.data]])) return false;
      }
    }
    return true;
  });
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
