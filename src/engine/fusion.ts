// Fused elementwise arithmetic: lazy tensors.
//
// The arithmetic ops — +, −, ×, ÷ of equal shapes, the plain-number forms, square, broadcasting a
// single value (sum's rule) and a bias row — do not compute when fusion is on: they return a lazy
// tensor holding the expression. A lazy tensor is evaluated when anything reads its values (`.data`:
// every other op, and a backward pass for the gradients it returns or writes to .grad): the whole
// expression DAG becomes ONE generated loop over the elements (a kernel per expression shape, cached),
// instead of one pass over memory and one buffer per op. Some consumers read a lazy value without a
// buffer for it: the SIMD unary kernels evaluate it block by block in their heap (lazyBlocks), sum()
// adds it as it computes it (lazySum). Each element is computed by the same float64 operations in the
// same order as the ops would (V8 does not contract a·b + c), so the results are identical bit for
// bit (test/engine/fusion.test.ts checks this against PINN_NO_FUSION=1 / setFusion(false)).
//
// When a lazy value must be evaluated: it may be read at any later time, so it reads only values that
// cannot change before then (lazyOperand): other lazy values and engine op results (Tensor.sealed),
// or copies of tensors the caller made (small ones copied per op; large ones through a snapshot kept
// and reused while the tensor's values stay the same bit for bit). Inside a backward pass without
// createGraph (withFusion) every lazy value is evaluated or released before the pass returns, so there
// any operand will do.
//
// The functions tanh, σ, exp, sin and cos fuse too where the WebAssembly SIMD kernels run
// (fusibleFunction, registered by ops/unary.ts): in the fused kernel each is the activation kernel's own
// code (kernels/wasm-fused.ts), so its in-range values are that kernel's bits. Their arguments are
// range-checked per block (vector-unary.ts kernelRange); a block with an argument outside (where the
// op takes Math.*) is computed again op by op (stepwise), so the values stay those of the unfused ops.
// Such an expression runs on the WebAssembly kernel wherever its operands lie (the functions dominate
// the copies), and never in a JavaScript loop (Math.* would give other bits): without a WebAssembly
// kernel (rows of odd length) it runs stepwise. A function whose tensor requires grad is written out by
// the kernel that computes it (sin's cosines too, for its rule: ops/unary.ts), so that the backward pass
// reads its values instead of computing them again; so is a function that two lazy expressions read
// (LazyNode.uses), which would otherwise be computed in each. An expression is evaluated once it reaches
// MAX_NODES operations. Each evaluation is recorded in kernelUsage() as "elementwise:fused" (a sum of
// a lazy value as "sum:fused"), each fused function as "<name>:fused", a block computed op by op as
// "elementwise:stepwise".
//
// Where an expression reads or writes tensors in the kernels' arena (inside tidy(): pool.ts), its loop
// is WebAssembly SIMD (kernels/wasm-fused.ts, generated from the same kernel texts: the same bits),
// reading those tensors in place; recorded as "elementwise:wasm-simd" / "sum:wasm-simd". Elsewhere the
// JavaScript loop stays: copying every operand into the WebAssembly memory costs more than it saves.
// An op that must compute now (computeNow: an operand the caller may change) uses the SIMD loop too.

import { Tensor } from "./tensor.js";
import { sameShape } from "./shape.js";
import { compileKernel, jsId, jsIndex } from "./kernels/js-source.js";
import { countKernel } from "./kernels/usage.js";
import { arenaIfMade, kernelMemory } from "./kernels/arena.js";
import { sharedHeap } from "./kernels/f64-heap.js";
import { kernelRange, vectorUnary } from "./kernels/vector-unary.js";
import type { VectorActivationName } from "./kernels/wasm-activations.js";
import { adoptBuffer, allocData, inArena, openScopeRef, scopeOpen, unscoped, type ScopeRef } from "./pool.js";
import { sumAll } from "./ops/reduce.js";
import { mapBlocks, mapInto, mapKernel, sumBlocks, type KernelHeap, type MapKernel, type Operands, type Program, type Ref, type Step, type Store } from "./kernels/wasm-fused.js";

/** The expressions that may be fused: each an engine op's own kernel text over x, y and p (each has a WebAssembly form: kernels/wasm-fused.ts). */
export const FUSIBLE: ReadonlySet<string> = new Set(["x", "x + y", "x - y", "x * y", "x / y", "x + p", "x * p", "p - x", "p / x", "-x", "x * x"]);

/**
 * The functions that may be fused (tanh, σ, exp, sin, cos): each op's JavaScript kernel text and its
 * SIMD kernel's name (wasm-activations.ts), registered by the op (ops/unary.ts). They fuse only where
 * the WebAssembly SIMD kernels run: their values are the kernels' (a JavaScript loop with Math.* would
 * give other bits), computed inside the fused kernel by the kernels' own code.
 */
