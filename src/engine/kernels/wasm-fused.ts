// Fused elementwise expressions (fusion.ts) as WebAssembly SIMD kernels, two float64 lanes at a time.
//
// fusion.ts describes an expression as a Program: its full-size operands (leaves), its rows (one row of
// even length repeated over the result's rows: a bias), its scalars (numbers of the ops, and
// one-element operands broadcast over the result) and its steps, each an engine op's kernel text
// (WASM_FORMS below has the same texts as fusion.ts's FUSIBLE set) over earlier steps and operands.
// The generated function
//
//   map(out, in_0, …, in_{L−1}, row_0, …, row_{R−1}, scalars, rowBytes, rowStart, pairs)
//                                                     (byte offsets into the kernels' memory)
//
// computes 2·pairs values: every step by the same IEEE float64 operation as the JavaScript kernel text
// (WebAssembly neither contracts a·b + c nor reorders), so the values are the same bits. Operands and
// results that lie in the kernels' memory (tensors in the arena, arena.ts) are read and written in
// place; others are copied in blocks that stay in cache (mapBlocks, mapInto). A block of results can
// also be summed there by `accumulate`, in the order of reduce.ts sumAll (elements i ≡ 0, 1, 2, 3 mod 4
// in four running sums). Kernels are cached per memory and per program text. Without WebAssembly SIMD
// (PINN_NO_WASM=1) fusion.ts keeps its JavaScript loops.

import { FunctionBuilder, code, countedLoop, instantiate, moduleBytes, op, whileNot, type Code, type Local } from "./wasm-encoder.js";
import { Generator, PAIRS_PER_STEP, activationBody, interleave, scratchLocals, type VectorActivationName } from "./wasm-activations.js";
import { offsetIn } from "./f64-heap.js";

/** The memory the kernels run on (the arena, arena.ts, or the shared heap, f64-heap.ts). */
export interface KernelHeap {
  readonly memory: WebAssembly.Memory | null;
  readonly f64: Float64Array;
  alloc(length: number): number;
  release(offset: number, length: number): void;
}

/** An operand of a step: a leaf (full-size operand), a scalar, or an earlier step. */
export type Ref = { readonly leaf: number } | { readonly row: number } | { readonly scalar: number } | { readonly step: number };

/** One op of an expression: its kernel text over x, y and p (p: a scalar's index, −1 when none). */
export interface Step {
  readonly expr: string;
  readonly x: Ref;
  readonly y: Ref | null;
  readonly p: number;
  /** A function step (its text is the function's JavaScript kernel, e.g. "Math.tanh(x)"): the activation kernel's name. */
  readonly fn?: VectorActivationName | null;
  /** The range [lo, hi] of a function step's argument where the kernel gives the op's values (vector-unary.ts FALLBACK), or null. */
  readonly range?: readonly [number, number] | null;
}

/** An expression: `leaves` full-size operands, `scalars` numbers, steps in order (the last is the value). */
export interface Program {
  readonly leaves: number;
  /** Operands of one row of even length repeated over the result's rows (a bias): a pair never straddles two rows. */
  readonly rows: number;
  readonly scalars: number;
  readonly steps: readonly Step[];
  /** Values written out too, each to its own array (Operands.stores): a function's values that a backward pass will read (fusion.ts). */
  readonly stores?: readonly Store[];
}

/** A step's values written out (Program.stores); with `cos`, a sin step's cosines (its argument's: the sincos kernel's second output). */
export interface Store {
  readonly step: number;
  readonly cos: boolean;
}

/** Each fusible kernel text as WebAssembly: code from its operands' values (x, y, p on the stack in that order of use). */
const WASM_FORMS: { readonly [expr: string]: (x: Code, y: Code, p: Code) => Code } = {
  "x": (x) => x,
  "x + y": (x, y) => code(x, y, op.f64x2Add),
  "x - y": (x, y) => code(x, y, op.f64x2Sub),
  "x * y": (x, y) => code(x, y, op.f64x2Mul),
  "x / y": (x, y) => code(x, y, op.f64x2Div),
  "x + p": (x, _y, p) => code(x, p, op.f64x2Add),
  "x * p": (x, _y, p) => code(x, p, op.f64x2Mul),
  "p - x": (x, _y, p) => code(p, x, op.f64x2Sub),
  "p / x": (x, _y, p) => code(p, x, op.f64x2Div),
  "-x": (x) => code(x, op.f64x2Neg),
  "x * x": (x) => code(x, x, op.f64x2Mul),
};

