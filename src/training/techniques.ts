// The techniques pinn chooses from a problem's structure (issue 11: hard problems with default
// settings), each a documented setting of the problem file that turns it off or tunes it. This
// table is read by the loader (keys and their values), by the network and the trainer (what is on),
// and by scripts/ablation.mjs (what to remove one at a time).

import type { YamlSource, Node } from "../problem/yaml-source.js";
import { asNumber, isScalar } from "../problem/yaml-source.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { regionAdaptiveSampling } from "./region-defaults.js";

export interface NetworkTechniques {
  /**
   * Modes K of the periodic embedding of each `{periodic: v}` variable (cos, sin of k·2π(v − lo)/L,
   * k = 1..K, in place of v); 0: off (the periodic condition stays a penalty term). Undefined: default.
   */
  periodicEmbedding?: number;
  /**
   * Fourier features in time: cos, sin of 2πf(t − lo)/L for f = 1..F added to the inputs of an
   * evolution problem's network (against the spectral bias for oscillations in time); 0: off.
   */
  timeFeatures?: number;
}

export interface TrainingTechniques {
  /**
   * Causal residual weights along time (Wang, Sankaran & Perdikaris 2022): the largest ε of the
   * annealed sequence; 0: off. Undefined: defaultCausalWeights.
   */
  causalWeights?: number;
  /** L-BFGS on fresh points every this many iterations (history restarted); 0: one fixed set. */
  lbfgsResample?: number;
  /**
   * Time-marching (training/time-marching.ts): the time interval cut into this many windows, each
   * trained in turn from the one before; 0 or 1: one network for the whole interval. Undefined: default.
   */
  timeWindows?: number;
  /**
   * Residual-based adaptive sampling (RAR-D, training/adaptive-sampling.ts) in the refinement
   * stages: the equations' points redrawn where the residual is large every this many iterations
   * (the curvature model kept); 0: off.
   */
  adaptiveSampling?: number;
}

/** Defaults, chosen by measurement (README, "Hard problems"; scripts/ablation.mjs). */
export const TECHNIQUE_DEFAULTS = {
  /** Off: measured better without it on every periodic problem under time-marching + BFGS (README, "Hard problems", stop 17). */
  periodicEmbedding: 0,
  timeFeatures: 0,
  /** Causal weights are off unless a file asks for them (see defaultCausalWeights). */
  causalWeights: 0,
  lbfgsResample: 0,
  /**
   * Time-marching for evolution problems it applies to (time-marching.ts marchingObstacle): -1 chooses
   * the count from the problem (defaultWindowCount), 0 is off.
   */
  timeWindows: -1,
  adaptiveSampling: 0,
};

/** Iterations between redraws for `adaptive_sampling: true` (Urbán, Stefanou & Pons redraw every 500). */
export const ADAPTIVE_SAMPLING_EVERY = 500;

/**
 * The default redraw period for a nonlinear evolution problem trained as one network
 * (defaultAdaptiveSampling; README, "Refinement"):
 * a front or shock that forms after the initial data lies between fixed points, and the refinement
 * fits the points instead of it (Burgers: loss 1.6e-7 on 2,000 fixed points, error 2.0e-2 with the
 * residual largest at the shock). Every 250 iterations rather than 500: twice the redraws in the
 * same budget. Time-marching windows (time-marching.ts) keep fixed points: they were measured so.
 */
export const ADAPTIVE_SAMPLING_EVOLUTION = 250;

export const NETWORK_TECHNIQUE_KEYS = ["periodic_embedding", "time_features"];
export const TRAINING_TECHNIQUE_KEYS = ["causal_weights", "lbfgs_resample", "time_windows", "adaptive_sampling"];

/** A whole number ≥ 0, or false for 0. */
function countOrFalse(src: YamlSource, node: Node | undefined, what: string, example: string, max = 64, whenTrue?: number): number | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node) && typeof node.value === "boolean") {
    if (node.value === false) return 0;
    if (whenTrue !== undefined) return whenTrue;
    src.error(node, `${what}: true is the default; give a number or false`, `write e.g. ${example}, or false to turn it off`);
    return undefined;
  }
  const v = asNumber(src, node, what, `write e.g. ${example}, or false to turn it off`);
  if (v === null) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > max) {
    src.error(node, `${what} must be a whole number from 0 to ${max} (or false), not ${v}`, `write e.g. ${example}`);
    return undefined;
  }
  return v;
}

/** ε_max for `causal_weights: true`. */
export const CAUSAL_EPSILON = 1;

/**
 * Causal weights only where the file asks (`training.causal_weights`); evolution problems otherwise
 * keep the growing causal window. Measured on one thread at the end of stop 15 (relative L2, weights
 * on → off): burgers 1.1e-1 → 3.7e-2, klein-gordon 2.5e-2 → 1.8e-2, diffusion-reaction 9.2e-3 →
 * 4.0e-3, reaction 7.6e-3 → 6.4e-3, heat1d 2.4e-5 → 1.9e-5, wave1d 7.8e-6 → 7.2e-6; the weights
 * were better only where both fail (wave-modes 0.62 against 0.87, convection 1.1 against 1.5).
 */
export function defaultCausalWeights(problem: { variables: readonly string[]; training: TrainingTechniques }): number {
  return problem.training.causalWeights ?? TECHNIQUE_DEFAULTS.causalWeights;
}

