// The activation step of the fused Taylor MLP (jet-kernels.ts) as WebAssembly SIMD, two points'
// elements per instruction, for the activations whose derivatives are polynomials of their value
// (tanh, sigmoid): the same Faà di Bruno terms and backward contributions, generated per stream
// set into one module. The value rows of H already hold σ(z) (wasm-activations.ts).
//
// Hidden layers run over the flat element index (2 elements per step, so S·n·w may be any even
// count); the first layer walks points × columns because its derivative pre-activations are the
// per-column rows R (so the width must be even). Where these conditions fail, or without SIMD,
// the JavaScript kernels are used.

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { FunctionBuilder, code, countedLoop, instantiate, moduleBytes, op, type Code, type FunctionDef, type Local } from "../engine/kernels/wasm-encoder.js";
import type { F64Heap } from "../engine/kernels/f64-heap.js";
import { BoundedCache } from "../util/bounded-cache.js";
import { activationSym } from "./taylor.js";
import { derivativesFromValue, hasSimdKernel, type ActivationName } from "../nn/activations.js";
import { layerTermsOf, type JetPlan } from "./jet-plan.js";

export interface WasmJetKernels {
  /** (Z, H, pairs, stBytes): derivative streams of H from its value rows and Z. */
  forwardHidden: (Z: number, H: number, pairs: number, st: number) => void;
  /** (Z, H, n, wBytes, stBytes, R): the first layer, rows R (slot-major, w each). */
  forwardFirst: (Z: number, H: number, n: number, wBytes: number, st: number, R: number) => void;
  /** (Z, H, GH, GZ, pairs, stBytes): GZ (all streams) from GH. */
  backwardHidden: (Z: number, H: number, GH: number, GZ: number, pairs: number, st: number) => void;
  /** (Z, H, GH, GZ, n, wBytes, stBytes, R, GR): GZ's value rows, and GR += the rows' gradients. */
  backwardFirst: (Z: number, H: number, GH: number, GZ: number, n: number, wBytes: number, st: number, R: number, GR: number) => void;
  /** Row slot of each order-1 stream (−1 elsewhere): R and GR hold one w-long row per slot. */
  slots: number[];
}

/** Locals of the function being generated (typed handles; numbered when it is encoded). */
class Locals {
  constructor(private readonly f: FunctionBuilder) {}
  int(): Local<"i32"> {
    return this.f.local("i32");
  }
  vec(): Local<"v128"> {
    return this.f.local("v128");
  }
}

/** A code builder: the loop body is built apart and placed inside the loops at the end. */
class Builder {
  readonly instrs: Code[] = [];
  emit(...parts: Code[]): void {
    for (const p of parts) this.instrs.push(p);
  }
}

/**
 * Locals holding d_j = σ^(j)(z) for j ≤ upTo, computed from the value y (a v128 local), or null
 * when a derivative needs more than + − × and constants of y.
 */
function derivativeLocals(name: ActivationName, upTo: number, y: Local, locals: Locals, b: Builder): Local[] | null {
  const roots: Sym[] = [activationSym(name)];
  for (let j = 1; j <= upTo; j++) roots.push(S.diff(roots[j - 1]!, 0));
  const bound = roots[0]!;
  const slot = new Map<number, Local>();
  let ok = true;
  const visit = (s: Sym): void => {
    if (!ok || s === bound || s.kind === "const" || slot.has(s.id)) return;
    if (s.kind === "var" || s.kind === "fn" || s.kind === "field" || s.kind === "net") {
      ok = false;
      return;
    }
    if ("a" in s) visit(s.a);
    if ("b" in s) visit(s.b);
    if (!ok) return;
    const push = (x: Sym): void => {
      if (x === bound) b.emit(op.get(y));
      else if (x.kind === "const") b.emit(op.f64x2(x.value));
      else b.emit(op.get(slot.get(x.id)!));
    };
    switch (s.kind) {
      case "add":
      case "sub":
      case "mul":
      case "div":
        push(s.a);
        push(s.b);
        b.emit(s.kind === "add" ? op.f64x2Add : s.kind === "sub" ? op.f64x2Sub : s.kind === "mul" ? op.f64x2Mul : op.f64x2Div);
        break;
      case "neg":
        push(s.a);
        b.emit(op.f64x2Neg);
        break;
      case "pow": {
        if (s.b.kind !== "const" || !Number.isInteger(s.b.value) || s.b.value < 2 || s.b.value > 6) {
          ok = false;
          return;
        }
        push(s.a);
        for (let i = 1; i < s.b.value; i++) {
          push(s.a);
          b.emit(op.f64x2Mul);
        }
        break;
      }
      default:
        ok = false;
        return;
    }
    const l = locals.vec();
    b.emit(op.set(l));
    slot.set(s.id, l);
  };
  roots.forEach(visit);
  if (!ok) return null;
  return roots.map((r) => {
    if (r === bound) return y;
    if (r.kind === "const") {
      const l = locals.vec();
      b.emit(op.f64x2(r.value), op.set(l));
      return l;
    }
    return slot.get(r.id)!;
  });
}

