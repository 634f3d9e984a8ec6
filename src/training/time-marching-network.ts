// The trained result of time-marching (time-marching.ts): one network per time window, glued at
// the cut times t_0 < t_1 < … < t_N. It has the PinnNetwork interface the consumers use (forward,
// derivatives, stackedDerivatives, toJSON, …): each call splits the points by their time coordinate,
// asks the window's network, and puts the rows back in order, so evaluation on the grid, the residual
// diagnostics and the verdict, the plots and `pinn predict` read it like any network.
//
// A point at a cut belongs to the later window (the last window also takes t = T); points before t_0
// or after T go to the first or last window. Derivatives are each window's own: the glued function
// is continuous only as far as training made it so (the residuals and the verdict measure that).
// It is for evaluation: no gradient flows through the glued outputs.

import { Tensor } from "../engine/tensor.js";
import { Rng } from "../engine/random.js";
import { PinnNetwork, type DerivativeMode } from "../residual/network.js";
import type { MultiIndex } from "../expressions/symbolic.js";
import type { MLPJson } from "../nn/mlp.js";
import type { FeaturesJson } from "../nn/features.js";

export interface Piece {
  /** The window [from, to] along the time variable. */
  from: number;
  to: number;
  network: PinnNetwork;
}

export type NetworkJson = ReturnType<PinnNetwork["toJSON"]>;

export class PiecewiseNetwork extends PinnNetwork {
  constructor(
    bounds: readonly (readonly [number, number])[],
    /** Index of the time variable. */
    readonly variable: number,
    readonly pieces: readonly Piece[],
  ) {
    if (pieces.length === 0) throw new Error("internal: a piecewise network needs at least one window");
    const first = pieces[0]!.network;
    // The base class's own MLP is never used (every call goes to a window's network); the features
    // of the first window make `embedsPeriodic` see the windows' periodic embedding (the same in every
    // window: it acts on the space variables, whose bounds the windows share).
    super(bounds, first.outputs, first.settings, new Rng(0), first.features);
    for (const p of pieces) if (p.network.outputs !== first.outputs || p.network.dims !== bounds.length) throw new Error("internal: the windows' networks do not match");
  }

  /** The cut times t_0 < … < t_N. */
  get cuts(): number[] {
    return [this.pieces[0]!.from, ...this.pieces.map((p) => p.to)];
  }

  override parameters(): Tensor[] {
    return this.pieces.flatMap((p) => p.network.parameters());
  }

  /** The window of each point (row-major, `dims` columns), and the rows of each window. */
  split(points: Float64Array): { rows: Int32Array[]; owner: Int32Array } {
    const d = this.dims;
    const n = points.length / d;
    const owner = new Int32Array(n);
    const counts = new Int32Array(this.pieces.length);
    const last = this.pieces.length - 1;
    for (let i = 0; i < n; i++) {
      const t = points[i * d + this.variable]!;
      // The first window whose end lies beyond t (a cut belongs to the later window).
      let k = 0;
      while (k < last && !(t < this.pieces[k]!.to)) k++;
      owner[i] = k;
      counts[k]!++;
    }
    const rows = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(this.pieces.length);
    for (let i = 0; i < n; i++) rows[owner[i]!]![fill[owner[i]!]!++] = i;
    return { rows, owner };
  }

  private gather(points: Float64Array, rows: Int32Array): Float64Array {
    const d = this.dims;
    const out = new Float64Array(rows.length * d);
    rows.forEach((r, j) => out.set(points.subarray(r * d, (r + 1) * d), j * d));
    return out;
  }

  /** Rows [j] of each window's [n_k, K] tensor into row rows_k[j] of one [n, K] tensor (times `blocks` stacked blocks). */
  private scatter(parts: { rows: Int32Array; data: Float64Array }[], n: number, K: number, blocks = 1): Tensor {
    const out = new Float64Array(blocks * n * K);
    for (const { rows, data } of parts) {
      const m = rows.length;
      for (let b = 0; b < blocks; b++) {
        for (let j = 0; j < m; j++) {
          const src = (b * m + j) * K;
          out.set(data.subarray(src, src + K), (b * n + rows[j]!) * K);
        }
      }
    }
    return new Tensor(out, [blocks * n, K]);
  }

  override forward(X: Tensor): Tensor {
    const points = X.data;
    const n = X.shape[0]!;
    const { rows } = this.split(points);
    const parts = rows.flatMap((r, k) => (r.length === 0 ? [] : [{ rows: r, data: this.pieces[k]!.network.forward(new Tensor(this.gather(points, r), [r.length, this.dims])).data }]));
    return this.scatter(parts, n, this.outputs);
  }

  override derivatives(points: Tensor, requested: readonly MultiIndex[], mode: DerivativeMode): Map<string, Tensor> {
    const data = points.data;
    const n = points.shape[0]!;
    const { rows } = this.split(data);
    const maps: { rows: Int32Array; map: Map<string, Tensor> }[] = [];
    rows.forEach((r, k) => {
      if (r.length > 0) maps.push({ rows: r, map: this.pieces[k]!.network.derivatives(new Tensor(this.gather(data, r), [r.length, this.dims]), requested, mode) });
    });
    const out = new Map<string, Tensor>();
    if (maps.length === 0) return out;
    for (const key of maps[0]!.map.keys()) out.set(key, this.scatter(maps.map((m) => ({ rows: m.rows, data: m.map.get(key)!.data })), n, this.outputs));
    return out;
  }

  override stackedDerivatives(points: Float64Array, requested: readonly MultiIndex[]): { stacked: Tensor; set: number[][]; n: number } {
    const n = points.length / this.dims;
    const { rows } = this.split(points);
    let set: number[][] | null = null;
    const parts: { rows: Int32Array; data: Float64Array }[] = [];
    rows.forEach((r, k) => {
      if (r.length === 0) return;
      const s = this.pieces[k]!.network.stackedDerivatives(this.gather(points, r), requested);
      // Every window has the same variables, so the same set of multi-indices (in the same order).
      set ??= s.set;
      parts.push({ rows: r, data: s.stacked.data });
    });
    if (set === null) return this.pieces[0]!.network.stackedDerivatives(points, requested);
    return { stacked: this.scatter(parts, n, this.outputs, (set as number[][]).length), set, n };
  }

  override toJSON(): { mlp: MLPJson; bounds: [number, number][]; features?: FeaturesJson } & { windows: { from: number; to: number; network: NetworkJson }[] } {
    return { ...this.pieces[0]!.network.toJSON(), bounds: this.bounds.map(([a, b]) => [a, b]), windows: this.pieces.map((p) => ({ from: p.from, to: p.to, network: p.network.toJSON() })) };
  }
}
