// Defaults for steady problems on 2-D and 3-D regions (README, "Regions": "Defaults from the region"):
// more interior collocation points, boundary points in proportion to each boundary part's length (area
// in 3-D), and RAR-D in the refinement — each only where the file leaves that setting to pinn.
//
// Why. The refinement (BFGS) trains on one fixed set of points. A box problem gets 64 boundary
// points on each of its sides (one condition per side); a region's condition `on boundary` or `on
// NAME` got 64 for its whole part, however long: a square with a notch has 4–5× the boundary of one
// side, a disk π×. With 256 interior and 64 boundary points the default network (2,241 weights)
// fits the points exactly and not what lies between them — at a sharp tip, a re-entrant corner or a
// concentrated source, where the solution has structure the smooth box problems lack (measured in
// README: a square with a thin notch at defaults, relative error 1.4; a disk with a thin elliptic hole
// 0.52; a spherical shell in 3-D at defaults 6.5e-3, flagged). Redrawing the equations' points where the residual is large (RAR-D) keeps the refinement
// from settling on one point set, and puts points at the tips and corners.

import { Rng } from "../engine/random.js";
import { LIMITS } from "../problem/limits.js";
import type { Problem } from "../problem/types.js";

/** The rule's numbers, chosen by measurement (README, "Regions"). */
export const REGION_DEFAULTS = {
  /** Interior collocation points per epoch (the box default is 256). */
  points: 1024,
  /** RAR-D period in the refinement stages (the nonlinear evolution problems' period, techniques.ts). */
  adaptiveSampling: 250,
  /** Boundary-measure estimate (length, or area in 3-D): candidate draws on each part (region.ts partMeasure), with a fixed seed. */
  measureDraws: 20_000,
};

/** What the rule reads of a problem. */
interface RegionRuleProblem {
  variables: readonly string[];
  domain?: { region: { dim: number } | null } | undefined;
  parameters?: readonly unknown[];
  data?: readonly unknown[];
}

/**
 * Whether a problem is steady on a 2-D or 3-D region: its variables are exactly those of a region
 * given by `shapes` (no time or other variable beside them), with no learned parameters or data
 * (inverse problems were not measured with the rule). Regions with time are left out: measured at
 * defaults, a heat problem on a disk over time solved to 2.5e-6 without the rule (README, "Regions").
 */
export function steadyRegion(problem: RegionRuleProblem): boolean {
  const region = problem.domain?.region ?? null;
  const inverse = (problem.parameters ?? []).length > 0 || (problem.data ?? []).length > 0;
  return region !== null && (region.dim === 2 || region.dim === 3) && problem.variables.length === region.dim && !inverse;
}

/** The rule's RAR-D period for a problem the file leaves it to (techniques.ts defaultAdaptiveSampling); null: not a steady region. */
export function regionAdaptiveSampling(problem: RegionRuleProblem): number | null {
  return steadyRegion(problem) ? REGION_DEFAULTS.adaptiveSampling : null;
}

/**
 * The measure of a mean face of the box with these sides: the mean side in 2-D, the mean face area
 * ((ab + bc + ca)/3) in 3-D — what one side condition of a box problem covers with boundary_points.
 */
function meanFace(sides: readonly number[]): number {
  if (sides.length === 2) return (sides[0]! + sides[1]!) / 2;
  const [a, b, c] = sides as [number, number, number];
  return (a * b + b * c + c * a) / 3;
}

/** What the rule set, for the report: the region's dimension, the interior points, and the boundary points of each part condition it sized (`length`: the part's length, or area in 3-D). */
export interface RegionRuleRecord {
  dim: number;
  points: number | null;
  parts: { part: string; length: number; points: number }[];
}

/**
 * Applies the rule's counts to a loaded problem (problem/load.ts), where the file left them to
 * pinn: `training.points` becomes REGION_DEFAULTS.points, and each boundary-part condition without
 * its own `points` gets boundary_points × (its part's length / the mean side of the region's
 * bounding box; in 3-D its area / the mean face area), at least boundary_points — the density a box
 * side gets. Returns what it set (null when the rule does not apply).
 */
export function applyRegionDefaults(problem: Problem): RegionRuleRecord | null {
  if (!steadyRegion(problem)) return null;
  const region = problem.domain!.region!;
  const t = problem.training;
  const record: RegionRuleRecord = { dim: region.dim, points: null, parts: [] };
  if (t.leftOut?.points === true && t.points < REGION_DEFAULTS.points) {
    t.points = REGION_DEFAULTS.points;
    record.points = t.points;
  }
  if (t.leftOut?.boundaryPoints === true) {
    const sides = region.bbox.hi.map((h, i) => h - region.bbox.lo[i]!);
    const side = meanFace(sides);
    for (const c of problem.conditions) {
      if (c.kind !== "part" || c.points !== undefined) continue;
      const length = region.partMeasure(c.part, new Rng(t.seed + 1), REGION_DEFAULTS.measureDraws);
      const points = Math.min(LIMITS.maxPoints, Math.max(t.boundaryPoints, Math.ceil((t.boundaryPoints * length) / side)));
      if (points === t.boundaryPoints) continue;
      c.points = points;
      record.parts.push({ part: c.part ?? "boundary", length, points });
    }
  }
  return record;
}

/** The header line that says what the rule set (cli/describe.ts); null when it set nothing. */
export function describeRegionDefaults(record: RegionRuleRecord | undefined | null): string | null {
  if (!record || (record.points === null && record.parts.length === 0)) return null;
  const what = [
    ...(record.points !== null ? [`${record.points} interior points`] : []),
    ...(record.parts.length > 0 ? [`boundary points by ${record.dim === 3 ? "area" : "length"} (${record.parts.map((p) => `${p.part} ${p.points}`).join(", ")})`] : []),
  ];
  return `  steady ${record.dim}-D region: ${what.join(", ")} (training.points and boundary_points choose otherwise)`;
}
