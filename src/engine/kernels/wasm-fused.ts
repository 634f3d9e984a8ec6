// Fused elementwise arithmetic on WebAssembly SIMD: a lazy expression (fusion.ts) evaluated by a
// generated f64x2 loop over the kernels' heap instead of the generated JavaScript loop.
//
// V8 runs the JavaScript loop one element at a time at 1.3–4 ns per element (the more operands, the
// slower: 24 ns with twelve); the SIMD loop takes two elements per step, and its operands are copied
// into the heap and the result out of it by memcpy (TypedArray.set, ~6 µs per 256 KB). Each node is
// the same IEEE float64 operation as the JavaScript kernel text of its op (+, −, ×, ÷, negation,
// with the same operands in the same order), so the values are identical bit for bit (NaN payloads
// aside); test/engine/kernels/wasm-fused.test.ts checks this against the JavaScript loop.
//
// What it takes: every node's op among the arithmetic below, operands of the result's length, a
// single number (a broadcast value, read now: a lazy expression's leaves cannot change before it is
// evaluated) or a row of even length repeated over the result's rows (a bias: a pair of elements
// never straddles two rows). Anything else sends the expression back to the JavaScript loop
// (evaluateFusedWasm and fusedBlocksWasm return false / null). One module per expression shape, cached.
//
// Two uses: evaluateFusedWasm writes a lazy value into a buffer (fusion.ts evaluate), and
// fusedBlocksWasm writes it block by block straight into the heap, where a SIMD unary kernel reads it
// (fusion.ts lazyBlocks: e.g. tanh of a layer's x·Wᵀ + b, without a JavaScript pass over the sum).

import type { LazyNode } from "../fusion.js";
import type { Tensor } from "../tensor.js";
import { F64Heap, sharedHeap } from "./f64-heap.js";
import { FunctionBuilder, instantiate, moduleBytes, op, type Code, type Local } from "./wasm-encoder.js";
import { countKernel } from "./usage.js";

/** Each fusible op's kernel text (fusion.ts FUSIBLE) as f64x2 code over its operands x, y and the number p. */
const SIMD_OPS: Readonly<Record<string, (x: Code, y: Code, p: Code) => Code>> = {
  "x": (x) => x,
  "x + y": (x, y) => [...x, ...y, ...op.f64x2Add],
  "x - y": (x, y) => [...x, ...y, ...op.f64x2Sub],
  "x * y": (x, y) => [...x, ...y, ...op.f64x2Mul],
  "x / y": (x, y) => [...x, ...y, ...op.f64x2Div],
  "x + p": (x, _y, p) => [...x, ...p, ...op.f64x2Add],
  "x * p": (x, _y, p) => [...x, ...p, ...op.f64x2Mul],
  "p - x": (x, _y, p) => [...p, ...x, ...op.f64x2Sub],
  "p / x": (x, _y, p) => [...p, ...x, ...op.f64x2Div],
  "-x": (x) => [...x, ...op.f64x2Neg],
  "x * x": (x) => [...x, ...x, ...op.f64x2Mul],
};

/** Expressions shorter than this stay in JavaScript (the copies and the call cost more than they save). */
export const WASM_FUSED_MIN_SIZE = 2048;

let enabled = process.env["PINN_NO_WASM_FUSED"] === undefined || process.env["PINN_NO_WASM_FUSED"] === "0";

/** Turn the SIMD evaluation of fused expressions on or off (for cross-checks; PINN_NO_WASM_FUSED=1 at start-up). */
export function setWasmFused(on: boolean): void {
  enabled = on;
}

/** One step of the program: a node's op over operands, each a leaf, an earlier node or a number. */
type Ref = { kind: "leaf" | "row" | "node" | "param"; index: number };
interface Step {
  readonly expr: string;
  readonly x: Ref;
  readonly y: Ref | null;
  readonly p: Ref | null;
}

interface Program {
  readonly key: string;
  readonly steps: Step[];
  readonly leaves: Float64Array[];
  /** Operands of one row repeated over the rows, all of length rowLength (0 when there are none). */
  readonly rows: Float64Array[];
  readonly rowLength: number;
  readonly params: number[];
}

