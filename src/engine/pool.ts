// Tensor buffers: a pool of Float64Arrays keyed by length, and the scopes that return buffers to it.
//
// Every op allocates its output through allocData / allocZeroed, which hand out a pooled buffer of
// exactly that length when one is free (no allocation, no page faults, no garbage) and a new one
// otherwise. Buffers come back to the pool only when it is certain that no live tensor reads them:
//
//   - tidy(fn) (as in TensorFlow.js): the buffers allocated while fn runs are released when it
//     returns, except those of the result (tensors, arrays or objects of tensors), of everything
//     the result's graph and tangents reach, and of tensors passed to keep() (gradients written to
//     .grad are kept this way). The other tensors created inside are released: reading their data
//     afterwards throws an error that names tidy and keep, never returns reused values.
//   - backward() / gradients() without createGraph run inside such a scope themselves: the
//     gradient temporaries of the backward pass are released when it ends (only the gradients it
//     returns or writes to .grad survive), so that a training loop reuses them from the second
//     iteration on, with or without tidy. (Their arithmetic is also fused: fusion.ts.)
//
// Raw arrays read through `.data` inside tidy are valid only inside it (copy them to keep them).
// The pool holds at most MAX_POOLED_BYTES; beyond that, released buffers are left to the GC.
//
// Inside a tidy() of the caller's, buffers of ARENA_MIN values or more live in the kernels' arena
// (kernels/arena.ts: a WebAssembly memory that never grows), where the SIMD kernels read and write
// them in place; what survives the outermost tidy is moved to ordinary arrays when it returns, and
// .grad values are ordinary arrays from the start (outsideArena). A backward pass outside any tidy()
// keeps ordinary arrays (backwardScope). More at ARENA_MIN below.

import type { Tensor } from "./tensor.js";
import { theArena, type Arena } from "./kernels/arena.js";
import { wasmKernelsActive } from "./kernels/f64-heap.js";
import { checkTensorSize, TensorSizeError } from "./shape.js";
import { describeValue } from "./describe.js";

const MAX_POOLED_BYTES = 256 * 1024 * 1024;

const free = new Map<number, Float64Array[]>();
let pooledBytes = 0;

/** Counters of the pool (observable in tests and in the bench). */
export interface PoolStats {
  /** Buffers created because none of that length was free. */
  fresh: number;
  /** Buffers handed out again from the pool. */
  reused: number;
  /** Buffers returned to the pool by a scope. */
  released: number;
  /** Bytes held by the pool now. */
  pooledBytes: number;
}

const counters = { fresh: 0, reused: 0, released: 0 };

export function poolStats(): PoolStats {
  return { ...counters, pooledBytes: pooledBytes + arenaPooledBytes };
}

/** Empty the pool and zero its counters (tests). */
export function resetPool(): void {
  free.clear();
  pooledBytes = 0;
  counters.fresh = counters.reused = counters.released = 0;
}

interface Scope {
  /** The enclosing scope (which adopts what survives this one). */
  readonly parent: Scope | null;
  /** Set when the scope has returned: its survivors belong to the parent. */
  closed: boolean;
  /** Every tensor constructed while the scope is open. */
  readonly tensors: Tensor[];
  /** Every buffer allocated from the pool while the scope is open. */
  readonly allocated: Float64Array[];
  /** Tensors that must survive this scope (and the enclosing ones). */
  readonly kept: Tensor[];
  /** Whether its buffers come from the kernels' arena: inside a tidy() of the caller's (see allocData). */
  readonly arena: boolean;
}

let scope: Scope | null = null;

/** The scope a tensor was made in (opaque to the Tensor, which keeps it for allocFor). */
export type ScopeRef = object | null;

/** Whether a scope (tidy, a backward pass, a library call) is open. */
export function scopeOpen(): boolean {
  return scope !== null;
}

/** The open scope (null: none), to tell one backward pass's from another's (fusion.ts kept values). */
export function openScopeRef(): ScopeRef {
  return scope;
}

/** Run `fn` as if no scope were open: the tensors it makes belong to none (fusion.ts: its snapshots of tensors the caller made). */
export function unscoped<T>(fn: () => T): T {
  const current = scope;
  scope = null;
  try {
    return fn();
  } finally {
    scope = current;
  }
}

/** Record a new tensor in the open scope (called by the Tensor constructor); returns that scope. */
export function registerTensor(t: Tensor): ScopeRef {
  if (scope !== null) scope.tensors.push(t);
  return scope;
}

