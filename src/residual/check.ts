// `pinn check`: verify that the exact solutions given in a problem file satisfy every equation and
// condition, using the engine's reverse mode for their derivatives. A typo in an equation, a sign
// or a boundary value shows up here, before any training.

import { Rng } from "../engine/random.js";
import type { Problem, Source } from "../problem/types.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import { exactFields } from "./fields.js";
import { PointSet, interiorLocation, periodicLocations, withCoordinate } from "./point-sets.js";
import { periodicFields } from "../terms/periodic.js";

export interface CheckItem {
  kind: "equation" | "condition" | "periodic";
  source: Source;
  /** Largest |LHS − RHS| over the check points. */
  maxResidual: number;
  /** Scale the residual is compared with: 1 + max |LHS| + max |RHS|. */
  scale: number;
  ok: boolean;
  /** Set when the item could not be checked (an unknown without exact solution). */
  skipped?: string;
}

export interface CheckReport {
  items: CheckItem[];
  ok: boolean;
}

const CHECK_POINTS = 256;
const RELATIVE_TOLERANCE = 1e-8;

export function checkExactSolution(problem: Problem): CheckReport {
  const dims = problem.variables.length;
  const rng = new Rng(problem.training.seed);
  const exact = problem.exact.map((e) => e?.expr ?? null);
  const missing = (s: Sym): string | undefined => {
    const names = [...S.unknownsOf(s)].filter((k) => exact[k] === null).map((k) => problem.unknowns[k]);
    return names.length > 0 ? `no exact solution for ${names.join(", ")}` : undefined;
  };
  const forms = exact.map((e) => e ?? S.ZERO);
  const items: CheckItem[] = [];
  const measure = (kind: CheckItem["kind"], source: Source, lhs: Float64Array, rhs: Float64Array): CheckItem => {
    let maxResidual = 0;
    let scale = 1;
    for (let i = 0; i < lhs.length; i++) {
      const r = Math.abs(lhs[i]! - rhs[i]!);
      maxResidual = Number.isNaN(r) ? NaN : Math.max(maxResidual, r);
      scale = Math.max(scale, 1 + Math.abs(lhs[i]!) + Math.abs(rhs[i]!));
    }
    return { kind, source, maxResidual, scale, ok: maxResidual <= RELATIVE_TOLERANCE * scale };
  };
  const sides = (l: Sym, r: Sym, location: Location): [Float64Array, Float64Array] => {
    const points = new PointSet(dims, problem.bounds, location, CHECK_POINTS, "random", true, rng.fork()).next();
    const [a, b] = exactFields(dims, forms, [l, r]).evaluate(points);
    return [a!.data, b!.data];
  };

  for (const eq of problem.equations) {
    const skipped = missing(eq.residual);
    if (skipped) {
      items.push({ kind: "equation", source: eq.source, maxResidual: NaN, scale: 1, ok: true, skipped });
      continue;
    }
    const [l, r] = sides(eq.lhs, eq.rhs, interiorLocation(dims));
    items.push(measure("equation", eq.source, l, r));
  }
  for (const c of problem.conditions) {
    if (c.kind === "periodic") {
      if (exact.some((e) => e === null)) {
        items.push({ kind: "periodic", source: c.source, maxResidual: NaN, scale: 1, ok: true, skipped: "not every unknown has an exact solution" });
        continue;
      }
      const [lo, hi] = periodicLocations(dims, c.variable, problem.bounds);
      const points = new PointSet(dims, problem.bounds, lo, CHECK_POINTS, "random", true, rng.fork()).next();
      const hiValue = (hi[c.variable] as { value: number }).value;
      const evaluator = exactFields(dims, forms, periodicFields(problem, c.variable).map((f) => f.field));
      const a = evaluator.evaluate(points);
      const b = evaluator.evaluate(withCoordinate(points, dims, c.variable, hiValue));
      const worst = a.map((t, k) => measure("periodic", c.source, t.data, b[k]!.data)).sort((x, y) => y.maxResidual / y.scale - x.maxResidual / x.scale)[0]!;
      items.push(worst);
      continue;
    }
    const skipped = missing(c.residual);
    if (skipped) {
      items.push({ kind: "condition", source: c.source, maxResidual: NaN, scale: 1, ok: true, skipped });
      continue;
    }
    const [l, r] = sides(c.lhs, c.rhs, c.location);
    items.push(measure("condition", c.source, l, r));
  }
  return { items, ok: items.every((i) => i.ok) };
}
