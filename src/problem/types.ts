// A validated problem: what the YAML file says, with names resolved to symbolic expressions and
// every setting filled in (the defaults are in defaults.ts).

import type { Sym } from "../expressions/symbolic.js";
import type { Location } from "../expressions/resolve.js";
import type { ActivationName } from "../nn/activations.js";
import type { InitScheme } from "../nn/init.js";
import type { SamplingMethod } from "../sampling/index.js";
import type { Schedule } from "../optim/schedules.js";
import type { ProblemIssue, SourcePosition } from "./errors.js";

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

export type Condition = PointCondition | PeriodicCondition;

export interface Trial {
  source: Source;
  /** The unknown as an expression of the domain variables and N (the network output). */
  expr: Sym;
  /** True when pinn built it (constraints: hard), false when the file gave it. */
  generated: boolean;
}

export type StageSettings =
  | { optimizer: "adam"; epochs: number; learningRate: number; schedule: Schedule }
  | { optimizer: "lbfgs"; iterations: number; learningRate: number; historySize: number };

export type LossWeighting = "fixed" | "annealing" | "gradnorm";

export interface TrainingSettings {
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
  /** Threads for data-parallel training (training/parallel.ts); null: all cores, where it pays. */
  threads?: number | null;
}

export interface NetworkSettings {
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
  /** Index of the variable called t (time), if any: plots show snapshots along it. */
  timeVariable: number | null;
  unknowns: string[];
  constants: Map<string, number>;
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
  /** Valid but suspicious things, reported without stopping. */
  warnings: ProblemIssue[];
}