/**
 * A buffer for the values of a tensor made in scope `home` (registerTensor's result), evaluated later
 * (a lazy value: fusion.ts): it belongs to the scope that holds the tensor now — `home`, or the open
 * scope that adopted it — not to whatever scope is open when the value is read, which could release
 * it to the pool while the tensor still holds it.
 */
export function allocFor(n: number, home: ScopeRef): Float64Array {
  let s = home as Scope | null;
  while (s !== null && s.closed) s = s.parent;
  const current = scope;
  scope = s;
  try {
    return allocData(n);
  } finally {
    scope = current;
  }
}

// Small buffers are views into shared 64 KB slabs, each part handed out once (so it starts zeroed):
// a new Float64Array of a few values costs a separate backing store (about 300 ns with its garbage
// collection, measured) where a view into a slab costs about 40 ns. A slab lives as long as any of its
// views (at most 128 times the memory of a small tensor that outlives its neighbours).
const SMALL = 64;
const SLAB = 8192;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

function fromSlab(n: number): Float64Array {
  if (slabUsed + n > slab.byteLength / 8) {
    slab = new ArrayBuffer(8 * SLAB);
    slabUsed = 0;
  }
  const buf = new Float64Array(slab, 8 * slabUsed, n);
  slabUsed += n;
  return buf;
}

// Inside a scope, buffers of at least ARENA_MIN values come from the kernels' arena (kernels/arena.ts:
// one WebAssembly memory that never grows), where the SIMD kernels read and write them in place. A scope
// gives them back when it closes; what survives the outermost scope (a returned result, a kept
// gradient) is moved to an ordinary array then (Tensor.moveTo), so that the arena holds only buffers
// some open scope will give back. Outside any scope (nothing would give them back) and when the arena
// is full, buffers are ordinary arrays.
const ARENA_MIN = 256;
let arenaMade: Arena | null = null;
const arenaFree = new Map<number, Float64Array[]>();
let arenaPooledBytes = 0;
let arenaOn = true;

/** Whether new buffers may come from the arena (on by default; off for cross-checks in tests). Buffers handed out already stay where they are. */
export function setArenaBuffers(on: boolean): void {
  arenaOn = on;
}

/**
 * Run `fn` with its new buffers ordinary arrays: for values that will outlive every scope (the
 * gradients a backward pass writes to .grad, kept past all of them), which would otherwise be copied
 * out of the arena when the outermost scope closes.
 */
export function outsideArena<T>(fn: () => T): T {
  const was = arenaOn;
  arenaOn = false;
  try {
    return fn();
  } finally {
    arenaOn = was;
  }
}

function fromArena(n: number): Float64Array | null {
  const list = arenaFree.get(n);
  if (list !== undefined && list.length > 0) {
    arenaPooledBytes -= 8 * n;
    counters.reused++;
    return list.pop()!;
  }
  if (!wasmKernelsActive()) return null;
  const arena = (arenaMade ??= theArena());
  const buf = arena === null ? null : arena.newBuffer(n);
  if (buf !== null) counters.fresh++;
  return buf;
}

/** Whether a buffer lives in the kernels' arena. */
export function inArena(buf: Float64Array): boolean {
  // (Arena buffers are never short; and reading .buffer of a short array makes V8 move it off its heap.)
  return arenaMade !== null && buf.length >= ARENA_MIN && buf.buffer === arenaMade.buffer;
}

/** A buffer of n float64s with unspecified contents (every element must be written). */
export function allocData(n: number): Float64Array {
  if (scope !== null && scope.arena && arenaOn && n >= ARENA_MIN) {
    const a = fromArena(n);
    if (a !== null) {
      scope.allocated.push(a);
      return a;
    }
  }
  const list = free.get(n);
  let buf: Float64Array;
  if (list !== undefined && list.length > 0) {
    buf = list.pop()!;
    pooledBytes -= 8 * n;
    counters.reused++;
  } else {
    buf = n <= SMALL ? fromSlab(n) : freshArray(n);
    counters.fresh++;
  }
  if (scope !== null) scope.allocated.push(buf);
  return buf;
}