const FUNCTIONS = new Map<string, VectorActivationName>();

/** Register an elementwise function's kernel text as fusible (ops/unary.ts). */
export function fusibleFunction(expr: string, name: VectorActivationName): void {
  FUNCTIONS.set(expr, name);
}

/**
 * What a backward pass reads of a fused function whose tensor requires grad (its value, for its own
 * rule — tanh, σ, exp — and for the rules of the ops that read it, such as a product's; sin's rule also
 * its cosines) is written by the kernel that computes the function, into a buffer no scope owns (pool.ts
 * allocUnscoped: in the kernels' arena where the SIMD kernels run, so that the kernel writes it and the
 * backward pass's fused kernels read it in place; −17% on the bench chain as written against ordinary
 * arrays, whose expressions then ran in a JavaScript loop), while the tensor itself stays lazy. Inside
 * a backward pass without createGraph (withFusion), an expression that reads the tensor reads those
 * values (keptView); the first read hands the buffer to the pass's scope, which gives it back to the
 * pool when the pass ends, so a later pass (or anything outside one) computes the tensor again, with
 * the same bits. Outside tidy(),
 * these would otherwise be new arrays on every call (4 of the bench chain's 5). The cosines go to sin's
 * rule (ops/unary.ts keepCosines). A function that two expressions read is written into its own tensor
 * instead (it is computed once: LazyNode.uses).
 */
export interface FunctionKeeper {
  alloc(size: number, owner: Tensor): Float64Array;
  keepCosines(y: Tensor, values: Float64Array): void;
}

let keeper: FunctionKeeper | null = null;

export function setFunctionKeeper(k: FunctionKeeper): void {
  keeper = k;
}

/** How a computed function's values are written out (compile's `stored`): into its tensor, kept for a backward pass, or sin's cosines for its rule. */
type StoreKind = "own" | "kept" | "cos";

/** Kept values of lazy tensors (above): `view` a tensor over them, `scope` the backward pass's scope that took them (undefined: none yet). */
const kept = new WeakMap<Tensor, { values: Float64Array; view: Tensor; scope: ScopeRef | undefined }>();

/** Inside a backward pass without createGraph, a tensor over the values kept for lazy `t`, or null (none, or a past pass's). */
function keptView(t: Tensor): Tensor | null {
  if (active === 0) return null;
  const e = kept.get(t);
  if (e === undefined) return null;
  const now = openScopeRef();
  if (e.scope === undefined) {
    // (the scope open now releases the buffer when it closes; the entry goes when the pass ends: withFusion)
    adoptBuffer(e.values);
    e.scope = now;
    adoptedInPass.push(t);
  } else if (e.scope !== now) {
    // (taken by a nested scope, which may have closed: computed again)
    return null;
  }
  return e.view;
}

let keepValues = true;

/** Whether fused functions' values for a backward pass are kept apart (above) or written into their tensors; for A/B measurements in one process. @internal */
export function setKeptValues(on: boolean): void {
  keepValues = on;
}

/** The tensors whose kept values the running backward pass took (forgotten when it ends). */
const adoptedInPass: Tensor[] = [];

const MAX_NODES = 40;

/** The placeholder data argument of a lazy tensor's constructor. */
export const NO_DATA = new Float64Array(0);

/** One operation of a lazy expression: `expr` over its operands (x, y) and the number p. */
export interface LazyNode {
  readonly expr: string;
  readonly x: Tensor;
  readonly y: Tensor | null;
  readonly p: number;
  /** Operations in the expression, this one included (operands counted once per use). */
  readonly nodes: number;
  /** The lazy nodes made with this one's tensor as an operand (a function read by two is written out when computed: compile). */
  uses: number;
}

let active = 0;
let enabled = process.env["PINN_NO_FUSION"] === undefined || process.env["PINN_NO_FUSION"] === "0";

/** Turn fusion on or off (PINN_NO_FUSION=1 at start-up does the same); for cross-checks. */
export function setFusion(on: boolean): void {
  enabled = on;
}

let functionsEnabled = true;

/** Turn the fusion of functions (tanh, σ, exp, sin, cos) alone on or off; for A/B measurements in one process. */
export function setFunctionFusion(on: boolean): void {
  functionsEnabled = on;
}

/** Run `fn`, a backward pass without createGraph: its lazy values may read any operand (they are evaluated or released before it returns). */
export function withFusion<T>(fn: () => T): T {
  if (!enabled) return fn();
  active++;
  try {
    return fn();
  } finally {
    active--;
    if (active === 0 && adoptedInPass.length > 0) {
      for (const t of adoptedInPass) kept.delete(t);
      adoptedInPass.length = 0;
    }
  }
}

/** Outputs smaller than this are computed at once (numbering and caching an expression costs more). */
const MIN_SIZE = 256;

