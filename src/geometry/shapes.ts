// The primitive shapes of the contract's "Regions": rectangle, disk, ellipse, polygon (2-D) and box,
// ball, cylinder (3-D). Each one knows, exactly: whether a point lies in it (closed set), its
// bounding box, its boundary measure (perimeter or surface area), how to draw a boundary point
// uniformly by arc length (area in 3-D) with the outward unit normal there, and a signed distance
// (negative inside; exact except for the ellipse, where it is the first-order approximation
// (q − 1)/|∇q| of q = (x/a)² + (y/b)², exact on the boundary and of the right sign everywhere).
//
// Adding a shape: one entry in SHAPES (argument names and a constructor) and its class here.

import type { Rng } from "../engine/random.js";
import type { Box } from "./box.js";

export interface Shape {
  readonly kind: string;
  readonly dim: 2 | 3;
  readonly bbox: Box;
  /** Perimeter (2-D) or surface area (3-D). */
  readonly measure: number;
  /** Whether p[o .. o+dim) lies in the closed shape. */
  contains(p: ArrayLike<number>, o?: number): boolean;
  /** Signed distance to the boundary: < 0 inside, 0 on it, > 0 outside. */
  distance(p: ArrayLike<number>, o?: number): number;
  /** A boundary point uniform by measure into `point`, its outward unit normal into `normal`. */
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void;
  /** 2-D shapes: the boundary as a closed polyline [x0, y0, …, x0, y0] of segments no longer than `step`. */
  polyline?(step: number): number[];
}

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

/** The constructors by name, with their argument names (for messages). */
export const SHAPES: Readonly<Record<string, { dim: 2 | 3; args: readonly string[]; minArgs?: number; make: (a: number[]) => Shape }>> = {
  rectangle: { dim: 2, args: ["x0", "y0", "x1", "y1"], make: (a) => new Rectangle(a[0]!, a[1]!, a[2]!, a[3]!) },
  disk: { dim: 2, args: ["cx", "cy", "r"], make: (a) => new Disk(a[0]!, a[1]!, a[2]!) },
  ellipse: { dim: 2, args: ["cx", "cy", "a", "b"], make: (a) => new Ellipse(a[0]!, a[1]!, a[2]!, a[3]!) },
  polygon: { dim: 2, args: ["x1", "y1", "x2", "y2", "x3", "y3", "..."], minArgs: 6, make: (a) => new Polygon(a) },
  box: { dim: 3, args: ["x0", "y0", "z0", "x1", "y1", "z1"], make: (a) => new Box3(a.slice(0, 3), a.slice(3, 6)) },
  ball: { dim: 3, args: ["cx", "cy", "cz", "r"], make: (a) => new Ball(a[0]!, a[1]!, a[2]!, a[3]!) },
  cylinder: { dim: 3, args: ["cx", "cy", "r", "z0", "z1"], make: (a) => new Cylinder(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!) },
};

/** Thrown for invalid shape arguments; the loader turns it into a located error. */
export class ShapeError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

function positive(value: number, what: string): void {
  if (!(value > 0)) throw new ShapeError(`${what} must be positive, got ${value}`, `give a positive ${what}`);
}

