// The Domain: where a problem lives. Every consumer that draws points or builds the evaluation grid
// asks the domain, so a region (disk, polygon, combinations) works wherever a box does.
//
// - BoxDomain: the box of the problem's intervals (the default, and the behaviour before regions).
// - RegionDomain: a region over the spatial variables (the variables other than t) times t's interval.
//
// Interior points in a region are drawn by rejection: the box samplers (random, uniform grid, Latin
// hypercube, Sobol') draw in the bounding box of the free variables and the points outside the
// region are dropped; further batches are drawn until `count` points are kept (for the fixed
// uniform grid: the grid points inside, so fewer than the box would have). Kept points are uniform
// in the region (rejection keeps the density up to normalisation); Latin hypercube and Sobol' keep
// their stratification on the bounding box only.

import type { Rng } from "../engine/random.js";
import { createSampler, embedPoints, type Sampler, type SamplingMethod } from "../sampling/index.js";
import { boxOf, type Bounds } from "./box.js";
import type { Region } from "./region.js";

/** Per variable: free over the domain, or fixed at a value (the structure of a condition's location). */
export type Placement = readonly ({ free: true } | { free: false; value: number })[];

/** Points (count × dims, all variables) on a boundary part, with outward normals (count × spatial dims). */
export interface BoundarySampler {
  readonly count: number;
  next(): { points: Float64Array; normals: Float64Array };
}

/** An evaluation grid over the bounding box; `inside` marks the points of the domain (null: all). */
export interface Grid {
  /** Coordinates along each variable. */
  axes: Float64Array[];
  /** All grid points, row-major n × d, the first variable varying slowest. */
  points: Float64Array;
  count: number;
  /** 1 for the points in the domain, 0 outside; null or absent: every point (a box). */
  inside?: Uint8Array | null;
}

export interface Domain {
  /** The intervals of all variables (for a region: its bounding box, and t's interval). */
  readonly bounds: Bounds;
  readonly dims: number;
  /** The region over the spatial variables, or null for a box. */
  readonly region: Region | null;
  /** Indices of the variables the region is drawn in (empty for a box). */
  readonly spatial: readonly number[];
  /** Whether the full point p[o .. o+dims) lies in the closed domain. */
  contains(p: ArrayLike<number>, o?: number): boolean;
  /** Full points on the set a placement describes: the free variables over the domain, the others fixed. */
  sampler(placement: Placement, count: number, method: SamplingMethod, rng: Rng): Sampler;
  /** Named boundary parts (a box has none: its sides are reached by fixing a variable). */
  readonly parts: readonly string[];
  /** Points uniform on a boundary part (null: the whole boundary) × t's interval, with normals. */
  boundarySampler(part: string | null, count: number, rng: Rng): BoundarySampler;
  /** The tensor grid with `perAxis[i]` points on interval i (ends included), masked to the domain. */
  grid(perAxis: readonly number[]): Grid;
}

/** Most batches a rejection sampler draws for one call before declaring the set (nearly) empty. */
const MAX_BATCHES = 1000;

export class BoxDomain implements Domain {
  readonly region = null;
  readonly spatial: readonly number[] = [];
  readonly parts: readonly string[] = [];
  readonly dims: number;
  constructor(readonly bounds: Bounds) {
    this.dims = bounds.length;
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    return this.bounds.every(([lo, hi], i) => p[o + i]! >= lo && p[o + i]! <= hi);
  }
  sampler(placement: Placement, count: number, method: SamplingMethod, rng: Rng): Sampler {
    return placedSampler(this.bounds, placement, count, method, rng, null);
  }
  boundarySampler(): BoundarySampler {
    throw new Error("BoxDomain: a box has no named boundary parts; its sides are conditions at a fixed value");
  }
  grid(perAxis: readonly number[]): Grid {
    return { ...tensorGrid(this.bounds, perAxis), inside: null };
  }
}

