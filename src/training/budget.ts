// The default refinement budget of a problem whose refinement redraws its points where the residual
// is large (RAR-D, techniques.ts defaultAdaptiveSampling: a nonlinear evolution problem trained as one
// network, such as Burgers). On fixed points the refinement converges on its points and stops; with
// RAR-D the error keeps falling with the iterations (Burgers: 5.5e-4, 1.9e-4, 7.5e-5 after 48, 88,
// 131 s of CPU), so the refinement's length decides the result, and the default 2,500 BFGS iterations
// on 256 points are far too few (Burgers 3.8e-2, fitted to its points). What the file leaves out is
// sized by a rule (README, "Refinement: self-scaled BFGS and adaptive sampling"):
//
// - points: RAR_BUDGET.pointsPerVariable per variable (RAR-D draws them from 10× as many candidates);
// - network: RAR_BUDGET.hidden, small enough that many iterations fit: the cost of an iteration
//   grows with the network (iterationCost), so a smaller one buys more of them, and at equal CPU time
//   3×20 measured better than 3×32 and 4×32 on Burgers;
// - BFGS iterations: as many as fit RAR_BUDGET.work at iterationCost each, in whole redraw periods
//   (the default `bfgs` stage only; an L-BFGS stage a script puts in its place keeps its length).
//
// The cost of an iteration, in units of one point through one weight, is
//   points · (NEURON_COST · neurons + weights) + MATRIX_COST · weights²,
// the first term the loss and gradient of the fused forward-Taylor pass (per point: the jets of each
// hidden neuron's activation and the products by each weight), the second the dense BFGS update's
// one pass over the n × n matrix (optim/bfgs.ts). The constants are measured (README): CPU time of
// 400 BFGS iterations on Burgers for 2×20, 3×20, 4×20, 3×32 and 3×40 networks on 1,000 and 2,000
// points, fitted by 3×20 and 3×32, the others within 10%; the matrix pass from the BFGS step-cost
// table (9.3 ms at 3,297 weights against 13 ms for a whole 3×20 iteration on 2,000 points).
// Deterministic: the same file and seed give the same iterations on any machine (no clock).

import type { Problem, StageSettings } from "../problem/types.js";
import { evolutionOf } from "../residual/model.js";
import { parameterCount } from "../problem/limits.js";
import { defaultAdaptiveSampling } from "./techniques.js";
import { timeWindowCount } from "./time-marching.js";

export const RAR_BUDGET = {
  /** Hidden layers when the file leaves `network.hidden` out (Urbán, Stefanou & Pons use 3×20 for Burgers). */
  hidden: [20, 20, 20] as readonly number[],
  /** Interior points per variable when the file leaves `training.points` out. */
  pointsPerVariable: 1000,
  /**
   * The refinement's work, in units of one point through one weight: 15,000 iterations of the 3×20
   * network on 2,000 points (about 200 s of one core of the machine of the README's measurements,
   * with the default Adam stage, inside the 5-minute budget of issue 11).
   */
  work: 6.4e10,
  /** Cost of a hidden neuron per point, in weights (the fit above). */
  neuronCost: 18,
  /** Cost of the BFGS matrix pass per weight², in units (the fit above). */
  matrixCost: 0.25,
  /** Never more iterations than this, however cheap an iteration (a small network on few points). */
  maxIterations: 30000,
};

/** What the budget chose (summary.json `settings.training.refinement_budget`). */
export interface RefinementBudget {
  /** The hidden layers it chose, when the file left them out. */
  hidden?: number[];
  /** The interior points it chose, when the file left them out. */
  points?: number;
  /** The refinement's iterations it chose, when the file left the optimizer out. */
  iterations?: number;
  /** iterationCost of the network and points trained. */
  cost_per_iteration: number;
}

/** The cost of one refinement iteration, in units of one point through one weight (see above). */
export function iterationCost(points: number, inputs: number, hidden: readonly number[], outputs: number): number {
  const weights = parameterCount([inputs, ...hidden, outputs]);
  const neurons = hidden.reduce((a, b) => a + b, 0);
  return points * (RAR_BUDGET.neuronCost * neurons + weights) + RAR_BUDGET.matrixCost * weights * weights;
}

/** Iterations that fit the budget at `cost` each: whole redraw periods, at least one, at most maxIterations. */
export function budgetIterations(cost: number, period: number): number {
  const fit = Math.floor(RAR_BUDGET.work / cost / period) * period;
  return Math.max(period, Math.min(RAR_BUDGET.maxIterations, fit));
}

/**
 * `problem` with the refinement budget applied to what its file left out, when it is an evolution
 * problem whose refinement runs RAR-D as one network (no time-marching windows); otherwise `problem` itself.
 */
export function withRefinementBudget(problem: Problem): Problem {
  const left = problem.training.leftOut;
  if (left === undefined || !(left.points || left.refinement || left.hidden)) return problem;
  // Evolution problems only: the steady 2-D region rule's RAR-D (region-defaults.ts) has its own counts.
  const evolution = evolutionOf(problem);
  if (evolution === null || timeWindowCount(problem) > 0) return problem;
  const period = defaultAdaptiveSampling(problem, { evolution: () => evolution });
  if (period <= 0) return problem;
  const d = problem.variables.length;
  const hidden = left.hidden ? [...RAR_BUDGET.hidden] : problem.network.hidden;
  const points = left.points ? RAR_BUDGET.pointsPerVariable * d : problem.training.points;
  const cost = iterationCost(points, d, hidden, problem.unknowns.length);
  const iterations = budgetIterations(cost, period);
  const stages = left.refinement ? problem.training.stages.map((s): StageSettings => (s.optimizer === "bfgs" ? { ...s, iterations } : s)) : problem.training.stages;
  const budget: RefinementBudget = {
    ...(left.hidden ? { hidden } : {}),
    ...(left.points ? { points } : {}),
    ...(left.refinement ? { iterations } : {}),
    cost_per_iteration: cost,
  };
  return { ...problem, network: { ...problem.network, hidden }, training: { ...problem.training, points, stages, budget } };
}
