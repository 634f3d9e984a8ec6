// pinn: physics-informed neural networks with a TypeScript automatic-differentiation engine.
// The package entry exports the engine (tensors, ops, reverse and forward mode, transforms),
// the neural-network layers and the optimizers.

export { Tensor, type GradFn, type Operand, type NestedArray, type SliceSpec, type BackwardOptions } from "./engine/tensor.js";
export {
  tensor, toTensor, zeros, ones, full, zerosLike, onesLike, eye, linspace, arange, rand, randn,
  type CreateOptions, type TensorData, type RandomOptions,
} from "./engine/creation.js";
export { Rng, manualSeed } from "./engine/random.js";
export { MAX_TENSOR_VALUES, TensorSizeError } from "./engine/shape.js";
export * from "./engine/ops/index.js";
export { noGrad, enableGrad, isGradEnabled } from "./engine/state.js";
export { tidy, keep, poolStats, type PoolStats } from "./engine/pool.js";
export { kernelUsage, resetKernelUsage } from "./engine/kernels/usage.js";
export { gradients, type GradOptions } from "./engine/autograd.js";
export {
  grad, valueAndGrad, vjp, jvp, hvp, jacobian, hessian,
  type TensorFn, type HvpMode, type JacobianMode,
} from "./engine/functional.js";
export { inputGradient, partial, laplacian, partialForward } from "./engine/derivatives.js";
export { gradcheck, gradgradcheck, type GradcheckOptions, type MultiFn } from "./engine/gradcheck.js";
export * as nn from "./nn/index.js";
export { Adam, type AdamOptions } from "./optim/adam.js";
export { LBFGS, type LBFGSOptions, type LBFGSStepResult } from "./optim/lbfgs.js";
export { strongWolfe, type StrongWolfeOptions, type StrongWolfeResult } from "./optim/line-search.js";
export { learningRate, validateSchedule, type Schedule } from "./optim/schedules.js";
export { createSampler, embedPoints, SAMPLING_METHODS, type Sampler, type SamplingMethod, type Box } from "./sampling/index.js";

// The solver as a library: problem files → trained solution.
export { loadProblem, parseProblem, type LoadOptions } from "./problem/load.js";
export { ProblemError, type ProblemIssue } from "./problem/errors.js";
export type { Problem } from "./problem/types.js";
export { checkExactSolution, type CheckReport, type CheckItem } from "./residual/check.js";
export { solve, buildModel, type SolveOptions, type SolveResult } from "./solve.js";
export { loadModel, type LoadedModel, type ModelFile } from "./reports/model-file.js";