/**
 * A buffer of n values (unspecified contents) that no scope owns, from the pool when one is free: for
 * values kept outside any tensor for a while (the cosines of ops/unary.ts, a fused function's values for
 * a backward pass: fusion.ts), which tidy() could not see as live. When they become a tensor's values,
 * adoptBuffer() hands the buffer to the open scope, which then releases it like its own.
 *
 * Where the SIMD kernels run it comes from the kernels' arena — inside a tidy() as its buffers do, and
 * outside every scope too, so that the kernel that computes the values writes them in place and the
 * backward pass's fused kernels read them in place (copying them in and out of the kernels' memory cost
 * more than computing them). An arena buffer never adopted goes back to the arena once `owner` (the
 * tensor it belongs with) is collected. Those callbacks run only between tasks, never in a synchronous
 * loop, so the arena buffers handed out outside every scope and not yet adopted or collected may hold at
 * most UNSCOPED_ARENA_MAX bytes (a loop of forward passes with grad on and no backward pass would
 * otherwise fill the arena, which tidy() needs); beyond, and when the arena is full, ordinary arrays
 * (left to the garbage collector when never adopted).
 */
export function allocUnscoped(n: number, owner: object): Float64Array {
  const outside = scope === null;
  if ((outside ? unscopedArenaOn && unscopedArenaBytes + 8 * n <= UNSCOPED_ARENA_MAX : scope!.arena) && arenaOn && n >= ARENA_MIN) {
    const a = fromArena(n);
    if (a !== null) {
      // (each buffer its own token: one owner may have two, sin's values and its cosines)
      unadopted.register(owner, a, a);
      if (outside) {
        unscopedArenaBytes += 8 * n;
        unscopedArena.add(a);
      }
      return a;
    }
  }
  const list = free.get(n);
  if (list !== undefined && list.length > 0) {
    pooledBytes -= 8 * n;
    counters.reused++;
    return list.pop()!;
  }
  counters.fresh++;
  return n <= SMALL ? fromSlab(n) : freshArray(n);
}

const UNSCOPED_ARENA_MAX = 64 * 1024 * 1024;
let unscopedArenaOn = true;

/** Whether allocUnscoped takes arena buffers outside every scope (above); for A/B measurements in one process (bench/function-fusion-probe.ts). @internal */
export function setUnscopedArena(on: boolean): void {
  unscopedArenaOn = on;
}

/** Bytes of the arena buffers allocUnscoped handed out outside every scope, not yet adopted or collected. */
let unscopedArenaBytes = 0;
const unscopedArena = new WeakSet<Float64Array>();

/** An arena buffer from allocUnscoped is adopted or its owner collected: it no longer counts against UNSCOPED_ARENA_MAX. */
function settled(buf: Float64Array): void {
  if (unscopedArena.delete(buf)) unscopedArenaBytes -= 8 * buf.length;
}

