// Collocation-point sampling: samplers over box domains and placement of boundary points.

export { type Box } from "../geometry/box.js";
export {
  createSampler, gridPointsPerAxis, SAMPLING_METHODS, type Sampler, type SamplingMethod,
} from "./samplers.js";
export { SobolSequence, SOBOL_MAX_DIM, SOBOL_MAX_POINTS } from "./sobol.js";
export { embedPoints } from "./embed.js";
