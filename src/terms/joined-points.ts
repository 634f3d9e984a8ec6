// The equations' points of a problem with data: the sampled interior points joined by the data's
// points (every set's rows, each location once). Raissi, Perdikaris & Karniadakis (2019) enforce the
// equation at the observations' points; there the network is pinned by the data, so the residual
// there ties the learned parameters to the measured solution. While a causal window restricts the
// sampled points (the start of an evolution problem's Adam stage), the data's points are left out.

import type { PointBatch, PointSource } from "./term.js";

export class JoinedPoints implements PointSource {
  private windowed = false;
  private readonly joined = new Map<Float64Array, Float64Array>();

  /** `extra`: m × `dims` coordinates added to every batch of `base`. */
  constructor(
    private readonly base: PointSource,
    private readonly extra: Float64Array,
    private readonly dims: number,
  ) {}

  get count(): number {
    return this.windowed ? this.base.count : this.base.count + this.extra.length / this.dims;
  }

  private join(batch: PointBatch): PointBatch {
    if (this.windowed || this.extra.length === 0) return batch;
    const n = batch.x.length;
    let x = this.joined.get(batch.x);
    if (x === undefined) {
      // One joined copy per distinct batch (a resampling source gives a new array each epoch).
      if (this.joined.size > 1) this.joined.clear();
      x = new Float64Array(n + this.extra.length);
      x.set(batch.x);
      x.set(this.extra, n);
      this.joined.set(batch.x, x);
    }
    return { x, attrs: null };
  }

  next(): PointBatch {
    return this.join(this.base.next());
  }
  fresh(): PointBatch {
    return this.join(this.base.fresh());
  }
  setWindow(window: { dim: number; from: number; fraction: number } | null): void {
    this.windowed = window !== null;
    this.base.setWindow(window);
  }
}
