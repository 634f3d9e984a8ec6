// Which variable is time (Problem.timeVariable). The causal curriculum, time-marching windows,
// snapshot plots, growth-rate checks and the verdict's tighter limit for problems evolving from
// initial data all follow it. The contract never says time must be named t, and files written from it
// call it s, tau or time: Raissi's Allen–Cahn problem with its time called s ended at a relative error
// of 0.99 when only t was time (6.2e-3 with t). So: t when the domain has it; otherwise the one
// variable the conditions mark as time — an initial condition at its lower end, none at its upper end —
// provided the equations evolve in it (a derivative in it, and not an elliptic equation in it: a
// steady problem must not become an evolution problem). The contract has no key to say "this is
// not time"; a file in doubt names its time t (which then wins).

import type { Condition, Equation, Problem } from "./types.js";
import type { ProblemIssue } from "./errors.js";
import * as S from "../expressions/symbolic.js";
import { evaluatePoints } from "../expressions/evaluate.js";

export interface TimeChoice {
  /** Index of the time variable, or null for a steady problem. */
  variable: number | null;
  /** Why, in words, for the run's output ("initial condition at s = 0, none at s = 1"); null without time. */
  why: string | null;
  /** When a variable looks like time but is not taken as time (ambiguous, or a problem with a region). */
  warning: ProblemIssue | null;
}

interface TimeInputs {
  variables: readonly string[];
  bounds: readonly (readonly [number, number])[];
  conditions: readonly Condition[];
  equations: readonly Equation[];
  /** The problem has a region (shapes): its spatial variables are those other than t (contract, "Regions"). */
  region: boolean;
}

/** The time variable of a problem (see the file comment), with the reason and any warning. */
export function chooseTimeVariable(p: TimeInputs): TimeChoice {
  const none: TimeChoice = { variable: null, why: null, warning: null };
  if (p.variables.length < 2) return none;
  const named = p.variables.indexOf("t");
  if (named >= 0) return { variable: named, why: "named t", warning: null };
  const marked = markedByConditions(p);
  const evolving = marked.filter((i) => evolvesIn(p, i));
  if (evolving.length === 0) return none;
  const names = evolving.map((i) => p.variables[i]!);
  const position = p.conditions.find((c) => c.kind === "point" && !c.location[evolving[0]!]!.free)?.source.position;
  if (evolving.length > 1) {
    return {
      ...none,
      warning: {
        position,
        message: `${names.join(" and ")} each have an initial condition at their lower end and none at their upper end, so which is time is not clear: pinn treats neither as time (no causal training, time-marching or snapshot plots)`,
        hint: "if one of them is time, name it t (in domain, the equations, the conditions and any CSV header)",
      },
    };
  }
  const i = evolving[0]!;
  const v = names[0]!;
  const [lo, hi] = p.bounds[i]!;
  if (p.region) {
    return {
      ...none,
      warning: {
        position,
        message: `"${v}" looks like time (${why(v, lo, hi)}), but in a problem with a region only a variable named t is time: the region's spatial variables are the domain's variables other than t`,
        hint: `if ${v} is time, name it t (in domain, the equations, the conditions and any CSV header)`,
      },
    };
  }
  return { variable: i, why: why(v, lo, hi), warning: null };
}

function why(v: string, lo: number, hi: number): string {
  return `initial condition at ${v} = ${lo}, none at ${v} = ${hi}`;
}

/**
 * Variables the conditions mark as time: a point condition fixes the variable at its lower end with
 * every other variable free (an initial condition), no condition fixes it at its upper end, and it is
 * not periodic.
 */
function markedByConditions(p: TimeInputs): number[] {
  const out: number[] = [];
  p.variables.forEach((_, i) => {
    const [lo, hi] = p.bounds[i]!;
    let initial = false;
    let final = false;
    for (const c of p.conditions) {
      if (c.kind === "periodic" && c.variable === i) final = true;
      if (c.kind !== "point") continue;
      const at = c.location[i]!;
      if (at.free) continue;
      if (at.value === hi) final = true;
      if (at.value === lo && c.location.every((a, j) => j === i || a.free)) initial = true;
    }
    if (initial && !final) out.push(i);
  });
  return out;
}

/**
 * Whether the equations evolve in variable i: some equation has a derivative in it, and none is
 * elliptic in it — ∂_i² u_k and another pure second derivative ∂_j² u_k of the same unknown with
 * coefficients of the same sign (u_xx + u_yy = 0 with u and u_x given at x = 0 is a Cauchy problem
 * for a steady equation, not an evolution in x; u_tt − c²u_xx = 0 is a wave).
 */
function evolvesIn(p: TimeInputs, i: number): boolean {
  const residuals = p.equations.map((e) => e.residual);
  if (!residuals.some((r) => S.fieldAtoms(r).some((a) => (a.alpha[i] ?? 0) > 0))) return false;
  const dims = p.variables.length;
  const points = latticePoints(p.bounds);
  for (const r of residuals) {
    const atoms = S.fieldAtoms(r);
    for (const top of atoms.filter((a) => isPureSecond(a.alpha, i))) {
      const ci = coefficient(r, top, dims, points);
      if (ci === null) continue;
      for (const other of atoms.filter((a) => a.unknown === top.unknown && a !== top && p.variables.some((_, j) => j !== i && isPureSecond(a.alpha, j)))) {
        const cj = coefficient(r, other, dims, points);
        if (cj !== null && ci.every((c, n) => c * cj[n]! > 0)) return false;
      }
    }
  }
  return true;
}

function isPureSecond(alpha: readonly number[], i: number): boolean {
  return (alpha[i] ?? 0) === 2 && alpha.every((c, j) => j === i || c === 0);
}

/**
 * ∂r/∂atom at the points, with every unknown's value and derivative set to 0 there (the coefficient
 * of a linear equation; a nonlinear one's about u = 0); null when it involves a learned parameter
 * or is not finite.
 */
function coefficient(r: S.Sym, atom: S.Sym, dims: number, points: Float64Array): number[] | null {
  const y = S.variable(dims);
  const d = S.diff(S.substitute(r, (a) => (a === atom ? y : undefined)), dims);
  const c = S.substitute(d, (a) => (a.kind === "field" || a === y ? S.ZERO : undefined));
  if (S.topologicalNodes([c]).some((n) => n.kind === "param" || n.kind === "net")) return null;
  const values = [...evaluatePoints(c, points, dims)];
  return values.every(Number.isFinite) ? values : null;
}

/** A 5-per-side lattice inside the box (interior points: coefficients such as 1/x stay finite). */
function latticePoints(bounds: readonly (readonly [number, number])[]): Float64Array {
  const per = 5;
  const dims = bounds.length;
  const count = per ** dims;
  const out = new Float64Array(count * dims);
  for (let n = 0; n < count; n++) {
    let rest = n;
    for (let j = 0; j < dims; j++) {
      const [lo, hi] = bounds[j]!;
      out[n * dims + j] = lo + ((rest % per) + 0.5) / per * (hi - lo);
      rest = Math.floor(rest / per);
    }
  }
  return out;
}

/** The line the run's output shows about time ("time: s (initial condition at s = 0, none at s = 1)"), or null. */
export function timeLine(problem: Problem): string | null {
  const t = problem.timeVariable;
  return t === null ? null : `  time: ${problem.variables[t]}${problem.timeWhy ? ` (${problem.timeWhy})` : ""}`;
}
