// Residual-based adaptive distribution (RAR-D; Wu, Zhu, Tan, Kartha & Lu, "A comprehensive study of
// non-adaptive and residual-based adaptive sampling for PINNs", CMAME 2023, eq. 2): the interior
// collocation points are redrawn from a large candidate set with probability density
//   p(x) ∝ |r(x)|^k / E[|r|^k] + c,
// so that points gather where the residual is large (a shock, a boundary layer) while c keeps a
// uniform share everywhere. Here k = 1, c = 1 (the choice of Wu et al. and of Urbán, Stefanou &
// Pons for Burgers), |r| is the root of the sum of the squared (scaled) residuals of a group's
// equations, and `candidates` times the group's points are drawn from its own sampler. The points
// are picked without replacement by weighted reservoir keys (Efraimidis & Spirakis 2006:
// key = log(u)/w, the largest keys win). Only groups of equations on plain points (no per-point
// attributes) are resampled; every other group gets fresh points as before.

import { noGrad } from "../engine/state.js";
import { Rng } from "../engine/random.js";
import type { Batch, ResidualModel } from "../residual/model.js";
import type { PointBatch, TermGroup } from "../terms/term.js";

export interface AdaptiveSamplingOptions {
  /** Exponent k of |r| (default 1). */
  k?: number;
  /** Uniform share c (default 1). */
  c?: number;
  /** Candidates per point kept (default 10). */
  candidates?: number;
}

/** Candidates drawn per point kept, and the largest candidate set (bounded memory). */
export const ADAPTIVE_CANDIDATES = 10;
export const MAX_ADAPTIVE_CANDIDATES = 200_000;

export class AdaptiveSampler {
  readonly k: number;
  readonly c: number;
  readonly candidates: number;
  private readonly rng: Rng;
  /** Indices of the groups that are resampled. */
  readonly adaptive: number[];

  constructor(private readonly model: ResidualModel, seed: number, options: AdaptiveSamplingOptions = {}) {
    this.k = options.k ?? 1;
    this.c = options.c ?? 1;
    this.candidates = options.candidates ?? ADAPTIVE_CANDIDATES;
    if (!(this.k > 0) || !(this.c >= 0) || !(this.candidates >= 1)) {
      throw new Error(`AdaptiveSampler: need k > 0, c ≥ 0 and candidates ≥ 1, got k=${this.k}, c=${this.c}, candidates=${this.candidates}`);
    }
    this.rng = new Rng(seed);
    this.adaptive = model.groups.flatMap((g, i) => (g.specs.every((s) => s.kind === "equation") && g.points.count > 1 ? [i] : []));
  }

  /** A batch for every group: residual-weighted points for the equations' groups, fresh ones elsewhere. */
  draw(): Batch {
    return this.model.groups.map((g, i) => (this.adaptive.includes(i) ? this.drawGroup(g) : g.points.fresh()));
  }

  private drawGroup(group: TermGroup): PointBatch {
    const count = group.points.count;
    const first = group.points.fresh();
    if (first.attrs !== null) return first;
    const dims = first.x.length / count;
    const draws = Math.max(1, Math.min(this.candidates, Math.floor(MAX_ADAPTIVE_CANDIDATES / count)));
    const all = new Float64Array(draws * count * dims);
    all.set(first.x, 0);
    for (let d = 1; d < draws; d++) all.set(group.points.fresh().x, d * count * dims);
    const total = draws * count;
    if (total <= count) return first;
    const size = this.residualSizes(group, all, total);
    // w = |r|^k / mean |r|^k + c (a zero or non-finite mean: uniform).
    let mean = 0;
    for (let i = 0; i < total; i++) mean += size[i]! ** this.k;
    mean /= total;
    const keys = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      const w = mean > 0 && Number.isFinite(mean) ? size[i]! ** this.k / mean + this.c : 1;
      const u = Math.max(this.rng.uniform(), Number.MIN_VALUE);
      keys[i] = w > 0 && Number.isFinite(w) ? Math.log(u) / w : -Infinity;
    }
    const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => keys[b]! - keys[a]!);
    const x = new Float64Array(count * dims);
    for (let j = 0; j < count; j++) x.set(all.subarray(order[j]! * dims, (order[j]! + 1) * dims), j * dims);
    return { x, attrs: null };
  }

  /** √(Σ_t r_t²) per point over the group's terms (no gradient), in chunks of the group's size. */
  private residualSizes(group: TermGroup, x: Float64Array, total: number): Float64Array {
    const out = new Float64Array(total);
    const dims = x.length / total;
    const chunk = group.points.count;
    noGrad(() => {
      for (let start = 0; start < total; start += chunk) {
        const n = Math.min(chunk, total - start);
        const residuals = group.residuals({ x: x.subarray(start * dims, (start + n) * dims), attrs: null });
        for (const r of residuals) {
          const data = r.data;
          for (let i = 0; i < n; i++) out[start + i]! += data[i]! * data[i]!;
        }
      }
    });
    for (let i = 0; i < total; i++) out[i] = Math.sqrt(out[i]!);
    return out;
  }
}