/** Whether an op's kernel text has a WebAssembly form (every text fusion.ts fuses has one; tested). */
export function hasWasmForm(expr: string): boolean {
  return Object.prototype.hasOwnProperty.call(WASM_FORMS, expr);
}

/** map(out, in_0, …, in_{L−1}, row_0, …, row_{R−1}, scalars, rowBytes, rowStart, pairs, mask, store_0, …, store_{S−1}): byte offsets but pairs; the rows are read from byte rowStart on, wrapping at rowBytes; see mapFunction for mask and the stores. */
export type MapKernel = (...args: number[]) => void;

/** Whether a program has a step whose argument has a range (a function with a JavaScript formula outside it). */
export function isRanged(p: Program): boolean {
  return p.steps.some((s) => s.range != null);
}

/**
 * Element pairs per loop step of a kernel with several functions (measured on the bench chain in tidy, 1e5
 * values, the three builds alternating in one process, median of 80 calls: 2 pairs 2.47 ms, 1 pair
 * 2.81, 4 pairs 2.79 on a loaded machine — with several functions, 4 pairs' locals no longer fit the
 * registers; the activation kernels, one function each, take 4, and so does a kernel with one function:
 * the MLP and Laplacian cases of the op bench 1–2% faster with 4 than with 2, alternating in one process).
 */
const FUSED_PAIRS_PER_STEP = 2;

/**
 * The kernel of a program. An arithmetic step is its WASM_FORMS code; a function step (exp, tanh, σ,
 * sin, cos) the activation kernels' own code (wasm-activations.ts activationBody: the same bits), on
 * its own scratch locals. Programs with functions compute FUSED_PAIRS_PER_STEP pairs per loop step, their
 * statements interleaved, as the activation kernels do (the long dependency chains overlap). Where a
 * function's argument has a range (Step.range), every argument is checked against it, and the kernel
 * writes at byte `mask` two float64s: lane l = 1 when every such argument of lane l lay in its range,
 * else 0 (NaN is in no range) — the caller then evaluates the block again step by step (fusion.ts).
 */
