// Only a variable named t is time to pinn (Problem.timeVariable): the causal curriculum, time-marching
// windows, snapshot plots and the verdict's tighter limit for problems evolving from initial data all key
// on the name. A file that calls its time s or tau gets none of them, silently: Raissi's Allen–Cahn
// problem written from the contract ended at a relative error of 6.2e-3 with t and 0.99 with s.
// This warns when exactly one variable looks like time.

import type { Problem } from "./types.js";

/**
 * Index of the one variable that looks like time — a condition fixes it at its lower end with every
 * other variable free (an initial condition), no condition fixes it at its upper end, and it is not
 * periodic — when the problem has two or more variables and none is named t; otherwise null.
 */
export function timeLikeVariable(problem: Problem): number | null {
  const { variables, bounds, conditions } = problem;
  if (variables.length < 2 || variables.includes("t")) return null;
  const candidates: number[] = [];
  variables.forEach((_, i) => {
    const [lo, hi] = bounds[i]!;
    let initial = false;
    let final = false;
    for (const c of conditions) {
      if (c.kind === "periodic" && c.variable === i) final = true;
      if (c.kind !== "point") continue;
      const at = c.location[i]!;
      if (at.free) continue;
      if (at.value === hi) final = true;
      if (at.value === lo && c.location.every((a, j) => j === i || a.free)) initial = true;
    }
    if (initial && !final) candidates.push(i);
  });
  return candidates.length === 1 ? candidates[0]! : null;
}

/** Adds the warning to `problem.warnings` when a variable looks like time but is not named t. */
export function warnTimeNotNamedT(problem: Problem): void {
  const i = timeLikeVariable(problem);
  if (i === null) return;
  const v = problem.variables[i]!;
  const [lo, hi] = problem.bounds[i]!;
  problem.warnings.push({
    position: problem.conditions.find((c) => c.kind === "point" && !c.location[i]!.free)?.source.position,
    message:
      `"${v}" looks like time (a condition at ${v} = ${lo} over the other variables, none at ${v} = ${hi}), but pinn treats only a variable named t as time: ` +
      `training in the order of time (causal weights, time-marching windows), the snapshot plots and the verdict's tighter limit for problems evolving from initial data are off`,
    hint: `if ${v} is time, rename it t (in domain, the equations, the conditions and any CSV header)`,
  });
}
