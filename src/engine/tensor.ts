// The Tensor: a float64, row-major, contiguous array with a shape, plus the autodiff bookkeeping
// (reverse-mode graph node, accumulated gradient, forward-mode tangents).

import { checkTensorSize, formatShape, sizeOf, type Shape } from "./shape.js";
import * as ops from "./ops/index.js";
import { backward as runBackward } from "./autograd.js";
import { isLevelActive } from "./state.js";
import { allocFor, registerTensor, shareGraphBuffers, type GraphBuffers, type ScopeRef } from "./pool.js";
import { evaluate, type LazyNode } from "./fusion.js";
import { describeValue } from "./describe.js";

/** The reverse-mode record of the operation that produced a tensor. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /**
   * The sum of the versions (Tensor.version) of the inputs whose values may change in place (not
   * sealed) when the op ran, or -1 when its backward rule reads no values (checkVersions in op.ts).
   * Versions only grow, so an unchanged sum means no input was updated since. (A number, not a list:
   * nothing is allocated per op.)
   */
  readonly versionSum?: number;
  /**
   * Gradients of the inputs given the gradient `g` of the output, written with differentiable
   * tensor operations. `needs[i]` says whether input i's gradient is wanted (null if not).
   */
  backward(g: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}

/** A forward-mode tangent at one level (see state.ts). */
export interface Tangent {
  readonly level: number;
  readonly tangent: Tensor;
}

export type Operand = Tensor | number;

export interface BackwardOptions {
  /** Record the backward pass itself, so that the resulting gradients can be differentiated. */
  createGraph?: boolean;
  /**
   * Keep the internal buffers of library functions (nn.MLP.forward, laplacian) in the graph after this
   * pass, for another backward pass through it (PyTorch's retain_graph; default false: they are freed).
   */
  retainGraph?: boolean;
}

/** The error of a backward pass (or a read) through the internal tensors of a library call whose graph an earlier backward pass freed (pool.ts). */
export function freedGraphError(who: string, shape: readonly number[]): Error {
  return new Error(
    `this graph goes through tensors made inside ${who} (shape ${formatShape(shape)}), whose buffers an earlier backward() or gradients() ` +
      "through it freed; to backward through the same graph again, pass { retainGraph: true } to the earlier call " +
      "(as PyTorch's retain_graph=True), or compute the forward pass again",
  );
}

export class Tensor {
  /** The values (null once tidy() has returned the buffer to the pool; see pool.ts). @internal */
  private buffer: Float64Array | null;
  /**
   * The sizes of the axes (a frozen array). Read-only by contract, not enforced: an accessor that
   * refuses `x.shape = …` cost 3–6% on graphs of small ops (every op reads shapes), measured
   * in-process against a plain field; use reshape().
   */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** True for leaves the user marked, and for every result computed from them while grad is enabled. */
  requiresGrad = false;
  /** Accumulated gradient (leaves, and tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** The operation that produced this tensor; null for leaves. */
  gradFn: GradFn | null = null;
  /** Keep `.grad` for this non-leaf tensor after backward(). */
  retainsGrad = false;
  /** Forward-mode tangents by ascending level, or null. */
  tangents: Tangent[] | null = null;

  /** The unevaluated expression of a lazy tensor (fusion.ts), else null. @internal */
  lazy: LazyNode | null = null;

  /**
   * The values are an engine op's result (or shared with one), read-only by contract, so lazy
   * expressions may read them later (fusion.ts). False for tensors made from arrays by the caller:
   * their values may be changed in place (parameters by optimizers). @internal
   */
  sealed = false;

  /**
   * Counts the in-place updates of these values through the engine (optimizer steps, bumpVersion()),
   * shared by every tensor that shares them (detach(), reshape, …); null until needed. @internal
   */
  versionCell: VersionCell | null = null;

  /**
   * For a tensor made inside a library function (nn.MLP.forward, laplacian) that its result's graph
   * reaches: the record of those buffers, which a backward pass through them gives back (pool.ts). @internal
   */
  graphBuffers: GraphBuffers | null = null;

  /** The tidy() scope this tensor was made in (pool.ts): a lazy value's buffer belongs to it. @internal */
  private readonly home: ScopeRef;

