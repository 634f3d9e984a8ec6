// Re-entrant corners of a 2-D region, and a weighted measure of an equation's residual near them
// (README, "Reading the diagnostics": "Re-entrant corners").
//
// At a corner of interior angle ω > π the solution of an elliptic problem generically behaves like
// r^(π/ω) (r: distance to the corner; Grisvard, "Elliptic problems in nonsmooth domains", 1985), so
// its second derivatives grow like r^(π/ω − 2), which is not square-integrable near the corner. No
// smooth function — a network is one — can then make the L² norm of the residual f small: the
// coefficient c of the singular function is a bounded functional of f in L² (c = ∫ f·s⁻ + boundary
// terms, with the dual singular function s⁻ ~ r^(−π/ω) in L²), and a smooth function has c = 0, so
// ‖f‖_L² ≥ |c|/‖s⁻‖ for every network, however accurate.
//
// The weighted residual ‖w·f‖_L² with w = min(1, r/ℓ) (Kondrat'ev's weights, exponent 1) has no such
// floor (r^(−1)·s⁻ is not in L²) and still bounds the H¹ error: by Hardy's inequality in the corner's
// sector, ∫ φ²/r² ≤ (ω/π)² ∫ |∇φ|² for φ vanishing on its two edges, so ‖f‖_H⁻¹ ≤ C‖w·f‖_L². A larger
// exponent would no longer bound the error (it could hide a real failure at the corner). ℓ is the
// distance from the corner to the nearest other corner of the region (a vertex or a crossing of its
// straight edges), within which the corner's singular expansion describes the solution.
//
// The verdict does not use this measure to pass a result (README: on laplace-lshape it is 1.8e-2 of
// the natural size, still above the 1e-2 limit, and the network does not satisfy the equation within
// about 0.1 of the corner at all); it reports it, and says that the residual sits at the corner.
//
// Which corners. The vertices of the rectangles and polygons the region is made of, and the crossings
// of their edges, kept where the region's boundary passes with an interior angle above π: measured as
// the fraction of a small circle around the point (radius 1e-6 of the region's diameter) that lies in
// the region. Corners formed by curved shapes (a disk cut from a rectangle meets it at an angle) and
// 3-D regions (re-entrant edges) are not detected.

import type { Domain } from "../geometry/domain.js";
import type { Region } from "../geometry/region.js";
import { Polygon, Rectangle } from "../geometry/shapes.js";

export interface ReentrantCorner {
  /** The corner (spatial coordinates of the region). */
  at: [number, number];
  /** Interior angle ω (radians, > π). */
  angle: number;
  /** The weight's range ℓ: min(1, r/ℓ). */
  range: number;
}

/** Probes on the small circle around a candidate (the angle's resolution: 2π/PROBES). */
const PROBES = 720;
/** Angles above π by more than this (radians) are re-entrant; straight boundary points give π ± 2π/PROBES. */
const ANGLE_MARGIN = 0.05;

type Segment = [number, number, number, number];

function edgesOf(region: Region): { vertices: [number, number][]; edges: Segment[] } {
  const vertices: [number, number][] = [];
  const edges: Segment[] = [];
  const ring = (xs: readonly number[], ys: readonly number[]): void => {
    for (let i = 0; i < xs.length; i++) {
      const j = (i + 1) % xs.length;
      vertices.push([xs[i]!, ys[i]!]);
      edges.push([xs[i]!, ys[i]!, xs[j]!, ys[j]!]);
    }
  };
  for (const shape of region.shapes.values()) {
    if (shape instanceof Rectangle) ring([shape.x0, shape.x1, shape.x1, shape.x0], [shape.y0, shape.y0, shape.y1, shape.y1]);
    else if (shape instanceof Polygon) ring(shape.xs, shape.ys);
  }
  return { vertices, edges };
}

/** The crossing point of two segments, or null (parallel, or not crossing within both). */
function crossing(a: Segment, b: Segment): [number, number] | null {
  const [x1, y1, x2, y2] = a;
  const [x3, y3, x4, y4] = b;
  const den = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3);
  if (den === 0) return null;
  const s = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / den;
  const t = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / den;
  if (s < 0 || s > 1 || t < 0 || t > 1) return null;
  return [x1 + s * (x2 - x1), y1 + s * (y2 - y1)];
}

/** The region's interior angle at p (radians): the fraction of a small circle around p inside it, times 2π. */
export function interiorAngle(region: Region, p: readonly [number, number], radius: number): number {
  const q = new Float64Array(2);
  let inside = 0;
  for (let k = 0; k < PROBES; k++) {
    const a = (2 * Math.PI * (k + 0.5)) / PROBES;
    q[0] = p[0] + radius * Math.cos(a);
    q[1] = p[1] + radius * Math.sin(a);
    if (region.contains(q)) inside++;
  }
  return (2 * Math.PI * inside) / PROBES;
}

/** The re-entrant corners of a 2-D region made with straight-edged shapes (none for other regions). */
export function reentrantCorners(region: Region): ReentrantCorner[] {
  if (region.dim !== 2) return [];
  const { vertices, edges } = edgesOf(region);
  const candidates = [...vertices];
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const c = crossing(edges[i]!, edges[j]!);
      if (c !== null) candidates.push(c);
    }
  }
  const diameter = Math.hypot(region.bbox.hi[0]! - region.bbox.lo[0]!, region.bbox.hi[1]! - region.bbox.lo[1]!);
  const same = 1e-9 * diameter;
  const unique: [number, number][] = [];
  for (const c of candidates) if (!unique.some((u) => Math.hypot(u[0] - c[0], u[1] - c[1]) <= same)) unique.push(c);
  const corners: ReentrantCorner[] = [];
  for (const c of unique) {
    const angle = interiorAngle(region, c, 1e-6 * diameter);
    // Above π (re-entrant) and below 2π (a point inside the region, or a crack tip, is not a corner
    // of this kind: a full circle inside means the point is interior).
    if (!(angle > Math.PI + ANGLE_MARGIN && angle < 2 * Math.PI - ANGLE_MARGIN)) continue;
    // ℓ: the nearest other candidate on the region's boundary (a vertex or crossing the boundary passes).
    let range = diameter;
    for (const u of unique) {
      const d = Math.hypot(u[0] - c[0], u[1] - c[1]);
      if (d > same && d < range) {
        const a = interiorAngle(region, u, 1e-6 * diameter);
        if (a > ANGLE_MARGIN && a < 2 * Math.PI - ANGLE_MARGIN) range = d;
      }
    }
    corners.push({ at: c, angle, range });
  }
  return corners;
}

/**
 * Per-point weights for the residual statistics of `points` (n × dims, the problem's variables):
 * min over the re-entrant corners of min(1, r/ℓ), r the distance in the region's variables; null
 * when the domain has no re-entrant corner (every weight would be 1).
 */
export function cornerWeights(domain: Domain | undefined, corners: readonly ReentrantCorner[], points: Float64Array, dims: number): Float64Array | null {
  if (domain === undefined || domain.region === null || corners.length === 0) return null;
  const [ix, iy] = domain.spatial as [number, number];
  const n = points.length / dims;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 1;
    for (const c of corners) {
      const r = Math.hypot(points[i * dims + ix]! - c.at[0], points[i * dims + iy]! - c.at[1]);
      m = Math.min(m, r / c.range);
    }
    w[i] = m;
  }
  return w;
}