/** Whether an op with this kernel text and output size should return a lazy tensor now (lazyNode decides on the operands). */
export function fuses(expr: string, size: number): boolean {
  return enabled && size >= MIN_SIZE && (FUSIBLE.has(expr) || (functionsEnabled && FUNCTIONS.has(expr) && sharedHeap().activations !== null));
}

/**
 * The tensor a lazy expression may read for operand `t` of a result of `size` values, or null when
 * the op must compute at once. Inside a backward pass without createGraph every lazy value is
 * evaluated (or released) before the pass returns, so any operand will do. Elsewhere a lazy value may
 * be read at any later time, so it may only read values that cannot change in the meantime: other
 * lazy values, and the results of engine ops (`sealed`: read-only by contract, see Tensor.data),
 * never a tensor the caller made from an array itself — a parameter that an optimizer updates in
 * place, a batch of points rewritten in place. A small one of those (a bias row, a single number: at
 * most 1/16 of the result) is copied now and the copy read later, as the op would have read it now; a
 * larger one is read from its snapshot (snapshotOf: a copy of its values as they are now, made or
 * found unchanged at each op; none above SNAPSHOT_MAX values or past SNAPSHOT_BUDGET bytes in all).
 * A released tensor (tidy) is never read lazily: the op reads it at once and reports the release.
 * Nor is a library call's internal tensor (above).
 */
function lazyOperand(t: Tensor, size: number): Tensor | null {
  // An internal tensor of a library call (pool.ts libraryScope) is released when a backward pass goes
  // through its graph, while a lazy value made from it by the caller (outside any scope, which would
  // release or record the value with the graph) may be read later: read it now.
  if (t.graphBuffers !== null && active === 0 && !scopeOpen()) return null;
  if (t.lazy !== null) return t;
  const d = t.rawData;
  if (d === null) return null;
  if (active > 0 || t.sealed) return t;
  if (16 * t.size > size) return t.size > SNAPSHOT_MAX ? null : snapshotOf(t, d);
  const copy = new Tensor(Float64Array.from(d), t.shape);
  copy.sealed = true;
  return copy;
}

/**
 * Snapshots of tensors the caller made (their values may change in place later): a lazy value reads a
 * copy of the values as they are when its op runs. The copy is kept (outside every scope) and used again
 * by later ops while the tensor's values are the same, bit for bit (compared each time: writes into
 * `.data` are not tracked) — the steady state of a function called again and again on the same input
 * allocates nothing.
 */
// (Keyed by the values' array, which views such as reshape share: a view made anew each call finds the
// snapshot of the values it shows.)
const snapshots = new WeakMap<Float64Array, Tensor>();
/**
 * Tensors of more values than this (8 MiB) are not snapshotted: the op computes at once, as before
 * snapshots, so a caller's large tensor is never held twice (the copy lives as long as its values).
 */
export const SNAPSHOT_MAX = 2 ** 20;
/**
 * And the snapshots alive at once hold at most SNAPSHOT_BUDGET bytes (64 MiB): a caller with many
 * tensors of its own (a dataset in a hundred tensors of 1e6 values) does not have them all held twice;
 * past the budget, an op on a tensor without a snapshot computes at once. A snapshot lives as long as
 * the tensor's values array (its bytes are counted off when the garbage collector takes that array).
 */
export const SNAPSHOT_BUDGET = 64 * 2 ** 20;
let snapshotBytes = 0;
const snapshotGone = new FinalizationRegistry<number>((bytes) => {
  snapshotBytes -= bytes;
});

/** The bytes held by snapshots now (tests). @internal */
export function snapshotBytesHeld(): number {
  return snapshotBytes;
}

/** The snapshot of `t` (values `d`), or null when a new one would exceed SNAPSHOT_BUDGET (the op then computes at once). */
function snapshotOf(t: Tensor, d: Float64Array): Tensor | null {
  const s = snapshots.get(d);
  if (s !== undefined && sameBits(s.rawData!, d)) return sameShape(s.shape, t.shape) ? s : sealedTensor(s.rawData!, t.shape);
  if (s === undefined) {
    if (snapshotBytes + 8 * d.length > SNAPSHOT_BUDGET) return null;
    snapshotBytes += 8 * d.length;
    snapshotGone.register(d, 8 * d.length);
  }
  // (an ordinary array from the pool, counted in poolStats(); the tensor belongs to no scope. A
  // changed tensor's new snapshot takes the place of its old one: the same bytes.)
  const copy = sealedTensor(unscoped(() => allocData(d.length)), t.shape);
  copy.rawData!.set(d);
  snapshots.set(d, copy);
  return copy;
}

function sealedTensor(values: Float64Array, shape: readonly number[]): Tensor {
  const t = unscoped(() => new Tensor(values, shape));
  t.sealed = true;
  return t;
}

