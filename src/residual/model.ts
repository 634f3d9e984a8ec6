// The residual model of a problem: its loss terms (one per equation and per condition not already
// enforced by a trial form), built by the term registry (terms/), and their evaluation.

import { Tensor as TensorClass, type Tensor } from "../engine/tensor.js";
import { initialRaw, withParameterValues, fixParameters, parameterValue } from "../problem/parameters.js";
import * as ops from "../engine/ops/index.js";
import type { Rng } from "../engine/random.js";
import type { Condition, Problem, Source } from "../problem/types.js";
import type { Sym } from "../expressions/symbolic.js";
import { PinnNetwork, type DerivativeMode } from "./network.js";
import { networkFields, unknownForms, type FieldEvaluator } from "./fields.js";
import { outputScales, termScales } from "./scales.js";
import type { Location } from "../expressions/resolve.js";
import { classifyCondition, impossibleIssue } from "./enforced.js";
import { ProblemError, type ProblemIssue } from "../problem/errors.js";
import { buildTermGroups, type LossTerm, type PointBatch, type TermContext, type TermGroup } from "../terms/index.js";
import type { CausalWeights } from "../training/causal.js";

export type { LossTerm } from "../terms/index.js";

export interface ModelOptions {
  /** Per data set, the rows to train on (a bootstrap resample for an ensemble member); all rows when absent. */
  dataRows?: (Int32Array | null)[];
  /** U_k in place of the estimate (time-marching: every window keeps the whole problem's scales). */
  outputScale?: readonly number[];
  /** A group in place of a condition's usual one, or null for the usual (time-marching: initial data handed on). */
  conditionTerms?: (ctx: TermContext, condition: Condition) => TermGroup | null;
}

/** Points for every group, drawn once per epoch (or kept fixed for L-BFGS). */
export type Batch = PointBatch[];

export class ResidualModel {
  readonly terms: LossTerm[] = [];
  /** Conditions that the trial forms satisfy by construction (not trained). */
  readonly enforced: Condition[] = [];
  readonly groups: TermGroup[];
  /** Causal residual weights on the equations (training/causal.ts), set by the trainer; null: off. */
  causalWeights: CausalWeights | null = null;

  /** U_k: the network's output k stands for u_k / U_k (1 when scaling is off). */
  readonly outputScale: number[];
  /** The magnitude each term's residual is divided by (1 when scaling is off). */
  readonly termScale: number[] = [];
  /** θ, the learned parameters' raw values (trained after the network's weights); null without parameters. */
  readonly theta: Tensor | null;

  constructor(readonly problem: Problem, readonly network: PinnNetwork, readonly mode: DerivativeMode, rng: Rng, options: ModelOptions = {}) {
    const scaling = problem.training.scaling;
    const theta0 = initialRaw(problem);
    this.theta = theta0.length === 0 ? null : new TensorClass(theta0, [theta0.length]).requireGrad();
    // Scales are estimated with every parameter at its initial guess.
    const fixed = withParameterValues(problem, theta0);
    this.outputScale = options.outputScale ? [...options.outputScale] : scaling ? outputScales(fixed) : problem.unknowns.map(() => 1);
    const forms = unknownForms(problem.trial, this.outputScale);
    const ctx: TermContext = {
      problem,
      network,
      mode,
      outputScale: this.outputScale,
      scaling,
      rng,
      fields: (exprs: Sym[]): FieldEvaluator => networkFields(network, forms, exprs, mode, this.theta),
      scaleOf: (residual: Sym, location: Location): number => (scaling ? termScales(fixed, [{ residual: fixParameters(residual, theta0), location }], this.outputScale)[0]! : 1),
      dataRows: options.dataRows,
    };

    const impossible: ProblemIssue[] = [];
    const trained = (c: Condition): boolean => {
      // With the parameters at their initial values (a trial form may use them too).
      const status = classifyCondition(fixed, fixed.conditions[problem.conditions.indexOf(c)]!);
      if (status === "impossible") impossible.push(impossibleIssue(c));
      if (status === "enforced") this.enforced.push(c);
      return status === "penalty";
    };
    this.groups = buildTermGroups(ctx, trained, problem, options.conditionTerms);
    if (impossible.length > 0) throw new ProblemError(problem.file, impossible);
    for (const g of this.groups) {
      for (const spec of g.specs) {
        this.termScale.push(spec.scale);
        this.addTerm(spec.kind, spec.source, spec.weight, spec.unknowns);
      }
    }
  }