export class RegionDomain implements Domain {
  readonly dims: number;
  constructor(readonly bounds: Bounds, readonly spatial: readonly number[], readonly region: Region) {
    this.dims = bounds.length;
    if (spatial.length !== region.dim) throw new Error(`RegionDomain: a ${region.dim}-D region over ${spatial.length} spatial variables`);
  }
  get parts(): readonly string[] {
    return this.region.parts;
  }
  /** The time-like variables: those not in the region. */
  private get others(): number[] {
    return this.bounds.map((_, i) => i).filter((i) => !this.spatial.includes(i));
  }
  contains(p: ArrayLike<number>, o = 0): boolean {
    const q = this.spatial.map((i) => p[o + i]!);
    return this.region.contains(q) && this.others.every((i) => p[o + i]! >= this.bounds[i]![0] && p[o + i]! <= this.bounds[i]![1]);
  }
  sampler(placement: Placement, count: number, method: SamplingMethod, rng: Rng): Sampler {
    const anyFree = this.spatial.some((i) => placement[i]!.free);
    return placedSampler(this.bounds, placement, count, method, rng, anyFree ? (p, o) => this.contains(p, o) : null);
  }
  boundarySampler(part: string | null, count: number, rng: Rng): BoundarySampler {
    const dims = this.dims;
    const sd = this.spatial.length;
    const others = this.others;
    return {
      count,
      next: () => {
        const draw = this.region.sampleBoundary(part, count, rng);
        const points = new Float64Array(count * dims);
        for (let k = 0; k < count; k++) {
          this.spatial.forEach((v, j) => (points[k * dims + v] = draw.points[k * sd + j]!));
          for (const v of others) points[k * dims + v] = this.bounds[v]![0] + rng.uniform() * (this.bounds[v]![1] - this.bounds[v]![0]);
        }
        return { points, normals: draw.normals };
      },
    };
  }
  grid(perAxis: readonly number[]): Grid {
    const g = tensorGrid(this.bounds, perAxis);
    const inside = new Uint8Array(g.count);
    for (let k = 0; k < g.count; k++) inside[k] = this.contains(g.points, k * this.dims) ? 1 : 0;
    return { ...g, inside };
  }
}

/**
 * A sampler of full points: the box sampler over the free variables' intervals, fixed variables
 * embedded, and — when `accept` is given — rejection of the points it refuses (see the file's head).
 */
function placedSampler(
  bounds: Bounds,
  placement: Placement,
  count: number,
  method: SamplingMethod,
  rng: Rng,
  accept: ((p: Float64Array, o: number) => boolean) | null,
): Sampler {
  const dims = bounds.length;
  const freeDims: number[] = [];
  const fixed: { dim: number; value: number }[] = [];
  placement.forEach((l, i) => (l.free ? freeDims.push(i) : fixed.push({ dim: i, value: l.value })));
  if (freeDims.length === 0) {
    const point = embedPoints(new Float64Array(0), [], fixed, dims);
    return { dim: dims, count: 1, fixed: true, next: () => point.slice() };
  }
  const inner = createSampler(method, count, boxOf(bounds, freeDims), rng);
  // (every dimension free, in order: the sampler's points are the full points already, a fresh array each call)
  const whole = fixed.length === 0 && freeDims.every((d, i) => d === i);
  const place = (free: Float64Array): Float64Array => (whole ? free : embedPoints(free, freeDims, fixed, dims));
  if (accept === null) return { dim: dims, count: inner.count, fixed: inner.fixed, next: () => place(inner.next()) };
  const keep = (points: Float64Array, out: number[], limit: number): void => {
    for (let k = 0; k * dims < points.length && out.length < limit * dims; k++) {
      if (accept(points, k * dims)) for (let j = 0; j < dims; j++) out.push(points[k * dims + j]!);
    }
  };
  if (inner.fixed) {
    const kept: number[] = [];
    keep(place(inner.next()), kept, Infinity);
    if (kept.length === 0) throw new Error("no point of the uniform grid lies inside the region; use more points or another sampling method");
    const grid = Float64Array.from(kept);
    return { dim: dims, count: grid.length / dims, fixed: true, next: () => grid.slice() };
  }
  return {
    dim: dims,
    count,
    fixed: false,
    next(): Float64Array {
      const kept: number[] = [];
      for (let batch = 0; kept.length < count * dims; batch++) {
        if (batch >= MAX_BATCHES) throw new Error(`the region covers too little of its bounding box to sample (fewer than ${count} of ${count * MAX_BATCHES} points inside)`);
        keep(place(inner.next()), kept, count);
      }
      return Float64Array.from(kept);
    },
  };
}

/** A tensor grid with `perAxis[i]` points on interval i, ends included, the first variable slowest. */
export function tensorGrid(bounds: Bounds, perAxis: readonly number[]): Omit<Grid, "inside"> {
  const axes = bounds.map(([lo, hi], a) => {
    const n = perAxis[a]!;
    return Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1)));
  });
  const d = bounds.length;
  const count = perAxis.reduce((p, n) => p * n, 1);
  const points = new Float64Array(count * d);
  for (let n = 0; n < count; n++) {
    let rest = n;
    for (let i = d - 1; i >= 0; i--) {
      points[n * d + i] = axes[i]![rest % perAxis[i]!]!;
      rest = Math.floor(rest / perAxis[i]!);
    }
  }
  return { axes, points, count };
}