function mapFunction(p: Program): FunctionBuilder {
  const L = p.leaves + p.rows;
  const stores = p.stores ?? [];
  const f = new FunctionBuilder("map", Array.from({ length: L + 6 + stores.length }, () => "i32" as const));
  const OUT = f.params[0]!;
  const IN = f.params.slice(1, 1 + p.leaves);
  const ROW = f.params.slice(1 + p.leaves, 1 + L);
  const SCALARS = f.params[1 + L]!;
  const ROWBYTES = f.params[2 + L]!;
  const ROWSTART = f.params[3 + L]!;
  const PAIRS = f.params[4 + L]!;
  const MASK = f.params[5 + L]!;
  const STORE = f.params.slice(6 + L);
  const I = f.local("i32");
  const OFF = f.local("i32");
  const J = f.local("i32");
  const functions = p.steps.some((s) => s.fn != null);
  // The sin steps whose cosines are written out: computed by the sincos kernel's code (the same bits for sin x).
  const withCos = new Set(stores.filter((st) => st.cos).map((st) => st.step));
  const ranged = isRanged(p);
  // (one function: as many pairs as its activation kernel; several: fewer, see FUSED_PAIRS_PER_STEP)
  const P = !functions ? 1 : p.steps.filter((s) => s.fn != null).length === 1 ? PAIRS_PER_STEP : FUSED_PAIRS_PER_STEP;
  const scalars: Local<"v128">[] = [];
  for (let k = 0; k < p.scalars; k++) scalars.push(f.hoist(`s${k}`, "v128", () => code(op.get(SCALARS), op.load64Splat(8 * k))) as Local<"v128">);
  const ALL = ranged ? f.local("v128") : null;
  const g = new Generator(f);
  /** The locals of pair k of a loop step. */
  const pairLocals = Array.from({ length: P }, () => ({
    leaves: IN.map(() => f.local("v128")),
    rows: ROW.map(() => f.local("v128")),
    steps: p.steps.map(() => f.local("v128")),
    j: f.local("i32"),
    scratch: functions ? scratchLocals(f) : null,
    cosines: new Map([...withCos].map((step) => [step, f.local("v128")])),
  }));
  const used = new Set<number>();
  const usedRows = new Set<number>();
  p.steps.forEach((s) => {
    for (const r of [s.x, s.y]) {
      if (r === null) continue;
      if ("leaf" in r) used.add(r.leaf);
      if ("row" in r) usedRows.add(r.row);
    }
  });
  // Pair k: loads (byte offset 16k from OFF; its row position in its j), the steps, the store.
  const one = (k: number): Code => {
    const l = pairLocals[k]!;
    const value = (r: Ref): Code => {
      if ("leaf" in r) return op.get(l.leaves[r.leaf]!);
      if ("row" in r) return op.get(l.rows[r.row]!);
      if ("scalar" in r) return op.get(scalars[r.scalar]!);
      return op.get(l.steps[r.step]!);
    };
    const body: Code[] = [];
    p.steps.forEach((s, i) => {
      if (s.fn != null) {
        const x = l.scratch!.X;
        body.push(code(value(s.x), op.set(x)));
        if (s.range != null) {
          const [lo, hi] = s.range;
          body.push(code(op.get(ALL!), g.K(lo), op.get(x), op.f64x2Le, op.v128And, op.get(x), g.K(hi), op.f64x2Le, op.v128And, op.set(ALL!)));
        }
        if (withCos.has(i)) {
          if (s.fn !== "sin") throw new Error("internal: cosines of a step that is not sin");
          body.push(g.sinAndCos(l.scratch!), code(op.get(l.scratch!.E), op.set(l.cosines.get(i)!)));
        } else body.push(activationBody(g, l.scratch!, s.fn));
        body.push(code(op.get(x), op.set(l.steps[i]!)));
        return;
      }
      const form = WASM_FORMS[s.expr];
      if (form === undefined) throw new Error(`internal: no WebAssembly form for ${JSON.stringify(s.expr)}`);
      body.push(code(form(value(s.x), s.y === null ? [] : value(s.y), s.p < 0 ? [] : op.get(scalars[s.p]!)), op.set(l.steps[i]!)));
    });
    return code(
      ...[...used].map((i) => code(op.get(IN[i]!), op.get(OFF), op.add, op.v128Load(16 * k), op.set(l.leaves[i]!))),
      ...[...usedRows].map((i) => code(op.get(ROW[i]!), op.get(l.j), op.add, op.v128Load(0), op.set(l.rows[i]!))),
      ...body,
      ...stores.map((st, i) => code(op.get(STORE[i]!), op.get(OFF), op.add, op.get(st.cos ? l.cosines.get(st.step)! : l.steps[st.step]!), op.v128Store(16 * k))),
      code(op.get(OUT), op.get(OFF), op.add, op.get(l.steps[l.steps.length - 1]!), op.v128Store(16 * k)),
    );
  };
  // Pair k's row position: j_k = j; then j += 16, back to 0 at the end of the row (not interleaved).
  const rowSteps = (n: number): Code => usedRows.size === 0 ? [] : code(...Array.from({ length: n }, (_, k) => code(
    op.get(J), op.set(pairLocals[k]!.j),
    op.get(J), op.i32(16), op.add, op.set(J),
    op.block, op.get(J), op.get(ROWBYTES), op.ltU, op.brIf(0), op.i32(0), op.set(J), op.end,
  )));
  const advance = (n: number): Code => code(op.get(OFF), op.i32(16 * n), op.add, op.set(OFF), op.get(I), op.i32(n), op.add, op.set(I));
  f.emit(
    ALL === null ? code() : code(op.i64x2(-1n), op.set(ALL)),
    op.i32(0), op.set(I), op.i32(0), op.set(OFF), op.get(ROWSTART), op.set(J),
    // P pairs at a time while that many remain (i + P − 1 < pairs) …
    whileNot(code(op.get(I), op.i32(P - 1), op.add, op.get(PAIRS), op.geU), rowSteps(P), P === 1 ? one(0) : interleave(Array.from({ length: P }, (_, k) => one(k))), advance(P)),
    // … then the remaining pairs, one at a time.
    P === 1 ? code() : whileNot(code(op.get(I), op.get(PAIRS), op.geU), rowSteps(1), one(0), advance(1)),
    ALL === null ? code() : code(op.get(MASK), op.get(ALL), op.f64x2(1), op.v128And, op.v128Store(0)),
  );
  return f;
}

/**
 * accumulate(src, acc, quads): the float64 pairs (s0, s1) at acc and (s2, s3) at acc + 16 plus, for each
 * group of four values at src, its first two and its last two (reduce.ts sumAll's running sums).
 */
