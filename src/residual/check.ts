// `pinn check`: verify that the exact solutions given in a problem file satisfy every equation and
// condition, using the engine's reverse mode for their derivatives. A typo in an equation, a sign
// or a boundary value shows up here, before any training.

import { Rng } from "../engine/random.js";
import type { Problem, Source } from "../problem/types.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import { exactFields } from "./fields.js";
import { evaluatePoints } from "../expressions/evaluate.js";
import { PointSet, interiorLocation } from "./point-sets.js";
import { conditionSides } from "../terms/sides.js";
import type { TermKind } from "../terms/term.js";
import { withExactParameters } from "../problem/parameters.js";

export interface CheckItem {
  kind: TermKind;
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

export function checkExactSolution(original: Problem): CheckReport {
  // Learned parameters are checked at their exact values; without one, what uses them is skipped.
  const { problem, unfixed } = withExactParameters(original);
  const dims = problem.variables.length;
  const rng = new Rng(problem.training.seed);
  const exact = problem.exact.map((e) => e?.expr ?? null);
  const missing = (unknowns: Iterable<number>, s: Sym | null): string | undefined => {
    const names = [...unknowns].filter((k) => exact[k] === null).map((k) => problem.unknowns[k]);
    return names.length > 0 ? `no exact solution for ${names.join(", ")}` : s === null ? undefined : unfixed(s);
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
    const points = new PointSet(dims, problem.domain ?? problem.bounds, location, CHECK_POINTS, "random", true, rng.fork()).next();
    const [a, b] = exactFields(dims, forms, [l, r]).evaluate(points);
    return [a!.data, b!.data];
  };

  for (const eq of problem.equations) {
    const skipped = missing(S.unknownsOf(eq.residual), eq.residual);
    if (skipped) {
      items.push({ kind: "equation", source: eq.source, maxResidual: NaN, scale: 1, ok: true, skipped });
      continue;
    }
    const [l, r] = sides(eq.lhs, eq.rhs, interiorLocation(dims));
    items.push(measure("equation", eq.source, l, r));
  }
  for (const c of problem.conditions) {
    const sides = conditionSides(problem, c);
    const skipped = missing(sides.unknowns, sides.residual);
    if (skipped) {
      items.push({ kind: sides.kind, source: c.source, maxResidual: NaN, scale: 1, ok: true, skipped });
      continue;
    }
    // The worst of the condition's pairs (one pair for a located condition, one per matched field
    // for a periodic one), on its points (on a boundary part, carrying the outward normals).
    const evaluator = exactFields(dims, forms, [...sides.exprs]);
    const pairs = sides.pairs((x, attrs) => evaluator.evaluate(x, attrs), sides.sample(CHECK_POINTS, rng.fork()));
    items.push(pairs.map(([a, b]) => measure(sides.kind, c.source, a.data, b.data)).sort((x, y) => y.maxResidual / y.scale - x.maxResidual / x.scale)[0]!);
  }
  return { items, ok: items.every((i) => i.ok) };
}

/** Checks `solve` runs before training failed: the message lists each failure (exit 1). */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreflightError";
  }
}

export interface Contradiction {
  first: Source;
  second: Source;
  /** Largest |difference| of what the two conditions demand, over sample points. */
  difference: number;
}

function sameLocation(a: Location, b: Location): boolean {
  return a.length === b.length && a.every((l, i) => {
    const m = b[i]!;
    return l.free ? m.free : !m.free && Math.abs(l.value - m.value) <= 1e-12 * (1 + Math.abs(l.value));
  });
}

/**
 * Pairs of conditions at the same location that demand different values of the same quantity:
 * their residuals differ (or, with the sides swapped, sum to) a function free of unknowns that is
 * not zero, e.g. u(0) = 0 and u(0) = 1, or u(x, 0) = sin(pi*x) and u(x, 0) - 1 = sin(pi*x).
 */
export function findContradictions(problem: Problem): Contradiction[] {
  const dims = problem.variables.length;
  const rng = new Rng(problem.training.seed + 101);
  const point = problem.conditions.filter((c): c is Extract<typeof c, { kind: "point" }> => c.kind === "point");
  const out: Contradiction[] = [];
  for (let i = 0; i < point.length; i++) {
    for (let j = i + 1; j < point.length; j++) {
      const [a, b] = [point[i]!, point[j]!];
      if (!sameLocation(a.location, b.location)) continue;
      const points = new PointSet(dims, problem.bounds, a.location, 64, "random", true, rng.fork()).next();
      for (const d of [S.sub(a.residual, b.residual), S.add(a.residual, b.residual)]) {
        if (S.mentionsNetwork(d)) continue;
        // The difference must not depend on the unknowns: the same under two random assignments
        // of every field atom (the symbolic form need not cancel, e.g. u - (u - 1)).
        const assign = (seed: number): Float64Array => {
          const r = new Rng(seed);
          return evaluatePoints(S.substitute(d, (atom) => (atom.kind === "field" ? S.num(0.5 + r.uniform()) : undefined)), points, dims);
        };
        const [v1, v2] = [assign(1), assign(2)];
        let worst = 0;
        let scale = 1;
        let free = true;
        for (let k = 0; k < v1.length; k++) {
          scale = Math.max(scale, Math.abs(v1[k]!));
          worst = Math.max(worst, Math.abs(v1[k]!));
          if (!(Math.abs(v1[k]! - v2[k]!) <= 1e-9 * (1 + Math.abs(v1[k]!)))) free = false;
        }
        if (free && worst > RELATIVE_TOLERANCE * scale) {
          out.push({ first: a.source, second: b.source, difference: worst });
          break;
        }
      }
    }
  }
  return out;
}

/** Lines describing contradictions, as `pinn check` and `pinn solve` print them. */
export function contradictionLines(problem: Problem, list: readonly Contradiction[]): string[] {
  const line = (s: Source): string => (s.position ? `${problem.file}:${s.position.line}:${s.position.column}` : problem.file);
  return list.map(
    (c) =>
      `${line(c.second)}: error: the condition "${c.second.text}" contradicts "${c.first.text}" (${line(c.first)}): ` +
      `at the same location they demand values that differ by up to ${c.difference.toPrecision(3)}\n  hint: keep one of them, or correct the location or the value`,
  );
}

/**
 * What `pinn check` verifies, run by `solve` before training: conditions that contradict each other,
 * and, when exact solutions are given, that they satisfy every equation and condition. Throws
 * PreflightError describing each failure.
 */
export function assertPreflight(problem: Problem): void {
  const lines = contradictionLines(problem, findContradictions(problem));
  if (problem.exact.some((e) => e !== null)) {
    const report = checkExactSolution(problem);
    for (const item of report.items) {
      if (item.ok || item.skipped) continue;
      const where = item.source.position ? `${problem.file}:${item.source.position.line}:${item.source.position.column}` : problem.file;
      lines.push(
        `${where}: error: the exact solution does not satisfy "${item.source.text}": max |LHS − RHS| = ${item.maxResidual.toExponential(2)} (scale ${item.scale.toExponential(2)})\n` +
          "  hint: check this line and the exact solution for a typo (a sign, a factor, a boundary value); `pinn check` shows every line",
      );
    }
  }
  if (lines.length > 0) throw new PreflightError(`${lines.join("\n")}\npinn: not training: the checks of \`pinn check\` failed (exit 1)`);
}