/** The expression as a program (leaves and numbers numbered in order of first use), or null when the SIMD loop cannot run it. */
function program(root: LazyNode, size: number): Program | null {
  const leaves: Float64Array[] = [];
  const leafIndex = new Map<Tensor, number>();
  const rows: Float64Array[] = [];
  const rowIndex = new Map<Tensor, number>();
  let rowLength = 0;
  const params: number[] = [];
  const paramIndex = new Map<Tensor, number>();
  const nodeIndex = new Map<LazyNode, number>();
  const steps: Step[] = [];
  let ok = true;
  const operand = (t: Tensor): Ref => {
    const node = t.lazy;
    if (node !== null) return { kind: "node", index: emit(node) };
    if (t.size === size) {
      let i = leafIndex.get(t);
      if (i === undefined) {
        i = leaves.length;
        leaves.push(t.data);
        leafIndex.set(t, i);
      }
      return { kind: "leaf", index: i };
    }
    if (t.size === 1) {
      // A broadcast number: its value now, as the JavaScript loop reads l[0] now.
      let i = paramIndex.get(t);
      if (i === undefined) {
        i = params.length;
        params.push(t.data[0]!);
        paramIndex.set(t, i);
      }
      return { kind: "param", index: i };
    }
    // A row repeated over the rows (fusion.ts checked the layout): even lengths only, one length.
    if (t.size % 2 !== 0 || (rowLength !== 0 && rowLength !== t.size)) ok = false;
    rowLength = t.size;
    let i = rowIndex.get(t);
    if (i === undefined) {
      i = rows.length;
      rows.push(t.data);
      rowIndex.set(t, i);
    }
    return { kind: "row", index: i };
  };
  const emit = (node: LazyNode): number => {
    const known = nodeIndex.get(node);
    if (known !== undefined) return known;
    if (!(node.expr in SIMD_OPS)) ok = false;
    const x = operand(node.x);
    const y = node.y === null ? null : operand(node.y);
    let p: Ref | null = null;
    if (node.expr.includes("p")) {
      p = { kind: "param", index: params.length };
      params.push(node.p);
    }
    const index = steps.length;
    steps.push({ expr: node.expr, x, y, p });
    nodeIndex.set(node, index);
    return index;
  };
  emit(root);
  if (!ok) return null;
  const ref = (r: Ref | null): string => (r === null ? "" : `${r.kind[0]}${r.index}`);
  const key = `${leaves.length}|${rows.length}|${params.length}|${steps.map((s) => `${s.expr}(${ref(s.x)},${ref(s.y)},${ref(s.p)})`).join(";")}`;
  return { key, steps, leaves, rows, rowLength, params };
}

type FusedFunction = (...args: number[]) => void;

/**
 * f(out, pairs, params, rowBytes, rowStart, leaf0, …, row0, …): byte offsets into the heap; for each
 * pair of elements (2·pairs values, the blocks rounded up to even lengths), every operand loaded
 * once, the steps in order, the root stored. Row operands are read at a byte offset that starts at
 * rowStart and wraps at rowBytes (the row's length in bytes).
 */
function build(prog: Program, memory: WebAssembly.Memory): FusedFunction | null {
  const types = ["i32", "i32", "i32", "i32", "i32", ...prog.leaves.map(() => "i32" as const), ...prog.rows.map(() => "i32" as const)] as const;
  const f = new FunctionBuilder("fused", types);
  const [OUT, PAIRS, PARAMS, ROWBYTES, ROWSTART, ...BASES] = f.params as readonly Local<"i32">[];
  const LEAF = BASES.slice(0, prog.leaves.length);
  const ROW = BASES.slice(prog.leaves.length);
  const OFF = f.local("i32");
  const END = f.local("i32");
  const J = f.local("i32");
  const paramVals = prog.params.map((_, i) => f.hoist(`p${i}`, "v128", () => [...op.get(PARAMS!), ...op.load64Splat(8 * i)]));
  const leafVals = prog.leaves.map(() => f.local("v128"));
  const rowVals = prog.rows.map(() => f.local("v128"));
  const nodeVals = prog.steps.map(() => f.local("v128"));
  const get = (r: Ref): Code =>
    op.get(r.kind === "leaf" ? leafVals[r.index]! : r.kind === "row" ? rowVals[r.index]! : r.kind === "node" ? nodeVals[r.index]! : paramVals[r.index]!);
  f.emit(op.get(PAIRS!), op.i32(16), op.mul, op.set(END), op.i32(0), op.set(OFF), op.get(ROWSTART!), op.set(J));
  f.emit(op.block, op.loop);
  f.emit(op.get(OFF), op.get(END), op.geU, op.brIf(1));
  LEAF.forEach((l, i) => f.emit(op.get(l!), op.get(OFF), op.add, op.v128Load(0), op.set(leafVals[i]!)));
  ROW.forEach((l, i) => f.emit(op.get(l!), op.get(J), op.add, op.v128Load(0), op.set(rowVals[i]!)));
  prog.steps.forEach((s, i) => {
    f.emit(SIMD_OPS[s.expr]!(get(s.x), s.y === null ? [] : get(s.y), s.p === null ? [] : get(s.p)), op.set(nodeVals[i]!));
  });
  f.emit(op.get(OUT!), op.get(OFF), op.add, op.get(nodeVals[nodeVals.length - 1]!), op.v128Store(0));
  if (ROW.length > 0) {
    // j += 16, back to 0 at the end of the row.
    f.emit(op.get(J), op.i32(16), op.add, op.tee(J), op.get(ROWBYTES!), op.geU);
    f.emit([0x04, 0x40], op.i32(0), op.set(J), op.end); // if … end
  }
  f.emit(op.get(OFF), op.i32(16), op.add, op.set(OFF), op.br(0));
  f.emit(op.end, op.end);
  const exports = instantiate(moduleBytes([f.finish()]), memory);
  return exports === null ? null : (exports["fused"] as FusedFunction);
}

