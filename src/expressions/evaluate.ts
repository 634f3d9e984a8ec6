// Evaluate symbolic expressions on a batch of points with engine operations, so that the results
// are differentiable tensors (with respect to the network weights, through the atoms).

import { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import { full } from "../engine/creation.js";
import { argsOf, topologicalNodes, type MultiIndex, type Sym } from "./symbolic.js";
import { functionRule } from "./functions.js";

/** Values of the leaves of an expression on the current batch (each of shape [N, 1]). */
export interface Atoms {
  /** Column i of the points (domain variable i). */
  variable(index: number): Tensor;
  /** ∂^α u_k at the points. */
  field?(unknown: number, alpha: MultiIndex): Tensor;
  /** ∂^α N_k at the points (physical coordinates). */
  net?(output: number, alpha: MultiIndex): Tensor;
  /** θ_k, the raw value of learned parameter k, as a [1, 1] tensor (broadcast over the points). */
  param?(index: number): Tensor;
}

type Value = Tensor | number;

/** A compiled set of expressions: evaluation order computed once, then run per batch. */
export class Program {
  private readonly order: Sym[];

  constructor(readonly roots: readonly Sym[]) {
    this.order = topologicalNodes(roots);
  }

  /** Atoms this program needs (fields and network derivatives), for the providers. */
  atoms(): Sym[] {
    return this.order.filter((s) => s.kind === "field" || s.kind === "net" || s.kind === "param");
  }

  /** Evaluate every root on a batch of `count` points; each result has shape [count, 1]. */
  run(atoms: Atoms, count: number): Tensor[] {
    const values = new Map<number, Value>();
    const get = (s: Sym): Value => values.get(s.id)!;
    for (const s of this.order) values.set(s.id, evaluateNode(s, get, atoms));
    return this.roots.map((r) => {
      const v = get(r);
      if (typeof v === "number") return full([count, 1], v);
      // An expression of parameters alone is one value: spread it over the points.
      return v.shape[0] === count ? v : ops.add(v, full([count, 1], 0));
    });
  }
}

function evaluateNode(s: Sym, get: (s: Sym) => Value, atoms: Atoms): Value {
  switch (s.kind) {
    case "const":
      return s.value;
    case "var":
      return atoms.variable(s.index);
    case "field":
      if (!atoms.field) throw new Error("internal: an unknown appears where no field values are available");
      return atoms.field(s.unknown, s.alpha);
    case "net":
      if (!atoms.net) throw new Error("internal: N appears where no network is available");
      return atoms.net(s.output, s.alpha);
    case "param":
      if (!atoms.param) throw new Error("internal: a learned parameter appears where no parameter values are available");
      return atoms.param(s.index);
    case "neg": {
      const a = get(s.a);
      return typeof a === "number" ? -a : ops.neg(a);
    }
    case "fn": {
      // The engine op of the function table (functions.ts).
      const args = argsOf(s).map(get);
      if (args.every((a) => typeof a === "number")) throw new Error("internal: constant function call was not folded");
      return functionRule(s.name).engine(...args);
    }
    default: {
      const a = get(s.a);
      const b = get(s.b);
      if (typeof a === "number" && typeof b === "number") throw new Error("internal: constant expression was not folded");
      switch (s.kind) {
        case "add":
          return ops.add(a, b);
        case "sub":
          return ops.sub(a, b);
        case "mul":
          return ops.mul(a, b);
        case "div":
          return ops.div(a, b);
        case "pow":
          return ops.pow(a, b);
      }
    }
  }
}

/** Evaluate constant-only or variable-only expressions on plain number arrays (no graph). */
export function evaluatePoints(sym: Sym, points: Float64Array, dim: number): Float64Array {
  const count = points.length / dim;
  const columns = Array.from({ length: dim }, (_, i) => {
    const c = new Float64Array(count);
    for (let n = 0; n < count; n++) c[n] = points[n * dim + i]!;
    return new Tensor(c, [count, 1]);
  });
  const [out] = new Program([sym]).run({ variable: (i) => columns[i]! }, count);
  return out!.data;
}
