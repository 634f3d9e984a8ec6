// `constraints: hard` on a region: Dirichlet data on boundary parts enforced by construction with an
// approximate distance function (ADF) φ, u = L + φ·N (Sukumar & Srivastava 2022, "Exact imposition
// of boundary conditions with distance functions in physics-informed deep neural networks").
//
// φ is a product of the primitives' own distance-like functions, each positive on the region's side
// of its shape's boundary and normalised to unit slope there:
//   disk, ball   (r² − |x − c|²)/(2r)         ellipse  (1 − (x/a)² − (y/b)²)·min(a, b)/2
//   rectangle, box, convex polygon: the product of the signed distances to the sides' lines, each
//   divided by the shape's diameter (so the product is of order one inside)
//   cylinder     the disk's function times the two caps' distances
// and the shapes subtracted from the region (holes) enter with the opposite sign. A product of such
// factors vanishes on every boundary of the Dirichlet shapes — and on their sides' extended lines, so
// it is only used when it vanishes nowhere inside the region: checked at sample points of the
// region (it must keep one sign there), otherwise the conditions stay penalty terms. This is the
// R-conjunction of Rvachev for factors whose zero sets do not cross the region; a non-convex
// polygon (an L-shape written as one polygon) is not covered and stays a penalty.
//
// The lift: with Dirichlet data g on the parts (one expression, the same for all of them) L = g;
// with an initial condition u = h at t = t₀ as well, L = h + g − g|_{t=t₀} and the factor gains
// (t − t₀)/T, which is the Boolean sum of the two projections (Gordon & Hall 1973). What a trial form
// satisfies is verified numerically afterwards (residual/enforced.ts), so incompatible data are
// reported, never silently mis-enforced.

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import { evaluatePoints } from "../expressions/evaluate.js";
import type { Region, RegionNode } from "../geometry/region.js";
import { Ball, Box3, Cylinder, Disk, Ellipse, Polygon, Rectangle, type Shape } from "../geometry/shapes.js";
import type { PartCondition, PointCondition, Problem, Trial } from "./types.js";

/** What a region's trial form can enforce, for the report of what it could not. */
export const REGION_HARD_SCOPE = "on a region a trial form enforces Dirichlet data u = g on boundary parts (one g for all of them; disks, ellipses, balls, rectangles, boxes, convex polygons, cylinders) and an initial value at the start of t";

/** Interior sample points at which φ must keep its sign. */
const SIGN_POINTS = 4000;

/** The data g of a condition "u_k = g on part" (linear in u_k, no derivative), or null. */
function dirichletData(c: PartCondition): { unknown: number; data: Sym } | null {
  const fields = S.fieldAtoms(c.residual);
  if (fields.length !== 1 || fields[0]!.alpha.length > 0) return null;
  const f = fields[0]!;
  const at = (v: number): Sym => S.substitute(c.residual, (atom) => (atom === f ? S.num(v) : undefined));
  const r0 = at(0);
  const slope = constantOrSelf(S.sub(at(1), r0));
  if (slope.kind === "const" && slope.value === 0) return null;
  return { unknown: f.unknown, data: S.div(S.neg(r0), slope) };
}

/**
 * The number an expression always equals when it is constant but not folded (the slope of u − g in
 * u is (1 − g) − (0 − g)): checked at random points, so that the lift is g and not g/((1 − g) + g).
 */
function constantOrSelf(s: Sym): Sym {
  if (s.kind === "const") return s;
  const vars = S.topologicalNodes([s]).filter((n) => n.kind === "var").map((n) => (n as { index: number }).index);
  const dim = Math.max(0, ...vars) + 1;
  const rng = new Rng(99);
  const values = evaluatePoints(s, Float64Array.from({ length: 8 * dim }, () => rng.uniform() * 2 - 1), dim);
  const v = values[0]!;
  return Number.isFinite(v) && values.every((w) => Math.abs(w - v) <= 1e-12 * Math.max(1, Math.abs(v))) ? S.num(Math.round(v * 1e12) / 1e12) : s;
}