function accumulateFunction(): FunctionBuilder {
  const f = new FunctionBuilder("accumulate", ["i32", "i32", "i32"] as const);
  const [SRC, ACC, QUADS] = f.params;
  const I = f.local("i32");
  const P = f.local("i32");
  const A = f.local("v128");
  const B = f.local("v128");
  f.emit(
    op.get(ACC), op.v128Load(0), op.set(A),
    op.get(ACC), op.v128Load(16), op.set(B),
    op.i32(0), op.set(I), op.get(SRC), op.set(P),
    countedLoop(I, op.get(QUADS), 1, code(
      op.get(A), op.get(P), op.v128Load(0), op.f64x2Add, op.set(A),
      op.get(B), op.get(P), op.v128Load(16), op.f64x2Add, op.set(B),
      op.get(P), op.i32(32), op.add, op.set(P),
    )),
    op.get(ACC), op.get(A), op.v128Store(0),
    op.get(ACC), op.get(B), op.v128Store(16),
  );
  return f;
}

/** The text that identifies a program (its kernel's cache key). */
export function programKey(p: Program): string {
  const ref = (r: Ref | null): string => (r === null ? "" : "leaf" in r ? `l${r.leaf}` : "row" in r ? `r${r.row}` : "scalar" in r ? `s${r.scalar}` : `v${r.step}`);
  // (A function step's text names its function; its range is the function's.)
  return `${p.leaves}|${p.rows}|${p.scalars}|${p.steps.map((s) => `${s.expr}:${ref(s.x)},${ref(s.y)},${s.p}`).join(";")}|${(p.stores ?? []).map((st) => `${st.step}${st.cos ? "c" : ""}`)}`;
}

interface HeapKernels {
  readonly maps: Map<string, MapKernel | null>;
  readonly accumulate: ((src: number, acc: number, quads: number) => void) | null;
}

const perHeap = new WeakMap<KernelHeap, HeapKernels>();

function kernelsOf(heap: KernelHeap): HeapKernels | null {
  const memory = heap.memory;
  if (memory === null) return null;
  let k = perHeap.get(heap);
  if (k === undefined) {
    const exports = instantiate(moduleBytes([accumulateFunction().finish()]), memory);
    k = { maps: new Map(), accumulate: exports === null ? null : (exports["accumulate"] as HeapKernels["accumulate"]) };
    perHeap.set(heap, k);
  }
  return k.accumulate === null ? null : k;
}

/** The program's kernel on the heap's memory (compiled once per program text), or null without WebAssembly SIMD. */
export function mapKernel(heap: KernelHeap, p: Program, key: string = programKey(p)): MapKernel | null {
  const k = kernelsOf(heap);
  if (k === null) return null;
  let kernel = k.maps.get(key);
  if (kernel === undefined) {
    if (!p.steps.every((s) => s.fn != null || hasWasmForm(s.expr))) kernel = null;
    else {
      const exports = instantiate(moduleBytes([mapFunction(p).finish()]), heap.memory!);
      kernel = exports === null ? null : (exports["map"] as MapKernel);
    }
    k.maps.set(key, kernel);
  }
  return kernel;
}

/** Elements per block (a multiple of 4, so that a block's element i has the global index's i mod 4). */
export const FUSED_BLOCK = 2048;
/**
 * Elements per block of a kernel with functions (a multiple of FUSED_BLOCK): fewer calls and copies
 * (measured on the bench chain in tidy: 1.6 against 1.9–2.0 ms per call with 2048; 16384 no better).
 */
const FUSED_FUNCTION_BLOCK = 8192;

/** A program's operands: its full-size leaves, its rows (all of length rowLength, even), its scalars. */
export interface Operands {
  readonly full: readonly Float64Array[];
  readonly rows: readonly Float64Array[];
  readonly rowLength: number;
  readonly scalars: readonly number[];
  /**
   * For a program with ranges (isRanged): the values of elements [from, to) computed op by op, as the
   * unfused ops compute them (fusion.ts) — for a block where the kernel's range check failed: the
   * program's value, then each store's.
   */
  readonly stepwise?: ((from: number, to: number) => Float64Array[]) | null;
  /** The program has functions (its blocks are FUSED_FUNCTION_BLOCK long). */
  readonly functions?: boolean;
  /** The arrays of the stores (Program.stores), full size, in order. */
  readonly stores?: readonly Float64Array[];
}

/**
 * The kernel's arguments but the per-block ones (out, the leaves' offsets, rowStart, pairs): the scalars
 * and the rows are written into the heap once (a row in the heap's memory is read in place). `done`
 * gives the blocks back.
 */
