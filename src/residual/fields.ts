// Evaluate expressions that involve the unknowns and their derivatives (equation and condition
// residuals) on a batch of points.
//
// Two ways to get ∂^α u_k, selectable for cross-checking:
//  - taylor: each unknown is its trial form u_k = T_k(x, N_k); ∂^α u_k is expanded symbolically
//    (chain and product rules) into an expression of x and ∂^β N_k, and the network supplies all
//    ∂^β N_k in one forward Taylor pass. Nothing is differentiated with respect to the points.
//  - reverse: u_k is computed from points that require grad, and ∂^α u_k comes from nested reverse
//    passes over the whole trial form (engine autodiff end to end).

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import { partial } from "../engine/derivatives.js";
import { enableGrad } from "../engine/state.js";
import { Program, type Atoms } from "../expressions/evaluate.js";
import * as S from "../expressions/symbolic.js";
import type { MultiIndex, Sym } from "../expressions/symbolic.js";
import type { DerivativeMode, PinnNetwork } from "./network.js";
import { indexKey } from "../jets/taylor.js";
import { meanSquareKernel, type MeanSquareKernel } from "../expressions/kernel.js";
import { meanSquares } from "./residual-kernel.js";

/**
 * The unknowns as expressions of the domain variables and the network outputs N_k, with N_k
 * standing for U_k·N_k when output scales U are given (see scales.ts).
 */
export function unknownForms(trial: readonly ({ expr: Sym } | null)[], outputScale?: readonly number[]): Sym[] {
  return trial.map((t, k) => {
    const form = t?.expr ?? S.net(k, []);
    const u = outputScale?.[k] ?? 1;
    if (u === 1) return form;
    return S.substitute(form, (atom) => (atom.kind === "net" && atom.alpha.length === 0 ? S.mul(S.num(u), atom) : undefined));
  });
}

/** Columns of a [n, d] points tensor. */
function columnsOf(X: Tensor): Tensor[] {
  return Array.from({ length: X.shape[1]! }, (_, i) => ops.slice(X, [null, [i, i + 1]]));
}

export function pointsTensor(points: Float64Array, dims: number): Tensor {
  return new Tensor(points, [points.length / dims, dims]);
}

export interface FieldEvaluator {
  /**
   * Evaluate the compiled expressions on points (row-major n × d); each result is [n, 1].
   * `attrs` (row-major n × A) holds per-point attributes — boundary normals, observed values —
   * read by variables d, d + 1, … of the expressions (see attributeVariable).
   */
  evaluate(points: Float64Array, attrs?: Float64Array | null): Tensor[];
}

/** The variable that reads per-point attribute `j` (after the d domain variables). */
export function attributeVariable(dims: number, j: number): Sym {
  return S.variable(dims + j);
}

/** Number of attribute columns the expressions read (variables at index ≥ dims). */
function attributeCount(exprs: readonly Sym[], dims: number): number {
  let count = 0;
  for (const s of S.topologicalNodes(exprs)) if (s.kind === "var" && s.index >= dims) count = Math.max(count, s.index - dims + 1);
  return count;
}

/** Columns of the points, then of the attributes (what `variable(i)` reads). */
function variableColumns(X: Tensor, attrs: Float64Array | null | undefined, count: number): Tensor[] {
  const columns = columnsOf(X);
  if (count === 0) return columns;
  const n = X.shape[0]!;
  if (!attrs || attrs.length !== n * count) throw new Error(`internal: expected ${count} attribute column(s) for ${n} points`);
  return [...columns, ...columnsOf(new Tensor(attrs, [n, count]))];
}

/** Taylor mode: one symbolic expansion at construction, one network pass per evaluation. */
export class TaylorFields implements FieldEvaluator {
  private readonly program: Program;
  /** The expressions in terms of x and ∂^β N. */
  private readonly expanded: Sym[];
  /** Network derivatives needed: multi-indices (over all outputs). */
  private readonly requested: number[][];
  /** The compiled residual-and-mean-square kernel, for the network's stream set (cached by identity). */
  private kernel: { set: number[][]; kernel: MeanSquareKernel } | null = null;
  /** Per-point attribute columns the expressions read. */
  private readonly attributes: number;

  constructor(
    private readonly network: PinnNetwork,
    forms: readonly Sym[],
    exprs: readonly Sym[],
    /** θ, the learned parameters' raw values ([P], trained with the network), when the problem has any. */
    private readonly theta: Tensor | null = null,
  ) {
    const expanded = exprs.map((e) =>
      S.substitute(e, (atom) => (atom.kind === "field" ? S.diffMulti(forms[atom.unknown]!, atom.alpha) : undefined)),
    );
    this.expanded = expanded;
    this.attributes = attributeCount(expanded, network.dims);
    this.program = new Program(expanded);
    const keys = new Map<string, number[]>();
    for (const atom of this.program.atoms()) {
      if (atom.kind !== "net") continue;
      const alpha = Array.from({ length: network.dims }, (_, i) => atom.alpha[i] ?? 0);
      keys.set(indexKey(alpha), alpha);
    }
    this.requested = [...keys.values()];
  }

  evaluate(points: Float64Array, attrs?: Float64Array | null): Tensor[] {
    const X = pointsTensor(points, this.network.dims);
    const n = X.shape[0]!;
    const streams = this.requested.length > 0 ? this.network.derivatives(X, this.requested, "taylor") : new Map<string, Tensor>();
    const columns = variableColumns(X, attrs, this.attributes);
    const cache = new Map<string, Tensor>();
    const atoms: Atoms = {
      variable: (i) => columns[i]!,
      net: (k, alpha) => {
        const key = `${k}:${indexKey(alpha)}`;
        let t = cache.get(key);
        if (!t) {
          t = ops.slice(streams.get(indexKey(alpha))!, [null, [k, k + 1]]);
          cache.set(key, t);
        }
        return t;
      },
      param: (k) => parameterAtom(this.theta, k),
    };
    return this.program.run(atoms, n);
  }