/** The shape's distance-like function in the spatial coordinates x (positive inside), or null. */
function shapeFactor(shape: Shape, x: Sym[]): Sym | null {
  const sq = (a: Sym): Sym => S.mul(a, a);
  const lin = (c: number[], d: number, scale: number): Sym => {
    // (c · x + d) / scale
    let s: Sym = S.num(d);
    c.forEach((ci, i) => (s = ci === 0 ? s : S.add(s, S.mul(S.num(ci), x[i]!))));
    return S.mul(S.num(1 / scale), s);
  };
  const product = (fs: Sym[]): Sym => fs.reduce((a, b) => S.mul(a, b));
  if (shape instanceof Disk) {
    const r2 = S.add(sq(S.sub(x[0]!, S.num(shape.cx))), sq(S.sub(x[1]!, S.num(shape.cy))));
    return S.mul(S.num(1 / (2 * shape.r)), S.sub(S.num(shape.r * shape.r), r2));
  }
  if (shape instanceof Ball) {
    const r2 = S.add(S.add(sq(S.sub(x[0]!, S.num(shape.cx))), sq(S.sub(x[1]!, S.num(shape.cy)))), sq(S.sub(x[2]!, S.num(shape.cz))));
    return S.mul(S.num(1 / (2 * shape.r)), S.sub(S.num(shape.r * shape.r), r2));
  }
  if (shape instanceof Ellipse) {
    const q = S.add(sq(S.div(S.sub(x[0]!, S.num(shape.cx)), S.num(shape.a))), sq(S.div(S.sub(x[1]!, S.num(shape.cy)), S.num(shape.b))));
    return S.mul(S.num(Math.min(shape.a, shape.b) / 2), S.sub(S.ONE, q));
  }
  const diameter = Math.hypot(...shape.bbox.hi.map((h, i) => h - shape.bbox.lo[i]!));
  if (shape instanceof Rectangle || shape instanceof Box3) {
    const lo = shape.bbox.lo;
    const hi = shape.bbox.hi;
    return product(lo.flatMap((l, i) => {
      const e = lo.map((_, j) => (j === i ? 1 : 0));
      return [lin(e, -l, diameter), lin(e.map((v) => -v), hi[i]!, diameter)];
    }));
  }
  if (shape instanceof Polygon) {
    if (!convex(shape)) return null;
    const n = shape.xs.length;
    const ccw = signedArea(shape) > 0 ? 1 : -1;
    const factors: Sym[] = [];
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const [dx, dy] = [shape.xs[j]! - shape.xs[i]!, shape.ys[j]! - shape.ys[i]!];
      const len = Math.hypot(dx, dy);
      // Inward unit normal of a counter-clockwise edge: (−dy, dx)/len.
      const [nx, ny] = [(-ccw * dy) / len, (ccw * dx) / len];
      factors.push(lin([nx, ny], -(nx * shape.xs[i]! + ny * shape.ys[i]!), diameter));
    }
    return product(factors);
  }
  if (shape instanceof Cylinder) {
    const r2 = S.add(sq(S.sub(x[0]!, S.num(shape.cx))), sq(S.sub(x[1]!, S.num(shape.cy))));
    const disk = S.mul(S.num(1 / (2 * shape.r)), S.sub(S.num(shape.r * shape.r), r2));
    return product([disk, lin([0, 0, 1], -shape.z0, diameter), lin([0, 0, -1], shape.z1, diameter)]);
  }
  return null;
}

function signedArea(p: Polygon): number {
  let a = 0;
  for (let i = 0; i < p.xs.length; i++) {
    const j = (i + 1) % p.xs.length;
    a += p.xs[i]! * p.ys[j]! - p.xs[j]! * p.ys[i]!;
  }
  return a / 2;
}

function convex(p: Polygon): boolean {
  const n = p.xs.length;
  let sign = 0;
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [i, (i + 1) % n, (i + 2) % n];
    const cross = (p.xs[b]! - p.xs[a]!) * (p.ys[c]! - p.ys[b]!) - (p.ys[b]! - p.ys[a]!) * (p.xs[c]! - p.xs[b]!);
    if (cross === 0) continue;
    if (sign !== 0 && Math.sign(cross) !== sign) return false;
    sign = Math.sign(cross);
  }
  return true;
}

/** +1 when the shape adds to the region (the region lies inside it), −1 when it is subtracted. */
function orientation(node: RegionNode, name: string, sign = 1): number | null {
  if (node.kind === "shape") return node.name === name ? sign : null;
  const left = orientation(node.left, name, sign);
  const right = orientation(node.right, name, node.kind === "difference" ? -sign : sign);
  return left ?? right;
}

/**
 * Trial forms for a region problem: for each unknown without one, from its Dirichlet conditions on
 * boundary parts (and an initial condition at the start of t), when an ADF can be built; else null.
 */