/** A new array of n values: over the engine's limit, or when memory runs out, an error that says so. */
function freshArray(n: number): Float64Array {
  checkTensorSize(n);
  try {
    return new Float64Array(n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new TensorSizeError(`could not allocate a tensor of ${n} values (${((8 * n) / 2 ** 30).toFixed(2)} GiB): out of memory (${e.message})`);
  }
}

const unadopted = new FinalizationRegistry<Float64Array>((buf) => {
  settled(buf);
  giveBack(buf);
});

/**
 * Hand a buffer from allocUnscoped to the open scope, as if allocData had made it now;
 * returns the buffer to use: outside any scope, an arena buffer's values are moved to an ordinary array.
 */
export function adoptBuffer(buf: Float64Array): Float64Array {
  // (Only arena buffers were registered.)
  if (inArena(buf)) {
    unadopted.unregister(buf);
    settled(buf);
  }
  if (scope !== null) {
    scope.allocated.push(buf);
    return buf;
  }
  if (!inArena(buf)) return buf;
  const copy = allocData(buf.length);
  copy.set(buf);
  giveBack(buf);
  return copy;
}

/** A buffer of n zeros. */
export function allocZeroed(n: number): Float64Array {
  const fresh = counters.fresh;
  const buf = allocData(n);
  // A new buffer is zero (a new array, an arena block or slab part never handed out before); a reused one is not.
  return counters.fresh === fresh ? buf.fill(0) : buf;
}

function giveBack(buf: Float64Array): void {
  const n = buf.length;
  if (inArena(buf)) {
    // Arena buffers always go back to the pool (the garbage collector cannot reclaim them).
    let list = arenaFree.get(n);
    if (list === undefined) arenaFree.set(n, (list = []));
    list.push(buf);
    arenaPooledBytes += 8 * n;
    counters.released++;
    return;
  }
  if (n === 0 || pooledBytes + 8 * n > MAX_POOLED_BYTES) return;
  let list = free.get(n);
  if (list === undefined) free.set(n, (list = []));
  list.push(buf);
  pooledBytes += 8 * n;
  counters.released++;
}

/** Keep tensors alive past every enclosing tidy (no effect outside tidy). Returns its argument. */
export function keep<T extends Tensor | null>(t: T): T {
  if (t !== null && !isTensor(t as object)) {
    throw new TypeError(`keep: expects a tensor, got ${describeValue(t)} (keep one tensor per call: keep(a), keep(b))`);
  }
  if (scope !== null && t !== null) scope.kept.push(t);
  return t;
}

/**
 * Run `fn`; afterwards return to the pool the buffers of every tensor created inside that is not
 * part of the result (see the file comment). The result may be a tensor, an array or a plain
 * object of tensors, or anything else (numbers, undefined).
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`tidy: expects a function to run, got ${describeValue(fn)}`);
  const result = openScope(fn, false);
  if (result instanceof Promise) {
    // The tensors made before the first await were released when fn returned its promise; the rest belong to no scope.
    throw new TypeError("tidy: the function returned a Promise; tidy needs a synchronous function (await outside it, and call tidy for the synchronous steps)");
  }
  return result;
}

/**
 * The scope of a backward pass (autograd.ts): tidy(), but outside any tidy() of the caller's its
 * buffers are ordinary arrays, not the arena's (unless `arena`: a pass through a library call's
 * internal tensors, which live in the arena). Its survivors (the gradients) would be copied out of
 * the arena at once, and its ordinary arrays go back to the pool, where the next forward pass outside
 * tidy() takes them again.
 */
export function backwardScope<T>(fn: () => T, arena = false): T {
  return openScope(fn, !arena);
}

function openScope<T>(fn: () => T, internal: boolean): T {
  const parent = scope;
  const own: Scope = { parent, closed: false, tensors: [], allocated: [], kept: [], arena: parent !== null ? parent.arena : !internal };
  // Nothing is released on an error: the caller may still inspect what was built.
  const result = runIn(own, fn, () => {
    if (parent !== null) adopt(parent, own);
  });
  close(own, parent, collectTensors(result));
  return result;
}

/**
 * Run `fn` with `own` as the open scope, then reopen its parent and mark `own` closed — also when
 * `fn` throws, after which `onError` runs (what the scope's kind does with what was built) and the
 * error goes on. The caller then closes the scope its own way (tidy's close, the library scope's).
 */
function runIn<T>(own: Scope, fn: () => T, onError: () => void): T {
  scope = own;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scope = own.parent;
    own.closed = true;
    onError();
    throw e;
  }
  scope = own.parent;
  own.closed = true;
  return result;
}

