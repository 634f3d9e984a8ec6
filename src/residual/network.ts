// The PINN's network: one MLP with an output per unknown, whose inputs are the domain variables
// mapped affinely onto [-1, 1] (x̂_i = a_i·x_i + c_i with a_i = 2/(hi − lo)) — or, when the
// network has input features (nn/features.ts: periodic embedding, Fourier features), those
// features of the variables.

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import { gradients } from "../engine/autograd.js";
import { isGradEnabled } from "../engine/state.js";
import { onesLike, zerosLike } from "../engine/creation.js";
import { MLP, type MLPJson } from "../nn/mlp.js";
import type { Rng } from "../engine/random.js";
import type { NetworkSettings } from "../problem/types.js";
import type { MultiIndex } from "../expressions/symbolic.js";
import { downwardClosure, indexKey, propagateJets } from "../jets/taylor.js";
import { fusedJets, stackedJets } from "../jets/fused-jets.js";
import { boxFeatures, type InputFeatures, type FeaturesJson } from "../nn/features.js";
import type { Condition } from "../problem/types.js";
import { TECHNIQUE_DEFAULTS } from "../training/techniques.js";

/**
 * How input derivatives of the network are computed: "taylor" is the fused forward-Taylor op
 * (fused-jets.ts, the fast path), "taylor-ops" the same jets op by op with ordinary engine ops
 * (differentiable to any order), "reverse" nested reverse passes (the reference).
 */
export type DerivativeMode = "taylor" | "taylor-ops" | "reverse";

export class PinnNetwork {
  readonly mlp: MLP;
  /** x̂ = x·scale + shift, per variable. */
  readonly scale: number[];
  readonly shift: number[];
  private readonly scaleRow: Tensor;
  private readonly shiftRow: Tensor;

  /** Input features in place of the scaled variables (null: the scaled variables). */
  readonly features: InputFeatures | null;

  constructor(
    readonly bounds: readonly (readonly [number, number])[],
    readonly outputs: number,
    readonly settings: NetworkSettings,
    rng: Rng,
    features: InputFeatures | null = null,
  ) {
    const dims = bounds.length;
    this.features = features;
    this.mlp = new MLP([features?.count ?? dims, ...settings.hidden, outputs], settings.activation, { init: settings.init, rng });
    this.scale = bounds.map(([lo, hi]) => 2 / (hi - lo));
    this.shift = bounds.map(([lo, hi]) => -(hi + lo) / (hi - lo));
    this.scaleRow = new Tensor(Float64Array.from(this.scale), [1, dims]);
    this.shiftRow = new Tensor(Float64Array.from(this.shift), [1, dims]);
  }

  get dims(): number {
    return this.bounds.length;
  }

  parameters(): Tensor[] {
    return this.mlp.parameters();
  }

  /** The inputs scaled to the network's range (differentiable in X). */
  scaled(X: Tensor): Tensor {
    return ops.add(ops.mul(X, this.scaleRow), this.shiftRow);
  }

  /** N(X) for points X of shape [n, d]: shape [n, K]. */
  forward(X: Tensor): Tensor {
    return this.mlp.forward(this.features === null ? this.scaled(X) : this.features.forward(X));
  }