  constructor(data: Float64Array, shape: Shape, lazy: LazyNode | null = null) {
    if (lazy !== null) {
      this.buffer = null;
      this.lazy = lazy;
      this.size = sizeOf(shape);
      checkTensorSize(this.size, shape);
    } else {
      if (data.length !== sizeOf(shape)) {
        throw new Error(`tensor data has ${data.length} values but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
      }
      this.buffer = data;
      this.size = data.length;
    }
    // Shapes of other tensors are frozen already and can be shared.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.home = registerTensor(this);
  }

  /**
   * Row-major values. Optimizers update parameters (tensors made from arrays) in place; the values
   * of an op's result are read-only (lazy values computed from them may read them later: fusion.ts).
   */
  get data(): Float64Array {
    const d = this.buffer;
    if (d !== null) return d;
    const lazy = this.lazy;
    if (lazy === null) throw releasedError(this);
    // A fused expression: evaluate it now, once (fusion.ts).
    const out = allocFor(this.size, this.home);
    evaluate(lazy, out, this);
    this.buffer = out;
    this.lazy = null;
    return out;
  }

  /** A buffer of this tensor's scope for a lazy tensor's values, which a fused kernel writes with another expression's (fusion.ts). @internal */
  valuesBuffer(): Float64Array {
    return allocFor(this.size, this.home);
  }

  /** A lazy tensor's values, computed with another expression's into valuesBuffer() (fusion.ts): it is lazy no more. @internal */
  setEvaluated(values: Float64Array): void {
    this.buffer = values;
    this.lazy = null;
  }

  /** PyTorch's `p.data = t` swaps the storage; here the values are changed in place (V8 said "which has only a getter"). */
  set data(_value: Float64Array) {
    throw new TypeError(
      `x.data cannot be assigned (shape ${formatShape(this.shape)}); change the values of a tensor you made in place with ` +
        "x.data.set(values) (same length), or make a new tensor with tensor(values)",
    );
  }

  /**
   * How many times the values were updated in place through the engine (PyTorch's `_version`):
   * optimizer steps and bumpVersion(). backward() refuses a graph whose ops used these values at an
   * older version. Writes straight into `.data` are not counted (call bumpVersion() after them).
   */
  get version(): number {
    const c = this.versionCell;
    return c === null ? 0 : c.n;
  }

  /**
   * Record that the values were changed in place (optimizers call this after each update), so that
   * backward() through a graph built from the old values throws instead of using the new ones.
   */
  bumpVersion(): void {
    if (this.sealed) {
      throw new Error(
        `bumpVersion(): the values of this tensor (shape ${formatShape(this.shape)}) are an op's result, read-only; ` +
          "update a tensor you made (tensor(values), or x.detach().requireGrad())",
      );
    }
    (this.versionCell ??= { n: 0 }).n++;
  }

  /**
   * Make `view` (which shares this tensor's values) share its version counter too, and the record of a
   * library call's internal buffers (pool.ts), so that it is released with them. @internal
   */
  shareVersionWith(view: Tensor): void {
    if (!this.sealed) view.versionCell = this.versionCell ??= { n: 0 };
    if (this.graphBuffers !== null) shareGraphBuffers(this, view);
  }

  /** The values, or null when released (pool.ts). @internal */
  get rawData(): Float64Array | null {
    return this.buffer;
  }

  /** Called by tidy() when it moves this tensor's values to another buffer with the same values (pool.ts). @internal */
  moveTo(data: Float64Array): void {
    this.buffer = data;
  }

  /** Called by tidy() when it returns this tensor's buffer to the pool. @internal */
  markReleased(): void {
    this.buffer = null;
    this.lazy = null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor, as a plain number (for JS control flow). */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`item() needs a tensor with one element, this one has shape ${formatShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** Nested plain arrays (a number for a 0-d tensor); at most TO_ARRAY_MAX values (read .data beyond). */
  toArray(): NestedArray {
    if (this.size > TO_ARRAY_MAX) {
      throw new RangeError(
        `toArray(): a tensor of shape ${formatShape(this.shape)} has ${this.size} values, more than the ${TO_ARRAY_MAX} ` +
          "a nested JavaScript array may hold here (V8 would abort the process); read .data (a Float64Array, no copy) or slice() first",
      );
    }
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset]!;
      const n = this.shape[axis]!;
      const stride = sizeOf(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /**
   * `tensor([[1,2]], shape=[1, 2], requiresGrad)`; beyond PRINT_MAX values the first and last few (as
   * PyTorch summarises); a tensor released by tidy() says so instead of throwing.
   */
  toString(): string {
    const tail = `shape=${formatShape(this.shape)}${this.requiresGrad ? ", requiresGrad" : ""}`;
    if (this.buffer === null && this.lazy === null) return `tensor(<released by ${this.graphBuffers !== null ? "backward()" : "tidy()"}>, ${tail})`;
    if (this.size <= PRINT_MAX) return `tensor(${JSON.stringify(this.toArray())}, ${tail})`;
    const d = this.data;
    const show = (from: number, to: number): string => Array.from(d.subarray(from, to), (v) => JSON.stringify(v)).join(",");
    return `tensor([${show(0, 3)}, …, ${show(d.length - 3, d.length)}] (${this.size} values, row-major), ${tail})`;
  }

  /** console.log / util.inspect show toString() (the fields are bookkeeping). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Mark a leaf as requiring (or not) a gradient; returns the tensor. */
  requireGrad(flag = true): this {
    if (this.gradFn !== null) {
      throw new Error("requireGrad() applies to leaf tensors; use detach() first to make a new leaf");
    }
    if (flag && this.sealed) {
      // A new leaf from an op's result (detach()) may become a parameter that an optimizer updates in
      // place: it gets its own copy of the values, so that the result (and lazy values reading it) keep theirs.
      this.buffer = Float64Array.from(this.data);
      this.sealed = false;
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Ask backward() to keep the gradient of this intermediate tensor in `.grad`. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("retainGrad() on a tensor that does not require grad");
    this.retainsGrad = true;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** The same values, cut from the graph and from any forward-mode tangents. */
  detach(): Tensor {
    const t = new Tensor(this.data, this.shape);
    t.sealed = this.sealed;
    this.shareVersionWith(t);
    return t;
  }

  /** A copy of the values (differentiable). */
  clone(): Tensor {
    return ops.clone(this);
  }

  /**
   * Back-propagate from this tensor, accumulating into `.grad` of every leaf that requires grad.
   * A tensor with more than one element needs a seed (the gradient of some scalar with respect to
   * it) of the same shape.
   */
  backward(seed?: Tensor | number, options: BackwardOptions = {}): void {
    runBackward(this, seed, options);
  }

  /** The tangent at a live forward-mode level, if any. */
  tangentAt(level: number): Tensor | null {
    if (this.tangents === null || !isLevelActive(level)) return null;
    for (const t of this.tangents) if (t.level === level) return t.tangent;
    return null;
  }

  // ---- arithmetic (broadcasting; a plain number is a constant) ----
  add(other: Operand): Tensor { return ops.add(this, other); }
  sub(other: Operand): Tensor { return ops.sub(this, other); }
  mul(other: Operand): Tensor { return ops.mul(this, other); }
  div(other: Operand): Tensor { return ops.div(this, other); }
  pow(exponent: Operand): Tensor { return ops.pow(this, exponent); }
  neg(): Tensor { return ops.neg(this); }
  /** atan2(this, x): the angle of the point (x, this). */
  atan2(x: Operand): Tensor { return ops.atan2(this, x); }
  maximum(other: Operand): Tensor { return ops.maximum(this, other); }
  /** PyTorch's `x.where(cond, y)`: this tensor where cond is 1 (true), y where it is 0 (false). */
  where(cond: Tensor | boolean[] | unknown[], other: Operand): Tensor { return ops.where(cond, this, other); }
  /** Values clamped to [min, max] (null: no bound on that side); gradient 1 where min ≤ x ≤ max, as in PyTorch. */
  clamp(min?: number | null, max?: number | null): Tensor { return ops.clamp(this, min, max); }
  minimum(other: Operand): Tensor { return ops.minimum(this, other); }

  // ---- elementwise functions ----
  square(): Tensor { return ops.square(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  tan(): Tensor { return ops.tan(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  /** log(1 + eˣ), PyTorch's softplus with beta = 1 (no beta or threshold: an argument is an error). */
  softplus(...rest: never[]): Tensor {
    noParameters("softplus", rest, "for beta ≠ 1 write x.mul(beta).softplus().div(beta)");
    return ops.softplus(this);
  }
  relu(): Tensor { return ops.relu(this); }
  abs(): Tensor { return ops.abs(this); }
  asin(): Tensor { return ops.asin(this); }
  acos(): Tensor { return ops.acos(this); }
  atan(): Tensor { return ops.atan(this); }
  sinh(): Tensor { return ops.sinh(this); }
  cosh(): Tensor { return ops.cosh(this); }
  erf(): Tensor { return ops.erf(this); }
  sign(): Tensor { return ops.sign(this); }
  /** x·Φ(x) with the exact normal CDF (PyTorch's approximate="none"; an argument is an error). */
  gelu(...rest: never[]): Tensor {
    noParameters("gelu", rest, 'it is always the exact form, PyTorch\'s approximate="none"');
    return ops.gelu(this);
  }
  swish(): Tensor { return ops.swish(this); }

  // ---- linear algebra and reductions ----
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  /** Matrix product of 2-D tensors, either operand read transposed in place. */
  mm(other: Tensor, transA = false, transB = false): Tensor { return ops.mm(this, other, transA, transB); }
  sum(axis?: number | number[] | null, keepdims = false): Tensor { return ops.sum(this, axis, keepdims); }
  mean(axis?: number | number[] | null, keepdims = false): Tensor { return ops.mean(this, axis, keepdims); }
  /** The 2-norm of all elements (0-d); it takes no order or axis (an argument is an error). */
  norm(...rest: never[]): Tensor { return ops.norm(this, ...rest); }

  // ---- shape ----
  reshape(...shape: number[] | [number[]]): Tensor {
    const s = Array.isArray(shape[0]) ? shape[0] : (shape as number[]);
    return ops.reshape(this, s);
  }
  transpose(perm?: number[]): Tensor { return ops.transpose(this, perm); }
  /** Matrix transpose of a 2-D tensor. */
  get T(): Tensor { return ops.transpose(this); }
  /** Slice along each axis: `null` keeps an axis, `[start, end]` keeps a range, a number picks one index. */
  slice(...ranges: SliceSpec[]): Tensor { return ops.slice(this, ranges); }
  /** Column j of a 2-D tensor as an [N, 1] tensor (the `X[:, j:j+1]` of a batch of points); j < 0 counts from the end. */
  column(j: number): Tensor {
    if (this.ndim !== 2) throw new Error(`column(${j}) needs a 2-D tensor, this one has shape ${formatShape(this.shape)}`);
    const d = this.shape[1]!;
    if (!Number.isInteger(j)) throw new TypeError(`column: the index must be an integer, got ${describeValue(j)}`);
    if (j < -d || j >= d) {
      throw new Error(`column(${j}) is out of range for a tensor of shape ${formatShape(this.shape)}`);
    }
    const k = j < 0 ? j + d : j;
    return ops.slice(this, [null, [k, k + 1]]);
  }
  broadcastTo(shape: Shape): Tensor { return ops.broadcastTo(this, shape); }
  sumTo(shape: Shape): Tensor { return ops.sumTo(this, shape); }
}

/**
 * The most values toArray() builds: nested arrays of numbers live on V8's heap, which a few hundred
 * million values exhaust (a fatal "invalid size" or heap-out-of-memory abort, not an exception).
 */
export const TO_ARRAY_MAX = 2 ** 25;

/** toString() shows every value up to this many (PyTorch's print threshold), else the first and last three. */
const PRINT_MAX = 1000;

/** PyTorch's softplus(beta) and gelu(approximate) take parameters these do not: one given is an error, not ignored. */
function noParameters(op: string, rest: readonly unknown[], hint: string): void {
  if (rest.length > 0 && rest[0] !== undefined) {
    throw new TypeError(`${op}() takes no parameters, got ${describeValue(rest[0])} (${hint})`);
  }
}

function releasedError(t: Tensor): Error {
  const shape = t.shape;
  const graph = t.graphBuffers;
  if (graph !== null) return freedGraphError(graph.who, shape);
  return new Error(
    `this tensor (shape ${formatShape(shape)}) was created inside tidy() and released when tidy returned; ` +
      "return it from the tidy function or wrap it in keep() to use it afterwards",
  );
}

/** A version counter, shared by the tensors that share one set of values. @internal */
export interface VersionCell {
  n: number;
}

export type NestedArray = number | NestedArray[];
export type SliceSpec = null | undefined | number | readonly [number, number];
