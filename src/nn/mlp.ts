// Fully connected layers and multilayer perceptrons.

import { Tensor } from "../engine/tensor.js";
import { add, mm, reshape } from "../engine/ops/index.js";
import { Rng, getDefaultRng } from "../engine/random.js";
import { ACTIVATIONS, isActivation, type ActivationName } from "./activations.js";
import { initLayer, type InitScheme } from "./init.js";
import { describeValue } from "../engine/describe.js";
import { formatShape } from "../engine/shape.js";
import { libraryScope } from "../engine/pool.js";
import { anyLevelActive } from "../engine/state.js";

export interface LinearOptions {
  bias?: boolean;
  init?: InitScheme;
  rng?: Rng;
}

/** y = x·Wᵀ + b with W of shape [out, in] (PyTorch's layout) and b of shape [out]. */
export class Linear {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    for (const [what, n] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
        throw new RangeError(`Linear: ${what} must be a positive integer, got ${describeValue(n)}`);
      }
    }
    this.weight = new Tensor(new Float64Array(inFeatures * outFeatures), [outFeatures, inFeatures]).requireGrad();
    this.bias = options.bias === false ? null : new Tensor(new Float64Array(outFeatures), [outFeatures]).requireGrad();
    initLayer(options.init ?? "glorot", this.weight.data, this.bias?.data ?? null, inFeatures, outFeatures, options.rng ?? getDefaultRng());
  }

  /** x of shape [N, in] (or [in]) to [N, out] (or [out]). */
  forward(x: Tensor): Tensor {
    checkInput(x, this.inFeatures, `Linear(${this.inFeatures} → ${this.outFeatures})`);
    const x2 = x.ndim === 1 ? reshape(x, [1, x.size]) : x;
    const z = mm(x2, this.weight, false, true);
    const y = this.bias === null ? z : add(z, this.bias);
    return x.ndim === 1 ? reshape(y, [this.outFeatures]) : y;
  }

  parameters(): Tensor[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }
}

export interface MLPOptions {
  init?: InitScheme;
  /** Seed for a private generator (default: the global generator, see manualSeed). */
  seed?: number;
  rng?: Rng;
}

/** Serialised form of an MLP: sizes, activation and the weights of each layer. */
export interface MLPJson {
  sizes: number[];
  activation: ActivationName;
  layers: { weight: number[]; bias: number[] }[];
}

/** `x` must be a tensor of shape [N, inFeatures] or [inFeatures] (PyTorch's Linear takes [*, in]; these layers take one batch axis). */
function checkInput(x: unknown, inFeatures: number, who: string): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${who}: the input must be a Tensor, got ${describeValue(x)} (wrap arrays with tensor())`);
  const last = x.shape[x.ndim - 1];
  if ((x.ndim !== 1 && x.ndim !== 2) || last !== inFeatures) {
    throw new Error(
      `${who}: an input of shape ${formatShape(x.shape)} does not fit; it takes [N, ${inFeatures}] (N points of ${inFeatures} features) or [${inFeatures}]`,
    );
  }
}

/** Linear layers with an activation between them (none after the last). */
export class MLP {
  readonly layers: Linear[] = [];
  readonly activation: ActivationName;
  private readonly act: (x: Tensor) => Tensor;

  constructor(readonly sizes: number[], activation: ActivationName = "tanh", options: MLPOptions = {}) {
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 1)) {
      // JSON shows a size given as a string ("32") as one.
      const shown = Array.isArray(sizes) ? `[${sizes.map((s) => (typeof s === "string" ? JSON.stringify(s) : String(s))).join(", ")}]` : describeValue(sizes);
      throw new Error(`MLP: sizes must be at least two positive integers, got ${shown}`);
    }
    if (!isActivation(activation)) {
      throw new Error(`MLP: unknown activation ${JSON.stringify(activation) ?? String(activation)} (one of ${Object.keys(ACTIVATIONS).join(", ")})`);
    }
    this.activation = activation;
    this.act = ACTIVATIONS[activation];
    const rng = options.rng ?? (options.seed !== undefined ? new Rng(options.seed) : getDefaultRng());
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { init: options.init ?? "glorot", rng }));
    }
  }

  /**
   * Outside tidy(), the hidden layers' tensors are internal to the call: their buffers go back to the
   * pool after a backward pass through the result without retainGraph (engine/pool.ts libraryScope).
   */
  forward(x: Tensor): Tensor {
    checkInput(x, this.sizes[0]!, `MLP([${this.sizes.join(", ")}])`);
    return libraryScope("nn.MLP.forward", !anyLevelActive(), () => {
      let h = x;
      this.layers.forEach((layer, i) => {
        h = layer.forward(h);
        if (i + 1 < this.layers.length) h = this.act(h);
      });
      return h;
    });
  }

  parameters(): Tensor[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  toJSON(): MLPJson {
    return {
      sizes: [...this.sizes],
      activation: this.activation,
      layers: this.layers.map((l) => ({ weight: Array.from(l.weight.data), bias: Array.from(l.bias?.data ?? []) })),
    };
  }

  static fromJSON(json: MLPJson): MLP {
    const net = new MLP(json.sizes, json.activation, { rng: new Rng(0) });
    net.layers.forEach((l, i) => {
      const src = json.layers[i];
      if (!src || src.weight.length !== l.weight.size || src.bias.length !== (l.bias?.size ?? 0)) {
        throw new Error(`MLP.fromJSON: layer ${i} does not match sizes [${json.sizes.join(", ")}]`);
      }
      l.weight.data.set(src.weight);
      l.bias?.data.set(src.bias);
    });
    return net;
  }
}