function collectTensors(value: unknown): Tensor[] {
  const out: Tensor[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== "object" || depth > 4) return;
    if (isTensor(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (Object.getPrototypeOf(v) === Object.prototype || v instanceof Map) {
      for (const x of v instanceof Map ? v.values() : Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

function isTensor(v: object): v is Tensor {
  return typeof (v as { rawData?: unknown }).rawData === "object" && "gradFn" in v && "shape" in v;
}

/**
 * The tensors reachable from `roots` (through gradients, tangents, graph inputs and the operands of
 * unevaluated fused expressions, fusion.ts) and the buffers they hold: what a closing scope must keep.
 */
function reachable(roots: Tensor[]): { live: Set<Float64Array>; seen: Set<Tensor> } {
  const live = new Set<Float64Array>();
  const seen = new Set<Tensor>();
  const stack = roots;
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const d = t.rawData;
    if (d !== null) live.add(d);
    if (t.grad !== null) stack.push(t.grad);
    if (t.tangents !== null) for (const x of t.tangents) stack.push(x.tangent);
    if (t.gradFn !== null) for (const x of t.gradFn.inputs) stack.push(x);
    const lazy = t.lazy;
    if (lazy !== null) {
      stack.push(lazy.x);
      if (lazy.y !== null) stack.push(lazy.y);
    }
  }
  return { live, seen };
}

/** Release what `own` allocated, except the buffers reachable from `roots` and its kept tensors. */
function close(own: Scope, parent: Scope | null, roots: Tensor[]): void {
  const { live, seen } = reachable([...roots, ...own.kept]);
  const mine = new Set(own.allocated);
  const survivors: Tensor[] = [];
  for (const t of own.tensors) {
    const d = t.rawData;
    if (d !== null ? mine.has(d) && !live.has(d) : t.lazy !== null && !seen.has(t)) t.markReleased();
    else survivors.push(t);
  }
  const kept: Float64Array[] = [];
  for (const b of own.allocated) {
    if (live.has(b)) kept.push(b);
    else giveBack(b);
  }
  if (parent !== null) adopt(parent, { parent: parent.parent, closed: false, tensors: survivors, allocated: kept, kept: own.kept, arena: parent.arena });
  else moveOutOfArena(survivors, kept);
}

/**
 * The outermost scope has closed: its surviving tensors' arena buffers are copied to ordinary arrays
 * (every tensor sharing one gets the same copy) and given back to the arena. No scope is open, so the
 * copies are ordinary arrays.
 */
function moveOutOfArena(survivors: Tensor[], kept: Float64Array[]): void {
  let moved: Map<Float64Array, Float64Array> | null = null;
  for (const b of kept) {
    if (!inArena(b)) continue;
    const copy = allocData(b.length);
    copy.set(b);
    (moved ??= new Map()).set(b, copy);
  }
  if (moved === null) return;
  for (const t of survivors) {
    const d = t.rawData;
    if (d === null) continue;
    const copy = moved.get(d);
    if (copy !== undefined) t.moveTo(copy);
  }
  for (const b of moved.keys()) giveBack(b);
}

function adopt(parent: Scope, child: Scope): void {
  for (const t of child.tensors) parent.tensors.push(t);
  for (const b of child.allocated) parent.allocated.push(b);
  for (const t of child.kept) parent.kept.push(t);
}

// ---- The internal tensors of library functions (nn.MLP.forward, laplacian): freed by a backward pass ----
//
// Outside tidy(), nothing knows when a user's tensor dies, so every op's output is a new buffer. But
// the tensors a library function makes inside itself (an MLP's hidden activations, the gradients a
// Laplacian is built from) are reachable by no user code except through the result's graph. Such a
// function runs its body in a scope of its own (libraryScope): what its result's graph does not reach
// goes back to the pool at once (as tidy() does), and what it does reach is recorded (GraphBuffers,
// held by each of those tensors) and goes back when a backward pass without createGraph or retainGraph
// walks through it (autograd.ts) — as PyTorch frees a graph's saved tensors after backward() unless
// retain_graph=True. The freed tensors are marked released, and a second backward pass through them
// throws an error that names retainGraph, never reads reused values. The result itself is never freed.
// Inside a tidy() of the caller's (or any open scope) the body simply runs in that scope.

/** The buffers of a library call's internal tensors that its result's graph reaches (see above). */
export interface GraphBuffers {
  /** The library function, for the error of a backward pass through its freed graph. */
  readonly who: string;
  readonly tensors: Tensor[];
  readonly buffers: Float64Array[];
  /** Set once a backward pass has given the buffers back. */
  released: boolean;
}

/** Whether library scopes are used (on by default; off for cross-checks in tests and the bench). */
let libraryScopesOn = true;

export function setLibraryScopes(on: boolean): void {
  libraryScopesOn = on;
}

/**
 * Arena buffers of graphs never freed by a backward pass go back to the arena when no tensor holds
 * their record (the GC cannot reclaim them). The registry's callbacks run only between tasks, never
 * during a synchronous loop: a loop of forward passes without backward (an evaluation with grad on)
 * would fill the arena, which tidy() scopes need too. So the records may hold at most
 * RECORDS_ARENA_MAX bytes of it; beyond, library calls take ordinary arrays (as in tidy when the arena is full).
 */
const unfreedGraphs = new FinalizationRegistry<Float64Array[]>((bufs) => {
  for (const b of bufs) {
    recordsArenaBytes -= 8 * b.length;
    giveBack(b);
  }
});
const RECORDS_ARENA_MAX = 64 * 1024 * 1024;
let recordsArenaBytes = 0;

/**
 * Run the body `fn` of the library function `who`, which returns one tensor, in a scope of its own
 * when no scope is open (see above). `plain` says whether the caller may record graphs of this kind
 * (false when forward-mode tangents are live: they could reach the internal tensors from anywhere).
 */
export function libraryScope(who: string, plain: boolean, fn: () => Tensor): Tensor {
  if (scope !== null || !libraryScopesOn || !plain) return fn();
  // (In the arena while the graphs not yet freed hold less than RECORDS_ARENA_MAX bytes of it.)
  const own: Scope = { parent: null, closed: false, tensors: [], allocated: [], kept: [], arena: recordsArenaBytes < RECORDS_ARENA_MAX };
  // Nothing is released on an error (as tidy); values in the arena are moved out of it (nothing would give them back).
  const result = runIn(own, fn, () => moveOutOfArena(own.tensors, own.allocated));
  // (A lazy result, or a lazy tensor passed to keep(), is evaluated now into an ordinary array: it no longer reads internal tensors.)
  void result.data;
  for (const t of own.kept) void t.data;
  closeLibrary(own, result, who);
  return result;
}

function closeLibrary(own: Scope, result: Tensor, who: string): void {
  const { live, seen } = reachable([result, ...own.kept]);
  const mine = new Set(own.allocated);
  const survivors: Tensor[] = [];
  for (const t of own.tensors) {
    const d = t.rawData;
    if (d !== null ? mine.has(d) && !live.has(d) : t.lazy !== null && !seen.has(t)) t.markReleased();
    else survivors.push(t);
  }
  // The result's own values (and those of any internal tensor sharing them, and of tensors passed to
  // keep()) belong to the caller: ordinary arrays, never released by the record.
  const callers = new Set<Float64Array>();
  for (const t of [result, ...own.kept]) {
    const d = t.rawData;
    if (d === null || !mine.has(d) || callers.has(d)) continue;
    callers.add(d);
    if (!inArena(d)) continue;
    const copy = allocData(d.length);
    copy.set(d);
    for (const x of survivors) if (x.rawData === d) x.moveTo(copy);
    giveBack(d);
  }
  const buffers: Float64Array[] = [];
  let arenaBuffers: Float64Array[] | null = null;
  for (const b of own.allocated) {
    if (callers.has(b)) continue;
    if (!live.has(b)) giveBack(b);
    else {
      buffers.push(b);
      if (inArena(b)) (arenaBuffers ??= []).push(b);
    }
  }
  if (buffers.length === 0) return;
  const held = new Set(buffers);
  const record: GraphBuffers = { who, tensors: [], buffers, released: false };
  for (const t of survivors) {
    const d = t.rawData;
    // (Also the unevaluated fused expressions over them, e.g. a bias sum an activation read block by block.)
    if (t !== result && !own.kept.includes(t) && (d !== null ? held.has(d) : t.lazy !== null)) {
      record.tensors.push(t);
      t.graphBuffers = record;
    }
  }
  if (arenaBuffers !== null) {
    for (const b of arenaBuffers) recordsArenaBytes += 8 * b.length;
    unfreedGraphs.register(record, arenaBuffers, record);
  }
}

/** A tensor made later that shares the values of `from` (a view: reshape, detach, an alias) belongs to the same record (Tensor.shareVersionWith). */
export function shareGraphBuffers(from: Tensor, view: Tensor): void {
  const record = from.graphBuffers;
  if (record === null || view.graphBuffers !== null) return;
  view.graphBuffers = record;
  record.tensors.push(view);
}

/**
 * After a backward pass without createGraph or retainGraph (autograd.ts): give back the buffers of the
 * graphs it walked through, except any that `results` (what the pass returns or wrote to .grad) hold.
 */
export function freeGraphs(records: Set<GraphBuffers>, results: readonly Tensor[]): void {
  let keepData: Set<Float64Array> | null = null;
  for (const t of results) {
    const d = t.rawData;
    if (d !== null) (keepData ??= new Set()).add(d);
  }
  for (const record of records) {
    if (record.released) continue;
    record.released = true;
    unfreedGraphs.unregister(record);
    // (Only tensors that still hold one of the buffers, or an unevaluated expression: requireGrad() gives a view values of its own.)
    const held = new Set(record.buffers);
    for (const t of record.tensors) {
      const d = t.rawData;
      if (d !== null ? held.has(d) && (keepData === null || !keepData.has(d)) : t.lazy !== null) t.markReleased();
    }
    for (const b of record.buffers) {
      if (inArena(b)) recordsArenaBytes -= 8 * b.length;
      if (keepData === null || !keepData.has(b)) giveBack(b);
    }
  }
}
