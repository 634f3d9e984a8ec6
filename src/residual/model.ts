// The residual model of a problem: its loss terms (one per equation and per condition not already
// enforced by a trial form), the point set each is evaluated on, and their evaluation.

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import type { Rng } from "../engine/random.js";
import type { Condition, Problem, Source } from "../problem/types.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { PinnNetwork, type DerivativeMode } from "./network.js";
import { networkFields, unknownForms, TaylorFields, type FieldEvaluator } from "./fields.js";
import { meanSquare } from "../loss/loss.js";
import { PointSet, interiorLocation, periodicLocations } from "./point-sets.js";
import { periodicDifferences, periodicFields } from "./periodic.js";
import { outputScales, termScales } from "./scales.js";
import type { Location } from "../expressions/resolve.js";
import { classifyCondition, impossibleIssue } from "./enforced.js";
import { ProblemError, type ProblemIssue } from "../problem/errors.js";
import type { CausalWeights } from "../training/causal.js";

export interface LossTerm {
  /** Short label for the loss history and plots. */
  label: string;
  kind: "equation" | "condition" | "periodic";
  weight: number;
  source: Source;
}

interface Group {
  points: PointSet;
  evaluator: FieldEvaluator;
  /** Indices of the terms this group produces, in order. */
  terms: number[];
  /** For a periodic condition: the variable and the upper end its points are mirrored to. */
  periodic?: { variable: number; hi: number };
}

/** Points for every group, drawn once per epoch (or kept fixed for L-BFGS). */
export type Batch = Float64Array[];

export class ResidualModel {
  readonly terms: LossTerm[] = [];
  /** Conditions that the trial forms satisfy by construction (not trained). */
  readonly enforced: Condition[] = [];
  private readonly groups: Group[] = [];
  /** Causal residual weights on the equations (training/causal.ts), set by the trainer; null: off. */
  causalWeights: CausalWeights | null = null;

  /** U_k: the network's output k stands for u_k / U_k (1 when scaling is off). */
  readonly outputScale: number[];
  /** The magnitude each term's residual is divided by (1 when scaling is off). */
  readonly termScale: number[] = [];

  constructor(readonly problem: Problem, readonly network: PinnNetwork, readonly mode: DerivativeMode, rng: Rng) {
    const dims = problem.variables.length;
    const { training } = problem;
    const scaling = training.scaling;
    this.outputScale = scaling ? outputScales(problem) : problem.unknowns.map(() => 1);
    const forms = unknownForms(problem.trial, this.outputScale);
    const fields = (exprs: Sym[]): FieldEvaluator => networkFields(network, forms, exprs, mode);
    const interiorAt = interiorLocation(dims);
    const scaleOf = (residual: Sym, location: Location): number => (scaling ? termScales(problem, [{ residual, location }], this.outputScale)[0]! : 1);
    const normalized = (residual: Sym, location: Location, term: number): Sym => {
      const s = scaleOf(residual, location);
      this.termScale[term] = s;
      return s === 1 ? residual : S.mul(S.num(1 / s), residual);
    };

    const interior = new PointSet(dims, problem.bounds, interiorAt, training.points, training.sampling, training.resample, rng.fork());
    const equationTerms = problem.equations.map((e) => this.addTerm("equation", e.source, e.weight));
    this.groups.push({
      points: interior,
      evaluator: fields(problem.equations.map((e, i) => normalized(e.residual, interiorAt, equationTerms[i]!))),
      terms: equationTerms,
    });

    const impossible: ProblemIssue[] = [];
    for (const c of problem.conditions) {
      const status = classifyCondition(problem, c);
      if (status === "impossible") impossible.push(impossibleIssue(c));
      if (status !== "penalty") {
        if (status === "enforced") this.enforced.push(c);
        continue;
      }
      const count = c.points ?? training.boundaryPoints;
      if (c.kind === "periodic") {
        const [lo, hi] = periodicLocations(dims, c.variable, problem.bounds);
        const term = this.addTerm("periodic", c.source, c.weight);
        this.termScale[term] = 1;
        this.groups.push({
          points: new PointSet(dims, problem.bounds, lo, count, training.sampling, training.resample, rng.fork()),
          // Each matched quantity in units of its natural size U_k/ℓ^j.
          evaluator: fields(
            periodicFields(problem, c.variable).map(({ unknown, order, field }) =>
              S.mul(S.num(scaling ? ((problem.bounds[c.variable]![1] - problem.bounds[c.variable]![0]) / Math.PI) ** order / this.outputScale[unknown]! : 1), field),
            ),
          ),
          terms: [term],
          periodic: { variable: c.variable, hi: (hi[c.variable] as { value: number }).value },
        });
      } else {
        const term = this.addTerm("condition", c.source, c.weight);
        this.groups.push({
          points: new PointSet(dims, problem.bounds, c.location, count, training.sampling, training.resample, rng.fork()),
          evaluator: fields([normalized(c.residual, c.location, term)]),
          terms: [term],
        });
      }
    }
    if (impossible.length > 0) throw new ProblemError(problem.file, impossible);
  }

  /**
   * The variable along which the solution evolves from given initial data, if any: a variable
   * named t with a condition at its lower end, or the variable of a one-variable problem whose
   * conditions all sit at one end (an initial- or terminal-value problem).
   */
  evolution(): { variable: number; from: number } | null {
    const p = this.problem;
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

  private addTerm(kind: LossTerm["kind"], source: Source, weight: number): number {
    // Labels key the summary and the plot legend: a repeated text gets a number.
    const repeats = this.terms.filter((t) => t.source.text === source.text).length;
    this.terms.push({ label: repeats === 0 ? source.text : `${source.text} (${repeats + 1})`, kind, weight, source });
    return this.terms.length - 1;
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
    const counts = new Array<number>(this.terms.length).fill(0);
    for (const g of this.groups) for (const t of g.terms) counts[t] = g.points.count;
    return counts;
  }

  /**
   * Each term's mean squared residual on a batch, as one [T] tensor in term order. In Taylor mode
   * each point set is one fused network pass and one generated kernel; otherwise the residuals'
   * squares are averaged with ordinary (differentiable to any order) ops.
   */
  losses(batch: Batch): Tensor {
    const parts = this.groups.map((g, i) => {
      if (this.mode === "taylor" && !g.periodic && g.evaluator instanceof TaylorFields) {
        const ev = g.evaluator;
        if (i === 0 && this.causalWeights !== null) return this.causalWeights.weightedMeanSquares((p) => ev.meanSquares(p), batch[i]!, this.network.dims);
        return ev.meanSquares(batch[i]!);
      }
      const squares = this.groupResiduals(g, batch[i]!).map(meanSquare);
      return squares.length === 1 ? ops.reshape(squares[0]!, [1]) : ops.stack(squares);
    });
    return parts.length === 1 ? parts[0]! : ops.concat(parts);
  }

  /** Residual tensors, one per term, on a batch. */
  residuals(batch: Batch): Tensor[] {
    const out = new Array<Tensor>(this.terms.length);
    this.groups.forEach((g, i) => {
      const values = this.groupResiduals(g, batch[i]!);
      g.terms.forEach((t, j) => (out[t] = values[j]!));
    });
    return out;
  }

  private groupResiduals(g: Group, points: Float64Array): Tensor[] {
    if (!g.periodic) return g.evaluator.evaluate(points);
    return [ops.concat(periodicDifferences(g.evaluator, points, this.network.dims, g.periodic.variable, g.periodic.hi), 1)];
  }
}