/** The compiled loops of each heap (a new heap, after setWasmKernels, has its own memory). */
const cache = new WeakMap<F64Heap, Map<string, FusedFunction | null>>();

/**
 * The heap of evaluateFusedWasm: its own memory, not the shared heap's. A lazy value is evaluated
 * whenever anything reads its values, also by code that holds a view of the shared heap while it
 * reads them (e.g. `heap.f64.set(X.data, …)`): an alloc there could grow that memory and detach the
 * view. Null until first used, and whenever the shared heap has no SIMD (setWasmKernels).
 */
let own: F64Heap | null = null;

function evaluationHeap(): F64Heap | null {
  if (sharedHeap().memory === null) return null;
  own ??= new F64Heap(true);
  return own.memory === null ? null : own;
}

/** The program and compiled loop of an expression on `heap`, or null when the SIMD loop cannot run it. */
function prepare(root: LazyNode, size: number, heap: F64Heap | null): { heap: F64Heap; prog: Program; fn: FusedFunction } | null {
  if (!enabled || size < WASM_FUSED_MIN_SIZE || heap === null || heap.memory === null) return null;
  const prog = program(root, size);
  if (prog === null) return null;
  let loops = cache.get(heap);
  if (loops === undefined) cache.set(heap, (loops = new Map()));
  let fn = loops.get(prog.key);
  if (fn === undefined) {
    fn = build(prog, heap.memory);
    loops.set(prog.key, fn);
  }
  return fn === null ? null : { heap, prog, fn };
}

/**
 * Run the loop for elements [from, to) (from even) into the heap at element offset `out`: the
 * operands' parts copied into blocks of the heap first (every block allocated before any copy: an
 * alloc may grow the memory and replace heap.f64).
 */
function run({ heap, prog, fn }: { heap: F64Heap; prog: Program; fn: FusedFunction }, out: number, from: number, to: number): void {
  const m = to - from;
  const np = Math.max(1, prog.params.length);
  const R = prog.rowLength;
  const pp = heap.alloc(np);
  const offsets = prog.leaves.map(() => heap.alloc(m));
  const rowOffsets = prog.rows.map(() => heap.alloc(R));
  const f64 = heap.f64;
  prog.params.forEach((v, i) => (f64[pp + i] = v));
  prog.leaves.forEach((l, i) => f64.set(l.subarray(from, to), offsets[i]!));
  prog.rows.forEach((r, i) => f64.set(r, rowOffsets[i]!));
  fn(8 * out, (m + 1) >> 1, 8 * pp, 8 * R, R === 0 ? 0 : 8 * (from % R), ...offsets.map((x) => 8 * x), ...rowOffsets.map((x) => 8 * x));
  for (const x of rowOffsets) heap.release(x, R);
  for (const x of offsets) heap.release(x, m);
  heap.release(pp, np);
}

/**
 * Evaluate a lazy expression into `out` on the SIMD loop; false (nothing written) when it cannot
 * run there (no WebAssembly SIMD, turned off, too short, an op or operand layout it does not take).
 */
export function evaluateFusedWasm(root: LazyNode, out: Float64Array): boolean {
  const size = out.length;
  const loop = prepare(root, size, evaluationHeap());
  if (loop === null) return false;
  const o = loop.heap.alloc(size);
  run(loop, o, 0, size);
  out.set(loop.heap.f64.subarray(o, o + size));
  loop.heap.release(o, size);
  countKernel("elementwise:wasm-simd");
  return true;
}

/**
 * A lazy expression of `size` values as a source of blocks written straight into the kernels' heap
 * (vector-unary.ts BlockSource: f is the heap's view, offset an element offset in it, from even), or
 * null when the SIMD loop cannot run it. The block at offset must have room for an even number of
 * values (F64Heap blocks do).
 */
export function fusedBlocksWasm(root: LazyNode, size: number): ((f: Float64Array, offset: number, from: number, to: number) => void) | null {
  // Into the shared heap, where the unary kernel reads them (vector-unary.ts reads heap.f64 afresh after each block).
  const loop = prepare(root, size, sharedHeap());
  if (loop === null) return null;
  countKernel("elementwise:wasm-simd");
  return (_f, offset, from, to) => {
    if (from % 2 !== 0) throw new Error("internal: fusedBlocksWasm: a block must start at an even element");
    run(loop, offset, from, to);
  };
}
