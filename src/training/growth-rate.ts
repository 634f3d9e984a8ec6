// How fast errors grow in an evolution problem, from its equations and initial data alone (issue 11:
// the default number of time-marching windows). time-marching.ts initialRate measures how fast the
// solution itself starts to change (the speed of a transport, the frequency of a wave); this file
// measures how fast a perturbation of it grows: for an equation ∂_t^m u_k = F(u, ∂_x u, …, x, t),
// the linearisation in u_k at the initial data, λ = ∂F/∂u_k. A perturbation δ of u_k then obeys
// ∂_t^m δ ≈ λ δ: it grows like e^{λt} (m = 1) or e^{√λ t} (m = 2) where λ > 0. For logistic growth
// u_t = ρu(1 − u), λ = ρ(1 − 2u) — up to ρ where u is small: a residual error made early is
// amplified up to e^{ρT} by the end, although u itself (its RMS) changes at a rate of about ρ/4.
// Transport, waves, diffusion and damped or cubic (u³ on the left) terms give λ ≤ 0: no growth.

import type { Condition, PointCondition, Problem } from "../problem/types.js";
import type { Location } from "../expressions/resolve.js";
import type { Sym } from "../expressions/symbolic.js";
import * as S from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import { PointSet } from "../residual/point-sets.js";
import { evaluatePoints } from "../expressions/evaluate.js";

/** Is a condition an initial condition (a point condition at t = t_0)? */
export function isInitial(c: Condition, t: number, t0: number): c is PointCondition {
  return c.kind === "point" && !c.location[t]!.free && (c.location[t] as { value: number }).value === t0;
}

/** Initial data: ∂_t^j u_k at t_0 as expressions of the space variables (conditions "∂_t^j u_k(x, t0) = g"), keyed "k:j". */
export function initialData(problem: Problem): Map<string, Sym> {
  const t = problem.timeVariable!;
  const t0 = problem.bounds[t]![0];
  const initial = new Map<string, Sym>();
  for (const c of problem.conditions) {
    if (!isInitial(c, t, t0) || c.lhs.kind !== "field" || S.unknownsOf(c.rhs).size > 0) continue;
    const alpha = c.lhs.alpha;
    if (alpha.some((a, i) => i !== t && a > 0)) continue;
    initial.set(`${c.lhs.unknown}:${alpha[t] ?? 0}`, c.rhs);
  }
  return initial;
}

/**
 * The highest time derivative of an equation when it is one atom ∂_t^m u_k, a pure time derivative
 * with m = 1 or 2: its unknown k and order m; null otherwise.
 */
export function topTimeDerivative(residual: Sym, t: number): { unknown: number; order: number } | null {
  const atoms = S.fieldAtoms(residual);
  const order = Math.max(0, ...atoms.map((a) => a.alpha[t] ?? 0));
  if (order < 1 || order > 2) return null;
  const top = atoms.filter((a) => (a.alpha[t] ?? 0) === order);
  const k = top[0]!.unknown;
  if (top.some((a) => a.unknown !== k || a.alpha.some((c, i) => i !== t && c > 0))) return null;
  return { unknown: k, order };
}

/** Points of the initial line (t = t_0, the space variables random in the box). */
export function initialPoints(problem: Problem, samples: number): Float64Array {
  const t = problem.timeVariable!;
  const at: Location = problem.variables.map((_, i) => (i === t ? { free: false as const, value: problem.bounds[t]![0] } : { free: true as const }));
  return new PointSet(problem.variables.length, problem.bounds, at, samples, "random", true, new Rng(problem.training.seed)).next();
}

/**
 * An equation solved for its highest time derivative ∂_t^m u_k at t_0, F = −rest / c from the residual
 * r(y) = c·y + rest (linear in y), with every other atom replaced by its initial data — and u_k itself
 * by `self` when given (to differentiate against it). Null when the initial data lacks an atom.
 */
export function solvedForTopDerivative(
  residual: Sym,
  t: number,
  top: { unknown: number; order: number },
  initial: Map<string, Sym>,
  self?: Sym,
): Sym | null {
  let missing = false;
  const withData = (y: Sym): Sym =>
    S.substitute(residual, (atom) => {
      if (atom.kind !== "field") return undefined;
      const j = atom.alpha[t] ?? 0;
      if (atom.unknown === top.unknown && j === top.order) return y;
      if (self !== undefined && atom.unknown === top.unknown && atom.alpha.every((c) => c === 0)) return self;
      const data = initial.get(`${atom.unknown}:${j}`);
      if (data === undefined) {
        missing = true;
        return S.ZERO;
      }
      return S.diffMulti(data, atom.alpha.map((c, i) => (i === t ? 0 : c)));
    });
  const rest = withData(S.ZERO);
  const F = S.div(S.neg(rest), S.sub(withData(S.ONE), rest));
  return missing ? null : F;
}

/**
 * The growth rate of perturbations at t_0 (1/time): for each equation ∂_t^m u_k = F with initial data
 * for u_k (and every other atom of F), λ = ∂F/∂u_k on points of the initial line; the rate is the
 * largest λ (m = 1) or √λ (m = 2) over the points and the equations, 0 when none is positive; null
 * when no equation has that form or the initial data does not give what it needs. The largest, not
 * the RMS: the error is amplified most where the growth is fastest (logistic growth: where u is small).
 */
export function initialGrowthRate(problem: Problem, samples = 256): number | null {
  const t = problem.timeVariable;
  if (t === null) return null;
  const dims = problem.variables.length;
  const initial = initialData(problem);
  const points = initialPoints(problem, samples);
  // The unknown u_k itself, as a variable of its own (index `dims`) to differentiate against.
  const v = S.variable(dims);
  let rate: number | null = null;
  for (const e of problem.equations) {
    const top = topTimeDerivative(e.residual, t);
    if (top === null) continue;
    const u0 = initial.get(`${top.unknown}:0`);
    if (u0 === undefined) continue;
    const F = solvedForTopDerivative(e.residual, t, top, initial, v);
    if (F === null) continue;
    const lambda = S.substitute(S.diff(F, dims), (atom) => (atom === v ? u0 : undefined));
    const values = evaluatePoints(lambda, points, dims);
    let largest = 0;
    for (const x of values) if (x > largest) largest = x;
    const r = top.order === 1 ? largest : Math.sqrt(largest);
    if (Number.isFinite(r)) rate = Math.max(rate ?? 0, r);
  }
  return rate;
}
