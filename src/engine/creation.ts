// Creating tensors: from numbers, nested arrays or typed arrays, and the usual constructors.

import { allocData, allocZeroed } from "./pool.js";
import { Tensor, type NestedArray } from "./tensor.js";
import { checkTensorSize, formatShape, sizeOf, type Shape } from "./shape.js";
import { getDefaultRng, type Rng } from "./random.js";
import { describeValue, expectCount, expectShape } from "./check.js";

export interface CreateOptions {
  requiresGrad?: boolean;
  /** Shape for flat data (a Float64Array or a flat number array). */
  shape?: Shape;
}

export type TensorData = number | NestedArray | readonly number[] | Float64Array | ArrayLike<number>;

/** Make a tensor from a number (0-d), nested arrays, or flat data plus `shape`. The data is copied. */
export function tensor(data: TensorData, options: CreateOptions = {}): Tensor {
  if (data instanceof Tensor) {
    throw new TypeError(`tensor(): got ${describeValue(data)}; x.clone() copies a tensor (differentiable), x.detach() makes a new leaf`);
  }
  if (typeof data !== "number" && (data === null || typeof data !== "object")) {
    throw new TypeError(`tensor: expects a number, nested arrays of numbers or a typed array, got ${describeValue(data)}`);
  }
  let values: Float64Array;
  let shape: number[];
  if (typeof data === "number") {
    values = Float64Array.of(data);
    // A shape of one element ([1], [1, 1]) is honoured; a larger one is not filled by one number.
    shape = options.shape === undefined ? [] : [...expectShape(options.shape, "tensor")];
    if (sizeOf(shape) !== 1) {
      throw new Error(`tensor(): 1 value does not fill shape ${formatShape(shape)} (full(shape, value) repeats a number)`);
    }
  } else if (options.shape !== undefined) {
    shape = [...expectShape(options.shape, "tensor")];
    values = Float64Array.from(flatten(data as NestedArray));
    if (values.length !== sizeOf(shape)) {
      throw new Error(`tensor(): ${values.length} values do not fill shape ${formatShape(shape)}`);
    }
  } else if (ArrayBuffer.isView(data)) {
    values = Float64Array.from(data as ArrayLike<number>);
    shape = [values.length];
  } else {
    shape = inferShape(data as NestedArray);
    values = Float64Array.from(flatten(data as NestedArray));
  }
  const t = new Tensor(values, shape);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Wrap a value as a tensor if it is not one (numbers become 0-d constants). */
export function toTensor(x: Tensor | TensorData): Tensor {
  return x instanceof Tensor ? x : tensor(x);
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  checkRectangular(data, shape, 0);
  return shape;
}

function checkRectangular(data: NestedArray, shape: number[], axis: number): void {
  if (axis === shape.length) {
    if (typeof data !== "number") {
      if (Array.isArray(data)) throw new Error("tensor(): nested arrays must have the same depth everywhere");
      if ((data as unknown) instanceof Tensor) {
        throw new TypeError(`tensor(): elements must be numbers, got ${describeValue(data)} (x.clone() copies a tensor, stack([a, b]) joins tensors)`);
      }
      throw new TypeError(`tensor(): elements must be numbers, got ${describeValue(data)}`);
    }
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[axis]) {
    throw new Error(`tensor(): ragged nested array (expected length ${shape[axis]} at depth ${axis})`);
  }
  for (const d of data as NestedArray[]) checkRectangular(d, shape, axis + 1);
}

function* flatten(data: NestedArray | ArrayLike<number>): Generator<number> {
  if (typeof data === "number") {
    yield data;
    return;
  }
  if (ArrayBuffer.isView(data)) {
    const view = data as ArrayLike<number>;
    for (let i = 0; i < view.length; i++) yield view[i]!;
    return;
  }
  for (const d of data as NestedArray[]) yield* flatten(d);
}

/** Each named value must be a finite number (a string was coerced, NaN gave NaN values silently). */
function expectFinite(values: Record<string, unknown>, op: string): void {
  for (const [name, v] of Object.entries(values)) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  }
}

function withGrad(t: Tensor, options?: { requiresGrad?: boolean }): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

export function full(shape: Shape, value: number, options?: { requiresGrad?: boolean }): Tensor {
  expectShape(shape, "full");
  if (typeof value !== "number") throw new TypeError(`full: the fill value must be a number, got ${describeValue(value)}`);
  return withGrad(new Tensor(allocData(sizeOf(shape)).fill(value), shape), options);
}

export function zeros(shape: Shape, options?: { requiresGrad?: boolean }): Tensor {
  expectShape(shape, "zeros");
  return withGrad(new Tensor(allocZeroed(sizeOf(shape)), shape), options);
}

export function ones(shape: Shape, options?: { requiresGrad?: boolean }): Tensor {
  expectShape(shape, "ones");
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape);
}

/** n×n identity (or n×m with ones on the main diagonal). */
export function eye(n: number, m = n): Tensor {
  expectCount(n, "eye", "the number of rows");
  expectCount(m, "eye", "the number of columns");
  checkTensorSize(n * m, [n, m], "eye");
  const t = zeros([n, m]);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/** `count` evenly spaced values from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, count: number): Tensor {
  expectCount(count, "linspace", "count");
  expectFinite({ start, stop }, "linspace");
  checkTensorSize(count, [count], "linspace");
  const out = new Float64Array(count);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  if (count > 1) out[count - 1] = stop;
  return new Tensor(out, [count]);
}

/** Values start, start+step, ... below stop. */
export function arange(start: number, stop?: number, step = 1): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite) || step === 0) {
    throw new RangeError(`arange: start, stop and step must be finite numbers and step nonzero, got (${start}, ${stop}, ${step})`);
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkTensorSize(n, [n], "arange");
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return new Tensor(out, [n]);
}

export interface RandomOptions {
  rng?: Rng;
  requiresGrad?: boolean;
}

/** Uniform on [low, high) (default [0, 1)) from a seedable generator. */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  expectShape(shape, "rand");
  const rng = options.rng ?? getDefaultRng();
  const low = options.low ?? 0, high = options.high ?? 1;
  expectFinite({ low, high }, "rand");
  if (!(low <= high)) throw new RangeError(`rand: low must not exceed high, got low = ${low}, high = ${high}`);
  const data = rng.fillUniform(new Float64Array(sizeOf(shape)), low, high);
  return withGrad(new Tensor(data, shape), options);
}

/** Normal with the given mean and standard deviation (default 0, 1) from a seedable generator. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  expectShape(shape, "randn");
  const rng = options.rng ?? getDefaultRng();
  const mean = options.mean ?? 0, std = options.std ?? 1;
  expectFinite({ mean, std }, "randn");
  if (std < 0) throw new RangeError(`randn: std must be non-negative, got ${std}`);
  const data = rng.fillNormal(new Float64Array(sizeOf(shape)), mean, std);
  return withGrad(new Tensor(data, shape), options);
}