  /** The parameters' current estimates (in the problem's units), in the order of problem.parameters. */
  parameterValues(): number[] {
    const theta = this.theta?.data ?? new Float64Array(0);
    return (this.problem.parameters ?? []).map((p) => parameterValue(p, theta));
  }

  /**
   * The variable along which the solution evolves from given initial data, if any: a variable
   * named t with a condition at its lower end, or the variable of a one-variable problem whose
   * conditions all sit at one end (an initial- or terminal-value problem).
   */
  evolution(): { variable: number; from: number } | null {
    return evolutionOf(this.problem);
  }

  /** Whether training uses the causal curriculum: on for evolution problems unless the file says false. */
  causal(): boolean {
    return this.problem.training.causal !== false && this.evolution() !== null;
  }

  /** Restrict every point set to a causal window along `evolution()` (null: the whole domain). */
  setWindow(fraction: number | null): void {
    const e = this.evolution();
    for (const g of this.groups) {
      g.points.setWindow(e === null || fraction === null ? null : { dim: e.variable, from: e.from, fraction });
    }
  }

  private addTerm(kind: LossTerm["kind"], source: Source, weight: number, unknowns: number[]): void {
    // Labels key the summary and the plot legend: a repeated text gets a number.
    const repeats = this.terms.filter((t) => t.source.text === source.text).length;
    this.terms.push({ label: repeats === 0 ? source.text : `${source.text} (${repeats + 1})`, kind, weight, source, unknowns });
  }

  /** This epoch's points (fresh when resampling). */
  draw(): Batch {
    return this.groups.map((g) => g.points.next());
  }

  /** New points regardless of the resampling setting (e.g. the fixed set of an L-BFGS stage). */
  drawFresh(): Batch {
    return this.groups.map((g) => g.points.fresh());
  }

  /** Points per epoch in each term's set. */
  pointCounts(): number[] {
    return this.groups.flatMap((g) => g.specs.map(() => g.points.count));
  }

  /**
   * Each term's mean squared residual on a batch, as one [T] tensor in term order. In Taylor mode
   * each symbolic group is one fused network pass and one generated kernel; otherwise the
   * residuals' squares are averaged with ordinary (differentiable to any order) ops.
   */
  losses(batch: Batch): Tensor {
    // (Built by push, not map(): see chunkContribution in training/parallel.ts.)
    const parts: Tensor[] = [];
    for (let i = 0; i < this.groups.length; i++) {
      const g = this.groups[i]!;
      parts.push(
        this.causalWeights !== null && g.specs.every((t) => t.kind === "equation")
          ? this.causalWeights.weightedMeanSquares((b) => g.meanSquares(b), batch[i]!, this.network.dims)
          : g.meanSquares(batch[i]!),
      );
    }
    return parts.length === 1 ? parts[0]! : ops.concat(parts);
  }

  /** Residual tensors, one per term, on a batch. */
  residuals(batch: Batch): Tensor[] {
    return this.groups.flatMap((g, i) => g.residuals(batch[i]!));
  }
}

/** ResidualModel.evolution() of a problem, before any model is built (training/budget.ts). */
export function evolutionOf(p: Problem): { variable: number; from: number } | null {
  const points = p.conditions.filter((c) => c.kind === "point");
  const t = p.timeVariable;
  if (t !== null) {
    const lo = p.bounds[t]![0];
    const initial = points.some((c) => !c.location[t]!.free && (c.location[t] as { value: number }).value === lo);
    return initial ? { variable: t, from: lo } : null;
  }
  if (p.variables.length !== 1 || points.length === 0 || points.length !== p.conditions.length) return null;
  const at = new Set(points.map((c) => (c.location[0] as { value: number }).value));
  if (at.size !== 1) return null;
  const [value] = [...at];
  const [lo, hi] = p.bounds[0]!;
  return value === lo || value === hi ? { variable: 0, from: value } : null;
}
