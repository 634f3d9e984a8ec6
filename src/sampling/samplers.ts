// Collocation-point samplers over a box: i.i.d. random, a fixed cell-centred grid, Latin hypercube
// and digitally shifted Sobol'. Every sampler draws its randomness only from the Rng it is given, so
// the same seed gives the same points.

import type { Rng } from "../engine/random.js";
import { checkBox, checkCount, type Box } from "../geometry/box.js";
import { SOBOL_MAX_DIM, SobolSequence } from "./sobol.js";

export type SamplingMethod = "random" | "uniform" | "lhs" | "sobol";
export const SAMPLING_METHODS: readonly SamplingMethod[] = Object.freeze(["random", "uniform", "lhs", "sobol"]);

export interface Sampler {
  readonly dim: number;
  /** Points per call (for "uniform", the actual grid size n^d). */
  readonly count: number;
  /** True when every call returns the same points (the uniform grid). */
  readonly fixed: boolean;
  /** A fresh count × dim row-major array: point k is [k*dim, (k+1)*dim). */
  next(): Float64Array;
}

/**
 * A sampler of `count` points per call in `box`.
 * - "random": i.i.d. uniform points, fresh on every call.
 * - "uniform": a fixed grid of n points per axis, n = max(1, round(count^(1/d))), so n^d points in
 *   all (exposed as `count`). Cell-centred: coordinate lo + (i + 1/2)(hi - lo)/n, i = 0..n-1, so no
 *   point sits on the boundary, where interior residuals carry no information (boundary conditions
 *   get their own points) and where trial-function forms are often pinned to zero. The first
 *   dimension varies slowest (point index = i_0 n^(d-1) + … + i_(d-1)).
 * - "lhs": Latin hypercube: each axis is cut into `count` equal strata and every stratum of every
 *   axis holds exactly one point; the strata are paired by independent random permutations per axis
 *   (Fisher–Yates) and each point is uniform within its cell. Fresh on every call.
 * - "sobol": the Sobol' sequence (d ≤ 8) with one random digital shift drawn at construction.
 *   Call 1 returns points 1..count (the all-zeros point 0 is skipped), call 2 the next count, and so
 *   on. Counts that are powers of two give the best balance.
 */
export function createSampler(method: SamplingMethod, count: number, box: Box, rng: Rng): Sampler {
  const where = `createSampler("${String(method)}")`;
  if (!SAMPLING_METHODS.includes(method)) {
    throw new Error(
      `createSampler: unknown sampling method ${JSON.stringify(method)}; expected one of: ${SAMPLING_METHODS.join(", ")}`,
    );
  }
  checkCount(count, where);
  const dim = checkBox(box, where);
  if (rng === null || typeof rng !== "object" || typeof rng.uniform !== "function") {
    throw new Error(`${where}: an Rng is required`);
  }
  const lo = Float64Array.from(box.lo);
  const width = Float64Array.from(box.hi, (h, i) => h - lo[i]!);
  switch (method) {
    case "random":
      return randomSampler(count, dim, lo, width, rng);
    case "uniform":
      return uniformSampler(count, dim, lo, width);
    case "lhs":
      return lhsSampler(count, dim, lo, width, rng);
    case "sobol":
      return sobolSampler(count, dim, lo, width, rng);
  }
}

function randomSampler(count: number, dim: number, lo: Float64Array, width: Float64Array, rng: Rng): Sampler {
  return {
    dim,
    count,
    fixed: false,
    next(): Float64Array {
      const out = new Float64Array(count * dim);
      for (let k = 0; k < count; k++) {
        for (let j = 0; j < dim; j++) out[k * dim + j] = lo[j]! + width[j]! * rng.uniform();
      }
      return out;
    },
  };
}

/** Points per axis of the uniform grid: n = max(1, round(count^(1/d))). */
export function gridPointsPerAxis(count: number, dim: number): number {
  return Math.max(1, Math.round(count ** (1 / dim)));
}

function uniformSampler(count: number, dim: number, lo: Float64Array, width: Float64Array): Sampler {
  const n = gridPointsPerAxis(count, dim);
  const total = n ** dim;
  const grid = new Float64Array(total * dim);
  for (let k = 0; k < total; k++) {
    // Digits of k in base n, most significant first, are the per-axis cell indices.
    let rest = k;
    for (let j = dim - 1; j >= 0; j--) {
      const i = rest % n;
      rest = (rest - i) / n;
      grid[k * dim + j] = lo[j]! + (width[j]! * (i + 0.5)) / n;
    }
  }
  return {
    dim,
    count: total,
    fixed: true,
    next: () => grid.slice(),
  };
}

function lhsSampler(count: number, dim: number, lo: Float64Array, width: Float64Array, rng: Rng): Sampler {
  const perm = new Int32Array(count);
  return {
    dim,
    count,
    fixed: false,
    next(): Float64Array {
      const out = new Float64Array(count * dim);
      for (let j = 0; j < dim; j++) {
        for (let i = 0; i < count; i++) perm[i] = i;
        // Fisher–Yates: swap position i with a uniformly chosen position in [0, i].
        for (let i = count - 1; i > 0; i--) {
          const r = rng.int(i + 1);
          const t = perm[i]!;
          perm[i] = perm[r]!;
          perm[r] = t;
        }
        for (let k = 0; k < count; k++) {
          out[k * dim + j] = lo[j]! + (width[j]! * (perm[k]! + rng.uniform())) / count;
        }
      }
      return out;
    },
  };
}

function sobolSampler(count: number, dim: number, lo: Float64Array, width: Float64Array, rng: Rng): Sampler {
  if (dim > SOBOL_MAX_DIM) {
    throw new Error(`createSampler("sobol"): supports at most ${SOBOL_MAX_DIM} dimensions, got a ${dim}-dimensional box`);
  }
  const shift = Array.from({ length: dim }, () => rng.nextUint32());
  const seq = new SobolSequence(dim, shift);
  seq.seek(1); // skip the all-zeros point
  const unit = new Float64Array(dim);
  return {
    dim,
    count,
    fixed: false,
    next(): Float64Array {
      const out = new Float64Array(count * dim);
      for (let k = 0; k < count; k++) {
        seq.next(unit);
        for (let j = 0; j < dim; j++) out[k * dim + j] = lo[j]! + width[j]! * unit[j]!;
      }
      return out;
    },
  };
}
