// A problem whose unknown appears only through its derivatives — in every equation and every
// condition, with no trial form and no data fixing its values — is solved by u + c for every
// constant c (a pure-Neumann Poisson problem, u'' = f with u'(0) and u'(1) given). Training then
// settles on one of them, the residuals are small and the verdict says so, while the error against
// an exact solution carries an arbitrary constant (a problem written from the contract: rel. L2
// error 0.24, verdict "solved"). Warned about when the file is read, as is an under-determined system.

import * as S from "../expressions/symbolic.js";
import type { Problem } from "./types.js";

/** The indices of the unknowns that only derivatives of order ≥ 1 involve anywhere in the problem. */
export function shiftInvariantUnknowns(problem: Problem): number[] {
  const valueUsed = new Set<number>();
  const note = (s: S.Sym): void => {
    for (const f of S.fieldAtoms(s)) if (f.alpha.every((a) => a === 0)) valueUsed.add(f.unknown);
  };
  for (const e of problem.equations) note(e.residual);
  for (const c of problem.conditions) if (c.kind !== "periodic") note(c.residual);
  for (const d of problem.data ?? []) for (const o of d.observed) valueUsed.add(o.unknown);
  return problem.unknowns.flatMap((_, k) => (valueUsed.has(k) || problem.trial[k] !== null ? [] : [k]));
}

/** Adds the warning to `problem.warnings` for each such unknown. */
export function warnShiftInvariant(problem: Problem): void {
  for (const k of shiftInvariantUnknowns(problem)) {
    const u = problem.unknowns[k]!;
    problem.warnings.push({
      position: problem.equations[0]?.source.position,
      message:
        `"${u}" appears only through its derivatives in every equation and condition, so ${u} + c solves the problem for every constant c: ` +
        `the solution is not unique (pinn returns one of them; an error against an exact solution includes an arbitrary constant)`,
      hint: `fix ${u}'s value somewhere: a condition such as ${u}(${problem.variables.map((v, i) => (i === 0 ? String(problem.bounds[0]![0]) : v)).join(", ")}) = ..., data, or a trial form`,
    });
  }
}
