// Where each residual is evaluated: the interior of the box for equations, and for each condition
// the set its location describes (free variables over their intervals, the others fixed).

import type { Rng } from "../engine/random.js";
import type { Sampler, SamplingMethod } from "../sampling/index.js";
import type { Location } from "../expressions/resolve.js";
import { BoxDomain, type Domain } from "../geometry/domain.js";
import type { Bounds } from "../geometry/box.js";

/** Draws batches of full points (count × dims, row-major) on one part of the domain. */
export class PointSet {
  private readonly sampler: Sampler;
  private readonly freeDims: number[];
  private cached: Float64Array | null = null;
  /** Causal window: coordinate `dim` is squeezed towards `from` by `fraction` (see setWindow). */
  private window: { dim: number; from: number; fraction: number } | null = null;

  constructor(
    readonly dims: number,
    domain: Domain | Bounds,
    location: Location,
    count: number,
    method: SamplingMethod,
    private readonly resample: boolean,
    rng: Rng,
  ) {
    this.freeDims = location.flatMap((l, i) => (l.free ? [i] : []));
    const where: Domain = Array.isArray(domain) ? new BoxDomain(domain as Bounds) : (domain as Domain);
    this.sampler = where.sampler(location, count, method, rng);
  }

  /** Points per batch (1 for a single fixed point). */
  get count(): number {
    return this.sampler.count;
  }

  /** This epoch's points: fresh ones when resampling, else the first batch again. */
  next(): Float64Array {
    if (this.cached === null || (this.resample && !this.sampler.fixed)) this.cached = this.sampler.next();
    return this.windowed(this.cached);
  }

  /** A batch drawn now, independent of the resampling setting (for fixed-point stages). */
  fresh(): Float64Array {
    if (this.sampler.fixed) return this.next();
    return this.windowed(this.sampler.next());
  }

  /**
   * Restrict the free coordinate `dim` to the part of its interval next to `from` (an end of the
   * interval), of relative length `fraction`: x ← from + (x − from)·fraction. Null lifts it.
   */
  setWindow(window: { dim: number; from: number; fraction: number } | null): void {
    this.window = window !== null && this.freeDims.includes(window.dim) && window.fraction < 1 ? window : null;
  }

  private windowed(points: Float64Array): Float64Array {
    if (this.window === null) return points;
    const { dim, from, fraction } = this.window;
    const out = Float64Array.from(points);
    for (let k = dim; k < out.length; k += this.dims) out[k] = from + (out[k]! - from) * fraction;
    return out;
  }
}

/** The interior: every variable free. */
export function interiorLocation(dims: number): Location {
  return Array.from({ length: dims }, () => ({ free: true as const }));
}

/** Both ends of a periodic variable: the same free coordinates with x_v = lo and x_v = hi. */
export function periodicLocations(dims: number, variable: number, bounds: readonly (readonly [number, number])[]): [Location, Location] {
  const at = (value: number): Location => Array.from({ length: dims }, (_, i) => (i === variable ? { free: false as const, value } : { free: true as const }));
  return [at(bounds[variable]![0]), at(bounds[variable]![1])];
}

/** Same points with coordinate `variable` replaced by `value`. */
export function withCoordinate(points: Float64Array, dims: number, variable: number, value: number): Float64Array {
  const out = Float64Array.from(points);
  for (let k = variable; k < out.length; k += dims) out[k] = value;
  return out;
}
