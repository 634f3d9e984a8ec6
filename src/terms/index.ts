// The registry of term kinds: how each item of a problem becomes loss terms. The model builds the
// equations' group first, then one group per trained condition, in the file's order (so the random
// stream is forked in a fixed order and a seed gives the same points).

import type { Condition, Problem } from "../problem/types.js";
import { interiorLocation } from "../residual/point-sets.js";
import { LocatedPoints } from "./located-points.js";
import { PeriodicTerm } from "./periodic.js";
import { SymbolicTerms } from "./symbolic-terms.js";
import { partTerms } from "./boundary-part.js";
import type { TermContext, TermGroup } from "./term.js";
import * as S from "../expressions/symbolic.js";
import { dataTerms } from "./data.js";

export type { LossTerm, TermKind, TermSpec, PointBatch, PointSource, TermContext } from "./term.js";
export { TermGroup } from "./term.js";
export { SymbolicTerms } from "./symbolic-terms.js";
export { PeriodicTerm, periodicFields, periodicDifferences } from "./periodic.js";
export { LocatedPoints } from "./located-points.js";
export { CONDITION_SIDES, conditionSides, type ConditionSides } from "./sides.js";
export { FixedPoints } from "./fixed-points.js";
export { dataTerms, bootstrapRows } from "./data.js";

/** Every equation on the interior: one group, one term each. */
export function equationTerms(ctx: TermContext): TermGroup {
  const { problem } = ctx;
  const at = interiorLocation(problem.variables.length);
  const points = new LocatedPoints(ctx, at, problem.training.points);
  const specs = problem.equations.map((e) => ({
    kind: "equation" as const,
    source: e.source,
    weight: e.weight,
    unknowns: [...S.unknownsOf(e.residual)].sort((a, b) => a - b),
    scale: ctx.scaleOf(e.residual, at),
  }));
  return new SymbolicTerms(ctx, points, specs, problem.equations.map((e) => e.residual));
}

/** One builder per kind of condition: adding a kind of condition adds an entry here. */
export const CONDITION_TERMS: { [K in Condition["kind"]]: (ctx: TermContext, condition: Extract<Condition, { kind: K }>) => TermGroup } = {
  point: (ctx, c) => {
    const spec = {
      kind: "condition" as const,
      source: c.source,
      weight: c.weight,
      unknowns: [...S.unknownsOf(c.residual)].sort((a, b) => a - b),
      scale: ctx.scaleOf(c.residual, c.location),
    };
    return new SymbolicTerms(ctx, new LocatedPoints(ctx, c.location, c.points ?? ctx.problem.training.boundaryPoints), [spec], [c.residual]);
  },
  periodic: (ctx, c) => new PeriodicTerm(ctx, c),
  part: partTerms,
};

export function conditionTerms(ctx: TermContext, condition: Condition): TermGroup {
  return (CONDITION_TERMS[condition.kind] as (ctx: TermContext, c: Condition) => TermGroup)(ctx, condition);
}

/** All of a problem's groups, given which conditions are trained (`override`: a group in place of a condition's usual one, null for the usual). */
export function buildTermGroups(ctx: TermContext, trained: (c: Condition) => boolean, problem: Problem = ctx.problem, override?: (ctx: TermContext, c: Condition) => TermGroup | null): TermGroup[] {
  return [
    equationTerms(ctx),
    ...problem.conditions.filter(trained).map((c) => override?.(ctx, c) ?? conditionTerms(ctx, c)),
    ...(problem.data ?? []).map((set, i) => dataTerms(ctx, set, ctx.dataRows?.[i] ?? null)),
  ];
}
