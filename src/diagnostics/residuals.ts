// Raw residual diagnostics (contract v2, "Outputs"): for every equation and condition, the RMS and the
// maximum of |LHS − RHS| in the problem's own units — no output or term scaling, no weights — on points
// independent of training: the evaluation grid for equations; for conditions, the points each kind
// of condition names in its table entry (terms/sides.ts: the grid's lines/faces at a condition's
// location, fresh points on a boundary part, both ends of a periodic variable). Beside each, the natural size the residual is judged against:
// the RMS of Σ|part| over the additive parts of LHS and RHS (sources, data, and the trained solution's
// own terms and derivatives), on the same points and on the whole grid, whichever is larger.

import { noGrad } from "../engine/state.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import type { Problem, Source } from "../problem/types.js";
import type { PinnNetwork } from "../residual/network.js";
import { TaylorFields, unknownForms } from "../residual/fields.js";
import type { Grid } from "../reports/evaluation.js";
import { termScales } from "../residual/scales.js";
import { BoxDomain } from "../geometry/domain.js";
import * as S from "../expressions/symbolic.js";
import { additiveParts, conditionSides } from "../terms/sides.js";
import type { TermKind } from "../terms/term.js";
import { cornerWeights, reentrantCorners, type ReentrantCorner } from "./corners.js";

export interface ResidualStat {
  kind: TermKind;
  /** The equation or condition as written. */
  label: string;
  source: Source;
  /** Points the residual was measured on. */
  points: number;
  /** RMS of |LHS − RHS| in the problem's units. */
  rms: number;
  /** Largest |LHS − RHS|, and where it sits (variable → value). */
  max: number;
  at: Record<string, number>;
  /** Natural size of the terms (RMS of Σ|part|), the scale `rms` is judged against. */
  size: number;
  /** rms / size (0 when both vanish). */
  relative: number;
  /** max / (largest Σ|part| on the points, at least size): how bad the worst point is, relatively. */
  relative_max: number;
  /** True when a trial form satisfies the condition by construction (not trained). */
  enforced?: boolean;
  /**
   * A region with re-entrant corners (corners.ts): the corners, and the RMS residual and its
   * relative size with the residual and the natural size weighted by min(1, r/ℓ) near them.
   */
  corners?: { list: ReentrantCorner[]; rms: number; relative: number; /** The largest residual's distance to the nearest corner / its ℓ. */ worstNear: number };
}

export interface ResidualDiagnostics {
  equations: ResidualStat[];
  conditions: ResidualStat[];
  /** |LHS − RHS| of each equation on the evaluation grid (for the residual plot). */
  field: { grid: Grid; values: Float64Array[] };
}

const CHUNK = 2048;

/** Evaluates expressions of the trained unknowns on points, in chunks, outside any graph. */
class Evaluator {
  private readonly forms: Sym[];
  constructor(private readonly problem: Problem, private readonly network: PinnNetwork, outputScale: readonly number[] | undefined) {
    this.forms = unknownForms(problem.trial, outputScale);
  }
  /** `attrs`: per-point attributes (a boundary part's normals), n × A, when the expressions read them. */
  run(exprs: Sym[], points: Float64Array, attrs: Float64Array | null = null): Float64Array[] {
    const d = this.problem.variables.length;
    const n = points.length / d;
    const out = exprs.map(() => new Float64Array(n));
    if (exprs.length === 0 || n === 0) return out;
    noGrad(() => {
      const fields = new TaylorFields(this.network, this.forms, exprs);
      for (let start = 0; start < n; start += CHUNK) {
        const end = Math.min(n, start + CHUNK);
        const a = attrs === null ? null : attrs.subarray(start * (attrs.length / n), end * (attrs.length / n));
        const values = fields.evaluate(points.subarray(start * d, end * d), a);
        values.forEach((t, j) => {
          const data = t.data;
          // A constant expression evaluates to one value.
          if (data.length === 1 && end - start > 1) out[j]!.fill(data[0]!, start, end);
          else out[j]!.set(data.subarray(0, end - start), start);
        });
      }
    });
    return out;
  }
}

