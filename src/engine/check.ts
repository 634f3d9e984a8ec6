// Argument checks shared by the ops: every engine error names the op and the shapes involved
// (as PyTorch's do), and misuse from plain JavaScript (a string, a number where a tensor is
// needed) is a clear TypeError instead of a crash deep inside a kernel.

import { Tensor } from "./tensor.js";
import { checkTensorSize, sizeOf, type Shape } from "./shape.js";

import { describeValue } from "./describe.js";
export { describeValue };

/** `value` must be a Tensor: operand `position` (1-based) of `op`. */
export function expectTensor(value: unknown, op: string, position = 1): Tensor {
  if (value instanceof Tensor) return value;
  const what = typeof value === "number" ? " (this operand has no number form; wrap it with tensor())" : "";
  throw new TypeError(`${op}: operand ${position} must be a Tensor, got ${describeValue(value)}${what}`);
}

/** `value` must be a Tensor or a plain number: operand `position` (1-based) of `op`. */
export function expectOperand(value: unknown, op: string, position: number): Tensor | number {
  if (value instanceof Tensor || typeof value === "number") return value;
  throw new TypeError(`${op}: operand ${position} must be a Tensor or a number, got ${describeValue(value)}`);
}

/** A shape must be an array of non-negative integers. */
export function expectShape(shape: unknown, op: string): Shape {
  if (!isShape(shape)) {
    const shown = Array.isArray(shape) ? `[${shape.map((d) => typeof d === "string" ? JSON.stringify(d) : String(d)).join(", ")}]` : describeValue(shape);
    // PyTorch's zeros(2, 3) passes the sizes one by one; here the shape is one list.
    const hint = typeof shape === "number" ? `; the shape is one list: ${op}([${shape}, …])` : "";
    throw new RangeError(`${op}: invalid shape ${shown} (dimensions must be non-negative integers${hint})`);
  }
  checkTensorSize(sizeOf(shape as Shape), shape as Shape, op);
  return shape as Shape;
}

function isShape(shape: unknown): boolean {
  if (!Array.isArray(shape)) return false;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) return false;
  }
  return true;
}

/** A count (number of elements, rows, ...) must be a non-negative integer. */
export function expectCount(n: unknown, op: string, what: string): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`${op}: ${what} must be a non-negative integer, got ${describeValue(n)}`);
  }
  return n;
}

/** The function given to a transform must return a Tensor. */
export function expectTensorResult(value: unknown, transform: string): Tensor {
  if (value instanceof Tensor) return value;
  throw new TypeError(
    `${transform}: the function must return a Tensor, it returned ${describeValue(value)}` +
      (typeof value === "number" ? " (a constant has no derivative to take; compute the result with tensor operations)" : ""),
  );
}
