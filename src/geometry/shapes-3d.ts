// The 3-D primitive shapes: box, ball, cylinder (shapes.ts lists them by name).

import type { Rng } from "../engine/random.js";
import type { Box } from "./box.js";
import { boxDistance, ordered, positive, type Shape } from "./shape.js";

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
