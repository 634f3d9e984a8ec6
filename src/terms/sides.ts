// Each kind of condition as pairs of quantities that must agree at its points — the one form that
// `pinn check` and the enforcement check of trial forms read, so that neither switches on a
// condition's kind:
//   point      u(…) = g:            the pair (LHS, RHS) on the condition's set;
//   part       … on a boundary part: the pair (LHS, RHS) on the part, the points carrying the
//                                  outward normals as attributes;
//   periodic   along v:             each matched field (periodicFields) at the low end and at the
//                                  same points moved to the high end.
// Each kind also says how the raw residual diagnostics (diagnostics/residuals.ts) measure it: on
// which points independent of training, which residuals, and what each is judged against.
// Adding a kind of condition: one entry in CONDITION_SIDES (the mapped type fails the type-check
// until it exists) and its builder in index.ts.

import type { Sym } from "../expressions/symbolic.js";
import * as S from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import type { Condition, Problem } from "../problem/types.js";
import type { Location } from "../expressions/resolve.js";
import { tensorGrid } from "../geometry/domain.js";
import { PointSet, periodicLocations, withCoordinate } from "../residual/point-sets.js";
import { periodicFields, periodicPairs } from "./periodic.js";
import { partSample, withTypicalNormals } from "./boundary-part.js";
import type { PointBatch, TermKind } from "./term.js";

export interface ConditionSides {
  /** The kind of loss term it becomes. */
  readonly kind: TermKind;
  /** The unknowns it involves. */
  readonly unknowns: ReadonlySet<number>;
  /** LHS − RHS where the condition has one (not for a periodic condition). */
  readonly residual: Sym | null;
  /** The expressions to evaluate (by any evaluator: exact solutions, a network, …). */
  readonly exprs: readonly Sym[];
  /** `count` random points of the condition (and their attributes, if any). */
  sample(count: number, rng: Rng): PointBatch;
  /** The pairs (a, b) that must agree, from `at` (the values of `exprs` at points) and a sample. */
  pairs<T>(at: (x: Float64Array, attrs: Float64Array | null) => T[], batch: PointBatch): [T, T][];
  /** How the raw residual diagnostics measure it, with `perAxis` evaluation-grid points per variable. */
  measurement(perAxis: readonly number[]): Measurement;
}

/**
 * A condition as the raw residual diagnostics measure it: one or more checks (residuals), each
 * judged against its own natural size; the worst one is reported.
 */
export interface Measurement {
  /** The points measured on (independent of training), with their attributes. */
  readonly batch: PointBatch;
  /** The expressions to evaluate. */
  readonly exprs: readonly Sym[];
  /**
   * From `at` (the values of `exprs` at points), each check's residual at the batch's points and
   * the parts whose Σ|part| is its natural size at each point.
   */
  checks(at: (x: Float64Array, attrs: Float64Array | null) => Float64Array[]): { residual: Float64Array; parts: Float64Array[] }[];
  /**
   * Per check, the natural size's other estimates: `expr` sized from the solution's magnitude at
   * `location` (residual/scales.ts), and, unless null, the RMS of Σ|part| of `gridParts` on the
   * whole evaluation grid; the largest counts.
   */
  readonly natural: readonly { expr: Sym; location: Location; gridParts: readonly Sym[] | null }[];
}

/** Points drawn on a boundary part to measure a condition there. */
const PART_POINTS = 1024;

/** The additive parts of an expression: a ± b ± … → [a, b, …] (signs dropped). */
export function additiveParts(s: Sym): Sym[] {
  if (s.kind === "add" || s.kind === "sub") return [...additiveParts(s.a), ...additiveParts(s.b)];
  if (s.kind === "neg") return additiveParts(s.a);
  return [s];
}

/** Evaluation-grid points at a location: free variables on the grid's axes, the others fixed. */
function locationGrid(problem: Problem, location: Location, perAxis: readonly number[]): Float64Array {
  const bounds = problem.bounds.map((b, i) => {
    const l = location[i]!;
    return (l.free ? b : [l.value, l.value]) as [number, number];
  });
  return tensorGrid(bounds, perAxis.map((n, i) => (location[i]!.free ? n : 1))).points;
}

/** The points (n × d) that lie in the problem's region (all of them for a box). */
function insideDomain(problem: Problem, points: Float64Array): Float64Array {
  const domain = problem.domain;
  if (!domain || domain.region === null) return points;
  const d = problem.variables.length;
  const keep: number[] = [];
  for (let k = 0; k * d < points.length; k++) if (domain.contains(points, k * d)) for (let j = 0; j < d; j++) keep.push(points[k * d + j]!);
  return Float64Array.from(keep);
}

