export { Linear, MLP, type LinearOptions, type MLPOptions, type MLPJson } from "./mlp.js";
export { ACTIVATIONS, isActivation, type ActivationName } from "./activations.js";
export { initLayer, INIT_SCHEMES, type InitScheme } from "./init.js";
