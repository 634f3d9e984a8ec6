// The 2-D primitive shapes: rectangle, disk, ellipse, polygon (shapes.ts lists them by name).

import type { Rng } from "../engine/random.js";
import type { Box } from "./box.js";
import { ShapeError, boxDistance, ordered, positive, type Shape } from "./shape.js";

/** The closed polyline through `xs`, `ys` (closed back to the first vertex), edges cut to length ≤ step. */
function closedPolyline(xs: readonly number[], ys: readonly number[], step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const j = (i + 1) % xs.length;
    const pieces = Math.max(1, Math.ceil(Math.hypot(xs[j]! - xs[i]!, ys[j]! - ys[i]!) / step));
    for (let k = 0; k < pieces; k++) out.push(xs[i]! + ((xs[j]! - xs[i]!) * k) / pieces, ys[i]! + ((ys[j]! - ys[i]!) * k) / pieces);
  }
  out.push(xs[0]!, ys[0]!);
  return out;
}

/** A closed curve (cx + a cos θ, cy + b sin θ) with segments no longer than about `step`. */
function ellipsePolyline(cx: number, cy: number, a: number, b: number, step: number): number[] {
  const n = Math.max(16, Math.ceil((2 * Math.PI * Math.max(a, b)) / step));
  const out: number[] = [];
  for (let k = 0; k <= n; k++) out.push(cx + a * Math.cos((2 * Math.PI * k) / n), cy + b * Math.sin((2 * Math.PI * k) / n));
  return out;
}
export class Rectangle implements Shape {
  readonly kind = "rectangle";
  readonly dim = 2;
  readonly bbox: Box;
  readonly measure: number;
  constructor(readonly x0: number, readonly y0: number, readonly x1: number, readonly y1: number) {
    ordered(x0, x1, "x0", "x1");
    ordered(y0, y1, "y0", "y1");
    this.bbox = { lo: [x0, y0], hi: [x1, y1] };
    this.measure = 2 * (x1 - x0 + (y1 - y0));
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const x = p[o]!;
    const y = p[o + 1]!;
    return x >= this.x0 && x <= this.x1 && y >= this.y0 && y <= this.y1;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    return boxDistance(p, o, this.bbox);
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    const w = this.x1 - this.x0;
    const h = this.y1 - this.y0;
    let s = rng.uniform() * this.measure;
    // Bottom, right, top, left, each by its length.
    if (s < w) return set2(point, normal, this.x0 + s, this.y0, 0, -1);
    s -= w;
    if (s < h) return set2(point, normal, this.x1, this.y0 + s, 1, 0);
    s -= h;
    if (s < w) return set2(point, normal, this.x1 - s, this.y1, 0, 1);
    s -= w;
    set2(point, normal, this.x0, this.y1 - Math.min(s, h), -1, 0);
  }
  polyline(step: number): number[] {
    return closedPolyline([this.x0, this.x1, this.x1, this.x0], [this.y0, this.y0, this.y1, this.y1], step);
  }
}

export class Disk implements Shape {
  readonly kind = "disk";
  readonly dim = 2;
  readonly bbox: Box;
  readonly measure: number;
  constructor(readonly cx: number, readonly cy: number, readonly r: number) {
    positive(r, "radius r");
    this.bbox = { lo: [cx - r, cy - r], hi: [cx + r, cy + r] };
    this.measure = 2 * Math.PI * r;
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const dx = p[o]! - this.cx;
    const dy = p[o + 1]! - this.cy;
    return dx * dx + dy * dy <= this.r * this.r;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    return Math.hypot(p[o]! - this.cx, p[o + 1]! - this.cy) - this.r;
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    const a = 2 * Math.PI * rng.uniform();
    const c = Math.cos(a);
    const s = Math.sin(a);
    set2(point, normal, this.cx + this.r * c, this.cy + this.r * s, c, s);
  }
  polyline(step: number): number[] {
    return ellipsePolyline(this.cx, this.cy, this.r, this.r, step);
  }
}