  /**
   * ∂^α N (shape [n, K], physical coordinates) for every α in `requested` and all lower ones,
   * keyed by indexKey(α). "taylor" propagates all derivatives forward in one fused pass (its
   * backward is first order only); "taylor-ops" does the same with ordinary engine ops; "reverse"
   * differentiates the network output by nested reverse passes (the reference for checking).
   */
  derivatives(points: Tensor, requested: readonly MultiIndex[], mode: DerivativeMode): Map<string, Tensor> {
    if (mode === "taylor" && this.features !== null) {
      const layers = this.mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias }));
      return fusedJets(layers, this.mlp.activation, points.detach(), this.scale, requested, this.features);
    }
    // The op-by-op jets start from affine inputs; with input features the reference is reverse mode.
    if (mode === "taylor" || (mode === "taylor-ops" && this.features === null)) {
      const layers = this.mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias }));
      const jets = mode === "taylor" ? fusedJets : propagateJets;
      return jets(layers, this.mlp.activation, this.scaled(points), this.scale, requested);
    }
    return this.reverseDerivatives(points, requested);
  }

  /**
   * The fast path's stacked form of `derivatives(points, requested, "taylor")`: one tensor of
   * shape [S·n, K] whose rows [s·n, (s+1)·n) are ∂^β N for β = set[s]. The points need no
   * gradient (they are scaled outside the graph).
   */
  stackedDerivatives(points: Float64Array, requested: readonly MultiIndex[]): { stacked: Tensor; set: number[][]; n: number } {
    const d = this.dims;
    if (this.features !== null) {
      const layers = this.mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias }));
      return stackedJets(layers, this.mlp.activation, new Tensor(points, [points.length / d, d]), this.scale, requested, this.features);
    }
    const scaled = new Float64Array(points.length);
    for (let i = 0; i < points.length; i++) scaled[i] = points[i]! * this.scale[i % d]! + this.shift[i % d]!;
    const layers = this.mlp.layers.map((l) => ({ weight: l.weight, bias: l.bias }));
    return stackedJets(layers, this.mlp.activation, new Tensor(scaled, [points.length / d, d]), this.scale, requested);
  }

  private reverseDerivatives(points: Tensor, requested: readonly MultiIndex[]): Map<string, Tensor> {
    const X = points.requiresGrad ? points : points.detach().requireGrad();
    const N = this.forward(X);
    const out = new Map<string, Tensor>();
    const set = downwardClosure(requested, this.dims);
    out.set(indexKey([]), N);
    // Each derivative is one reverse pass over the one before it (per output column).
    for (const beta of set) {
      if (beta.every((c) => c === 0)) continue;
      const i = beta.findIndex((c) => c > 0);
      const lower = [...beta];
      lower[i]! -= 1;
      const prev = out.get(indexKey(lower))!;
      const columns: Tensor[] = [];
      for (let k = 0; k < this.outputs; k++) {
        const col = ops.slice(prev, [null, [k, k + 1]]);
        const g = col.requiresGrad
          ? gradients(col, X, { gradOutputs: onesLike(col), createGraph: isGradEnabled(), allowUnused: true, retainGraph: true })[0]!
          : zerosLike(X);
        columns.push(ops.slice(g, [null, [i, i + 1]]));
      }
      out.set(indexKey(beta), ops.concat(columns, 1));
    }
    return out;
  }

  toJSON(): { mlp: MLPJson; bounds: [number, number][]; features?: FeaturesJson } {
    return {
      mlp: this.mlp.toJSON(),
      bounds: this.bounds.map(([a, b]) => [a, b]),
      ...(this.features === null ? {} : { features: this.features.toJSON() }),
    };
  }
}

/**
 * The input features a problem's network gets from its structure: the periodic embedding of each
 * `{periodic: v}` variable (network.periodic_embedding modes, README "Hard problems"), or null for
 * plain scaled inputs.
 */
export function networkFeatures(problem: {
  bounds: readonly (readonly [number, number])[];
  conditions: readonly Condition[];
  network: NetworkSettings;
  timeVariable: number | null;
}): InputFeatures | null {
  const modes = problem.network.periodicEmbedding ?? TECHNIQUE_DEFAULTS.periodicEmbedding;
  const periodic = new Map<number, number>();
  if (modes > 0) for (const c of problem.conditions) if (c.kind === "periodic") periodic.set(c.variable, modes);
  const F = problem.network.timeFeatures ?? TECHNIQUE_DEFAULTS.timeFeatures;
  const t = problem.timeVariable;
  const fourier = F > 0 && t !== null && !periodic.has(t) ? [{ variable: t, frequencies: Array.from({ length: F }, (_, i) => i + 1) }] : [];
  return periodic.size === 0 && fourier.length === 0 ? null : boxFeatures(problem.bounds, { periodic, fourier });
}

/** Whether the network is periodic in `variable` by construction. */
export function embedsPeriodic(network: PinnNetwork, variable: number): boolean {
  return network.features?.periodicIn(variable, network.bounds[variable]) ?? false;
}
