// Check derivatives against central finite differences, as torch.autograd.gradcheck does:
// every entry of the Jacobian from reverse mode (and, by default, from forward mode) must match
// (f(x + εe_j) − f(x − εe_j)) / 2ε within atol + rtol·|numeric|.

import { Tensor } from "./tensor.js";
import { gradients } from "./autograd.js";
import { enableGrad, noGrad } from "./state.js";
import { jvp } from "./functional.js";
import { concat, reshape } from "./ops/index.js";
import { zeros } from "./creation.js";
import { describeValue } from "./describe.js";

export type MultiFn = (...inputs: Tensor[]) => Tensor | Tensor[];

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Also check forward mode, column by column (default true). */
  checkForward?: boolean;
  /** Throw a descriptive error on a mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

/** All outputs of f flattened into one vector. */
function flatOutput(f: MultiFn, inputs: Tensor[]): Tensor {
  const y = f(...inputs);
  const list = Array.isArray(y) ? y : [y];
  return concat(list.map((t) => reshape(t, [t.size])), 0);
}

function numericJacobian(f: MultiFn, inputs: Tensor[], eps: number): Float64Array[][] {
  // result[i][j] = column j (input element j of input i) of ∂y/∂x_i, as a flat vector over y
  return noGrad(() => {
    const base = inputs.map((t) => new Tensor(Float64Array.from(t.data), t.shape));
    return inputs.map((t, i) => {
      const columns: Float64Array[] = [];
      for (let j = 0; j < t.size; j++) {
        const x = base[i]!;
        const orig = x.data[j]!;
        x.data[j] = orig + eps;
        // Copy both results: an output may share its data with the input (reshape, identity slice).
        const plus = flatOutput(f, base).data.slice();
        x.data[j] = orig - eps;
        const minus = flatOutput(f, base).data.slice();
        x.data[j] = orig;
        const col = new Float64Array(plus.length);
        for (let k = 0; k < col.length; k++) col[k] = (plus[k]! - minus[k]!) / (2 * eps);
        columns.push(col);
      }
      return columns;
    });
  });
}

/** The inputs as a list (one tensor is a list of one, as torch.autograd.gradcheck takes); anything else is a TypeError. */
function inputList(inputs: unknown, who: string, f: unknown): Tensor[] {
  if (typeof f !== "function") throw new TypeError(`${who}: expects a function of tensors first, got ${describeValue(f)}`);
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(list)) throw new TypeError(`${who}: expects the inputs as a tensor or a list of tensors, got ${describeValue(inputs)}`);
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${who}: input ${i} must be a Tensor, got ${describeValue(t)}`);
  });
  return list as Tensor[];
}

function leaves(inputs: Tensor[]): Tensor[] {
  return inputs.map((t) => new Tensor(Float64Array.from(t.data), t.shape).requireGrad());
}

/**
 * Compare reverse-mode (and forward-mode) derivatives of `f` with central differences at `inputs`.
 * Returns true, or throws (or returns false) naming the first mismatching entry.
 */
export function gradcheck(f: MultiFn, inputs: Tensor[] | Tensor, options: GradcheckOptions = {}): boolean {
  inputs = inputList(inputs, "gradcheck", f);
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const numeric = numericJacobian(f, inputs, eps);
  const fail = (msg: string): boolean => {
    if (options.raiseException ?? true) throw new Error(`gradcheck failed: ${msg}`);
    return false;
  };
  const close = (a: number, n: number): boolean => Math.abs(a - n) <= atol + rtol * Math.abs(n);

  // Reverse mode: one vjp per output element gives a row of every input's Jacobian.
  const xs = leaves(inputs);
  const y = flatOutput(f, xs);
  for (let k = 0; k < y.size; k++) {
    const seed = zeros([y.size]);
    seed.data[k] = 1;
    const rows = y.requiresGrad ? gradients(y, xs, { gradOutputs: seed, allowUnused: true, retainGraph: true }) : xs.map((x) => zeros(x.shape));
    for (let i = 0; i < xs.length; i++) {
      for (let j = 0; j < xs[i]!.size; j++) {
        const a = rows[i]!.data[j]!;
        const n = numeric[i]![j]![k]!;
        if (!close(a, n)) return fail(`reverse mode: d output[${k}] / d input ${i}[${j}] = ${a}, finite differences give ${n}`);
      }
    }
  }

  // Forward mode: one jvp per input element gives a column.
  if (options.checkForward ?? true) {
    for (let i = 0; i < inputs.length; i++) {
      for (let j = 0; j < inputs[i]!.size; j++) {
        const dir = zeros(inputs[i]!.shape);
        dir.data[j] = 1;
        const others = leaves(inputs);
        const [, t] = jvp((xi) => flatOutput(f, others.map((o, m) => (m === i ? xi : o))), others[i]!, dir);
        for (let k = 0; k < t.size; k++) {
          const a = t.data[k]!;
          const n = numeric[i]![j]![k]!;
          if (!close(a, n)) return fail(`forward mode: d output[${k}] / d input ${i}[${j}] = ${a}, finite differences give ${n}`);
        }
      }
    }
  }
  return true;
}

/**
 * Check second derivatives: the vector–Jacobian product of `f` with a fixed random cotangent
 * (computed with createGraph) is itself gradchecked, with respect to the inputs and the cotangent.
 */
export function gradgradcheck(f: MultiFn, inputs: Tensor[] | Tensor, options: GradcheckOptions & { seed?: number } = {}): boolean {
  inputs = inputList(inputs, "gradgradcheck", f);
  const y0 = noGrad(() => flatOutput(f, inputs));
  // A fixed, irregular cotangent so that no symmetry hides an error.
  const ct = new Tensor(Float64Array.from({ length: y0.size }, (_, k) => Math.sin(1.7 * k + 0.3 + (options.seed ?? 0))), [y0.size]);
  const pullback: MultiFn = (...args) => {
    const xs = args.slice(0, -1);
    const v = args[args.length - 1]!;
    const vars = xs.map((x) => (x.requiresGrad ? x : new Tensor(Float64Array.from(x.data), x.shape).requireGrad()));
    const yv = enableGrad(() => flatOutput(f, vars));
    if (!yv.requiresGrad) return vars.map((x) => zeros(x.shape));
    return gradients(yv, vars, { gradOutputs: v, createGraph: true, allowUnused: true });
  };
  return gradcheck(pullback, [...inputs, ct], options);
}
