// `constraints: hard`: build trial forms u = L + D·N that satisfy conditions by construction.
//
// Each domain variable v may carry a one-dimensional projector P_v built from the conditions that
// fix v at one value (and give u or its v-derivatives there) or at two values (and give u there):
//   chain at a, orders 0…m−1:  P_v g = Σ_j (x_v − a)^j / j! · g_j,           D_v = ((x_v − a)/ℓ)^m
//   both ends a < b:           P_v g = (b − x_v)/(b − a)·g_a + (x_v − a)/(b − a)·g_b,
//                              D_v = 4(x_v − a)(b − x_v)/ℓ²
// (ℓ is the interval length, so D_v is of order one). The lift is their Boolean sum
// (transfinite interpolation, Gordon & Hall 1973):
//   L = Σ_{S ≠ ∅} (−1)^{|S|+1} Π_{v∈S} P_v g,
// which matches every projector's data where the data are compatible at corners, and D = Π_v D_v
// vanishes (to the needed order) on every enforced set. This covers initial values (and slopes)
// at a point, Dirichlet values at both ends of an interval, Dirichlet data on the sides of a
// rectangle, and initial conditions in time with Dirichlet sides (Lagaris et al. 1998).
// Conditions that fit none of these stay as penalty terms; which ones end up enforced is then
// verified numerically (enforced.ts), so incompatible data can never be silently mis-enforced.

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Condition, PointCondition, Problem, Trial } from "../problem/types.js";
import type { Location } from "../expressions/resolve.js";
import { regionHardTrials } from "./region-trials.js";

/** A condition of the form ∂^j_v u_k (…, x_v = a, …) = g(other variables). */
interface SimpleCondition {
  unknown: number;
  variable: number;
  at: number;
  order: number;
  data: Sym;
  /** The condition's set. */
  location: Location;
}

/** Per kind of condition, the single value or normal derivative it gives, if any (periodic and boundary-part conditions are handled elsewhere: region-trials.ts). */
const SIMPLE: { [K in Condition["kind"]]: (c: Extract<Condition, { kind: K }>) => SimpleCondition | null } = {
  point: (c) => simpleCondition(c),
  part: () => null,
  periodic: () => null,
};

/** The problem's conditions that give a single field value or normal derivative, in file order, with their sets. */
export function simpleConditions(problem: Problem): SimpleCondition[] {
  return problem.conditions.flatMap((c) => {
    const simple = (SIMPLE[c.kind] as (c: Condition) => SimpleCondition | null)(c);
    return simple === null ? [] : [simple];
  });
}

type Projector =
  | { kind: "chain"; variable: number; at: number; data: Sym[] }
  | { kind: "ends"; variable: number; a: number; b: number; ga: Sym; gb: Sym };

function setVariable(s: Sym, variable: number, value: number): Sym {
  return S.substitute(s, (atom) => (atom.kind === "var" && atom.index === variable ? S.num(value) : undefined));
}

/**
 * Recognise conditions that give a single field value or normal derivative: one field atom f in
 * LHS − RHS = R. Written as R = R₀ + c·f (R₀ = R at f = 0, c = R₁ − R₀), the data are g = −R₀/c.
 * That holds when R is linear in f (u(0) = 1, u(0) − 1 = 0, 2·u(0) = 1); for a condition that is
 * not, the trial form built from g fails the enforcement check and the condition stays a penalty.
 */
export function simpleCondition(c: PointCondition): SimpleCondition | null {
  const fixed = c.location.flatMap((l, i) => (l.free ? [] : [{ variable: i, value: l.value }]));
  if (fixed.length !== 1) return null;
  const { variable, value } = fixed[0]!;
  const fields = S.fieldAtoms(c.residual);
  if (fields.length !== 1) return null;
  const field = fields[0]!;
  // Only derivatives along the fixed variable (normal derivatives) are interpolated.
  if (field.alpha.some((count, i) => i !== variable && (count ?? 0) > 0)) return null;
  const at = (v: number): Sym => S.substitute(c.residual, (atom) => (atom === field ? S.num(v) : undefined));
  const r0 = at(0);
  const slope = S.sub(at(1), r0);
  if (slope.kind === "const" && slope.value === 0) return null;
  const data = S.div(S.neg(r0), slope);
  return { unknown: field.unknown, variable, at: value, order: field.alpha[variable] ?? 0, data: setVariable(data, variable, value), location: c.location };
}