/** Whether two arrays hold the same bits (−0 is not 0; a NaN is its own bits): Node's memcmp (a JavaScript loop took 20 times as long). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A lazy copy of `t` (its own tensor, evaluated into its own buffer), when `t` is lazy. */
export function lazyCopyOf(t: Tensor): LazyNode | null {
  const node = t.lazy;
  return node === null ? null : { ...node };
}

/**
 * The node for `expr` applied to x (and y), or null when the expression would grow too large or an
 * operand may not be read later. Operands have the result's shape, or are one value (a broadcast
 * number), or one row of the result's last axis repeated over its rows (a bias: broadcastBinary
 * checks the layout).
 */
export function lazyNode(expr: string, x: Tensor, y: Tensor | null, p: number): LazyNode | null {
  const size = Math.max(x.size, y?.size ?? 0);
  const lx = lazyOperand(x, size);
  const ly = y === null ? null : lazyOperand(y, size);
  if (lx === null || (y !== null && ly === null)) return null;
  const nodes = 1 + (x.lazy?.nodes ?? 0) + (y?.lazy?.nodes ?? 0);
  if (nodes > MAX_NODES) return null;
  // (counted for functions: one that two expressions read is computed once, compile)
  if (lx.lazy !== null && FUNCTIONS.has(lx.lazy.expr)) lx.lazy.uses++;
  if (ly !== null && ly !== lx && ly.lazy !== null && FUNCTIONS.has(ly.lazy.expr)) ly.lazy.uses++;
  // (every node made with all its fields: one object shape for the hot code that reads them)
  return { expr, x: lx, y: ly, p, nodes, uses: 0 };
}

/**
 * When an op cannot return a lazy value (an operand may change before a later read, so lazyNode gave
 * null) but an operand is lazy: the op's values computed now, into `out`, in ONE loop with that
 * operand's expression — instead of evaluating the expression into a buffer of its own and then
 * running the op over it. Everything is read now, so any operand will do (a released one is not: the
 * op reads it and reports the release). False when there is nothing to gain or the expression would
 * grow too large. Same operations in the same order as the two passes, so the same bits.
 */
export function evaluateNow(expr: string, x: Tensor, y: Tensor | null, p: number, out: Float64Array): boolean {
  if (!enabled || (x.lazy === null && (y === null || y.lazy === null))) return false;
  if ((x.lazy === null && x.rawData === null) || (y !== null && y.lazy === null && y.rawData === null)) return false;
  const nodes = 1 + (x.lazy?.nodes ?? 0) + (y?.lazy?.nodes ?? 0);
  if (nodes > MAX_NODES) return false;
  evaluate({ expr, x, y, p, nodes, uses: 0 }, out);
  return true;
}

/** Writes the expression's values for elements [start, end) to out[i + shift] (rowLength: see compile). */
type Kernel = (leaves: Float64Array[], params: number[], out: Float64Array, start: number, end: number, shift: number, rowLength: number) => void;
/** The sum of the expression's values over [start, end), added in order from 0. */
type SumKernel = (leaves: Float64Array[], params: number[], start: number, end: number, rowLength: number) => number;
const kernels = new Map<string, Kernel | SumKernel>();

interface Compiled<K> {
  /** The JavaScript loop; null for an expression with functions (fusibleFunction), which never runs there. */
  readonly kernel: K | null;
  /** The expression has functions: it runs on the WebAssembly kernel, or op by op (stepwise). */
  readonly functions: boolean;
  /** Its steps, whatever its rows (the WebAssembly kernel's program but for odd rows). */
  readonly steps: readonly Step[];
  /** The lazy tensors whose values (or cosines) are written out too (operands.stores): finish() gives them their values. */
  readonly stored: readonly { readonly tensor: Tensor; readonly step: number; readonly kind: StoreKind }[];
  /** The same as the kernels see them (Program.stores): each step, and whether it writes its cosines. */
  readonly stores: readonly Store[];
  readonly leaves: Float64Array[];
  readonly params: number[];
  /** The length of the repeated row of the row operands (1 when there are none). */
  readonly rowLength: number;
  /** The expression for the WebAssembly SIMD kernel (kernels/wasm-fused.ts), null when it has rows of odd length. */
  readonly program: Program | null;
  /** The program's operands: full-size values, rows, scalars (numbers and one-element operands). */
  readonly operands: Operands;
  /** The kernels' cache key (the expression's text). */
  readonly key: string;
}

const templates = new Map<string, (x: string, y: string, p: string) => string>();

/** An op's kernel text as a function of the names put in place of x, y and p (split once per text). */
function template(expr: string): (x: string, y: string, p: string) => string {
  let t = templates.get(expr);
  if (t === undefined) {
    const parts = expr.split(/\b([xyp])\b/);
    t = (x, y, p) => {
      let out = parts[0]!;
      for (let i = 1; i < parts.length; i += 2) out += (parts[i] === "x" ? x : parts[i] === "y" ? y : p) + parts[i + 1]!;
      return out;
    };
    templates.set(expr, t);
  }
  return t;
}