function rmsOf(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return values.length === 0 ? 0 : Math.sqrt(s / values.length);
}

/** Σ|part| at every point. */
function sizeOf(parts: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const p of parts) for (let i = 0; i < n; i++) out[i] = out[i]! + Math.abs(p[i]!);
  return out;
}

function stat(
  problem: Problem,
  kind: ResidualStat["kind"],
  source: Source,
  points: Float64Array,
  residual: Float64Array,
  size: Float64Array,
  gridSize: number,
  weights: Float64Array | null = null,
): ResidualStat {
  const d = problem.variables.length;
  const n = residual.length;
  let worst = n > 0 ? 0 : -1;
  let max = 0;
  let sum = 0;
  let bad = false;
  // Weights (near a re-entrant corner, corners.ts) apply to the residual and to the natural size alike.
  if (weights !== null) size = size.map((v, i) => v * weights[i]!);
  for (let i = 0; i < n; i++) {
    const r = Math.abs(residual[i]!) * (weights === null ? 1 : weights[i]!);
    if (!Number.isFinite(r)) {
      bad = true;
      worst = i;
      break;
    }
    sum += r * r;
    if (r > max) {
      max = r;
      worst = i;
    }
  }
  const rms = bad ? NaN : Math.sqrt(sum / Math.max(n, 1));
  const natural = Math.max(rmsOf(size), gridSize);
  let peak = natural;
  for (const v of size) if (Number.isFinite(v)) peak = Math.max(peak, v);
  const at = Object.fromEntries(problem.variables.map((v, i) => [v, worst < 0 ? NaN : points[worst * d + i]!]));
  return {
    kind,
    label: source.text,
    source,
    points: n,
    rms,
    max: bad ? NaN : max,
    at,
    size: natural,
    relative: bad ? NaN : natural > 0 ? rms / natural : rms === 0 ? 0 : Infinity,
    relative_max: bad ? NaN : peak > 0 ? max / peak : max === 0 ? 0 : Infinity,
  };
}

