// Selection: where(cond, a, b) picks a where cond is 1 (true) and b where it is 0 (false), with
// NumPy broadcasting of all three; clamp(x, min, max) is written with it. The gradient of where
// goes to the chosen operand only — a rule written with where itself (PyTorch's), so that a
// non-finite gradient in the branch not taken does not leak through as 0·∞ = NaN, and derivatives of
// any order follow.

import { Tensor, type Operand } from "../tensor.js";
import { apply, defineOp, type OpDef } from "../op.js";
import { allocData } from "../pool.js";
import { broadcastShapes, broadcastStrides, formatShape, sizeOf, type Shape } from "../shape.js";
import { broadcastTo, sumTo } from "./reduce.js";
import { full, tensor } from "../creation.js";
import { expectOperand } from "../check.js";
import { describeValue } from "../describe.js";
import { noGrad } from "../state.js";

/** out[i] = c[i] !== 0 ? a[i] : b[i], each input read through its broadcast strides. */
function selectForward(c: Tensor, a: Tensor, b: Tensor, shape: Shape): Tensor {
  const size = sizeOf(shape);
  const out = allocData(size);
  const cd = c.data;
  const ad = a.data;
  const bd = b.data;
  if (c.size === size && a.size === size && b.size === size) {
    for (let i = 0; i < size; i++) out[i] = cd[i] !== 0 ? ad[i]! : bd[i]!;
    return new Tensor(out, shape);
  }
  const sc = broadcastStrides(c.shape, shape);
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let ic = 0;
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < size; i++) {
    out[i] = cd[ic] !== 0 ? ad[ia]! : bd[ib]!;
    // Advance the multi-index (last axis fastest) and the three offsets with it.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      ic += sc[k]!;
      ia += sa[k]!;
      ib += sb[k]!;
      if (index[k]! < shape[k]!) break;
      ic -= sc[k]! * shape[k]!;
      ia -= sa[k]! * shape[k]!;
      ib -= sb[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return new Tensor(out, shape);
}

function whereShape(c: Tensor, a: Tensor, b: Tensor): number[] {
  return broadcastShapes(broadcastShapes(c.shape, a.shape, "where"), b.shape, "where");
}

export const whereOp: OpDef<undefined> = defineOp<undefined>({
  name: "where",
  forward: ([c, a, b]) => selectForward(c!, a!, b!, whereShape(c!, a!, b!)),
  // The condition is a constant (no gradient); g goes to a where it holds, to b elsewhere.
  vjp: (g, [c, a, b], _o, _p, needs) => [
    null,
    needs[1] ? sumTo(apply(whereOp, [c!, g, zero()], undefined), a!.shape) : null,
    needs[2] ? sumTo(apply(whereOp, [c!, zero(), g], undefined), b!.shape) : null,
  ],
  jvp: ([, ta, tb], [c], out) => broadcastTo(apply(whereOp, [c!, ta ?? zero(), tb ?? zero()], undefined), out.shape),
});

/** A 0-d constant 0 (sealed: an op's constant, never updated in place). */
function zero(): Tensor {
  const z = full([], 0);
  z.sealed = true;
  return z;
}

/**
 * The condition as a tensor of 0s and 1s: a tensor (every value 0 or 1), or nested arrays of
 * booleans (or of 0s and 1s). Any other value is an error, not a silent truthiness test.
 */
function conditionTensor(cond: unknown): Tensor {
  let c: Tensor;
  if (cond instanceof Tensor) c = cond;
  else if (Array.isArray(cond) || typeof cond === "boolean") c = tensor(booleansToNumbers(cond) as number);
  else {
    throw new TypeError(`where: cond must be a tensor of 0s and 1s or an array of booleans, got ${describeValue(cond)}`);
  }
  const d = c.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== 0 && d[i] !== 1) {
      throw new Error(
        `where: cond (shape ${formatShape(c.shape)}) must hold only 0 and 1, value ${i} is ${d[i]}; ` +
          "make a mask with a comparison written as 0/1, e.g. x.sign().relu() for x > 0",
      );
    }
  }
  return c;
}

function booleansToNumbers(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (Array.isArray(v)) return v.map(booleansToNumbers);
  return v;
}

/**
 * PyTorch's `torch.where(cond, a, b)`: a where cond is 1 (true), b where it is 0 (false); the three
 * broadcast together. The gradient flows to the chosen operand only (none to cond).
 */
export function where(cond: Tensor | boolean[] | unknown[], a: Operand, b: Operand): Tensor {
  const c = conditionTensor(cond);
  const x = expectOperand(a, "where", 2);
  const y = expectOperand(b, "where", 3);
  return apply(whereOp, [c, typeof x === "number" ? full([], x) : x, typeof y === "number" ? full([], y) : y], undefined);
}

/**
 * PyTorch's `torch.clamp(x, min, max)` with numbers as bounds (null or undefined: no bound on that
 * side): the gradient is 1 where min ≤ x ≤ max (bounds included, as in PyTorch), 0 outside. NaN
 * stays NaN. min > max is an error (PyTorch silently returns max everywhere).
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const t = expectOperand(x, "clamp", 1);
  if (typeof t === "number") throw new TypeError(`clamp: x must be a tensor, got the number ${t} (Math.min/Math.max clamp a number)`);
  const bound = (v: unknown, name: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || Number.isNaN(v)) throw new TypeError(`clamp: ${name} must be a number (or null for none), got ${describeValue(v)}`);
    return v;
  };
  const lo = bound(min, "min");
  const hi = bound(max, "max");
  if (lo === null && hi === null) throw new Error("clamp: give min, max or both (clamp(x, null, null) would change nothing)");
  if (lo !== null && hi !== null && lo > hi) throw new RangeError(`clamp: min (${lo}) is greater than max (${hi})`);
  const loV = lo ?? -Infinity;
  const hiV = hi ?? Infinity;
  // The mask and the clamped values are constants: x enters through where's chosen branch only.
  const [inside, clamped] = noGrad(() => {
    const d = t.data;
    const m = allocData(d.length);
    const v = allocData(d.length);
    for (let i = 0; i < d.length; i++) {
      const xi = d[i]!;
      m[i] = xi >= loV && xi <= hiV ? 1 : 0;
      v[i] = xi < loV ? loV : xi > hiV ? hiV : xi; // NaN stays NaN
    }
    const mask = new Tensor(m, t.shape);
    const values = new Tensor(v, t.shape);
    mask.sealed = values.sealed = true;
    return [mask, values];
  });
  return apply(whereOp, [inside, t, clamped], undefined);
}