/**
 * The generated loop of a lazy expression with `size` values: one loop over the elements (a kernel
 * per expression text, cached), each node computed once per element by its op's own kernel text.
 */
function compile<K>(root: LazyNode, size: number, reduce: boolean, store = false, rootTensor: Tensor | null = null): Compiled<K> {
  // Number the distinct materialised operands (leaves), the distinct nodes (each computed once per
  // element even when used twice) and the numbers; the kernel's cache key is the resulting text.
  const leaves: Tensor[] = [];
  const leafIndex = new Map<Tensor, number>();
  /** t's number in `list` (appended, and numbered in `index`, the first time it is seen). */
  const numbered = <T>(list: (Tensor | T)[], index: Map<Tensor, number>, t: Tensor): number => {
    let k = index.get(t);
    if (k === undefined) {
      k = list.length;
      list.push(t);
      index.set(t, k);
    }
    return k;
  };
  const params: number[] = [];
  const nodeVar = new Map<LazyNode, string>();
  const lines: string[] = [];
  let rowLength = 0;
  // The same expression for the WebAssembly kernel: full-size leaves and scalars numbered apart.
  const steps: Step[] = [];
  const refOf = new Map<string, Ref>();
  const full: Tensor[] = [];
  const scalarValues: (Tensor | number)[] = [];
  const fullIndex = new Map<Tensor, number>();
  const rowOperands: Tensor[] = [];
  const rowIndex = new Map<Tensor, number>();
  const scalarIndex = new Map<Tensor, number>();
  // Functions written out too (store): one that two expressions read, into its tensor; what a
  // backward pass will read of one whose tensor requires grad, kept for its rule (FunctionKeeper).
  const stored: { tensor: Tensor; step: number; kind: StoreKind }[] = [];
  const operand = (u: Tensor): string => {
    // (a lazy tensor whose values a kernel kept for this backward pass is read as a leaf: keptView)
    const t = u.lazy === null ? u : (keptView(u) ?? u);
    const node = t.lazy;
    if (node !== null) {
      const known = nodeVar.has(node);
      const v = emit(node);
      if (store && !known && FUNCTIONS.has(node.expr)) {
        const step = steps.length - 1;
        const fn = steps[step]!.fn!;
        if (node.uses > 1 || (t.requiresGrad && keeper === null)) stored.push({ tensor: t, step, kind: "own" });
        // (kept apart only outside every scope, where the tensor's own buffer would be a new array; in
        // tidy() its own arena buffer costs nothing, and keeping apart measured 3.5% slower there)
        else if (t.requiresGrad) stored.push({ tensor: t, step, kind: keepValues && !scopeOpen() ? "kept" : "own" });
        if (fn === "sin" && t.requiresGrad && keeper !== null) stored.push({ tensor: t, step, kind: "cos" });
      }
      return v;
    }
    const i = numbered(leaves, leafIndex, t);
    // A one-element operand in a larger expression is a broadcast number; a shorter one, a row
    // repeated over the rows (index j, the position in the row).
    let index = "i";
    if (t.size === 1 && size !== 1) {
      index = "0";
      refOf.set(`${jsId("l", i)}[0]`, { scalar: numbered(scalarValues, scalarIndex, t) });
    } else if (t.size !== size) {
      if (rowLength !== 0 && rowLength !== t.size) throw new Error("internal: fused operands with different row lengths");
      rowLength = t.size;
      index = "j";
      refOf.set(`${jsId("l", i)}[j]`, { row: numbered(rowOperands, rowIndex, t) });
    } else {
      refOf.set(`${jsId("l", i)}[i]`, { leaf: numbered(full, fullIndex, t) });
    }
    return `${jsId("l", i)}[${index}]`;
  };
  const emit = (node: LazyNode): string => {
    const known = nodeVar.get(node);
    if (known !== undefined) return known;
    const x = operand(node.x);
    const y = node.y === null ? "" : operand(node.y);
    let p = "";
    let sp = -1;
    if (node.expr.includes("p")) {
      p = jsId("p", params.length);
      params.push(node.p);
      sp = scalarValues.length;
      scalarValues.push(node.p);
    }
    const v = jsId("v", nodeVar.size);
    nodeVar.set(node, v);
    // The op's own kernel text with its operands' names in place of x, y and p (all fixed identifiers).
    lines.push(`const ${v} = ${template(node.expr)(x, y, p)};`);
    refOf.set(v, { step: steps.length });
    const fn = FUNCTIONS.get(node.expr) ?? null;
    steps.push({ expr: node.expr, x: refOf.get(x)!, y: node.y === null ? null : refOf.get(y)!, p: sp, fn, range: fn === null ? null : kernelRange(fn) });
    return v;
  };
  // (The root's values are the result, but for a sum: there its tensor is an operand like the others.
  // A root sin that requires grad still writes its cosines.)
  const ownRoot = rootTensor !== null && rootTensor.lazy === root;
  const result = ownRoot && reduce ? operand(rootTensor) : emit(root);
  if (ownRoot && !reduce && store && rootTensor.requiresGrad && steps[steps.length - 1]!.fn === "sin" && keeper !== null) {
    stored.push({ tensor: rootTensor, step: steps.length - 1, kind: "cos" });
  }
  const functions = steps.some((s) => s.fn !== null);
  const rows = rowLength !== 0;
  const stores: Store[] = stored.map((s) => ({ step: s.step, cos: s.kind === "cos" }));
  const key = `${reduce ? "sum" : "map"}|${rows}|${leaves.length}|${params.length}|${lines.join("")}|${result}|${stores.map((st) => `${st.step}${st.cos ? "c" : ""}`)}`;
  let kernel = functions ? null : kernels.get(key);
  if (kernel === undefined) {
    const step = rows ? " if (++j === rowLength) j = 0;" : "";
    const body = [
      ...leaves.map((_, i) => `const ${jsId("l", i)} = leaves[${jsIndex(i)}];`),
      ...params.map((_, i) => `const ${jsId("p", i)} = params[${jsIndex(i)}];`),
      rows ? "let j = start % rowLength;" : "",
      reduce
        ? // Four running sums by i mod 4, as reduce.ts sumAll adds a buffer (start is 0).
          `let s0 = 0, s1 = 0, s2 = 0, s3 = 0; const e4 = end - ((end - start) % 4); let i = start;` +
          ` for (; i < e4; i++) { ${lines.join(" ")} switch (i & 3) { case 0: s0 += ${result}; break; case 1: s1 += ${result}; break; case 2: s2 += ${result}; break; default: s3 += ${result}; }${step} }` +
          ` let s = (s0 + s1) + (s2 + s3); for (; i < end; i++) { ${lines.join(" ")} s += ${result};${step} } return s;`
        : `for (let i = start; i < end; i++) { ${lines.join(" ")} out[i + shift] = ${result};${step} }`,
    ].join("\n");
    kernel = reduce
      ? compileKernel<SumKernel>("fused-sum", ["leaves", "params", "start", "end", "rowLength"], body)
      : compileKernel<Kernel>("fused-elementwise", ["leaves", "params", "out", "start", "end", "shift", "rowLength"], body);
    kernels.set(key, kernel);
  }
  const operands: Operands = {
    full: full.map((t) => t.data),
    rows: rowOperands.map((t) => t.data),
    rowLength: rows ? rowLength : 0,
    scalars: scalarValues.map((v) => (typeof v === "number" ? v : v.data[0]!)),
    functions,
    stores: stored.map((s) => (s.kind === "own" ? s.tensor.valuesBuffer() : keeper!.alloc(s.tensor.size, s.tensor))),
    // (set below for an expression with ranges; every Operands has all its fields: one object shape)
    stepwise: null,
  };
  return {
    kernel: kernel as K | null,
    functions,
    steps,
    leaves: functions ? [] : leaves.map((t) => t.data),
    params,
    rowLength: rows ? rowLength : 1,
    // (A pair of elements must not straddle two rows: rows of odd length stay in JavaScript.)
    program: rowLength % 2 !== 0 ? null : { leaves: full.length, rows: rowOperands.length, scalars: scalarValues.length, steps, stores },
    stored,
    stores,
    // (an expression with functions whose arguments have ranges: a block that fails the check is computed op by op)
    operands: functions && steps.some((s) => s.range != null) ? { ...operands, stepwise: stepwise(steps, operands, stores) } : operands,
    key: key.slice(key.indexOf("|") + 1),
  };
}

