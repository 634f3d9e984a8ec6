// Fused elementwise expressions (fusion.ts) as WebAssembly SIMD kernels, two float64 lanes at a time.
//
// fusion.ts describes an expression as a Program: its full-size operands (leaves), its scalars (numbers
// of the ops, and one-element operands broadcast over the result) and its steps, each an engine op's
// kernel text (WASM_FORMS below has the same texts as fusion.ts's FUSIBLE set) over earlier steps,
// leaves and scalars. The generated function
//
//   map(out, in_0, …, in_{L−1}, scalars, pairs)        (byte offsets into the heap's memory)
//
// computes 2·pairs values: every step by the same IEEE float64 operation as the JavaScript kernel text
// (WebAssembly neither contracts a·b + c nor reorders), so the values are the same bits. The operands
// live in JavaScript arrays: mapBlocks copies them into the heap (f64-heap.ts) in blocks that stay in
// cache, runs the kernel on each block and hands the block of results on (copied out, or summed there
// by `accumulate` in the order of reduce.ts sumAll: elements i ≡ 0, 1, 2, 3 mod 4 in four running sums).
// Kernels are cached per heap and per program text. No WebAssembly SIMD (PINN_NO_WASM=1): fusion.ts
// keeps its JavaScript loops.

import { FunctionBuilder, code, instantiate, moduleBytes, op, type Code, type Local } from "./wasm-encoder.js";
/** The memory the kernels run on (the arena, arena.ts, or the shared heap, f64-heap.ts). */
export interface KernelHeap {
  readonly memory: WebAssembly.Memory | null;
  readonly f64: Float64Array;
  alloc(length: number): number;
  release(offset: number, length: number): void;
}

/** An operand of a step: a leaf (full-size operand), a scalar, a row (repeated over the rows), or an earlier step. */
export type Ref = { readonly leaf: number } | { readonly scalar: number } | { readonly row: number } | { readonly step: number };

/** One op of an expression: its kernel text over x, y and p (p: a scalar's index, −1 when none). */
export interface Step {
  readonly expr: string;
  readonly x: Ref;
  readonly y: Ref | null;
  readonly p: number;
}