function fixedArguments(heap: KernelHeap, ops: Operands): { args: number[]; done: () => void } {
  const L = ops.full.length;
  const R = ops.rows.length;
  const args = new Array<number>(L + R + 6 + (ops.stores?.length ?? 0)).fill(0);
  // (the scalars' block has room for the range check's answer after them: see runBlocks)
  const sc = heap.alloc(scalarBlock(ops));
  const rowAt = ops.rows.map((r) => offsetIn(heap, r));
  const rowCopies = rowAt.map((a) => (a >= 0 ? -1 : heap.alloc(ops.rowLength)));
  const f = heap.f64;
  for (let k = 0; k < ops.scalars.length; k++) f[sc + k] = ops.scalars[k]!;
  for (let k = 0; k < R; k++) {
    if (rowCopies[k]! >= 0) f.set(ops.rows[k]!, rowCopies[k]!);
    args[1 + L + k] = 8 * (rowAt[k]! >= 0 ? rowAt[k]! : rowCopies[k]!);
  }
  args[1 + L + R] = 8 * sc;
  args[2 + L + R] = 8 * ops.rowLength;
  args[5 + L + R] = 8 * (sc + maskAt(ops));
  const done = (): void => {
    for (let k = R - 1; k >= 0; k--) if (rowCopies[k]! >= 0) heap.release(rowCopies[k]!, ops.rowLength);
    heap.release(sc, scalarBlock(ops));
  };
  return { args, done };
}

/** The element offset of the range check's answer (two float64s, 16-byte aligned) in the scalars' block. */
function maskAt(ops: Operands): number {
  return ops.scalars.length + (ops.scalars.length & 1);
}

function scalarBlock(ops: Operands): number {
  return maskAt(ops) + 2;
}

/** A block's values: written to an array, or handed to `sink(f, at, i0, m)` (the m values of elements i0… at f[at…], f the heap's current view). */
export type BlockSink = Float64Array | ((f: Float64Array, at: number, i0: number, m: number) => void);

/**
 * Run `kernel` over elements [from, to) of its operands (`from` even): leaves in the heap's memory
 * (tensors in the arena) are read in place, others are copied into the heap in blocks that stay in
 * cache; an output array in the heap's memory is written in place (all in place: one call over the
 * whole range), else each block is copied out. A sink gets blocks of FUSED_BLOCK values (the sums
 * rely on it: from is 0 there).
 */
export function mapBlocks(heap: KernelHeap, kernel: MapKernel, ops: Operands, from: number, to: number, out: BlockSink): void {
  const outAt = typeof out === "function" ? -1 : offsetIn(heap, out);
  runBlocks(heap, kernel, ops, from, to, outAt >= 0 ? outAt : null, out);
}

/**
 * Run `kernel` over elements [from, to) (from even) into the heap at element offset `at` (a vector
 * kernel's input block, vector-unary.ts), in one block: leaves not in the heap's memory are copied in
 * first. One lane past the end may be written when to − from is odd (the heap's blocks have even lengths).
 */
export function mapInto(heap: KernelHeap, kernel: MapKernel, ops: Operands, from: number, to: number, at: number): void {
  runBlocks(heap, kernel, ops, from, to, at - from, null);
}

/**
 * mapBlocks and mapInto: element i's value is written in place at heap offset `base` + i (base null:
 * each block into a scratch block, then to `out`). In blocks of FUSED_BLOCK values, but in one block
 * where every leaf is read in place, or where there is no `out` (mapInto: its caller's block).
 */