/** The kernel text of one op as a loop over arrays x and y (and the number p), for stepwise: cached per text. */
type StepKernel = (x: Float64Array, y: Float64Array, p: number, out: Float64Array) => void;
const stepKernels = new Map<string, StepKernel>();

function stepKernel(expr: string): StepKernel {
  let k = stepKernels.get(expr);
  if (k === undefined) {
    k = compileKernel<StepKernel>("fused-step", ["x", "y", "p", "out"], `for (let i = 0; i < out.length; i++) out[i] = ${template(expr)("x[i]", "y[i]", "p")};`);
    stepKernels.set(expr, k);
  }
  return k;
}

/**
 * An expression's values over elements [from, to) computed op by op, as the unfused ops compute them:
 * each arithmetic op by its kernel text, each function by the op's own path (vector-unary.ts: the SIMD
 * kernel, with the JavaScript formula outside its range; the JavaScript kernel where the SIMD kernels
 * are off) — the same bits as the ops. For blocks where a fused kernel's range check failed, and for
 * expressions with functions that have no WebAssembly kernel (rows of odd length). Recorded as
 * "elementwise:stepwise".
 */
function stepwise(steps: readonly Step[], ops: Operands, stores: readonly Store[]): (from: number, to: number) => Float64Array[] {
  return (from, to) => {
    countKernel("elementwise:stepwise");
    const m = to - from;
    const values: Float64Array[] = [];
    const array = (r: Ref): Float64Array => {
      if ("leaf" in r) return ops.full[r.leaf]!.subarray(from, to);
      if ("step" in r) return values[r.step]!;
      const a = new Float64Array(m);
      if ("scalar" in r) a.fill(ops.scalars[r.scalar]!);
      else for (let i = 0, row = ops.rows[r.row]!; i < m; i++) a[i] = row[(from + i) % ops.rowLength]!;
      return a;
    };
    for (const s of steps) {
      const out = new Float64Array(m);
      const x = array(s.x);
      if (s.fn == null || !vectorUnary(s.fn, x, out, 1)) stepKernel(s.expr)(x, s.y === null ? x : array(s.y), s.p < 0 ? 0 : ops.scalars[s.p]!, out);
      values.push(out);
    }
    // The value, then the stores' (a sin step's cosines: the cos op's own path over its argument).
    return [values[values.length - 1]!, ...stores.map((st) => {
      if (!st.cos) return values[st.step]!;
      const x = array(steps[st.step]!.x);
      const out = new Float64Array(m);
      if (!vectorUnary("cos", x, out, 1)) stepKernel("Math.cos(x)")(x, x, 0, out);
      return out;
    })];
  };
}