/** A number ≥ 0, true for `fallback`, or false for 0. */
function numberOrSwitch(src: YamlSource, node: Node | undefined, what: string, fallback: number, example: string): number | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node) && typeof node.value === "boolean") return node.value ? fallback : 0;
  const v = asNumber(src, node, what, `write true, false, or a number such as ${example}`);
  if (v === null) return undefined;
  if (!(v >= 0) || !Number.isFinite(v)) {
    src.error(node, `${what} must be true, false or a number ≥ 0, not ${v}`, `write e.g. ${example}`);
    return undefined;
  }
  return v;
}

export function readNetworkTechniques(src: YamlSource, field: (key: string) => Node | undefined): NetworkTechniques {
  const periodicEmbedding = countOrFalse(src, field("periodic_embedding"), "network.periodic_embedding", "periodic_embedding: 2", 64, 1);
  const timeFeatures = countOrFalse(src, field("time_features"), "network.time_features", "time_features: 8");
  return { ...(periodicEmbedding === undefined ? {} : { periodicEmbedding }), ...(timeFeatures === undefined ? {} : { timeFeatures }) };
}

export function readTrainingTechniques(src: YamlSource, field: (key: string) => Node | undefined): TrainingTechniques {
  const causalWeights = numberOrSwitch(src, field("causal_weights"), "training.causal_weights", CAUSAL_EPSILON, "causal_weights: 10");
  const lbfgsResample = countOrFalse(src, field("lbfgs_resample"), "training.lbfgs_resample", "lbfgs_resample: 500", 1e6);
  // `true` is the default (windows chosen from the problem: time-marching.ts), as if left out.
  const windowsNode = field("time_windows");
  const timeWindows = windowsNode !== undefined && isScalar(windowsNode) && windowsNode.value === true ? undefined : countOrFalse(src, windowsNode, "training.time_windows", "time_windows: 8", 256);
  const adaptiveNode = field("adaptive_sampling");
  const adaptiveSampling =
    adaptiveNode !== undefined && isScalar(adaptiveNode) && adaptiveNode.value === true
      ? ADAPTIVE_SAMPLING_EVERY
      : countOrFalse(src, adaptiveNode, "training.adaptive_sampling", "adaptive_sampling: 500", 1e6);
  return {
    ...(causalWeights === undefined ? {} : { causalWeights }),
    ...(lbfgsResample === undefined ? {} : { lbfgsResample }),
    ...(timeWindows === undefined ? {} : { timeWindows }),
    ...(adaptiveSampling === undefined ? {} : { adaptiveSampling }),
  };
}

/**
 * Whether an expression is nonlinear in the unknowns and their derivatives (u·u_x, u(1 − u), u³):
 * with every field atom f_j replaced by c_j·λ (λ a variable of its own, c_j distinct constants),
 * its second derivative in λ is not identically zero.
 */
export function nonlinearInUnknowns(residual: Sym, variables: number): boolean {
  let k = 0;
  const ray = S.substitute(residual, (atom) => (atom.kind === "field" ? S.mul(S.num(1 + 0.37 * ++k), S.variable(variables)) : undefined));
  const second = S.diff(S.diff(ray, variables), variables);
  return !(second.kind === "const" && second.value === 0);
}

/** What defaultAdaptiveSampling reads of a problem. */
interface AdaptiveSamplingProblem {
  variables: readonly string[];
  training: TrainingTechniques;
  equations: readonly { residual: Sym }[];
  parameters?: readonly unknown[];
  data?: readonly unknown[];
}

/**
 * RAR-D where the file leaves it to pinn: every ADAPTIVE_SAMPLING_EVOLUTION refinement iterations for
 * an evolution problem (initial data at the lower end of its evolution variable, two or more
 * variables) with an equation nonlinear in the unknowns, trained as one network; off otherwise.
 * Nonlinear terms steepen the data into fronts and shocks away from the initial data (Burgers'
 * shock, the logistic front of reaction), which fixed points miss; linear evolution problems keep
 * the shapes of their data and sources, and measured better on fixed points (README, "Refinement").
 * Time-marching windows, ODEs, inverse problems (learned parameters or data: not measured with it)
 * and steady problems keep fixed points, except steady problems on 2-D regions (region-defaults.ts).
 */
export function defaultAdaptiveSampling(
  problem: AdaptiveSamplingProblem,
  model: { evolution(): unknown },
  window = false,
): number {
  if (problem.training.adaptiveSampling !== undefined) return problem.training.adaptiveSampling;
  const n = problem.variables.length;
  const inverse = (problem.parameters ?? []).length > 0 || (problem.data ?? []).length > 0;
  const on = !window && !inverse && n >= 2 && model.evolution() !== null && problem.equations.some((e) => nonlinearInUnknowns(e.residual, n));
  return on ? ADAPTIVE_SAMPLING_EVOLUTION : (regionAdaptiveSampling(problem) ?? TECHNIQUE_DEFAULTS.adaptiveSampling);
}

/**
 * The trainer's settings for the techniques of a problem (training/trainer.ts TrainOptions);
 * `window`: the problem is one time-marching window (time-marching.ts).
 */
export function techniqueHooks(
  problem: AdaptiveSamplingProblem,
  model: { causal(): boolean; evolution(): unknown },
  options: { window?: boolean } = {},
): { causalWeights: number; lbfgsResample: number; adaptiveSampling: number } {
  return {
    causalWeights: model.causal() ? defaultCausalWeights(problem) : 0,
    lbfgsResample: problem.training.lbfgsResample ?? TECHNIQUE_DEFAULTS.lbfgsResample,
    adaptiveSampling: defaultAdaptiveSampling(problem, model, options.window ?? false),
  };
}
