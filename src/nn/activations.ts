// Activation functions by name.

import type { Tensor } from "../engine/tensor.js";
import { gelu, relu, sigmoid, sin, softplus, swish, tanh } from "../engine/ops/index.js";

export type ActivationName = "tanh" | "sigmoid" | "sin" | "softplus" | "gelu" | "swish" | "relu";

export const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = {
  tanh,
  sigmoid,
  sin,
  softplus,
  gelu,
  swish,
  relu,
};

export function isActivation(name: string): name is ActivationName {
  return Object.prototype.hasOwnProperty.call(ACTIVATIONS, name);
}
