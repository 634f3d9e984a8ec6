// A region: named primitive shapes combined by union (+), difference (−) and intersection (&).
//
// Membership is exact (the closed primitives combined by the set operations). The signed distance
// of a combination is the usual bound: min for a union, max for an intersection, max(a, −b) for a
// difference — exact outside a union and inside an intersection, an approximation elsewhere,
// always of the right sign and zero on the boundary.
//
// Boundary parts. The part named S is the set of points of S's boundary that lie on the region's
// boundary. A point p drawn on ∂S with S's outward normal n is on the region's boundary when the
// region contains exactly one of the two probes p − δn and p + δn (δ = 1e-7 × the region's
// diameter); the region's outward normal is then n if the inner probe is in the region and −n if
// it is not (the boundary of a hole). Probes, unlike membership of p itself, classify correctly the
// points where two primitives' boundaries coincide (a rectangle cut flush out of another). Drawing
// p uniformly on ∂S and keeping the points that pass gives points uniform by arc length (area) on
// the part. The whole boundary is the union of the parts; a point on the boundaries of several
// primitives is kept only for the first of them, so shared stretches are not counted twice.

import type { Rng } from "../engine/random.js";
import type { Box } from "./box.js";
import type { Shape } from "./shapes.js";

export type RegionNode =
  | { kind: "shape"; name: string; shape: Shape }
  | { kind: "union" | "difference" | "intersection"; left: RegionNode; right: RegionNode };

/** Draws of a boundary part: points (count × dim) and outward unit normals (count × dim). */
export interface BoundaryDraw {
  points: Float64Array;
  normals: Float64Array;
}

/** Candidate draws before a part counts as empty (or too small to sample), see `acceptance`. */
const PROBE_DRAWS = 4000;
/** Most candidates per kept point before sampling gives up (a part this small is an input error). */
const MAX_REJECTIONS = 10000;

export class Region {
  readonly dim: 2 | 3;
  readonly bbox: Box;
  /** The primitives by name, in the order they first appear in the expression. */
  readonly shapes: ReadonlyMap<string, Shape>;
  private readonly delta: number;
  private readonly order: string[];

  constructor(readonly root: RegionNode) {
    const shapes = new Map<string, Shape>();
    collect(root, shapes);
    this.shapes = shapes;
    this.order = [...shapes.keys()];
    const dims = new Set([...shapes.values()].map((s) => s.dim));
    if (dims.size !== 1) throw new Error("Region: shapes of different dimensions cannot be combined");
    this.dim = [...dims][0]!;
    this.bbox = bboxOf(root);
    const diameter = Math.hypot(...this.bbox.hi.map((h, i) => h - this.bbox.lo[i]!));
    this.delta = 1e-7 * (diameter > 0 && Number.isFinite(diameter) ? diameter : 1);
  }

  /** Whether p[o .. o+dim) lies in the closed region. */
  contains(p: ArrayLike<number>, o = 0): boolean {
    return member(this.root, p, o);
  }

  /** Signed distance (< 0 inside), exact for a single primitive, a bound for combinations. */
  distance(p: ArrayLike<number>, o = 0): number {
    return distanceOf(this.root, p, o);
  }

  /** Names of the boundary parts: every shape named in the expression. */
  get parts(): readonly string[] {
    return this.order;
  }

  /**
   * Fraction of candidate points on ∂part that lie on the region's boundary, estimated from a fixed
   * number of draws (0: the part is empty). `part` null means the whole boundary.
   */
  acceptance(part: string | null, rng: Rng): number {
    const point = new Float64Array(this.dim);
    const normal = new Float64Array(this.dim);
    let kept = 0;
    for (let i = 0; i < PROBE_DRAWS; i++) if (this.candidate(part, rng, point, normal)) kept++;
    return kept / PROBE_DRAWS;
  }

  /** Length (area) of a boundary part, estimated by `draws` candidates: acceptance × the shapes' measure. */
  partMeasure(part: string | null, rng: Rng, draws = PROBE_DRAWS): number {
    const point = new Float64Array(this.dim);
    const normal = new Float64Array(this.dim);
    let kept = 0;
    for (let i = 0; i < draws; i++) if (this.candidate(part, rng, point, normal)) kept++;
    return (kept / draws) * this.candidateMeasure(part);
  }

  private candidateMeasure(part: string | null): number {
    return part === null ? this.order.reduce((s, n) => s + this.shapes.get(n)!.measure, 0) : this.shapes.get(part)!.measure;
  }

  /** `count` points uniform by measure on a boundary part (null: the whole boundary) with outward normals. */
  sampleBoundary(part: string | null, count: number, rng: Rng): BoundaryDraw {
    if (part !== null && !this.shapes.has(part)) throw new Error(`Region: no shape named "${part}"`);
    const d = this.dim;
    const points = new Float64Array(count * d);
    const normals = new Float64Array(count * d);
    const point = new Float64Array(d);
    const normal = new Float64Array(d);
    for (let k = 0; k < count; k++) {
      let tries = 0;
      while (!this.candidate(part, rng, point, normal)) {
        if (++tries > MAX_REJECTIONS) {
          throw new Error(`Region: the boundary part ${part ?? "boundary"} is empty or too small to sample (no point kept in ${MAX_REJECTIONS} draws)`);
        }
      }
      points.set(point, k * d);
      normals.set(normal, k * d);
    }
    return { points, normals };
  }

