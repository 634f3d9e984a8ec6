// Per-point derivatives of a batched function with respect to its inputs, as PINNs need them.
//
// For u = f(X) with X of shape [N, d] where row n of u depends only on row n of X (true of any
// network applied pointwise), ∂(Σ_n u_n)/∂X_{n,i} = ∂u_n/∂x_i: one reverse pass gives every
// point's gradient without mixing rows. Repeating the trick on a column of that gradient gives
// second and higher derivatives. The results stay differentiable (e.g. with respect to weights).

import { describeValue } from "./describe.js";
import type { Tensor } from "./tensor.js";
import { gradients } from "./autograd.js";
import { anyLevelActive, isGradEnabled } from "./state.js";
import { libraryScope } from "./pool.js";
import { formatShape } from "./shape.js";
import { add, reshape, slice } from "./ops/index.js";
import { zeros } from "./creation.js";
import { jvp, type TensorFn } from "./functional.js";

function checkBatch(u: Tensor, X: Tensor, who: string): void {
  if (X.ndim !== 2) throw new Error(`${who}: X must have shape [N, d], got ${formatShape(X.shape)}`);
  const n = X.shape[0]!;
  const ok = (u.ndim === 1 && u.shape[0] === n) || (u.ndim === 2 && u.shape[0] === n && u.shape[1] === 1);
  if (!ok) throw new Error(`${who}: u must have shape [${n}] or [${n}, 1] for X of shape ${formatShape(X.shape)}, got ${formatShape(u.shape)}`);
  if (!X.requiresGrad) throw new Error(`${who}: X must require grad (create it with requiresGrad: true) before computing u from it`);
}

/** ∇u at every point: shape [N, d]. `u` is computed from `X` (which requires grad). */
export function inputGradient(u: Tensor, X: Tensor): Tensor {
  checkBatch(u, X, "inputGradient");
  if (!u.requiresGrad) return zeros(X.shape);
  // (retainGraph: without createGraph (in noGrad), u's graph is the caller's, who may backward through it later.)
  const [g] = gradients(u, X, { gradOutputs: onesOf(u), createGraph: isGradEnabled(), allowUnused: true, retainGraph: true });
  return g!;
}

/**
 * ∂^k u / ∂x_{a1} … ∂x_{ak} at every point, shape [N, 1]: `partial(u, X, 0)` is u_x,
 * `partial(u, X, 0, 0)` is u_xx, `partial(u, X, 0, 1)` is u_xy.
 */
export function partial(u: Tensor, X: Tensor, ...axes: number[]): Tensor {
  let cur = u.ndim === 1 ? reshape(u, [u.size, 1]) : u;
  for (const a of axes) {
    if (typeof a !== "number" || !Number.isInteger(a)) {
      throw new TypeError(
        `partial: each axis is a column index of X (0 for its first coordinate, 1 for the second, …), got ${describeValue(a)}`,
      );
    }
    if (a < 0 || a >= X.shape[1]!) {
      throw new Error(`partial: axis ${a} is out of range for X of shape ${formatShape(X.shape)} (column indices 0 to ${X.shape[1]! - 1})`);
    }
    cur = slice(inputGradient(cur, X), [null, [a, a + 1]]);
  }
  return cur;
}

/**
 * Σ_i ∂²u/∂x_i² at every point (over `axes`, default all columns of X), shape [N, 1]. Outside tidy(),
 * the gradients it is built from are internal to the call: their buffers go back to the pool after a
 * backward pass through the result without retainGraph (pool.ts libraryScope).
 */
export function laplacian(u: Tensor, X: Tensor, axes?: number[]): Tensor {
  const which = axes ?? Array.from({ length: X.shape[1]! }, (_, i) => i);
  return libraryScope("laplacian()", !anyLevelActive(), () => {
    const g = inputGradient(u, X);
    let total: Tensor | null = null;
    for (const a of which) {
      const second = partial(slice(g, [null, [a, a + 1]]), X, a);
      total = total === null ? second : add(total, second);
    }
    return total ?? zeros([X.shape[0]!, 1]);
  });
}

/**
 * The same partial derivatives by forward mode: nested jvps of `f` along the unit direction of
 * each axis, applied to all points at once. Useful to cross-check the reverse-mode results.
 */
export function partialForward(f: TensorFn, X: Tensor, ...axes: number[]): Tensor {
  let g: TensorFn = f;
  for (const a of axes) {
    const inner = g;
    g = (Z) => jvp(inner, Z, unitColumn(Z.shape, a))[1];
  }
  const out = g(X);
  return out.ndim === 1 ? reshape(out, [out.size, 1]) : out;
}

function unitColumn(shape: readonly number[], axis: number): Tensor {
  const t = zeros(shape);
  const d = shape[1]!;
  for (let n = 0; n < shape[0]!; n++) t.data[n * d + axis] = 1;
  return t;
}

function onesOf(u: Tensor): Tensor {
  const t = zeros(u.shape);
  t.data.fill(1);
  return t;
}
