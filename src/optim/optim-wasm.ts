// WebAssembly SIMD (f64x2) kernels of the quasi-Newton optimisers, assembled with the engine's
// assembler (engine/kernels/wasm-encoder.ts; the few scalar-f64 and lane instructions it has no
// emitter for are written here as raw bytes, spec §5.4). All addresses are byte offsets into the
// imported memory; every vector is padded with zeros to an even length np, so that the f64x2
// loops need no scalar tail. Scalars pass through memory (a coefficient block), since an f64
// parameter would need a value type the assembler does not declare.
//
//   symUpdateMv(h, r0, r1, np, coef, v, out)      coef = [inv, A, C, E]
//     H is a symmetric np × np row-major matrix of which the upper triangle is kept: each row i
//     from its even column i & ~1 on (the element left of an odd row's diagonal is kept up to date
//     too, but never read into a product). For its rows r0 ≤ i < r1 (r0 even), in ONE pass:
//       H_ij ← H_ij·inv + (A·u_i − C·s_i)·u_j + (E·s_i − C·u_i)·s_j     (the BFGS update, bfgs.ts)
//       out_i += Σ_{j ≥ i} H_ij·g_j,  out_j += H_ij·g_i for j > i      (with the updated H)
//     so that, with `out` zero on entry, the outs of row blocks covering 0..n add up to H·g
//     (optim-threads.ts). u, s and g are interleaved by pairs, one 48-byte block per pair of
//     columns (2p, 2p + 1): [u, u, s, s, g, g] (one pointer walks them all). Row i's sum is kept in
//     two lanes (even and odd columns) and added as out_i + (lane0 + lane1); the column part goes to
//     out_j as it is computed. Two pairs per loop step, in order (the sums are the same).
//     optim-kernels.ts holds the same loop in JavaScript, operation for operation, so that both
//     give the same numbers to the bit.
//
//   axpbyDot(coef, x, y, z, np, result)            coef = [a, b]
//     y ← b·y + a·x, then result = Σ z_j·y_j (two lanes, lane0 + lane1), in one pass: the L-BFGS
//     two-loop recursion's update of q fused with the next pair's dot product.

import { FunctionBuilder, MODULE_HEADER, code, moduleBytes, op, uleb, type Code } from "../engine/kernels/wasm-encoder.js";

/** Raw instructions the assembler has no emitter for (spec §5.4.5, §5.4.6, §5.4.7). */
const raw = {
  f64Load: (offset = 0): Code => [0x2b, 3, offset],
  f64Store: (offset = 0): Code => [0x39, 3, offset],
  f64Add: [0xa0] as Code,
  /** f64x2.extract_lane (SIMD opcode 33). */
  lane: (l: 0 | 1): Code => [0xfd, 0x21, l],
  if: [0x04, 0x40] as Code,
  else: [0x05] as Code,
  shl: [0x74] as Code,
  shrU: [0x76] as Code,
  /** v128.const with the two float64 lanes (lo, hi). */
  pair(lo: number, hi: number): Code {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, lo, true);
    view.setFloat64(8, hi, true);
    return [0xfd, 0x0c, ...bytes];
  },
};