export class Ellipse implements Shape {
  readonly kind = "ellipse";
  readonly dim = 2;
  readonly bbox: Box;
  readonly measure: number;
  constructor(readonly cx: number, readonly cy: number, readonly a: number, readonly b: number) {
    positive(a, "semi-axis a");
    positive(b, "semi-axis b");
    this.bbox = { lo: [cx - a, cy - b], hi: [cx + a, cy + b] };
    // Perimeter ∫₀^{2π} |r'(θ)| dθ by the midpoint rule, which converges geometrically for a smooth
    // periodic integrand (4096 nodes: exact to rounding for axis ratios up to ~100).
    const n = 4096;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.speed((2 * Math.PI * (i + 0.5)) / n);
    this.measure = (sum * 2 * Math.PI) / n;
  }
  /** |r'(θ)| for r(θ) = (a cos θ, b sin θ). */
  private speed(t: number): number {
    return Math.hypot(this.a * Math.sin(t), this.b * Math.cos(t));
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const u = (p[o]! - this.cx) / this.a;
    const v = (p[o + 1]! - this.cy) / this.b;
    return u * u + v * v <= 1;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    const x = p[o]! - this.cx;
    const y = p[o + 1]! - this.cy;
    const q = (x * x) / (this.a * this.a) + (y * y) / (this.b * this.b);
    const g = 2 * Math.hypot(x / (this.a * this.a), y / (this.b * this.b));
    // Near the centre |∇q| → 0; there the distance is at least of the order of the smaller axis.
    return g > 2 / Math.max(this.a, this.b) ? (q - 1) / g : ((q - 1) * Math.max(this.a, this.b)) / 2;
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    // θ with density ∝ |r'(θ)| by rejection from the uniform density (acceptance ≥ min(a,b)/max(a,b)).
    const top = Math.max(this.a, this.b);
    for (;;) {
      const t = 2 * Math.PI * rng.uniform();
      if (rng.uniform() * top > this.speed(t)) continue;
      const c = Math.cos(t);
      const s = Math.sin(t);
      const nx = c / this.a;
      const ny = s / this.b;
      const len = Math.hypot(nx, ny);
      return set2(point, normal, this.cx + this.a * c, this.cy + this.b * s, nx / len, ny / len);
    }
  }
  polyline(step: number): number[] {
    return ellipsePolyline(this.cx, this.cy, this.a, this.b, step);
  }
}

export class Polygon implements Shape {
  readonly kind = "polygon";
  readonly dim = 2;
  readonly bbox: Box;
  readonly measure: number;
  readonly xs: number[];
  readonly ys: number[];
  /** Cumulative edge lengths; edge i runs from vertex i to vertex i+1 (mod n). */
  private readonly cumulative: number[];
  /** +1 when the vertices run counter-clockwise, −1 when clockwise. */
  private readonly orientation: number;