/** An expression: `leaves` full-size operands, `scalars` numbers, steps in order (the last is the value). */
export interface Program {
  readonly leaves: number;
  readonly scalars: number;
  readonly steps: readonly Step[];
  /**
   * Row operands (a bias): arrays of one even length R repeated over the result's rows (absent: none).
   * Their arguments follow the others: map(…, pairs, row_0, …, row_{K−1}, 8R, 8·(first element's
   * position in its row)); a pair of elements never straddles two rows when R and that position are even.
   */
  readonly rows?: number;
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

/** map(out, in_0, …, in_{L−1}, scalars, pairs), all byte offsets but pairs. */
export type MapKernel = (...args: number[]) => void;

function mapFunction(p: Program): FunctionBuilder {
  const nRows = p.rows ?? 0;
  const f = new FunctionBuilder("map", Array.from({ length: p.leaves + 3 + (nRows > 0 ? nRows + 2 : 0) }, () => "i32" as const));
  const OUT = f.params[0]!;
  const IN = f.params.slice(1, 1 + p.leaves);
  const SCALARS = f.params[1 + p.leaves]!;
  const PAIRS = f.params[2 + p.leaves]!;
  const ROWS = f.params.slice(3 + p.leaves, 3 + p.leaves + nRows);
  const ROWBYTES = f.params[3 + p.leaves + nRows];
  const ROWSTART = f.params[4 + p.leaves + nRows];
  const I = f.local("i32");
  const OFF = f.local("i32");
  const J = f.local("i32");
  const rows = ROWS.map(() => f.local("v128"));
  const usedRows = new Set<number>();
  const scalars: Local<"v128">[] = [];
  for (let k = 0; k < p.scalars; k++) scalars.push(f.hoist(`s${k}`, "v128", () => code(op.get(SCALARS), op.load64Splat(8 * k))) as Local<"v128">);
  const leaves = IN.map(() => f.local("v128"));
  const steps = p.steps.map(() => f.local("v128"));
  const used = new Set<number>();
  const value = (r: Ref): Code => {
    if ("leaf" in r) {
      used.add(r.leaf);
      return op.get(leaves[r.leaf]!);
    }
    if ("scalar" in r) return op.get(scalars[r.scalar]!);
    if ("row" in r) {
      usedRows.add(r.row);
      return op.get(rows[r.row]!);
    }
    return op.get(steps[r.step]!);
  };
  const body: Code[] = [];
  p.steps.forEach((s, k) => {
    const form = WASM_FORMS[s.expr];
    if (form === undefined) throw new Error(`internal: no WebAssembly form for ${JSON.stringify(s.expr)}`);
    body.push(code(form(value(s.x), s.y === null ? [] : value(s.y), s.p < 0 ? [] : op.get(scalars[s.p]!)), op.set(steps[k]!)));
  });
  const loads = [...used].map((k) => code(op.get(IN[k]!), op.get(OFF), op.add, op.v128Load(0), op.set(leaves[k]!)));
  const rowLoads = [...usedRows].map((k) => code(op.get(ROWS[k]!), op.get(J), op.add, op.v128Load(0), op.set(rows[k]!)));
  // The position in the row (bytes): j += 16, back to 0 at the row's end (if … end: 0x04 0x40 … 0x0b).
  const rowStep: Code = nRows === 0 ? [] : code(op.get(J), op.i32(16), op.add, op.tee(J), op.get(ROWBYTES!), op.geU, [0x04, 0x40], op.i32(0), op.set(J), op.end);
  f.emit(
    op.i32(0), op.set(I), op.i32(0), op.set(OFF),
    nRows === 0 ? [] : code(op.get(ROWSTART!), op.set(J)),
    op.block, op.loop,
    op.get(I), op.get(PAIRS), op.geU, op.brIf(1),
    ...loads,
    ...rowLoads,
    ...body,
    op.get(OUT), op.get(OFF), op.add, op.get(steps[steps.length - 1]!), op.v128Store(0),
    rowStep,
    op.get(OFF), op.i32(16), op.add, op.set(OFF),
    op.get(I), op.i32(1), op.add, op.set(I), op.br(0),
    op.end, op.end,
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
    op.block, op.loop,
    op.get(I), op.get(QUADS), op.geU, op.brIf(1),
    op.get(A), op.get(P), op.v128Load(0), op.f64x2Add, op.set(A),
    op.get(B), op.get(P), op.v128Load(16), op.f64x2Add, op.set(B),
    op.get(P), op.i32(32), op.add, op.set(P),
    op.get(I), op.i32(1), op.add, op.set(I), op.br(0),
    op.end, op.end,
    op.get(ACC), op.get(A), op.v128Store(0),
    op.get(ACC), op.get(B), op.v128Store(16),
  );
  return f;
}

/** The text that identifies a program (its kernel's cache key). */
export function programKey(p: Program): string {
  const ref = (r: Ref | null): string => (r === null ? "" : "leaf" in r ? `l${r.leaf}` : "scalar" in r ? `s${r.scalar}` : "row" in r ? `r${r.row}` : `v${r.step}`);
  return `${p.leaves}|${p.scalars}|${p.rows ?? 0}|${p.steps.map((s) => `${s.expr}:${ref(s.x)},${ref(s.y)},${s.p}`).join(";")}`;
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
    if (!p.steps.every((s) => hasWasmForm(s.expr))) kernel = null;
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

/** The element offset of an array in the heap's memory, or −1. */
function offsetIn(heap: KernelHeap, a: Float64Array): number {
  return a.buffer === heap.f64.buffer ? a.byteOffset >> 3 : -1;
}

/** Row operands of a program (Program.rows): the arrays, all of one even length. */
export interface RowOperands {
  readonly data: readonly Float64Array[];
  readonly length: number;
}

/**
 * The rows' arguments of a kernel call (appended to `args` from index `first`): each row in the heap
 * (read in place, or copied into a block taken here and listed in `taken`), 8R, then the block's
 * position in the row (set per block by rowStart).
 */
function placeRows(heap: KernelHeap, rows: RowOperands, args: number[], first: number, taken: number[]): void {
  rows.data.forEach((r, k) => {
    let o = offsetIn(heap, r);
    if (o < 0) {
      o = heap.alloc(rows.length);
      taken.push(o);
      heap.f64.set(r, o);
    }
    args[first + k] = 8 * o;
  });
  args[first + rows.data.length] = 8 * rows.length;
}

function rowStart(rows: RowOperands, args: number[], first: number, i0: number): void {
  if (i0 % 2 !== 0) throw new Error("internal: a block of a fused expression with rows must start at an even element");
  args[first + rows.data.length + 1] = 8 * (i0 % rows.length);
}

/** A block's values: written to an array, or handed to `sink(f, at, i0, m)` (the m values of elements i0… at f[at…], f the heap's current view). */
export type BlockSink = Float64Array | ((f: Float64Array, at: number, i0: number, m: number) => void);

/**
 * Run `kernel` over elements [from, to) of its leaves (arrays of the result's length): leaves in the
 * heap's memory (tensors in the arena) are read in place, others are copied into the heap in blocks
 * that stay in cache; an output array in the heap's memory is written in place (all in place: one
 * call over the whole range), else each block is copied out. A sink gets blocks of FUSED_BLOCK
 * values (the sums rely on it: from is 0 there).
 */
export function mapBlocks(heap: KernelHeap, kernel: MapKernel, leaves: readonly Float64Array[], scalars: readonly number[], from: number, to: number, out: BlockSink, rows: RowOperands | null = null): void {
  const n = to - from;
  if (n <= 0) return;
  const at = leaves.map((l) => offsetIn(heap, l));
  const outAt = typeof out === "function" ? -1 : offsetIn(heap, out);
  const block = outAt >= 0 && at.every((a) => a >= 0) ? n : Math.min(n, FUSED_BLOCK);
  const ins = at.map((a) => (a >= 0 ? -1 : heap.alloc(block)));
  const result = outAt >= 0 ? -1 : heap.alloc(block);
  const sc = heap.alloc(Math.max(scalars.length, 1));
  const args = new Array<number>(leaves.length + 3 + (rows === null ? 0 : rows.data.length + 2));
  args[1 + ins.length] = 8 * sc;
  const rowBlocks: number[] = [];
  if (rows !== null) placeRows(heap, rows, args, leaves.length + 3, rowBlocks);
  const f = heap.f64;
  for (let k = 0; k < scalars.length; k++) f[sc + k] = scalars[k]!;
  for (let i0 = from; i0 < to; i0 += block) {
    const m = Math.min(block, to - i0);
    for (let k = 0; k < leaves.length; k++) {
      if (at[k]! >= 0) args[1 + k] = 8 * (at[k]! + i0);
      else {
        f.set(leaves[k]!.subarray(i0, i0 + m), ins[k]!);
        args[1 + k] = 8 * ins[k]!;
      }
    }
    args[0] = 8 * (outAt >= 0 ? outAt + i0 : result);
    args[2 + ins.length] = (m + 1) >> 1;
    if (rows !== null) rowStart(rows, args, leaves.length + 3, i0);
    kernel(...args);
    if (outAt < 0) {
      if (typeof out === "function") out(f, result, i0, m);
      else out.set(f.subarray(result, result + m), i0);
    }
  }
  for (const o of rowBlocks) heap.release(o, rows!.length);
  heap.release(sc, Math.max(scalars.length, 1));
  if (result >= 0) heap.release(result, block);
  for (let k = ins.length - 1; k >= 0; k--) if (ins[k]! >= 0) heap.release(ins[k]!, block);
}

/**
 * The sum of the program's values over [0, n), in reduce.ts sumAll's order (four running sums by i mod
 * 4 added as (s0 + s1) + (s2 + s3), then the last n mod 4 values in order): the same bits. Null
 * without the kernels.
 */
export function sumBlocks(heap: KernelHeap, kernel: MapKernel, leaves: readonly Float64Array[], scalars: readonly number[], n: number, rows: RowOperands | null = null): number | null {
  const k = kernelsOf(heap);
  if (k === null) return null;
  const accumulate = k.accumulate!;
  const acc = heap.alloc(4);
  heap.f64.fill(0, acc, acc + 4);
  // The values of the last (partial) quad are added after the others, in order.
  const tail: number[] = [];
  mapBlocks(heap, kernel, leaves, scalars, 0, n, (f, at, _i0, m) => {
    const quads = m >> 2;
    if (quads > 0) accumulate(8 * at, 8 * acc, quads);
    for (let i = 4 * quads; i < m; i++) tail.push(f[at + i]!);
  }, rows);
  const f = heap.f64;
  let s = (f[acc]! + f[acc + 1]!) + (f[acc + 2]! + f[acc + 3]!);
  for (const v of tail) s += v;
  heap.release(acc, 4);
  return s;
}

/**
 * Run `kernel` over elements [from, to) into the heap at element offset `at` (a vector kernel's input
 * block, vector-unary.ts): the leaves' elements are copied into the heap first. One lane past the
 * end may be written when to − from is odd (the heap's blocks have even lengths).
 */
export function mapInto(heap: KernelHeap, kernel: MapKernel, leaves: readonly Float64Array[], scalars: readonly number[], from: number, to: number, at: number, rows: RowOperands | null = null): void {
  const m = to - from;
  if (m <= 0) return;
  const own = leaves.map((l) => offsetIn(heap, l));
  const ins = own.map((a) => (a >= 0 ? -1 : heap.alloc(m)));
  const sc = heap.alloc(Math.max(scalars.length, 1));
  const args = new Array<number>(leaves.length + 3 + (rows === null ? 0 : rows.data.length + 2));
  const rowBlocks: number[] = [];
  if (rows !== null) {
    placeRows(heap, rows, args, leaves.length + 3, rowBlocks);
    rowStart(rows, args, leaves.length + 3, from);
  }
  const f = heap.f64;
  for (let k = 0; k < scalars.length; k++) f[sc + k] = scalars[k]!;
  args[0] = 8 * at;
  for (let k = 0; k < leaves.length; k++) {
    if (own[k]! >= 0) args[1 + k] = 8 * (own[k]! + from);
    else {
      f.set(leaves[k]!.subarray(from, to), ins[k]!);
      args[1 + k] = 8 * ins[k]!;
    }
  }
  args[1 + ins.length] = 8 * sc;
  args[2 + ins.length] = (m + 1) >> 1;
  kernel(...args);
  for (const o of rowBlocks) heap.release(o, rows!.length);
  heap.release(sc, Math.max(scalars.length, 1));
  for (let k = ins.length - 1; k >= 0; k--) if (ins[k]! >= 0) heap.release(ins[k]!, m);
}