/** The kernel memory an array lies in (the arena or the shared heap), or null. */
function memoryOf(a: Float64Array): KernelHeap | null {
  const arena = arenaIfMade();
  if (arena !== null && a.buffer === arena.memory.buffer) return arena;
  const heap = sharedHeap();
  return heap.memory !== null && a.buffer === heap.memory.buffer ? heap : null;
}

/**
 * The memory the WebAssembly SIMD kernel of a compiled expression runs on, or null where it does not run
 * (rows of odd length, no WebAssembly SIMD, PINN_NO_WASM=1): the kernels' arena where its output or an
 * operand lies there (inside tidy: read and written in place). Elsewhere an arithmetic expression stays
 * in JavaScript: copying every operand in and the values out cost more than the SIMD loop saves
 * (measured on the chain as written: 5.6 against 4.2 ms per call); an expression with functions runs on
 * the shared heap (its functions' work dominates the copies; the activation kernels' memory there).
 */
function heapFor(c: Compiled<unknown>, out: Float64Array | null): KernelHeap | null {
  if (c.program === null) return null;
  if ((out !== null && inArena(out)) || c.operands.full.some(inArena) || (c.operands.stores ?? []).some(inArena)) return kernelMemory();
  if (!c.functions) return null;
  const heap = sharedHeap();
  return heap.activations !== null ? heap : null;
}

/** The WebAssembly SIMD kernel of a compiled expression on `heap` (heapFor), or null. */
function wasmKernel(c: Compiled<unknown>, heap: KernelHeap | null): MapKernel | null {
  return heap === null || c.program === null ? null : mapKernel(heap, c.program, c.key);
}

/** Record the functions an expression computed fused ("tanh:fused", …). */
function countFunctions(c: Compiled<unknown>): void {
  for (const s of c.steps) if (s.fn != null) countKernel(`${s.fn}:fused`);
}

/** Op by op, in blocks (an expression with functions and no WebAssembly kernel): into out[shift + from…]. */
function stepwiseInto(c: Compiled<unknown>, out: Float64Array, from: number, to: number, shift: number): void {
  const values = c.operands.stepwise ?? stepwise(c.steps, c.operands, c.stores);
  const stores = c.operands.stores ?? [];
  for (let i0 = from; i0 < to; i0 += FUSED_STEPWISE_BLOCK) {
    const i1 = Math.min(to, i0 + FUSED_STEPWISE_BLOCK);
    const v = values(i0, i1);
    out.set(v[0]!, i0 + shift);
    stores.forEach((s, k) => s.set(v[1 + k]!, i0));
  }
}

/** The stored tensors get their values (written with the expression's). */
function finish(c: Compiled<unknown>): void {
  c.stored.forEach((s, k) => {
    const values = c.operands.stores![k]!;
    if (s.kind === "own") s.tensor.setEvaluated(values);
    else if (s.kind === "kept") kept.set(s.tensor, { values, view: sealedTensor(values, s.tensor.shape), scope: undefined });
    else keeper!.keepCosines(s.tensor, values);
  });
}
const FUSED_STEPWISE_BLOCK = 4096;