/** One check, LHS − RHS on `batch`, its size the additive parts of both sides. */
function lhsRhsMeasurement(c: { residual: Sym; lhs: Sym; rhs: Sym }, batch: PointBatch, natural: Measurement["natural"][number]): Measurement {
  return {
    batch,
    exprs: [c.residual, ...additiveParts(c.lhs), ...additiveParts(c.rhs)],
    checks: (at) => {
      const [residual, ...parts] = at(batch.x, batch.attrs);
      return [{ residual: residual!, parts }];
    },
    natural: [natural],
  };
}

function interior(dims: number): Location {
  return Array.from({ length: dims }, () => ({ free: true as const }));
}

type SidesOf = { [K in Condition["kind"]]: (problem: Problem, c: Extract<Condition, { kind: K }>) => ConditionSides };

function lhsRhs<T>(at: (x: Float64Array, attrs: Float64Array | null) => T[], batch: PointBatch): [T, T][] {
  const [l, r] = at(batch.x, batch.attrs);
  return [[l!, r!]];
}

export const CONDITION_SIDES: SidesOf = {
  point: (problem, c) => ({
    kind: "condition",
    unknowns: S.unknownsOf(c.residual),
    residual: c.residual,
    exprs: [c.lhs, c.rhs],
    sample: (count, rng) => ({
      x: new PointSet(problem.variables.length, problem.domain ?? problem.bounds, c.location, count, "random", true, rng).next(),
      attrs: null,
    }),
    pairs: lhsRhs,
    // The evaluation grid's lines/faces at the location (inside the region), judged also against
    // the parts' size on the whole grid.
    measurement: (perAxis) =>
      lhsRhsMeasurement(c, { x: insideDomain(problem, locationGrid(problem, c.location, perAxis)), attrs: null }, {
        expr: c.residual,
        location: c.location,
        gridParts: [...additiveParts(c.lhs), ...additiveParts(c.rhs)],
      }),
  }),
  part: (problem, c) => ({
    kind: "condition",
    unknowns: S.unknownsOf(c.residual),
    residual: c.residual,
    exprs: [c.lhs, c.rhs],
    sample: (count, rng) => partSample(problem, c.part, count, rng, [c.lhs, c.rhs]),
    pairs: lhsRhs,
    // Fresh points on the part (a fixed seed), carrying the region's normals; the size estimate
    // takes each normal component as 1/√(spatial dimensions).
    measurement: () => {
      const d = problem.variables.length;
      const residual = c.residual;
      const parts = [...additiveParts(c.lhs), ...additiveParts(c.rhs)];
      return lhsRhsMeasurement(c, partSample(problem, c.part, PART_POINTS, new Rng(17), [residual, ...parts]), {
        expr: withTypicalNormals(residual, d, problem.domain?.spatial.length ?? d),
        location: interior(d),
        gridParts: null,
      });
    },
  }),
  periodic: (problem, c) => {
    const dims = problem.variables.length;
    const hi = problem.bounds[c.variable]![1];
    const lo = periodicLocations(dims, c.variable, problem.bounds)[0];
    return {
      kind: "periodic",
      unknowns: new Set(problem.unknowns.map((_, k) => k)),
      residual: null,
      exprs: periodicFields(problem, c.variable).map((f) => f.field),
      sample: (count, rng) => ({ x: new PointSet(dims, problem.domain ?? problem.bounds, lo, count, "random", true, rng).next(), attrs: null }),
      pairs: (at, batch) => periodicPairs((x) => at(x, null), batch.x, dims, c.variable, hi),
      // Each matched field on the evaluation grid at the low end against the same points at the
      // high end, judged against its own size there and on the whole grid.
      measurement: (perAxis) => {
        const atLo = locationGrid(problem, lo, perAxis);
        const fields = periodicFields(problem, c.variable).map((f) => f.field);
        return {
          batch: { x: atLo, attrs: null },
          exprs: fields,
          checks: (at) => {
            const a = at(atLo, null);
            const b = at(withCoordinate(atLo, dims, c.variable, hi), null);
            return a.map((v, j) => ({ residual: v.map((x, i) => x - b[j]![i]!), parts: [v, b[j]!] }));
          },
          natural: fields.map((f) => ({ expr: f, location: interior(dims), gridParts: [f] })),
        };
      },
    };
  },
};

export function conditionSides(problem: Problem, c: Condition): ConditionSides {
  return (CONDITION_SIDES[c.kind] as (problem: Problem, c: Condition) => ConditionSides)(problem, c);
}