function ordered(lo: number, hi: number, a: string, b: string): void {
  if (!(lo < hi)) throw new ShapeError(`${a} = ${lo} must be less than ${b} = ${hi}`, `swap the corners or fix the numbers so that ${a} < ${b}`);
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
    if (area2 === 0) throw new ShapeError("polygon has zero area (its vertices are collinear)", "give the vertices of a proper polygon, in order");
    if (selfIntersecting(this.xs, this.ys)) throw new ShapeError("polygon edges cross each other", "list the vertices in order around the polygon");
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

export class Box3 implements Shape {
  readonly kind = "box";
  readonly dim = 3;
  readonly bbox: Box;
  readonly measure: number;
  private readonly faces: number[];
  constructor(readonly lo: number[], readonly hi: number[]) {
    ["x", "y", "z"].forEach((v, i) => ordered(lo[i]!, hi[i]!, `${v}0`, `${v}1`));
    this.bbox = { lo, hi };
    const w = hi.map((h, i) => h - lo[i]!);
    // Face pair i (normal along axis i) has area w_j w_k.
    this.faces = [w[1]! * w[2]!, w[0]! * w[2]!, w[0]! * w[1]!];
    this.measure = 2 * (this.faces[0]! + this.faces[1]! + this.faces[2]!);
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    for (let i = 0; i < 3; i++) if (!(p[o + i]! >= this.lo[i]! && p[o + i]! <= this.hi[i]!)) return false;
    return true;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    return boxDistance(p, o, this.bbox);
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    let s = rng.uniform() * (this.measure / 2);
    let axis = 0;
    while (axis < 2 && s >= this.faces[axis]!) s -= this.faces[axis++]!;
    const high = rng.uniform() < 0.5;
    for (let i = 0; i < 3; i++) {
      point[i] = i === axis ? (high ? this.hi[i]! : this.lo[i]!) : this.lo[i]! + rng.uniform() * (this.hi[i]! - this.lo[i]!);
      normal[i] = i === axis ? (high ? 1 : -1) : 0;
    }
  }
}

export class Ball implements Shape {
  readonly kind = "ball";
  readonly dim = 3;
  readonly bbox: Box;
  readonly measure: number;
  constructor(readonly cx: number, readonly cy: number, readonly cz: number, readonly r: number) {
    positive(r, "radius r");
    this.bbox = { lo: [cx - r, cy - r, cz - r], hi: [cx + r, cy + r, cz + r] };
    this.measure = 4 * Math.PI * r * r;
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const dx = p[o]! - this.cx;
    const dy = p[o + 1]! - this.cy;
    const dz = p[o + 2]! - this.cz;
    return dx * dx + dy * dy + dz * dz <= this.r * this.r;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    return Math.hypot(p[o]! - this.cx, p[o + 1]! - this.cy, p[o + 2]! - this.cz) - this.r;
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    // Archimedes: z uniform in [−1, 1] and the azimuth uniform give the uniform measure on the sphere.
    const z = 2 * rng.uniform() - 1;
    const a = 2 * Math.PI * rng.uniform();
    const rho = Math.sqrt(Math.max(0, 1 - z * z));
    normal[0] = rho * Math.cos(a);
    normal[1] = rho * Math.sin(a);
    normal[2] = z;
    point[0] = this.cx + this.r * normal[0];
    point[1] = this.cy + this.r * normal[1];
    point[2] = this.cz + this.r * normal[2];
  }
}

export class Cylinder implements Shape {
  readonly kind = "cylinder";
  readonly dim = 3;
  readonly bbox: Box;
  readonly measure: number;
  constructor(readonly cx: number, readonly cy: number, readonly r: number, readonly z0: number, readonly z1: number) {
    positive(r, "radius r");
    ordered(z0, z1, "z0", "z1");
    this.bbox = { lo: [cx - r, cy - r, z0], hi: [cx + r, cy + r, z1] };
    this.measure = 2 * Math.PI * r * (z1 - z0) + 2 * Math.PI * r * r;
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const dx = p[o]! - this.cx;
    const dy = p[o + 1]! - this.cy;
    const z = p[o + 2]!;
    return dx * dx + dy * dy <= this.r * this.r && z >= this.z0 && z <= this.z1;
  }
  distance(p: ArrayLike<number>, o = 0): number {
    const dr = Math.hypot(p[o]! - this.cx, p[o + 1]! - this.cy) - this.r;
    const dz = Math.max(this.z0 - p[o + 2]!, p[o + 2]! - this.z1);
    return Math.min(Math.max(dr, dz), 0) + Math.hypot(Math.max(dr, 0), Math.max(dz, 0));
  }
  sampleBoundary(rng: Rng, point: Float64Array, normal: Float64Array): void {
    const side = 2 * Math.PI * this.r * (this.z1 - this.z0);
    const a = 2 * Math.PI * rng.uniform();
    if (rng.uniform() * this.measure < side) {
      normal[0] = Math.cos(a);
      normal[1] = Math.sin(a);
      normal[2] = 0;
      point[0] = this.cx + this.r * normal[0];
      point[1] = this.cy + this.r * normal[1];
      point[2] = this.z0 + rng.uniform() * (this.z1 - this.z0);
      return;
    }
    // A cap: radius √U·r is uniform by area on the disk.
    const top = rng.uniform() < 0.5;
    const rho = this.r * Math.sqrt(rng.uniform());
    point[0] = this.cx + rho * Math.cos(a);
    point[1] = this.cy + rho * Math.sin(a);
    point[2] = top ? this.z1 : this.z0;
    normal[0] = 0;
    normal[1] = 0;
    normal[2] = top ? 1 : -1;
  }
}

function set2(point: Float64Array, normal: Float64Array, x: number, y: number, nx: number, ny: number): void {
  point[0] = x;
  point[1] = y;
  normal[0] = nx;
  normal[1] = ny;
}

/** Exact signed distance to an axis-aligned box (any dimension). */
function boxDistance(p: ArrayLike<number>, o: number, box: Box): number {
  let outside = 0;
  let inside = -Infinity;
  for (let i = 0; i < box.lo.length; i++) {
    const c = (box.lo[i]! + box.hi[i]!) / 2;
    const h = (box.hi[i]! - box.lo[i]!) / 2;
    const q = Math.abs(p[o + i]! - c) - h;
    outside += Math.max(q, 0) ** 2;
    inside = Math.max(inside, q);
  }
  return Math.sqrt(outside) + Math.min(inside, 0);
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