/** Evaluate a lazy expression into `out` (one generated loop): `tensor`'s values (the lazy tensor evaluated), when given. */
export function evaluate(root: LazyNode, out: Float64Array, tensor: Tensor | null = null): void {
  const c = compile<Kernel>(root, out.length, false, true, tensor);
  countKernel("elementwise:fused");
  const heap = heapFor(c, out);
  const wasm = wasmKernel(c, heap);
  if (wasm !== null) {
    mapBlocks(heap!, wasm, c.operands, 0, out.length, out);
    countKernel("elementwise:wasm-simd");
    countFunctions(c);
  } else if (c.kernel === null) stepwiseInto(c, out, 0, out.length, 0);
  else c.kernel(c.leaves, c.params, out, 0, out.length, 0, c.rowLength);
  finish(c);
}

/**
 * An op computed now (it cannot return a lazy value: lazyNode gave null) on the SIMD kernel: its kernel
 * text over materialised operands of the result's size (and one-element ones), into `out`. The same
 * bits as the op's JavaScript kernel; false (nothing written) where the kernel does not run (short
 * arrays, no WebAssembly SIMD). Recorded as "elementwise:wasm-simd".
 */
export function computeNow(expr: string, x: Tensor, y: Tensor | null, p: number, out: Float64Array): boolean {
  if (out.length < MIN_SIZE || !FUSIBLE.has(expr) || x.lazy !== null || (y !== null && y.lazy !== null)) return false;
  if (x.size !== out.length || (y !== null && y.size !== out.length && y.size !== 1)) return false;
  // (only into the arena: see wasmKernel)
  if (!inArena(out)) return false;
  const c = compile<Kernel>({ expr, x, y, p, nodes: 1, uses: 0 }, out.length, false);
  const heap = heapFor(c, out);
  const wasm = wasmKernel(c, heap);
  if (wasm === null) return false;
  mapBlocks(heap!, wasm, c.operands, 0, out.length, out);
  countKernel("elementwise:wasm-simd");
  return true;
}

/**
 * Evaluate the elements [from, to) of a lazy expression of `size` values in blocks, each written
 * to `into(from, to)`'s array at its offset: how a vector kernel reads a lazy input without a
 * buffer for it (vector-unary.ts). Counted once in kernelUsage() as "elementwise:fused".
 */
export function lazyBlocks(root: LazyNode, size: number): (out: Float64Array, offset: number, from: number, to: number) => void {
  const c = compile<Kernel>(root, size, false);
  countKernel("elementwise:fused");
  if (c.kernel === null) {
    // With functions: on the WebAssembly kernel in the memory of the vector kernel's block, else op by op.
    countFunctions(c);
    return (out, offset, from, to) => {
      const heap = memoryOf(out);
      const wasm = wasmKernel(c, heap);
      if (wasm === null) stepwiseInto(c, out, from, to, offset - from);
      else mapInto(heap!, wasm, c.operands, from, to, offset);
    };
  }
  const kernel = c.kernel;
  const heap = heapFor(c, null);
  const wasm = wasmKernel(c, heap);
  if (heap !== null && wasm !== null) {
    countKernel("elementwise:wasm-simd");
    return (out, offset, from, to) => {
      // The kernels' heap is the vector kernel's: the block is written there in place (by offset: the
      // scratch blocks allocated meanwhile may replace the heap's view).
      if (out.buffer !== heap.memory!.buffer) kernel(c.leaves, c.params, out, from, to, offset - from, c.rowLength);
      else mapInto(heap, wasm, c.operands, from, to, offset);
    };
  }
  return (out, offset, from, to) => kernel(c.leaves, c.params, out, from, to, offset - from, c.rowLength);
}

/**
 * The sum of a lazy expression's values, added in order (as sum() adds a buffer), without a buffer for
 * them. `tensor` (the lazy tensor summed) gets its values too when it is a function that requires grad.
 */
export function lazySum(root: LazyNode, size: number, tensor: Tensor | null = null): number {
  const c = compile<SumKernel>(root, size, true, true, tensor);
  countKernel("sum:fused");
  const heap = heapFor(c, null);
  const wasm = wasmKernel(c, heap);
  if (wasm !== null) {
    const s = sumBlocks(heap!, wasm, c.operands, size);
    if (s !== null) {
      countKernel("sum:wasm-simd");
      countFunctions(c);
      finish(c);
      return s;
    }
  }
  if (c.kernel === null) {
    // (with functions and no WebAssembly kernel: the values op by op, then summed as sum() adds a buffer)
    const values = new Float64Array(size);
    stepwiseInto(c, values, 0, size, 0);
    finish(c);
    return sumAll(values);
  }
  return c.kernel(c.leaves, c.params, 0, size, c.rowLength);
}