  constructor(coords: readonly number[]) {
    if (coords.length % 2 !== 0) throw new ShapeError(`polygon has an odd number of coordinates (${coords.length})`, "give x, y pairs: polygon(x1, y1, x2, y2, x3, y3, ...)");
    if (coords.length < 6) throw new ShapeError(`polygon needs at least three vertices, got ${coords.length / 2}`, "give x, y pairs: polygon(x1, y1, x2, y2, x3, y3, ...)");
    this.xs = coords.filter((_, i) => i % 2 === 0);
    this.ys = coords.filter((_, i) => i % 2 === 1);
    const n = this.xs.length;
    let area2 = 0;
    this.cumulative = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      area2 += this.xs[i]! * this.ys[j]! - this.xs[j]! * this.ys[i]!;
      const len = Math.hypot(this.xs[j]! - this.xs[i]!, this.ys[j]! - this.ys[i]!);
      if (len === 0) throw new ShapeError(`polygon vertices ${i + 1} and ${j + 1} coincide`, "remove the repeated vertex (the polygon closes itself)");
      total += len;
      this.cumulative.push(total);
    }
    // Crossing edges first: a bow-tie's two halves cancel to zero signed area, and "collinear" would be the wrong reason.
    if (selfIntersecting(this.xs, this.ys)) throw new ShapeError("polygon edges cross each other", "list the vertices in order around the polygon");
    if (area2 === 0) throw new ShapeError("polygon has zero area (its vertices are collinear)", "give the vertices of a proper polygon, in order");
    this.orientation = Math.sign(area2);
    this.measure = total;
    this.bbox = { lo: [Math.min(...this.xs), Math.min(...this.ys)], hi: [Math.max(...this.xs), Math.max(...this.ys)] };
  }

  contains(p: ArrayLike<number>, o = 0): boolean {
    return this.edgeDistance(p[o]!, p[o + 1]!) === 0 || this.crossings(p[o]!, p[o + 1]!);
  }

  /** Even-odd rule: a ray to +x crosses the boundary an odd number of times. */
  private crossings(x: number, y: number): boolean {
    let inside = false;
    const n = this.xs.length;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = this.ys[i]!;
      const yj = this.ys[j]!;
      if (yi > y !== yj > y && x < ((this.xs[j]! - this.xs[i]!) * (y - yi)) / (yj - yi) + this.xs[i]!) inside = !inside;
    }
    return inside;
  }

  private edgeDistance(x: number, y: number): number {
    let best = Infinity;
    const n = this.xs.length;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      best = Math.min(best, segmentDistance(x, y, this.xs[i]!, this.ys[i]!, this.xs[j]!, this.ys[j]!));
    }
    return best;
  }

  distance(p: ArrayLike<number>, o = 0): number {
    const d = this.edgeDistance(p[o]!, p[o + 1]!);
    return this.crossings(p[o]!, p[o + 1]!) ? -d : d;
  }

  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    const s = rng.uniform() * this.measure;
    let i = 0;
    while (i < this.cumulative.length - 1 && this.cumulative[i]! <= s) i++;
    const j = (i + 1) % this.xs.length;
    const start = i === 0 ? 0 : this.cumulative[i - 1]!;
    const len = this.cumulative[i]! - start;
    const f = Math.min(1, (s - start) / len);
    const dx = this.xs[j]! - this.xs[i]!;
    const dy = this.ys[j]! - this.ys[i]!;
    // Counter-clockwise: the outward normal of direction (dx, dy) is (dy, −dx)/len.
    set2(point, normal, this.xs[i]! + f * dx, this.ys[i]! + f * dy, (this.orientation * dy) / len, (-this.orientation * dx) / len);
  }
  polyline(step: number): number[] {
    return closedPolyline(this.xs, this.ys, step);
  }
}
function set2(point: Float64Array, normal: Float64Array, x: number, y: number, nx: number, ny: number): void {
  point[0] = x;
  point[1] = y;
  normal[0] = nx;
  normal[1] = ny;
}
function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}
/** Whether two non-adjacent edges of the closed polygon intersect. */
function selfIntersecting(xs: number[], ys: number[]): boolean {
  const n = xs.length;
  const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number => Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
  for (let i = 0; i < n; i++) {
    const i2 = (i + 1) % n;
    for (let j = i + 1; j < n; j++) {
      const j2 = (j + 1) % n;
      if (j === i2 || j2 === i) continue; // adjacent edges share a vertex
      const o1 = orient(xs[i]!, ys[i]!, xs[i2]!, ys[i2]!, xs[j]!, ys[j]!);
      const o2 = orient(xs[i]!, ys[i]!, xs[i2]!, ys[i2]!, xs[j2]!, ys[j2]!);
      const o3 = orient(xs[j]!, ys[j]!, xs[j2]!, ys[j2]!, xs[i]!, ys[i]!);
      const o4 = orient(xs[j]!, ys[j]!, xs[j2]!, ys[j2]!, xs[i2]!, ys[i2]!);
      if (o1 !== o2 && o3 !== o4) return true;
    }
  }
  return false;
}
