// What every primitive shape of the contract's "Regions" provides (the Shape interface), the error
// for invalid shape arguments, and the checks and the box distance that 2-D and 3-D shapes share.

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
/** Thrown for invalid shape arguments; the loader turns it into a located error. */
export class ShapeError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

export function positive(value: number, what: string): void {
  if (!(value > 0)) throw new ShapeError(`${what} must be positive, got ${value}`, `give a positive ${what}`);
}

export function ordered(lo: number, hi: number, a: string, b: string): void {
  if (!(lo < hi)) throw new ShapeError(`${a} = ${lo} must be less than ${b} = ${hi}`, `swap the corners or fix the numbers so that ${a} < ${b}`);
}
/** Exact signed distance to an axis-aligned box (any dimension). */
export function boxDistance(p: ArrayLike<number>, o: number, box: Box): number {
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
