// A fixed input-feature layer in front of the MLP: feature e is f_e(Σ_i c_{e,i}·x_i + o_e) with
// f_e ∈ {identity, sin, cos} and constant coefficients. It covers
//  - the usual affine input scaling x̂_i = a_i·x_i + b_i (identity features),
//  - exact periodicity (Dong & Ni 2021): for a periodic variable v of period L, the features
//    cos(kω(x_v − lo)), sin(kω(x_v − lo)), ω = 2π/L, k = 1..K replace x_v, so every function of them
//    is periodic in v to every order by construction,
//  - Fourier features (Tancik et al. 2020; Wang, Wang & Perdikaris 2021): sin/cos of fixed
//    multiples of a variable, against the spectral bias of MLPs.
//
// Because each feature is a function of one linear form, its input derivatives are known in closed
// form: ∂^β f(c·x + o) = Π_i c_i^{β_i} · f^{(|β|)}(c·x + o), with sin^{(m)}(a) = sin(a + mπ/2),
// cos^{(m)}(a) = cos(a + mπ/2), and the identity's derivatives c_i (order 1) and 0 (order ≥ 2).
// `jets` writes them for a whole stream set, which the fused forward-Taylor pass takes as the
// jets of its first layer's input (jets/fused-jets.ts).

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";

export type FeatureKind = "id" | "sin" | "cos";

export interface Feature {
  kind: FeatureKind;
  /** Coefficient of each physical input variable. */
  coef: number[];
  offset: number;
}

/** Serialised form (model.json). */
export interface FeaturesJson {
  features: Feature[];
}

export class InputFeatures {
  readonly count: number;
  /** Cᵀ (d × E) and the offsets (1 × E), as constant tensors for the op-by-op forward pass. */
  private readonly coefT: Tensor;
  private readonly offsetRow: Tensor;
  private readonly masks: Record<FeatureKind, Tensor>;

  constructor(readonly dims: number, readonly features: readonly Feature[]) {
    if (features.length === 0) throw new Error("InputFeatures: at least one feature is needed");
    for (const f of features) {
      if (f.coef.length !== dims) throw new Error(`InputFeatures: a feature has ${f.coef.length} coefficients for ${dims} variables`);
    }
    const E = features.length;
    this.count = E;
    const ct = new Float64Array(dims * E);
    features.forEach((f, e) => f.coef.forEach((c, i) => (ct[i * E + e] = c)));
    this.coefT = new Tensor(ct, [dims, E]);
    this.offsetRow = new Tensor(Float64Array.from(features.map((f) => f.offset)), [1, E]);
    const mask = (kind: FeatureKind): Tensor => new Tensor(Float64Array.from(features.map((f) => (f.kind === kind ? 1 : 0))), [1, E]);
    this.masks = { id: mask("id"), sin: mask("sin"), cos: mask("cos") };
  }

  /** Whether every feature is the identity of an affine form (no embedding beyond scaling). */
  get affineOnly(): boolean {
    return this.features.every((f) => f.kind === "id");
  }

  /**
   * Whether every feature that depends on `variable` is a sin/cos whose frequency is a whole
   * multiple of 2π/L over the box's interval [lo, hi] of that variable (so the features, and
   * any function of them, are periodic in it).
   */
  periodicIn(variable: number, bounds?: readonly [number, number]): boolean {
    const uses = this.features.filter((f) => f.coef[variable] !== 0);
    if (uses.length === 0) return false;
    return uses.every((f) => {
      if (f.kind === "id" || f.coef.some((c, i) => i !== variable && c !== 0)) return false;
      if (bounds === undefined) return true;
      const cycles = (f.coef[variable]! * (bounds[1] - bounds[0])) / (2 * Math.PI);
      return Math.abs(cycles - Math.round(cycles)) < 1e-9 && Math.round(cycles) !== 0;
    });
  }

  /** The features of points X ([n, d]) with engine ops, differentiable in X to any order. */
  forward(X: Tensor): Tensor {
    const arg = ops.add(ops.matmul(X, this.coefT), this.offsetRow);
    let out = ops.mul(arg, this.masks.id);
    if (this.features.some((f) => f.kind === "sin")) out = ops.add(out, ops.mul(ops.sin(arg), this.masks.sin));
    if (this.features.some((f) => f.kind === "cos")) out = ops.add(out, ops.mul(ops.cos(arg), this.masks.cos));
    return out;
  }