/** Measure every equation and condition of the problem on the trained network. */
export function residualDiagnostics(problem: Problem, network: PinnNetwork, outputScale?: readonly number[], enforced: readonly unknown[] = []): ResidualDiagnostics {
  const ev = new Evaluator(problem, network, outputScale);
  const grid = (problem.domain ?? new BoxDomain(problem.bounds)).grid(problem.evaluate.points);
  const inside = grid.inside ?? null;
  const n = grid.count;
  const d = problem.variables.length;

  const partsOf = (lhs: Sym, rhs: Sym): Sym[] => [...additiveParts(lhs), ...additiveParts(rhs)];
  // The trained solution's own magnitude: RMS of each unknown over the grid.
  const magnitude = ev.run(problem.unknowns.map((_, k) => S.field(k, [])), grid.points).map((v) => rmsOf(v) || 1);
  // The natural size of a residual from the solution's magnitude: every ∂^α u_k taken as
  // U_k/Π ℓ^α (scales.ts, with U_k measured on the trained solution, not estimated).
  const derivativeSize = (residual: Sym, location: Location): number => termScales(problem, [{ residual, location }], magnitude)[0]!;
  const interior = problem.variables.map(() => ({ free: true as const }));
  // The natural size of a set of parts on the whole grid (the solution's own magnitude there).
  const gridSize = (parts: Sym[]): number => rmsOf(sizeOf(ev.run(parts, grid.points), n));

  const equations: ResidualStat[] = [];
  const values: Float64Array[] = [];
  // Near a re-entrant corner the equations' residuals are measured in a weighted norm (corners.ts).
  const corners = problem.domain?.region ? reentrantCorners(problem.domain.region) : [];
  for (const eq of problem.equations) {
    const parts = partsOf(eq.lhs, eq.rhs);
    const [r, ...partValues] = ev.run([eq.residual, ...parts], grid.points);
    if (inside) {
      // A region: the statistics on the grid points inside it; outside, blank in the residual plot.
      values.push(r!.map((v, i) => (inside[i] ? Math.abs(v) : NaN)));
      const keep = (a: Float64Array): Float64Array => a.filter((_, i) => inside[i] === 1);
      const pts = grid.points.filter((_, j) => inside[Math.floor(j / d)] === 1);
      const size = sizeOf(partValues.map(keep), pts.length / d);
      const s = stat(problem, "equation", eq.source, pts, keep(r!), size, derivativeSize(eq.residual, interior));
      const weights = cornerWeights(problem.domain, corners, pts, d);
      const w = weights === null ? null : stat(problem, "equation", eq.source, pts, keep(r!), size, derivativeSize(eq.residual, interior), weights);
      // The worst point's distance to the nearest corner, in units of that corner's ℓ.
      const near = weights === null ? 1 : Math.min(...corners.map((c) => Math.hypot(...c.at.map((v, k) => s.at[problem.variables[problem.domain!.spatial[k]!]!]! - v)) / c.range));
      equations.push(w === null ? s : { ...s, corners: { list: corners, rms: w.rms, relative: w.relative, worstNear: near } });
      continue;
    }
    values.push(r!.map(Math.abs));
    equations.push(stat(problem, "equation", eq.source, grid.points, r!, sizeOf(partValues, n), derivativeSize(eq.residual, interior)));
  }

  // Each condition as its kind measures it (terms/sides.ts): the checks on its points, each judged
  // against its own natural size; the worst one is reported.
  const conditions: ResidualStat[] = [];
  for (const c of problem.conditions) {
    const sides = conditionSides(problem, c);
    const m = sides.measurement(problem.evaluate.points);
    const checks = m.checks((x, attrs) => ev.run([...m.exprs], x, attrs));
    let worst: ResidualStat | null = null;
    checks.forEach(({ residual, parts }, j) => {
      const { expr, location, gridParts } = m.natural[j]!;
      const natural = gridParts === null ? derivativeSize(expr, location) : Math.max(gridSize([...gridParts]), derivativeSize(expr, location));
      const s = stat(problem, sides.kind, c.source, m.batch.x, residual, sizeOf(parts, residual.length), natural);
      if (worst === null || !(s.relative <= worst.relative)) worst = s;
    });
    if (worst !== null) conditions.push(enforced.includes(c) ? { ...(worst as ResidualStat), enforced: true } : worst);
  }
  return { equations, conditions, field: { grid, values } };
}

/** The summary.json form: per equation and condition, in the problem's units. */
export function residualSummary(diag: ResidualDiagnostics): Record<string, unknown> {
  const entry = (s: ResidualStat): Record<string, unknown> => ({
    [s.kind === "equation" ? "equation" : "condition"]: s.label,
    rms: s.rms,
    max: s.max,
    at: s.at,
    natural_size: s.size,
    relative_rms: s.relative,
    points: s.points,
    ...(s.corners
      ? { reentrant_corners: { corners: s.corners.list.map((c) => ({ at: c.at, interior_angle: c.angle, range: c.range })), weighted_rms: s.corners.rms, weighted_relative_rms: s.corners.relative } }
      : {}),
    ...(s.enforced ? { enforced_by_trial: true } : {}),
  });
  return {
    note: "|LHS - RHS| in the problem's own units (no scaling, no weights) on points independent of training: the evaluation grid for equations, the grid at each condition's location; natural_size is the RMS of the sum of |part| over the additive parts of LHS and RHS for the trained solution",
    equations: diag.equations.map(entry),
    conditions: diag.conditions.map(entry),
  };
}

/** The lines `pinn solve` prints about the raw residuals. */
export function formatResiduals(diag: ResidualDiagnostics): string[] {
  const e = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : String(x));
  const where = (at: Record<string, number>): string => Object.entries(at).map(([v, x]) => `${v}=${Number(x.toPrecision(4))}`).join(", ");
  const lines = ["raw residuals |LHS − RHS| (problem units, unscaled, on points not used in training):"];
  for (const s of [...diag.equations, ...diag.conditions]) {
    lines.push(
      `  ${s.label}: rms ${e(s.rms)}, max ${e(s.max)} at (${where(s.at)}); ${e(s.relative)} of its natural size ${e(s.size)}${s.enforced ? " (enforced by the trial form)" : ""}`,
    );
  }
  return lines;
}
