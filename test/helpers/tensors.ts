// Shared test helpers: deterministic inputs inside a domain, elementwise comparisons, and the
// n-th elementwise derivative through nested grad().

import { expect } from "vitest";
import { Rng, Tensor, grad, sum } from "../../src/index.js";

type Shape = readonly number[];

type Numbers = Tensor | ArrayLike<number> | number;

/** Values uniform in [lo, hi), reproducible from `seed`. */
export function uniform(shape: Shape, lo: number, hi: number, seed = 1): Tensor {
  return new Tensor(new Rng(seed).fillUniform(new Float64Array(sizeOf(shape)), lo, hi), shape);
}

/** Values with magnitude in [lo, hi) and a random sign: for functions with a kink at 0. */
export function awayFromZero(shape: Shape, lo: number, hi: number, seed = 1): Tensor {
  const rng = new Rng(seed);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.uniform());
  return new Tensor(data, shape);
}

function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function values(x: Numbers): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Tensor) return Array.from(x.data);
  return Array.from(x);
}

/** A closed form applied to every element of `x` (the expected values of an elementwise result). */
export function mapValues(x: Tensor, f: (v: number, i: number) => number): number[] {
  return Array.from(x.data, f);
}

/**
 * Elementwise |actual − expected| ≤ atol + rtol·|expected|, with the index of the first failure in
 * the message. Shapes are compared when both sides are tensors.
 */
export function expectClose(actual: Numbers, expected: Numbers, { atol = 1e-12, rtol = 1e-10 } = {}): void {
  if (actual instanceof Tensor && expected instanceof Tensor) expect(actual.shape).toEqual(expected.shape);
  const a = values(actual);
  const e = values(expected);
  expect(a.length, "number of values").toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok) expect.fail(`value ${i}: got ${a[i]}, expected ${e[i]} (atol ${atol}, rtol ${rtol})`);
  }
}

/**
 * The n-th derivative of an elementwise f, elementwise: grad of Σ f(x) is f'(x) for a vector x,
 * and nesting repeats the trick.
 */
export function nthDerivative(f: (x: Tensor) => Tensor, n: number): (x: Tensor) => Tensor {
  let g = f;
  for (let k = 0; k < n; k++) {
    const inner = g;
    g = grad((x) => sum(inner(x)));
  }
  return g;
}