export function regionHardTrials(problem: Problem): (Trial | null)[] {
  const domain = problem.domain!;
  const region = domain.region!;
  const dims = problem.variables.length;
  const x = domain.spatial.map((i) => S.variable(i));
  return problem.unknowns.map((_, k) => {
    if (problem.trial[k]) return problem.trial[k];
    const dirichlet = problem.conditions.flatMap((c) => (c.kind === "part" ? [{ c, d: dirichletData(c) }] : [])).filter((e) => e.d !== null && e.d.unknown === k);
    if (dirichlet.length === 0) return null;
    const data = dirichlet[0]!.d!.data;
    // One extension of the data for every part (the same expression; different data would need a
    // blend between parts, which is not built).
    if (dirichlet.some((e) => e.d!.data !== data)) return null;
    if (S.topologicalNodes([data]).some((s) => s.kind === "var" && s.index >= dims)) return null;
    const names = dirichlet.some((e) => e.c.part === null) ? [...region.parts] : [...new Set(dirichlet.map((e) => e.c.part!))];
    const factors: Sym[] = [];
    for (const name of names) {
      const f = shapeFactor(region.shapes.get(name)!, x);
      const sign = orientation(region.root, name);
      if (f === null || sign === null) return null;
      factors.push(sign > 0 ? f : S.neg(f));
    }
    let phi = factors.reduce((a, b) => S.mul(a, b));
    const size = signCheck(phi, region, problem, domain.spatial);
    if (size === null) return null;
    phi = S.mul(S.num(1 / size), phi);
    let lift = data;
    // An initial condition u_k(x, t₀) = h with the other variables free: the Boolean sum with it.
    const t = problem.timeVariable;
    if (t !== null && !domain.spatial.includes(t)) {
      const initial = problem.conditions.find(
        (c): c is PointCondition =>
          c.kind === "point" && !c.location[t]!.free && (c.location[t] as { value: number }).value === problem.bounds[t]![0] && c.location.every((l, i) => i === t || l.free) && isValueOf(c, k),
      );
      if (initial) {
        const h = initialData(initial, k)!;
        const t0 = problem.bounds[t]![0];
        const at0 = S.substitute(data, (atom) => (atom.kind === "var" && atom.index === t ? S.num(t0) : undefined));
        lift = S.add(h, S.sub(data, at0));
        phi = S.mul(phi, S.div(S.sub(S.variable(t), S.num(t0)), S.num(problem.bounds[t]![1] - t0)));
      }
    }
    const expr = S.add(lift, S.mul(phi, S.net(k, [])));
    return { source: { text: S.show(expr, problem, () => "N") }, expr, generated: true };
  });
}

function isValueOf(c: PointCondition, k: number): boolean {
  return initialData(c, k) !== null;
}

/** h in u_k(x, t₀) = h (linear in u_k, no derivative). */
function initialData(c: PointCondition, k: number): Sym | null {
  const fields = S.fieldAtoms(c.residual);
  if (fields.length !== 1 || fields[0]!.alpha.length > 0 || fields[0]!.unknown !== k) return null;
  const f = fields[0]!;
  const at = (v: number): Sym => S.substitute(c.residual, (atom) => (atom === f ? S.num(v) : undefined));
  const slope = constantOrSelf(S.sub(at(1), at(0)));
  if (slope.kind === "const" && slope.value === 0) return null;
  return S.div(S.neg(at(0)), slope);
}

/** max φ over interior samples when φ > 0 at all of them (it vanishes nowhere inside), else null. */
function signCheck(phi: Sym, region: Region, problem: Problem, spatial: readonly number[]): number | null {
  const dims = problem.variables.length;
  const rng = new Rng(2024);
  const points = new Float64Array(SIGN_POINTS * dims);
  const p = new Float64Array(region.dim);
  for (let n = 0; n < SIGN_POINTS; ) {
    for (let i = 0; i < region.dim; i++) p[i] = region.bbox.lo[i]! + rng.uniform() * (region.bbox.hi[i]! - region.bbox.lo[i]!);
    if (!region.contains(p) || region.distance(p) > -1e-9) continue;
    spatial.forEach((v, j) => (points[n * dims + v] = p[j]!));
    n++;
  }
  const values = evaluatePoints(phi, points, dims);
  let max = 0;
  for (const v of values) {
    if (!(v > 0)) return null;
    max = Math.max(max, v);
  }
  return max > 0 && Number.isFinite(max) ? max : null;
}