/** Push Σ_terms coefficient · Π locals (each term a list of locals); zero when empty. */
function sumOfProducts(b: Builder, terms: { coefficient: number; locals: Local[] }[]): void {
  if (terms.length === 0) {
    b.emit(op.f64x2(0));
    return;
  }
  terms.forEach((t, i) => {
    b.emit(op.get(t.locals[0]!));
    for (const l of t.locals.slice(1)) b.emit(op.get(l), op.f64x2Mul);
    if (t.coefficient !== 1) b.emit(op.f64x2(t.coefficient), op.f64x2Mul);
    if (i > 0) b.emit(op.f64x2Add);
  });
}

/** Address = get(base) + get(offset); then a v128 load into a new local. */
function loadAt(b: Builder, locals: Locals, base: Local, offset: Local): Local {
  const l = locals.vec();
  b.emit(op.get(base), op.get(offset), op.add, op.v128Load(), op.set(l));
  return l;
}

function storeAt(b: Builder, base: Local, offset: Local, value: () => void): void {
  b.emit(op.get(base), op.get(offset), op.add);
  value();
  b.emit(op.v128Store());
}

/** base_s = ptr + s·st for each stream s in `streams`: locals by stream. */
function streamBases(b: Builder, locals: Locals, ptr: Local, st: Local, streams: Iterable<number>): Map<number, Local> {
  const bases = new Map<number, Local>();
  for (const s of streams) {
    const l = locals.int();
    b.emit(op.get(ptr), op.get(st), op.i32(s), op.mul, op.add, op.set(l));
    bases.set(s, l);
  }
  return bases;
}

interface Variant {
  first: boolean;
  backward: boolean;
}

function generate(name: ActivationName, plan: JetPlan, slots: number[], v: Variant): FunctionDef | null {
  const S_ = plan.streams.length;
  // Parameters.
  const names = v.backward
    ? v.first ? ["Z", "H", "GH", "GZ", "n", "wb", "st", "R", "GR"] : ["Z", "H", "GH", "GZ", "pairs", "st"]
    : v.first ? ["Z", "H", "n", "wb", "st", "R"] : ["Z", "H", "pairs", "st"];
  const label = `${v.backward ? "backward" : "forward"}${v.first ? "First" : "Hidden"}`;
  const fb = new FunctionBuilder(label, names.map(() => "i32"));
  const P = Object.fromEntries(names.map((n, i) => [n, fb.params[i]!])) as Record<string, Local>;
  const locals = new Locals(fb);
  const pre = new Builder();
  const loop = new Builder();
  const all = [...Array(S_).keys()];
  // The plan's terms of this layer kind (jet-plan.ts), the ones the JavaScript kernels emit too.
  const live = layerTermsOf(plan, v.first);
  const factorStreams = live.factors;
  const gradStreams = live.grads;
  const o = locals.int();
  // Loop counters.
  const firstOnly = (): Local<"i32"> => (v.first ? locals.int() : o); // (o stands in: unused unless first)
  const p = firstOnly();
  const j = firstOnly();
  const rowStart = firstOnly();
  const end = locals.int();
  const hBases = streamBases(pre, locals, P["H"]!, P["st"]!, v.backward ? [0] : all);
  const zBases = v.first ? new Map<number, Local>() : streamBases(pre, locals, P["Z"]!, P["st"]!, factorStreams);
  const ghBases = v.backward ? streamBases(pre, locals, P["GH"]!, P["st"]!, gradStreams) : new Map<number, Local>();
  const gzBases = v.backward ? streamBases(pre, locals, P["GZ"]!, P["st"]!, v.first ? [0] : all) : new Map<number, Local>();
  const rBase = new Map<number, Local>();
  const grBase = new Map<number, Local>();
  if (v.first) {
    for (const f of new Set([...factorStreams, ...(v.backward ? all.filter((t) => plan.orders[t] === 1) : [])])) {
      if (slots[f]! < 0) continue;
      const l = locals.int();
      pre.emit(op.get(P["R"]!), op.get(P["wb"]!), op.i32(slots[f]!), op.mul, op.add, op.set(l));
      rBase.set(f, l);
      if (v.backward) {
        const g = locals.int();
        pre.emit(op.get(P["GR"]!), op.get(P["wb"]!), op.i32(slots[f]!), op.mul, op.add, op.set(g));
        grBase.set(f, g);
      }
    }
  }
  // Per element pair: o is the byte offset of the pair within a stream; for the first layer, j is
  // the byte offset within the row (for R and GR).
  const y = loadAt(loop, locals, hBases.get(0)!, o);
  const factor = new Map<number, Local>();
  for (const f of factorStreams) {
    factor.set(f, v.first ? loadAt(loop, locals, rBase.get(f)!, j) : loadAt(loop, locals, zBases.get(f)!, o));
  }
  const grad = new Map<number, Local>();
  if (v.backward) for (const s of gradStreams) grad.set(s, loadAt(loop, locals, ghBases.get(s)!, o));
  const d = derivativeLocals(name, plan.maxOrder + (v.backward ? 1 : 0), y, locals, loop);
  if (d === null) return null;
  if (!v.backward) {
    for (let s = 1; s < S_; s++) {
      const terms = live.forward[s]!.map((t) => ({ coefficient: t.coefficient, locals: [d[t.order]!, ...t.factors.map((f) => factor.get(f)!)] }));
      storeAt(loop, hBases.get(s)!, o, () => sumOfProducts(loop, terms));
    }
  } else {
    const contributions = live.backward.map((terms) =>
      terms.map((t) => ({ coefficient: t.coefficient, locals: [grad.get(t.grad)!, d[t.order]!, ...t.factors.map((f) => factor.get(f)!)] })),
    );
    storeAt(loop, gzBases.get(0)!, o, () => sumOfProducts(loop, contributions[0]!));
    for (let t = 1; t < S_; t++) {
      if (!v.first) storeAt(loop, gzBases.get(t)!, o, () => sumOfProducts(loop, contributions[t]!));
      else if (plan.orders[t] === 1 && contributions[t]!.length > 0) {
        storeAt(loop, grBase.get(t)!, j, () => {
          loop.emit(op.get(grBase.get(t)!), op.get(j), op.add, op.v128Load());
          sumOfProducts(loop, contributions[t]!);
          loop.emit(op.f64x2Add);
        });
      }
    }
  }
  // Assemble the loops around the element body.
  const body: Code[] = [...pre.instrs];
  if (!v.first) {
    body.push(op.get(P["pairs"]!), op.i32(16), op.mul, op.set(end), op.i32(0), op.set(o));
    body.push(countedLoop(o, op.get(end), 16, ...loop.instrs));
  } else {
    // for p < n: rowStart = p·wb; for j < wb (step 16): o = rowStart + j.
    body.push(op.i32(0), op.set(p), op.i32(0), op.set(rowStart));
    body.push(countedLoop(p, op.get(P["n"]!), 1,
      code(op.i32(0), op.set(j)),
      countedLoop(j, op.get(P["wb"]!), 16, code(op.get(rowStart), op.get(j), op.add, op.set(o)), ...loop.instrs),
      code(op.get(rowStart), op.get(P["wb"]!), op.add, op.set(rowStart)),
    ));
  }
  fb.emit(...body);
  return fb.finish();
}

