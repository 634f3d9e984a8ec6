// A point source that always gives the same points, with per-point attributes: observations
// (data misfits: the observed value of each point) or boundary points with their normals.

import type { PointBatch, PointSource } from "./term.js";

export class FixedPoints implements PointSource {
  private readonly batch: PointBatch;

  /** `x`: n × d coordinates; `attrs`: n × A attribute values (or null). */
  constructor(x: Float64Array, dims: number, attrs: Float64Array | null = null) {
    this.count = x.length / dims;
    if (!Number.isInteger(this.count)) throw new Error(`internal: ${x.length} coordinates do not form points of ${dims} variables`);
    if (attrs !== null && attrs.length % this.count !== 0) throw new Error(`internal: ${attrs.length} attribute values for ${this.count} points`);
    this.batch = { x, attrs };
  }

  readonly count: number;

  next(): PointBatch {
    return this.batch;
  }
  fresh(): PointBatch {
    return this.batch;
  }
  /** Observations are where they are: a causal window does not move them. */
  setWindow(): void {}
}
