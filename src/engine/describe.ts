// A short description of any value, for error messages (a tensor by its shape). Without imports of
// the Tensor class, so that pool.ts can use it as well as check.ts.

import { formatShape } from "./shape.js";

export function describeValue(value: unknown): string {
  if (isTensorLike(value)) return `a tensor of shape ${formatShape(value.shape)}`;
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number") return `the number ${value}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "function") return "a function";
  return `a value of type ${typeof value}`;
}

function isTensorLike(value: unknown): value is { shape: readonly number[] } {
  return typeof value === "object" && value !== null && "gradFn" in value && Array.isArray((value as { shape?: unknown }).shape);
}