const cache = new WeakMap<F64Heap, BoundedCache<string, WasmJetKernels | null>>();
let enabled = process.env["PINN_JS_JETS"] === undefined || process.env["PINN_JS_JETS"] === "0";

/** Use (or not) the SIMD stream kernels (the environment variable PINN_JS_JETS=1 turns them off). */
export function setWasmJetKernels(on: boolean): void {
  enabled = on;
}

/** The SIMD stream kernels of a plan on a heap, or null (no SIMD, or unsupported activation). */
export function wasmJetKernels(heap: F64Heap, name: string, plan: JetPlan): WasmJetKernels | null {
  // Only activations whose derivatives are polynomials of the value, which has a SIMD kernel (the registry says which).
  if (!enabled || heap.gemm === null || heap.memory === null || !derivativesFromValue(name) || !hasSimdKernel(name)) return null;
  let perHeap = cache.get(heap);
  if (perHeap === undefined) cache.set(heap, (perHeap = new BoundedCache("wasm jet kernels", 256)));
  const key = `${name}:${plan.streams.map((b) => b.join(",")).join(";")}`;
  if (perHeap.has(key)) return perHeap.get(key)!;
  let k = 0;
  const slots = plan.orders.map((order) => (order === 1 ? k++ : -1));
  const defs = [
    generate(name, plan, slots, { first: false, backward: false }),
    generate(name, plan, slots, { first: true, backward: false }),
    generate(name, plan, slots, { first: false, backward: true }),
    generate(name, plan, slots, { first: true, backward: true }),
  ];
  let result: WasmJetKernels | null = null;
  if (defs.every((x) => x !== null)) {
    const exports = instantiate(moduleBytes(defs as FunctionDef[]), heap.memory);
    if (exports !== null) {
      result = {
        forwardHidden: exports["forwardHidden"] as WasmJetKernels["forwardHidden"],
        forwardFirst: exports["forwardFirst"] as WasmJetKernels["forwardFirst"],
        backwardHidden: exports["backwardHidden"] as WasmJetKernels["backwardHidden"],
        backwardFirst: exports["backwardFirst"] as WasmJetKernels["backwardFirst"],
        slots,
      };
    }
  }
  perHeap.set(key, result);
  return result;
}
