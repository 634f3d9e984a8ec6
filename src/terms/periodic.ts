// {periodic: v}: every unknown, and its derivatives along v below the order in which the
// equations differentiate it along v, takes the same values at both ends of v. (For u_t = u_xx on
// a periodic x that is u and u_x: values alone leave a second-order problem under-determined.)
// The points are drawn at the low end; the same points mirrored to the high end give the other side.

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { PeriodicCondition, Problem } from "../problem/types.js";
import type { FieldEvaluator } from "../residual/fields.js";
import { periodicLocations, withCoordinate } from "../residual/point-sets.js";
import { LocatedPoints } from "./located-points.js";
import { TermGroup, type PointBatch, type TermContext } from "./term.js";

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

/** (value at the points, value at the same points moved to v = hi), per matched quantity: the points are given at the low end. */
export function periodicPairs<T>(at: (points: Float64Array) => T[], points: Float64Array, dims: number, variable: number, hi: number): [T, T][] {
  const lo = at(points);
  const high = at(withCoordinate(points, dims, variable, hi));
  return lo.map((t, i) => [t, high[i]!]);
}

/** Values at the low end minus values at the high end, for points given at the low end. */
export function periodicDifferences(evaluator: FieldEvaluator, points: Float64Array, dims: number, variable: number, hi: number): Tensor[] {
  return periodicPairs((p) => evaluator.evaluate(p), points, dims, variable, hi).map(([a, b]) => ops.sub(a, b));
}

export class PeriodicTerm extends TermGroup {
  private readonly evaluator: FieldEvaluator;
  private readonly hi: number;
  private readonly dims: number;
  /** Each row is one pair: a point at the low end (the batch holds those) and the same point moved to the high end. */
  override readonly rowwise = true;

  constructor(
    ctx: TermContext,
    private readonly condition: PeriodicCondition,
  ) {
    const { problem, scaling, outputScale } = ctx;
    const v = condition.variable;
    const [lo] = periodicLocations(problem.variables.length, v, problem.bounds);
    super(new LocatedPoints(ctx, lo, condition.points ?? problem.training.boundaryPoints), [
      { kind: "periodic", source: condition.source, weight: condition.weight, unknowns: problem.unknowns.map((_, k) => k), scale: 1 },
    ]);
    const [a, b] = problem.bounds[v]!;
    this.hi = b;
    this.dims = problem.variables.length;
    // Each matched quantity in units of its natural size U_k/ℓ^j, ℓ = (b − a)/π.
    this.evaluator = ctx.fields(
      periodicFields(problem, v).map(({ unknown, order, field }) => S.mul(S.num(scaling ? ((b - a) / Math.PI) ** order / outputScale[unknown]! : 1), field)),
    );
  }

  residuals(batch: PointBatch): Tensor[] {
    return [ops.concat(periodicDifferences(this.evaluator, batch.x, this.dims, this.condition.variable, this.hi), 1)];
  }
}