/** The projector for one variable of one unknown, from that variable's simple conditions. */
function chooseProjector(variable: number, conditions: SimpleCondition[]): Projector | null {
  if (conditions.length === 0) return null;
  const valuesAt = [...new Set(conditions.filter((c) => c.order === 0).map((c) => c.at))].sort((x, y) => x - y);
  const chainAt = (a: number): SimpleCondition[] => {
    const out: SimpleCondition[] = [];
    for (let j = 0; ; j++) {
      const c = conditions.find((d) => d.at === a && d.order === j);
      if (!c) return out;
      out.push(c);
    }
  };
  // Longest derivative chain at one point, versus values at both ends; ties favour both ends.
  const chains = valuesAt.map((a) => chainAt(a)).sort((x, y) => y.length - x.length);
  const longest = chains[0] ?? [];
  if (valuesAt.length >= 2 && longest.length <= 2) {
    const a = valuesAt[0]!;
    const b = valuesAt[valuesAt.length - 1]!;
    const ga = conditions.find((c) => c.at === a && c.order === 0)!.data;
    const gb = conditions.find((c) => c.at === b && c.order === 0)!.data;
    return { kind: "ends", variable, a, b, ga, gb };
  }
  if (longest.length === 0) return null;
  return { kind: "chain", variable, at: longest[0]!.at, data: longest.map((c) => c.data) };
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** P_v applied to the projector's own data. */
function projectData(p: Projector): Sym {
  const x = S.variable(p.variable);
  if (p.kind === "chain") {
    return p.data.reduce<Sym>((sum, g, j) => S.add(sum, S.mul(S.div(S.pow(S.sub(x, S.num(p.at)), S.num(j)), S.num(factorial(j))), g)), S.ZERO);
  }
  const len = S.num(p.b - p.a);
  return S.add(S.mul(S.div(S.sub(S.num(p.b), x), len), p.ga), S.mul(S.div(S.sub(x, S.num(p.a)), len), p.gb));
}

/** P_v applied to an arbitrary expression F (its values / v-derivatives at the projector's points). */
function projectExpression(p: Projector, F: Sym): Sym {
  if (p.kind === "chain") {
    const data = p.data.map((_, j) => setVariable(S.diffMulti(F, unitIndex(p.variable, j)), p.variable, p.at));
    return projectData({ ...p, data });
  }
  return projectData({ ...p, ga: setVariable(F, p.variable, p.a), gb: setVariable(F, p.variable, p.b) });
}

function unitIndex(variable: number, order: number): number[] {
  const alpha = new Array<number>(variable + 1).fill(0);
  alpha[variable] = order;
  return alpha;
}

/** The factor that vanishes where the projector's conditions hold. */
function vanishingFactor(p: Projector, bounds: readonly (readonly [number, number])[]): Sym {
  const x = S.variable(p.variable);
  const [lo, hi] = bounds[p.variable]!;
  const len = hi - lo;
  if (p.kind === "chain") return S.pow(S.div(S.sub(x, S.num(p.at)), S.num(len)), S.num(p.data.length));
  return S.mul(S.num(4 / (len * len)), S.mul(S.sub(x, S.num(p.a)), S.sub(S.num(p.b), x)));
}

/** The Boolean sum ⊕_v P_v g over the projectors (inclusion–exclusion over subsets). */
function booleanSum(projectors: Projector[]): Sym {
  let total: Sym = S.ZERO;
  const n = projectors.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const chosen = projectors.filter((_, i) => mask & (1 << i));
    let term = projectData(chosen[0]!);
    for (const p of chosen.slice(1)) term = projectExpression(p, term);
    total = chosen.length % 2 === 1 ? S.add(total, term) : S.sub(total, term);
  }
  return total;
}

/**
 * Trial forms built from the problem's conditions, for every unknown that has no trial form in
 * the file and at least one condition that fits a projector (others stay null).
 */
export function buildHardTrials(problem: Problem): (Trial | null)[] {
  if (problem.domain?.region) return regionHardTrials(problem);
  const simple = simpleConditions(problem);
  return problem.unknowns.map((_, k) => {
    if (problem.trial[k]) return problem.trial[k];
    const projectors = problem.variables
      .map((_, v) => chooseProjector(v, simple.filter((c) => c.unknown === k && c.variable === v)))
      .filter((p): p is Projector => p !== null);
    if (projectors.length === 0) return null;
    const lift = booleanSum(projectors);
    const factor = projectors.map((p) => vanishingFactor(p, problem.bounds)).reduce((a, b) => S.mul(a, b));
    const expr = S.add(lift, S.mul(factor, S.net(k, [])));
    // In a trial form N is the unknown's own network output.
    return { source: { text: S.show(expr, problem, () => "N") }, expr, generated: true };
  });
}