function symUpdateMvFunction(): FunctionBuilder {
  const f = new FunctionBuilder("symUpdateMv", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"] as const);
  const [H, R0, R1, NP, COEF, V, OUT] = f.params;
  const int = () => f.local("i32");
  const vec = () => f.local("v128");
  const I = int(), IV = int(), PV = int(), PH = int(), PO = int(), ROW = int(), ROWEND = int(), STRIDE = int();
  const INV = vec(), AV = vec(), CV = vec(), EV = vec();
  const UI = vec(), SI = vec(), GI = vec(), AU = vec(), AS = vec(), ACC = vec(), HV = vec(), RM = vec(), CM = vec();
  const M01 = f.hoist("m01", "v128", () => raw.pair(0, 1));
  const ONES = f.hoist("ones", "v128", () => raw.pair(1, 1));
  const ZERO = f.hoist("zero", "v128", () => raw.pair(0, 0));
  const e = f.emit.bind(f);
  /** HV = H·inv + AU·u + AS·s for the k-th pair from PH / PV; stored back. */
  const updated = (k: number): Code =>
    code(
      op.get(PH), op.v128Load(16 * k), op.get(INV), op.f64x2Mul,
      op.get(AU), op.get(PV), op.v128Load(48 * k), op.f64x2Mul, op.f64x2Add,
      op.get(AS), op.get(PV), op.v128Load(48 * k + 16), op.f64x2Mul, op.f64x2Add,
      op.set(HV),
      op.get(PH), op.get(HV), op.v128Store(16 * k),
    );
  /** out += HV·GI·mask (mask null: none) for the k-th pair. */
  const column = (k: number, mask: Code | null): Code =>
    code(
      op.get(PO),
      op.get(PO), op.v128Load(16 * k),
      op.get(HV), op.get(GI), op.f64x2Mul, mask ?? [], mask === null ? [] : op.f64x2Mul,
      op.f64x2Add, op.v128Store(16 * k),
    );
  const pair = (k: number): Code =>
    code(
      updated(k),
      op.get(ACC), op.get(HV), op.get(PV), op.v128Load(48 * k + 32), op.f64x2Mul, op.f64x2Add, op.set(ACC),
      column(k, null),
    );
  e(op.get(COEF), op.load64Splat(0), op.set(INV));
  e(op.get(COEF), op.load64Splat(8), op.set(AV));
  e(op.get(COEF), op.load64Splat(16), op.set(CV));
  e(op.get(COEF), op.load64Splat(24), op.set(EV));
  e(op.get(NP), op.i32(3), raw.shl, op.set(STRIDE));
  e(op.get(R0), op.set(I), op.get(H), op.get(R0), op.get(STRIDE), op.mul, op.add, op.set(ROW));
  // The rows i of [r0, r1).
  f.emitWhileNot(code(op.get(I), op.get(R1), op.geU), () => {
    // The block of the pair (i & ~1, (i & ~1) + 1), and element i in it.
    e(op.get(V), op.get(I), op.i32(1), raw.shrU, op.i32(48), op.mul, op.add, op.tee(PV));
    e(op.get(I), op.i32(1), op.and, op.i32(3), raw.shl, op.add, op.set(IV));
    e(op.get(IV), op.load64Splat(0), op.set(UI));
    e(op.get(IV), op.load64Splat(16), op.set(SI));
    e(op.get(IV), op.load64Splat(32), op.set(GI));
    e(op.get(AV), op.get(UI), op.f64x2Mul, op.get(CV), op.get(SI), op.f64x2Mul, op.f64x2Sub, op.set(AU));
    e(op.get(EV), op.get(SI), op.f64x2Mul, op.get(CV), op.get(UI), op.f64x2Mul, op.f64x2Sub, op.set(AS));
    e(op.get(I), op.i32(-2), op.and, op.i32(3), raw.shl, op.tee(PO), op.get(ROW), op.add, op.set(PH));
    e(op.get(OUT), op.get(PO), op.add, op.set(PO));
    e(op.get(ROW), op.get(STRIDE), op.add, op.set(ROWEND));
    // The first pair: masks for an even row (diagonal and the next column into the row sum, only
    // the next column into the column part) and an odd row (only the diagonal into the row sum).
    e(op.get(I), op.i32(1), op.and, raw.if, op.get(M01), op.set(RM), op.get(ZERO), op.set(CM));
    e(raw.else, op.get(ONES), op.set(RM), op.get(M01), op.set(CM), op.end);
    e(updated(0));
    e(op.get(HV), op.get(PV), op.v128Load(32), op.f64x2Mul, op.get(RM), op.f64x2Mul, op.set(ACC));
    e(column(0, op.get(CM)));
    e(op.get(PH), op.i32(16), op.add, op.set(PH), op.get(PV), op.i32(48), op.add, op.set(PV), op.get(PO), op.i32(16), op.add, op.set(PO));
    // The rest of the row, two pairs at a time while two remain.
    f.emitWhileNot(code(op.get(PH), op.i32(16), op.add, op.get(ROWEND), op.geU), () => {
      e(pair(0), pair(1));
      e(op.get(PH), op.i32(32), op.add, op.set(PH), op.get(PV), op.i32(96), op.add, op.set(PV), op.get(PO), op.i32(32), op.add, op.set(PO));
    });
    e(op.block); // the last pair, if any
    e(op.get(PH), op.get(ROWEND), op.geU, op.brIf(0));
    e(pair(0));
    e(op.end);
    // out_i += lane0 + lane1
    e(op.get(OUT), op.get(I), op.i32(3), raw.shl, op.add, op.tee(PO));
    e(op.get(PO), raw.f64Load(0));
    e(op.get(ACC), raw.lane(0), op.get(ACC), raw.lane(1), raw.f64Add, raw.f64Add, raw.f64Store(0));
    e(op.get(I), op.i32(1), op.add, op.set(I), op.get(ROWEND), op.set(ROW));
  });
  return f;
}

function axpbyDotFunction(): FunctionBuilder {
  const f = new FunctionBuilder("axpbyDot", ["i32", "i32", "i32", "i32", "i32", "i32"] as const);
  const [COEF, X, Y, Z, NP, RESULT] = f.params;
  const PJ = f.local("i32"), END = f.local("i32"), PY = f.local("i32");
  const AV = f.local("v128"), BV = f.local("v128"), YV = f.local("v128"), ACC = f.local("v128");
  const e = f.emit.bind(f);
  e(op.get(COEF), op.load64Splat(0), op.set(AV));
  e(op.get(COEF), op.load64Splat(8), op.set(BV));
  e(op.get(NP), op.i32(3), raw.shl, op.set(END));
  e(raw.pair(0, 0), op.set(ACC), op.i32(0), op.set(PJ));
  f.emitCounted(PJ, op.get(END), 16, () => {
    e(op.get(Y), op.get(PJ), op.add, op.tee(PY));
    e(op.get(BV), op.get(PY), op.v128Load(0), op.f64x2Mul);
    e(op.get(AV), op.get(X), op.get(PJ), op.add, op.v128Load(0), op.f64x2Mul, op.f64x2Add, op.tee(YV), op.v128Store(0));
    e(op.get(ACC), op.get(Z), op.get(PJ), op.add, op.v128Load(0), op.get(YV), op.f64x2Mul, op.f64x2Add, op.set(ACC));
  });
  e(op.get(RESULT), op.get(ACC), raw.lane(0), op.get(ACC), raw.lane(1), raw.f64Add, raw.f64Store(0));
  return f;
}

/**
 * The module: imports env.memory — unshared, or `shared` (a memory several threads' instances use
 * at once, up to 65536 pages) — and exports both kernels. The engine's moduleBytes
 * (wasm-encoder.ts) with the memory import's limits as a parameter (spec §5.3.4, §5.5).
 */
export function optimModuleBytes(shared = false): Uint8Array {
  const functions = [symUpdateMvFunction().finish(), axpbyDotFunction().finish()];
  if (!shared) return moduleBytes(functions);
  const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const name = (t: string): number[] => [...uleb(t.length), ...[...t].map((c) => c.charCodeAt(0))];
  const types = functions.map((fn) => [0x60, ...vector(fn.params.map(() => [0x7f])), ...vector([])]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x03, ...uleb(1), ...uleb(65536)];
  return Uint8Array.from([
    ...MODULE_HEADER,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, k) => uleb(k)))),
    ...section(7, vector(functions.map((fn, k) => [...name(fn.name), 0x00, ...uleb(k)]))),
    ...section(10, vector(functions.map((fn) => [...uleb(fn.code.length), ...fn.code]))),
  ]);
}

export type SymUpdateMv = (h: number, r0: number, r1: number, np: number, coef: number, v: number, out: number) => void;
export type AxpbyDot = (coef: number, x: number, y: number, z: number, np: number, result: number) => void;
export interface OptimWasm {
  symUpdateMv: SymUpdateMv;
  axpbyDot: AxpbyDot;
}

const compiled = new Map<boolean, WebAssembly.Module | null>();

/** The compiled module (shared-memory import or not), or null where WebAssembly SIMD is not available. */
export function optimModule(shared: boolean): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    let module: WebAssembly.Module | null = null;
    try {
      const bytes = optimModuleBytes(shared);
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    } catch {
      module = null;
    }
    compiled.set(shared, module);
  }
  return compiled.get(shared)!;
}

/** The kernels on a memory (shared or not), or null where WebAssembly SIMD is not available. */
export function instantiateOptim(memory: WebAssembly.Memory, shared = false): OptimWasm | null {
  const module = optimModule(shared);
  if (module === null) return null;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return { symUpdateMv: exports["symUpdateMv"] as SymUpdateMv, axpbyDot: exports["axpbyDot"] as AxpbyDot };
  } catch {
    return null;
  }
}
