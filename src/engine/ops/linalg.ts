// Matrix products. The primitive is a (batched) product of two operands that may each be read
// transposed, so that the derivative rules never copy a transpose:
//   C = op(A)·op(B),  dA = G·op(B)ᵀ,  dB = op(A)ᵀ·G   (with the flags folded in).

import { allocData } from "../pool.js";
import { Tensor } from "../tensor.js";
import { apply, defineOp } from "../op.js";
import { matmulInto } from "../kernels/matmul.js";
import { broadcastShapes, formatShape, sameShape, sizeOf } from "../shape.js";
import { add, mul } from "./arithmetic.js";
import { broadcastTo, sum } from "./reduce.js";
import { reshape } from "./layout.js";
import { expectTensor } from "../check.js";

export interface Flags {
  transA: boolean;
  transB: boolean;
}

function dims(a: Tensor, b: Tensor, { transA, transB }: Flags): { m: number; n: number; k: number; batch: number[] } {
  const r = a.ndim;
  const m = transA ? a.shape[r - 1]! : a.shape[r - 2]!;
  const k = transA ? a.shape[r - 2]! : a.shape[r - 1]!;
  const kb = transB ? b.shape[r - 1]! : b.shape[r - 2]!;
  const n = transB ? b.shape[r - 2]! : b.shape[r - 1]!;
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions differ (${formatShape(a.shape)}${transA ? "ᵀ" : ""} · ${formatShape(b.shape)}${transB ? "ᵀ" : ""})`);
  }
  return { m, n, k, batch: a.shape.slice(0, r - 2) };
}

export const mmOp = defineOp<Flags>({
  name: "matmul",
  forward: ([a, b], flags) => {
    const { m, n, k, batch } = dims(a!, b!, flags);
    const count = sizeOf(batch);
    const out = allocData(count * m * n);
    for (let i = 0; i < count; i++) {
      matmulInto(
        a!.data.subarray(i * m * k, (i + 1) * m * k),
        b!.data.subarray(i * k * n, (i + 1) * k * n),
        out.subarray(i * m * n, (i + 1) * m * n),
        m, n, k, flags.transA, flags.transB,
      );
    }
    return new Tensor(out, [...batch, m, n]);
  },
  vjp: (g, [a, b], _o, { transA, transB }, needs) => [
    needs[0] ? (transA ? mm(b!, g, transB, true) : mm(g, b!, false, !transB)) : null,
    needs[1] ? (transB ? mm(g, a!, true, transA) : mm(a!, g, !transA, false)) : null,
  ],
  jvp: ([ta, tb], [a, b], _o, { transA, transB }) => {
    const left = ta ? mm(ta, b!, transA, transB) : null;
    const right = tb ? mm(a!, tb, transA, transB) : null;
    return left && right ? add(left, right) : (left ?? right)!;
  },
});

/**
 * op(A)·op(B) for operands of equal rank ≥ 2 with equal leading (batch) axes, where op transposes
 * the last two axes when its flag is set. No copy is made for a transposed operand.
 */
export function mm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  expectTensor(a, "mm", 1);
  expectTensor(b, "mm", 2);
  if (a.ndim < 2 || a.ndim !== b.ndim || !sameShape(a.shape.slice(0, -2), b.shape.slice(0, -2))) {
    throw new Error(`mm: operands ${formatShape(a.shape)} and ${formatShape(b.shape)} need equal rank ≥ 2 and equal batch axes`);
  }
  const r = a.ndim;
  const ka = transA ? a.shape[r - 2]! : a.shape[r - 1]!;
  const kb = transB ? b.shape[r - 1]! : b.shape[r - 2]!;
  if (ka !== kb) {
    const shown = (t: Tensor, tr: boolean): string => `${formatShape(t.shape)}${tr ? "ᵀ" : ""}`;
    throw new Error(`mm: ${shown(a, transA)} · ${shown(b, transB)} cannot be multiplied (${ka} columns against ${kb} rows${transA || transB ? "; ᵀ: read transposed" : ""})`);
  }
  return apply(mmOp, [a, b], { transA, transB });
}

/**
 * Matrix product with NumPy's matmul semantics: 1-D operands are promoted to a row (left) or a
 * column (right) and the added axis is removed again; leading axes broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  expectTensor(a, "matmul", 1);
  expectTensor(b, "matmul", 2);
  const shapes = `${formatShape(a.shape)} and ${formatShape(b.shape)}`;
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: shapes ${shapes}: both operands need at least one axis (use mul for a 0-d operand)`);
  // The contracted sizes, checked on the shapes as given (not after promoting a 1-D operand).
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) {
    throw new Error(`matmul: shapes ${shapes} cannot be multiplied (last axis of the first has size ${ka}, ${b.ndim === 1 ? "the second has" : "second-to-last axis of the second has"} size ${kb})`);
  }
  if (a.ndim === 1 && b.ndim === 1) return sum(mul(a, b));
  const a2 = a.ndim === 1 ? reshape(a, [1, a.size]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.size, 1]) : b;
  let result: Tensor;
  if (a2.ndim === 2 && b2.ndim === 2) result = mm(a2, b2);
  else {
    let batch: number[];
    try {
      batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), "matmul");
    } catch {
      throw new Error(`matmul: shapes ${shapes} cannot be multiplied (batch axes ${formatShape(a2.shape.slice(0, -2))} and ${formatShape(b2.shape.slice(0, -2))} do not broadcast)`);
    }
    result = mm(broadcastTo(a2, [...batch, ...a2.shape.slice(-2)]), broadcastTo(b2, [...batch, ...b2.shape.slice(-2)]));
  }
  if (a.ndim === 1) result = reshape(result, [...result.shape.slice(0, -2), result.shape[result.ndim - 1]!]);
  if (b.ndim === 1) result = reshape(result, result.shape.slice(0, -1));
  return result;
}
