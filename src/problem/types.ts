// A validated problem: what the YAML file says, with names resolved to symbolic expressions and
// every setting filled in (the defaults are in defaults.ts).

import type { RegionRuleRecord } from "../training/region-defaults.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import type { NetworkTechniques, TrainingTechniques } from "../training/techniques.js";
import type { RefinementBudget } from "../training/budget.js";
import type { ActivationName } from "../nn/activations.js";
import type { InitScheme } from "../nn/init.js";
import type { SamplingMethod } from "../sampling/index.js";
import type { Schedule } from "../optim/schedules.js";
import type { BfgsUpdate } from "../optim/bfgs.js";
import type { ProblemIssue, SourcePosition } from "./errors.js";
import type { Domain } from "../geometry/domain.js";
import type { ReferenceData } from "./reference.js";

export interface Source {
  /** The text as written in the file. */
  text: string;
  position?: SourcePosition;
}

export interface Equation {
  source: Source;
  /** LHS − RHS, which must vanish at every point of the domain. */
  residual: Sym;
  lhs: Sym;
  rhs: Sym;
  weight: number;
}

export interface PointCondition {
  kind: "point";
  source: Source;
  residual: Sym;
  lhs: Sym;
  rhs: Sym;
  location: Location;
  weight: number;
  /** Points per epoch on this condition's set (1 when every argument is fixed). */
  points?: number;
}

export interface PeriodicCondition {
  kind: "periodic";
  source: Source;
  /** Index of the periodic variable. */
  variable: number;
  weight: number;
  points?: number;
}

/** A condition on a boundary part of a region ("... on NAME" / "on boundary"; see problem/regions.ts). */
export interface PartCondition {
  kind: "part";
  source: Source;
  /** LHS − RHS at a boundary point; the normal's components are the attribute variables (fields.ts: attributeVariable). */
  residual: Sym;
  lhs: Sym;
  rhs: Sym;
  /** The shape whose boundary part it holds on; null for the whole boundary. */
  part: string | null;
  weight: number;
  points?: number;
}

export type Condition = PointCondition | PeriodicCondition | PartCondition;

export interface Trial {
  source: Source;
  /** The unknown as an expression of the domain variables and N (the network output). */
  expr: Sym;
  /** True when pinn built it (constraints: hard), false when the file gave it. */
  generated: boolean;
}

/**
 * An unknown constant learned with the network (contract: "Unknown parameters and data"). The
 * optimiser moves an unbounded raw value θ; the bounds are kept by a smooth reparametrisation
 * (problem/parameters.ts), so `value` is the parameter as an expression of θ = S.param(index).
 */
export interface Parameter {
  name: string;
  source: Source;
  initial: number;
  min?: number;
  max?: number;
  exact?: number;
  value: Sym;
  /** θ at the initial value. */
  raw: number;
}

/** One CSV of observations: a point per row, values of some unknowns (problem/data.ts). */
export interface DataSet {
  /** The CSV's path as read (relative paths resolved against the problem file's folder). */
  file: string;
  source: Source;
  weight: number;
  /** Row-major n × d points, in the order of the domain variables. */
  points: Float64Array;
  /** The observed unknowns and their values, one per row. */
  observed: { unknown: number; values: Float64Array }[];
}

export type StageSettings =
  | { optimizer: "adam"; epochs: number; learningRate: number; schedule: Schedule }
  | { optimizer: "lbfgs"; iterations: number; learningRate: number; historySize: number }
  /** Dense (self-scaled) BFGS; historySize is that of the L-BFGS it falls back to for large networks. */
  | { optimizer: "bfgs"; iterations: number; learningRate: number; update: BfgsUpdate; historySize: number };

export type LossWeighting = "fixed" | "annealing" | "gradnorm";

export interface TrainingSettings extends TrainingTechniques {
  stages: StageSettings[];
  points: number;
  boundaryPoints: number;
  sampling: SamplingMethod;
  resample: boolean;
  seed: number;
  lossWeighting: LossWeighting;
  /** How input derivatives of the network are computed. */
  derivatives: "taylor" | "reverse";
  /** Causal curriculum along the evolution variable; null: on when the problem has one. */
  causal: boolean | null;
  /** Estimate output and residual scales from the problem (nondimensionalisation). */
  scaling: boolean;
  /** Ensemble members trained (1: a single run; training/ensemble.ts). */
  ensemble?: number;
  /** Threads for data-parallel training (training/parallel.ts); null: all cores, where it pays. */
  threads?: number | null;
  /**
   * The file left the optimizer to pinn (no `optimizer`): the stages are the defaults, which
   * time-marching may share out among its windows (training/time-marching.ts windowStages).
   */
  optimizerDefault?: boolean;
  /**
   * Settings the file (and the command line) left out (`points`; `boundary_points`; `optimizer` and
   * `lbfgs_iterations`; `network.hidden`), which a rule from the problem's structure may size: the
   * refinement budget of an evolution problem with RAR-D (training/budget.ts), the steady 2-D region
   * rule (training/region-defaults.ts).
   */
  leftOut?: { points: boolean; boundaryPoints: boolean; refinement: boolean; hidden: boolean };
  /** What training/budget.ts chose, when it applied (recorded in summary.json). */
  budget?: RefinementBudget;
  /** What the steady 2-D region rule set (training/region-defaults.ts), when it applies. */
  regionDefaults?: RegionRuleRecord;
}

export interface NetworkSettings extends NetworkTechniques {
  hidden: number[];
  activation: ActivationName;
  init: InitScheme;
}

export interface Problem {
  file: string;
  name: string;
  title: string;
  description?: string;
  variables: string[];
  bounds: [number, number][];
  /** Where the problem lives: a region (shapes:, region:) or, when absent, the box of `bounds`. */
  domain?: Domain;
  /** Index of the time variable, if any (problem/time-variable.ts: t, or the variable the conditions mark as time). */
  timeVariable: number | null;
  /** Why timeVariable is time, in words ("initial condition at s = 0, none at s = 1"), for the run's output. */
  timeWhy?: string;
  unknowns: string[];
  constants: Map<string, number>;
  /** Learned parameters (version 2); absent or empty in forward problems. */
  parameters?: Parameter[];
  /** Observations to fit (version 2). */
  data?: DataSet[];
  equations: Equation[];
  conditions: Condition[];
  /** One entry per unknown; null means u_k = N_k. */
  trial: (Trial | null)[];
  constraints: "soft" | "hard";
  /** One entry per unknown; null when no exact solution is given. */
  exact: ({ source: Source; expr: Sym } | null)[];
  network: NetworkSettings;
  training: TrainingSettings;
  evaluate: { points: number[] };
  /** Reference values (v2 `reference: {file}`), for metrics where no exact solution is given. */
  reference?: ReferenceData;
  /** Valid but suspicious things, reported without stopping. */
  warnings: ProblemIssue[];
}