  /**
   * mean_i e(x_i)² for every expression e, as one [R] tensor: one fused network pass and one
   * generated kernel for the expressions and their squares (the fast path of training; its
   * backward pass is first order).
   */
  meanSquares(points: Float64Array, attrs?: Float64Array | null): Tensor {
    const d = this.network.dims;
    const requested = this.requested.length > 0 ? this.requested : [new Array<number>(d).fill(0)];
    const { stacked, set } = this.network.stackedDerivatives(points, requested);
    if (this.kernel === null || this.kernel.set !== set) {
      const block = new Map(set.map((beta, s) => [indexKey(beta), s]));
      const K = this.network.outputs;
      const A = this.attributes;
      // Inputs: the points, the streams, the attributes (empty without), θ (empty without).
      const kernel = meanSquareKernel(this.expanded, 4, (atom) => {
        if (atom.kind === "var") return atom.index < d ? { input: 0, block: 0, stride: d, offset: atom.index } : { input: 2, block: 0, stride: A, offset: atom.index - d };
        if (atom.kind === "net") return { input: 1, block: block.get(indexKey(atom.alpha))!, stride: K, offset: atom.output };
        // θ_k: one value for every point (stride 0), its adjoint summed over the points.
        if (atom.kind === "param") return { input: 3, block: 0, stride: 0, offset: atom.index };
        throw new Error("internal: a field atom survived the expansion of the trial forms");
      });
      this.kernel = { set, kernel };
    }
    return meanSquares(this.kernel.kernel, points, d, stacked, this.attributes > 0 ? (attrs ?? null) : null, this.theta);
  }
}

/**
 * Reverse mode: fields given as functions of the (grad-requiring) points; derivatives by nested
 * reverse passes. Used for the network ("reverse" derivatives) and for exact solutions (check).
 */
export class ReverseFields implements FieldEvaluator {
  private readonly program: Program;
  private readonly attributes: number;

  constructor(
    private readonly dims: number,
    /** u_k for every unknown, as [n, 1] tensors computed from X. */
    private readonly unknowns: (X: Tensor, columns: Tensor[]) => Tensor[],
    exprs: readonly Sym[],
    private readonly theta: Tensor | null = null,
  ) {
    this.program = new Program(exprs);
    this.attributes = attributeCount(exprs, dims);
  }

  evaluate(points: Float64Array, attrs?: Float64Array | null): Tensor[] {
    // Input derivatives need a recorded graph even when the caller records none (e.g. under noGrad).
    return enableGrad(() => this.evaluateWithGraph(points, attrs));
  }

  private evaluateWithGraph(points: Float64Array, attrs: Float64Array | null | undefined): Tensor[] {
    const X = pointsTensor(Float64Array.from(points), this.dims).requireGrad();
    const n = X.shape[0]!;
    const inputs = columnsOf(X);
    const columns = variableColumns(X, attrs, this.attributes);
    const u = this.unknowns(X, inputs);
    const cache = new Map<string, Tensor>();
    const atoms: Atoms = {
      variable: (i) => columns[i]!,
      field: (k, alpha) => {
        const key = `${k}:${indexKey(alpha)}`;
        let t = cache.get(key);
        if (!t) {
          t = partial(u[k]!, X, ...axesOf(alpha));
          cache.set(key, t);
        }
        return t;
      },
      param: (k) => parameterAtom(this.theta, k),
    };
    return this.program.run(atoms, n);
  }
}

/** [0, 0, 1] for α = (2, 1): the axes to differentiate along, in order. */
function axesOf(alpha: MultiIndex): number[] {
  const axes: number[] = [];
  alpha.forEach((c, i) => {
    for (let j = 0; j < (c ?? 0); j++) axes.push(i);
  });
  return axes;
}

/** θ_k as a [1, 1] tensor (differentiable: a slice of the trained vector θ). */
function parameterAtom(theta: Tensor | null, k: number): Tensor {
  if (theta === null || k >= theta.size) throw new Error("internal: a learned parameter appears but no parameter values were given");
  return ops.reshape(ops.slice(theta, [[k, k + 1]]), [1, 1]);
}

/** A field evaluator for the network's unknowns in the chosen derivative mode (θ: the learned parameters, if any). */
export function networkFields(network: PinnNetwork, forms: readonly Sym[], exprs: readonly Sym[], mode: DerivativeMode, theta: Tensor | null = null): FieldEvaluator {
  if (mode === "taylor") return new TaylorFields(network, forms, exprs, theta);
  const formPrograms = forms.map((f) => new Program([f]));
  return new ReverseFields(network.dims, (X, columns) => {
    const N = network.forward(X);
    const outputs = Array.from({ length: network.outputs }, (_, k) => ops.slice(N, [null, [k, k + 1]]));
    return formPrograms.map((p) => p.run({ variable: (i) => columns[i]!, net: (k) => outputs[k]!, param: (k) => parameterAtom(theta, k) }, X.shape[0]!)[0]!);
  }, exprs, theta);
}

/** A field evaluator for exact solutions (expressions of the domain variables). */
export function exactFields(dims: number, exact: readonly Sym[], exprs: readonly Sym[]): FieldEvaluator {
  const programs = exact.map((e) => new Program([e]));
  return new ReverseFields(dims, (X, columns) => programs.map((p) => p.run({ variable: (i) => columns[i]! }, X.shape[0]!)[0]!), exprs);
}