  /**
   * ∂^β φ for every β of `set` (value first) at the points (row-major n × d, physical
   * coordinates): stream-major [S·n, E], rows [s·n, (s+1)·n) for β = set[s].
   */
  jets(points: Float64Array, set: readonly (readonly number[])[]): Float64Array {
    const d = this.dims;
    const n = points.length / d;
    const E = this.count;
    const out = new Float64Array(set.length * n * E);
    const arg = new Float64Array(n * E);
    this.features.forEach((f, e) => {
      for (let p = 0; p < n; p++) {
        let a = f.offset;
        for (let i = 0; i < d; i++) a += f.coef[i]! * points[p * d + i]!;
        arg[p * E + e] = a;
      }
    });
    set.forEach((beta, s) => {
      const order = beta.reduce((t, c) => t + c, 0);
      const base = s * n * E;
      this.features.forEach((f, e) => {
        // Π_i c_i^{β_i}: zero when the stream differentiates along a variable the feature ignores.
        let factor = 1;
        beta.forEach((c, i) => (factor *= c === 0 ? 1 : f.coef[i]! ** c));
        if (factor === 0) return;
        if (f.kind === "id") {
          if (order === 0) for (let p = 0; p < n; p++) out[base + p * E + e] = arg[p * E + e]!;
          else if (order === 1) for (let p = 0; p < n; p++) out[base + p * E + e] = factor;
          return;
        }
        // sin^{(m)}(a) = sin(a + mπ/2), cos^{(m)}(a) = cos(a + mπ/2) = sin(a + (m+1)π/2): a cycle of 4.
        const phase = (order + (f.kind === "cos" ? 1 : 0)) % 4;
        for (let p = 0; p < n; p++) {
          const a = arg[p * E + e]!;
          const v = phase === 0 ? Math.sin(a) : phase === 1 ? Math.cos(a) : phase === 2 ? -Math.sin(a) : -Math.cos(a);
          out[base + p * E + e] = factor * v;
        }
      });
    });
    return out;
  }

  toJSON(): FeaturesJson {
    return { features: this.features.map((f) => ({ kind: f.kind, coef: [...f.coef], offset: f.offset })) };
  }

  static fromJSON(dims: number, json: FeaturesJson): InputFeatures {
    return new InputFeatures(dims, json.features);
  }
}

/**
 * The features of a box: per variable, either its affine map onto [−1, 1] or, for a periodic
 * variable, cos and sin of k·2π(x − lo)/L for k = 1..modes; then `fourier` extra sin/cos pairs
 * per listed variable at frequencies `scale`·k·π/L·2 (k = 1..count) of the scaled variable.
 */
export function boxFeatures(
  bounds: readonly (readonly [number, number])[],
  options: { periodic?: ReadonlyMap<number, number>; fourier?: { variable: number; frequencies: number[] }[] } = {},
): InputFeatures {
  const d = bounds.length;
  const features: Feature[] = [];
  const unit = (i: number, c: number): number[] => Array.from({ length: d }, (_, j) => (j === i ? c : 0));
  bounds.forEach(([lo, hi], i) => {
    const modes = options.periodic?.get(i) ?? 0;
    if (modes > 0) {
      const w = (2 * Math.PI) / (hi - lo);
      for (let k = 1; k <= modes; k++) {
        features.push({ kind: "cos", coef: unit(i, k * w), offset: -k * w * lo });
        features.push({ kind: "sin", coef: unit(i, k * w), offset: -k * w * lo });
      }
    } else {
      features.push({ kind: "id", coef: unit(i, 2 / (hi - lo)), offset: -(hi + lo) / (hi - lo) });
    }
  });
  for (const { variable: i, frequencies } of options.fourier ?? []) {
    const [lo, hi] = bounds[i]!;
    for (const f of frequencies) {
      // f cycles over the interval: sin/cos of 2πf(x − lo)/L.
      const w = (2 * Math.PI * f) / (hi - lo);
      features.push({ kind: "cos", coef: unit(i, w), offset: -w * lo });
      features.push({ kind: "sin", coef: unit(i, w), offset: -w * lo });
    }
  }
  return new InputFeatures(d, features);
}