function runBlocks(heap: KernelHeap, kernel: MapKernel, ops: Operands, from: number, to: number, base: number | null, out: BlockSink | null): void {
  const n = to - from;
  if (n <= 0) return;
  const leaves = ops.full;
  const L = leaves.length;
  const R = ops.rows.length;
  const at = leaves.map((l) => offsetIn(heap, l));
  // (A program with ranges runs in blocks whatever its operands: a block that fails the check is computed again.)
  const stepwise = ops.stepwise ?? null;
  const block = stepwise === null && (out === null || (base !== null && at.every((a) => a >= 0))) ? n : Math.min(n, ops.functions === true ? FUSED_FUNCTION_BLOCK : FUSED_BLOCK);
  const ins = at.map((a) => (a >= 0 ? -1 : heap.alloc(block)));
  const result = base !== null ? -1 : heap.alloc(block);
  // Stored steps: written in place where their arrays lie in the heap's memory, else each block through a scratch block.
  const stores = ops.stores ?? [];
  const storeAt = stores.map((s) => offsetIn(heap, s));
  const storeScratch = storeAt.map((a) => (a >= 0 ? -1 : heap.alloc(block)));
  const { args, done } = fixedArguments(heap, ops);
  const mask = args[5 + L + R]! >> 3;
  let f = heap.f64;
  for (let i0 = from; i0 < to; i0 += block) {
    const m = Math.min(block, to - i0);
    for (let k = 0; k < L; k++) {
      if (at[k]! >= 0) args[1 + k] = 8 * (at[k]! + i0);
      else {
        f.set(leaves[k]!.subarray(i0, i0 + m), ins[k]!);
        // (the lane after an odd count: 0, in every function's range, so that it never fails the range check)
        if ((m & 1) !== 0) f[ins[k]! + m] = 0;
        args[1 + k] = 8 * ins[k]!;
      }
    }
    args[0] = 8 * (base !== null ? base + i0 : result);
    args[3 + L + R] = R === 0 ? 0 : 8 * (i0 % ops.rowLength);
    args[4 + L + R] = (m + 1) >> 1;
    for (let k = 0; k < stores.length; k++) args[6 + L + R + k] = 8 * (storeAt[k]! >= 0 ? storeAt[k]! + i0 : storeScratch[k]!);
    kernel(...args);
    if (stepwise !== null && !(f[mask] === 1 && f[mask + 1] === 1)) {
      // Some argument lay outside its function's range (or the lane after an odd count did): this
      // block's values again, op by op (the heap's view may be replaced meanwhile: its offsets stay).
      const values = stepwise(i0, i0 + m);
      f = heap.f64;
      f.set(values[0]!, args[0]! >> 3);
      for (let k = 0; k < stores.length; k++) f.set(values[1 + k]!, args[6 + L + R + k]! >> 3);
    }
    for (let k = 0; k < stores.length; k++) if (storeScratch[k]! >= 0) stores[k]!.set(f.subarray(storeScratch[k]!, storeScratch[k]! + m), i0);
    if (base === null) {
      if (typeof out === "function") out(f, result, i0, m);
      else out!.set(f.subarray(result, result + m), i0);
    }
  }
  done();
  for (let k = stores.length - 1; k >= 0; k--) if (storeScratch[k]! >= 0) heap.release(storeScratch[k]!, block);
  if (result >= 0) heap.release(result, block);
  for (let k = L - 1; k >= 0; k--) if (ins[k]! >= 0) heap.release(ins[k]!, block);
}

/**
 * The sum of the program's values over [0, n), in reduce.ts sumAll's order (four running sums by i mod
 * 4 added as (s0 + s1) + (s2 + s3), then the last n mod 4 values in order): the same bits. Null
 * without the kernels.
 */
export function sumBlocks(heap: KernelHeap, kernel: MapKernel, ops: Operands, n: number): number | null {
  const k = kernelsOf(heap);
  if (k === null) return null;
  const accumulate = k.accumulate!;
  const acc = heap.alloc(4);
  heap.f64.fill(0, acc, acc + 4);
  // The values of the last (partial) quad are added after the others, in order.
  const tail: number[] = [];
  mapBlocks(heap, kernel, ops, 0, n, (f, at, _i0, m) => {
    const quads = m >> 2;
    if (quads > 0) accumulate(8 * at, 8 * acc, quads);
    for (let i = 4 * quads; i < m; i++) tail.push(f[at + i]!);
  });
  const f = heap.f64;
  let s = (f[acc]! + f[acc + 1]!) + (f[acc + 2]! + f[acc + 3]!);
  for (const v of tail) s += v;
  heap.release(acc, 4);
  return s;
}

/**
 * The sum of a buffer that lies in the heap's memory (a tensor in the arena), read in place, in sumAll's
 * order (the same bits); null when it lies elsewhere or without the kernels.
 */
export function sumInPlace(heap: KernelHeap, a: Float64Array): number | null {
  const at = offsetIn(heap, a);
  const k = at < 0 ? null : kernelsOf(heap);
  if (k === null) return null;
  const n = a.length;
  const acc = heap.alloc(4);
  const f = heap.f64;
  f.fill(0, acc, acc + 4);
  const quads = n >> 2;
  if (quads > 0) k.accumulate!(8 * at, 8 * acc, quads);
  let s = (f[acc]! + f[acc + 1]!) + (f[acc + 2]! + f[acc + 3]!);
  for (let i = 4 * quads; i < n; i++) s += a[i]!;
  heap.release(acc, 4);
  return s;
}