  /**
   * The region's boundary as polylines [x0, y0, x1, y1, ...] (2-D regions; for drawing): each
   * shape's outline cut into segments of about 1/400 of the diameter, keeping the runs of segments
   * whose midpoints pass the boundary test of the file's head, with probes one segment length away
   * (a chord's midpoint is off a curved boundary by more than the sampling probes' δ).
   */
  outline(): number[][] {
    if (this.dim !== 2) return [];
    const step = (this.delta / 1e-7) / 400;
    const lines: number[][] = [];
    const probe = new Float64Array(2);
    for (const shape of this.shapes.values()) {
      const poly = shape.polyline?.(step) ?? [];
      let run: number[] = [];
      for (let k = 0; k + 3 < poly.length; k += 2) {
        const [x0, y0, x1, y1] = [poly[k]!, poly[k + 1]!, poly[k + 2]!, poly[k + 3]!];
        const len = Math.hypot(x1 - x0, y1 - y0) || 1;
        const [nx, ny] = [(y1 - y0) / len, -(x1 - x0) / len];
        const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
        probe[0] = mx - step * nx;
        probe[1] = my - step * ny;
        const a = this.contains(probe);
        probe[0] = mx + step * nx;
        probe[1] = my + step * ny;
        if (a !== this.contains(probe)) {
          if (run.length === 0) run.push(x0, y0);
          run.push(x1, y1);
        } else if (run.length > 0) {
          lines.push(run);
          run = [];
        }
      }
      if (run.length > 0) lines.push(run);
    }
    return lines;
  }

  /** Draw one candidate into point/normal; true when it lies on the part (normal made the region's). */
  private candidate(part: string | null, rng: Rng, point: Float64Array, normal: Float64Array): boolean {
    let index: number;
    if (part === null) {
      let s = rng.uniform() * this.candidateMeasure(null);
      index = 0;
      while (index < this.order.length - 1 && s >= this.shapes.get(this.order[index]!)!.measure) s -= this.shapes.get(this.order[index++]!)!.measure;
    } else {
      index = this.order.indexOf(part);
    }
    const shape = this.shapes.get(this.order[index]!)!;
    shape.sampleBoundary(rng, point, normal);
    const d = this.dim;
    const probe = new Float64Array(d);
    for (let i = 0; i < d; i++) probe[i] = point[i]! - this.delta * normal[i]!;
    const innerIn = this.contains(probe);
    for (let i = 0; i < d; i++) probe[i] = point[i]! + this.delta * normal[i]!;
    const outerIn = this.contains(probe);
    if (innerIn === outerIn) return false;
    if (part === null) {
      // Shared stretches belong to the first shape whose boundary they lie on.
      for (let j = 0; j < index; j++) if (Math.abs(this.shapes.get(this.order[j]!)!.distance(point)) <= this.delta) return false;
    }
    if (!innerIn) for (let i = 0; i < d; i++) normal[i] = -normal[i]!;
    return true;
  }
}

function collect(node: RegionNode, out: Map<string, Shape>): void {
  if (node.kind === "shape") {
    if (!out.has(node.name)) out.set(node.name, node.shape);
    return;
  }
  collect(node.left, out);
  collect(node.right, out);
}

function member(node: RegionNode, p: ArrayLike<number>, o: number): boolean {
  switch (node.kind) {
    case "shape":
      return node.shape.contains(p, o);
    case "union":
      return member(node.left, p, o) || member(node.right, p, o);
    case "intersection":
      return member(node.left, p, o) && member(node.right, p, o);
    case "difference":
      return member(node.left, p, o) && !member(node.right, p, o);
  }
}

function distanceOf(node: RegionNode, p: ArrayLike<number>, o: number): number {
  switch (node.kind) {
    case "shape":
      return node.shape.distance(p, o);
    case "union":
      return Math.min(distanceOf(node.left, p, o), distanceOf(node.right, p, o));
    case "intersection":
      return Math.max(distanceOf(node.left, p, o), distanceOf(node.right, p, o));
    case "difference":
      return Math.max(distanceOf(node.left, p, o), -distanceOf(node.right, p, o));
  }
}

/** A box containing the region: union of boxes, intersection of boxes, the left box of a difference. */
function bboxOf(node: RegionNode): Box {
  if (node.kind === "shape") return node.shape.bbox;
  const a = bboxOf(node.left);
  if (node.kind === "difference") return a;
  const b = bboxOf(node.right);
  const pick = node.kind === "union" ? [Math.min, Math.max] : [Math.max, Math.min];
  return { lo: a.lo.map((v, i) => pick[0]!(v, b.lo[i]!)), hi: a.hi.map((v, i) => pick[1]!(v, b.hi[i]!)) };
}
