// Weight initialisation schemes for a layer with fan_in inputs and fan_out outputs.

import type { Rng } from "../engine/random.js";

export type InitScheme = "glorot" | "glorot-normal" | "uniform";

export const INIT_SCHEMES: readonly InitScheme[] = ["glorot", "glorot-normal", "uniform"];

/**
 * Fill a weight matrix and bias vector:
 *  - glorot: W ~ U(−a, a), a = √(6/(fan_in + fan_out)) (Glorot & Bengio 2010); b = 0
 *  - glorot-normal: W ~ N(0, 2/(fan_in + fan_out)); b = 0
 *  - uniform: W, b ~ U(−1/√fan_in, 1/√fan_in) (PyTorch's nn.Linear default)
 */
export function initLayer(scheme: InitScheme, weight: Float64Array, bias: Float64Array | null, fanIn: number, fanOut: number, rng: Rng): void {
  switch (scheme) {
    case "glorot": {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      rng.fillUniform(weight, -a, a);
      bias?.fill(0);
      return;
    }
    case "glorot-normal":
      rng.fillNormal(weight, 0, Math.sqrt(2 / (fanIn + fanOut)));
      bias?.fill(0);
      return;
    case "uniform": {
      const a = 1 / Math.sqrt(fanIn);
      rng.fillUniform(weight, -a, a);
      if (bias) rng.fillUniform(bias, -a, a);
      return;
    }
    default:
      throw new Error(`unknown initialisation "${scheme as string}" (use one of ${INIT_SCHEMES.join(", ")})`);
  }
}
