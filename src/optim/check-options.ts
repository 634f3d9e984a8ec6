// Validation of the optimizers' arguments (Adam, LBFGS, BFGS), with torch.optim's rules: a clear
// TypeError or RangeError naming the argument, the value given and what is valid, instead of a
// failure deep inside (params.map is not a function) or a NaN that silently poisons the parameters.

import { Tensor } from "../engine/tensor.js";
import { formatShape } from "../engine/shape.js";
import { describeValue } from "../engine/describe.js";

/** The parameter list: an array of leaf tensors (the values an optimizer may update in place), none twice. */
export function checkParams(params: unknown, who: string): Tensor[] {
  if (params instanceof Tensor) {
    throw new TypeError(`${who}: params must be an array of tensors, got one Tensor (shape ${formatShape(params.shape)}); pass [x]`);
  }
  if (!Array.isArray(params)) {
    throw new TypeError(`${who}: params must be an array of tensors (e.g. net.parameters()), got ${describeValue(params)}`);
  }
  if (params.length === 0) throw new RangeError(`${who}: params is an empty list (nothing to optimize)`);
  params.forEach((p: unknown, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${who}: params[${i}] must be a Tensor, got ${describeValue(p)}`);
    if (p.gradFn !== null || p.sealed) {
      throw new TypeError(
        `${who}: params[${i}] (shape ${formatShape(p.shape)}) is the result of an op, whose values are read-only; ` +
          "an optimizer updates leaves you made: tensor(values, { requiresGrad: true }), or x.detach().requireGrad()",
      );
    }
  });
  if (new Set(params).size !== params.length) throw new Error(`${who}: a parameter appears twice in the list`);
  return params as Tensor[];
}

/** The options object: undefined (defaults) or a plain object with only the known keys. */
export function checkOptionsObject(options: unknown, who: string, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${who}: options must be an object such as { lr: 0.01 }, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${who}: unknown option "${key}" (the options are ${known.join(", ")})`);
    }
  }
}

/**
 * A number option, if given: a finite number (not a string) within [min, max] (bounds excluded
 * where `open` says so). Returns the value or the default.
 */
export function numberOption(
  who: string,
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max?: number; minOpen?: boolean; maxOpen?: boolean },
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") throw new TypeError(`${who}: ${name} must be a number, got ${describeValue(value)}`);
  const { min, max = Infinity, minOpen = false, maxOpen = false } = range;
  const ok = Number.isFinite(value) && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
  if (!ok) {
    const lo = `${minOpen ? "(" : "["}${min}`;
    const hi = max === Infinity ? "∞)" : `${max}${maxOpen ? ")" : "]"}`;
    throw new RangeError(`${who}: ${name} must be a finite number in ${lo}, ${hi}, got ${describeValue(value)}`);
  }
  return value;
}

const QUASI_NEWTON_OPTIONS = ["lr", "tolGrad", "tolChange", "lineSearch", "c1", "c2", "maxLineSearchEvals"];

/**
 * The options of a quasi-Newton method (`extra`: its own keys besides QuasiNewtonOptions'): an
 * object with known keys, numbers that are numbers (not strings) and finite; the ranges are
 * checked by QuasiNewton's constructor.
 */
export function checkQuasiNewtonOptions<T extends object>(options: T, who: string, extra: readonly string[]): T {
  checkOptionsObject(options, who, [...QUASI_NEWTON_OPTIONS, ...extra]);
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of ["lr", "tolGrad", "tolChange", "c1", "c2", "maxLineSearchEvals", "historySize", "threads"]) {
    if (o[key] !== undefined) numberOption(who, key, o[key], 0, { min: -Infinity });
  }
  return (options ?? {}) as T;
}
