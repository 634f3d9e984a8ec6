// tanh and the logistic sigmoid over arrays, two float64 lanes at a time (WebAssembly SIMD),
// through a vector expm1:
//   u = k·ln2 + r with k = round(u/ln2), |r| ≤ ln2/2 (Cody–Waite: ln2 = LN2_HI + LN2_LO),
//   e^r − 1 = r·Σ_{i=0}^{12} r^i/(i+1)!   (truncation < 2e-17 relative on |r| ≤ 0.347; Estrin's scheme),
//   2^k built in the exponent bits, e^u − 1 = 2^k·(e^r − 1) + (2^k − 1).
// Then tanh z = sign(z)·e/(e + 2) with e = expm1(2·min(|z|, 20)) (accurate for small |z|, and
// ±1 in float64 beyond 20), and σ(x) = 1/(1 + e^{−x}) with the exponent clamped to ±700.
// Both agree with Math.tanh / 1/(1 + Math.exp(−x)) to a few units in the last place.

import { I32, V128, code, instantiate, moduleBytes, op } from "./wasm-encoder.js";

const INV_LN2 = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
const SHIFT = 6755399441055744;
const SHIFT_BITS = 0x4338000000000000n;

// Locals: params src, dst, pairs (i32); then i (i32); then v128 scratch.
const SRC = 0, DST = 1, PAIRS = 2, I = 3;
const X = 4, U = 5, T = 6, KF = 7, R = 8, Q = 9, SCALE = 10, E = 11;
const R2 = 12, R4 = 13, R8 = 14, PA = 15, PB = 16, PC = 17, PD = 18;
const V128_LOCALS = 15;
/** The v128 locals of the element being generated: two elements' sets, interleaved per step. */
let base = 0;
const L = (k: number): number => k + base;

// Constants live in v128 locals set once before the loop (a v128.const inside the loop costs
// several instructions per use). The first constant local comes after both element sets.
const FIRST_CONSTANT = 4 + 2 * V128_LOCALS;
let constants = new Map<string, { local: number; init: number[] }>();

function constantLocal(key: string, init: () => number[]): number[] {
  let c = constants.get(key);
  if (c === undefined) {
    c = { local: FIRST_CONSTANT + constants.size, init: init() };
    constants.set(key, c);
  }
  return op.get(c.local);
}

/** A float64 constant in both lanes. */
function K(x: number): number[] {
  return constantLocal(`f${Object.is(x, -0) ? "-0" : x}`, () => op.f64x2(x));
}

/** An int64 constant in both lanes. */
function KI(v: bigint): number[] {
  return constantLocal(`i${v}`, () => i64Const(v));
}

/** Leaves e^u − 1 in local E and 2^k in SCALE, for u in local U (|u| ≤ 708). */
function expm1Into(): number[] {
  const coefficients: number[] = [];
  let factorial = 1;
  for (let i = 0; i <= 12; i++) {
    factorial *= i + 1;
    coefficients.push(1 / factorial);
  }
  // Estrin's scheme (short dependency chains, so that consecutive elements overlap):
  //   q = [p01 + r²p23 + r⁴(p45 + r²p67)] + r⁸[p89 + r²p1011 + r⁴c12],  p_ij = c_i + c_j·r.
  const c = (i: number): number[] => K(coefficients[i]!);
  const pair = (i: number): number[] => code(op.get(L(R)), c(i + 1), op.f64x2Mul, c(i), op.f64x2Add);
  const estrin = code(
    op.get(L(R)), op.get(L(R)), op.f64x2Mul, op.tee(L(R2)), op.get(L(R2)), op.f64x2Mul, op.tee(L(R4)), op.get(L(R4)), op.f64x2Mul, op.set(L(R8)),
    // PA = p01 + r²·p23, PB = p45 + r²·p67
    pair(0), op.get(L(R2)), pair(2), op.f64x2Mul, op.f64x2Add, op.set(L(PA)),
    pair(4), op.get(L(R2)), pair(6), op.f64x2Mul, op.f64x2Add, op.set(L(PB)),
    // PC = p89 + r²·p1011 + r⁴·c12
    pair(8), op.get(L(R2)), pair(10), op.f64x2Mul, op.f64x2Add, op.get(L(R4)), c(12), op.f64x2Mul, op.f64x2Add, op.set(L(PC)),
    // PD = PA + r⁴·PB;  q = PD + r⁸·PC
    op.get(L(PA)), op.get(L(R4)), op.get(L(PB)), op.f64x2Mul, op.f64x2Add, op.set(L(PD)),
    op.get(L(PD)), op.get(L(R8)), op.get(L(PC)), op.f64x2Mul, op.f64x2Add,
  );
  return code(
    // t = u/ln2 + SHIFT; kf = t − SHIFT
    op.get(L(U)), K(INV_LN2), op.f64x2Mul, K(SHIFT), op.f64x2Add, op.tee(L(T)),
    K(SHIFT), op.f64x2Sub, op.set(L(KF)),
    // r = u − kf·LN2_HI − kf·LN2_LO
    op.get(L(U)), op.get(L(KF)), K(LN2_HI), op.f64x2Mul, op.f64x2Sub,
    op.get(L(KF)), K(LN2_LO), op.f64x2Mul, op.f64x2Sub, op.set(L(R)),
    // q(r), then e^r − 1 = r·q
    estrin, op.get(L(R)), op.f64x2Mul, op.set(L(Q)),
    // 2^k = bits((bits(t) − bits(SHIFT) + 1023) << 52)
    op.get(L(T)), KI(SHIFT_BITS), op.i64x2Sub, KI(1023n), op.i64x2Add, op.i32(52), op.i64x2Shl, op.set(L(SCALE)),
    // e^u − 1 = scale·(e^r − 1) + (scale − 1)
    op.get(L(Q)), op.get(L(SCALE)), op.f64x2Mul, op.get(L(SCALE)), K(1), op.f64x2Sub, op.f64x2Add, op.set(L(E)),
  );
}

function i64Const(v: bigint): number[] {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, v, true);
  view.setBigUint64(8, v, true);
  return [0xfd, 0x0c, ...bytes];
}

/**
 * for i in 0..pairs: X = load(src + 16i); <body leaves the result in X>; store(dst + 16i, X).
 * Two pairs per step, each with its own locals, so that their long dependency chains overlap.
 */
function elementLoop(body: () => number[]): number[] {
  const one = (shift: number): number[] => {
    base = shift;
    const out = code(
      op.get(SRC), op.get(I), op.i32(16), op.mul, op.add, op.v128Load(16 * (shift === 0 ? 0 : 1)), op.set(L(X)),
      body(),
      op.get(DST), op.get(I), op.i32(16), op.mul, op.add, op.get(L(X)), op.v128Store(16 * (shift === 0 ? 0 : 1)),
    );
    base = 0;
    return out;
  };
  return code(
    op.i32(0), op.set(I),
    // Two pairs at a time while two remain.
    op.block, op.loop,
    op.get(I), op.i32(1), op.add, op.get(PAIRS), op.geU, op.brIf(1),
    one(0), one(V128_LOCALS),
    op.get(I), op.i32(2), op.add, op.set(I), op.br(0),
    op.end, op.end,
    // The last pair, if any.
    op.block,
    op.get(I), op.get(PAIRS), op.geU, op.brIf(0),
    one(0),
    op.end,
  );
}

function tanhBody(): number[] {
  return code(
    // u = 2·min(|x|, 20)
    op.get(L(X)), op.f64x2Abs, K(20), op.f64x2Min, K(2), op.f64x2Mul, op.set(L(U)),
    expm1Into(),
    // |tanh| = e/(e + 2), then the sign of x
    op.get(L(E)), op.get(L(E)), K(2), op.f64x2Add, op.f64x2Div,
    op.get(L(X)), K(-0), op.v128And, op.v128Or, op.set(L(X)),
  );
}

function sigmoidBody(): number[] {
  return code(
    // u = clamp(−x, −700, 700); σ = 1/(1 + e^u) = 1/(2 + expm1(u))
    op.get(L(X)), op.f64x2Neg, K(-700), op.f64x2Max, K(700), op.f64x2Min, op.set(L(U)),
    expm1Into(),
    K(1), op.get(L(E)), K(2), op.f64x2Add, op.f64x2Div, op.set(L(X)),
  );
}

export function activationModuleBytes(): Uint8Array {
  const fn = (name: string, body: () => number[]) => {
    constants = new Map();
    const loop = elementLoop(body);
    const init = [...constants.values()].flatMap((c) => code(c.init, op.set(c.local)));
    return { name, params: [I32, I32, I32], locals: [[1, I32], [2 * V128_LOCALS + constants.size, V128]] as [number, number][], body: code(init, loop) };
  };
  return moduleBytes([fn("tanh", tanhBody), fn("sigmoid", sigmoidBody)]);
}

/** (srcByteOffset, dstByteOffset, pairs): dst[i] = f(src[i]) for 2·pairs float64s. */
export type VectorActivation = (src: number, dst: number, pairs: number) => void;

export interface VectorActivations {
  tanh: VectorActivation;
  sigmoid: VectorActivation;
}

export function instantiateActivations(memory: WebAssembly.Memory): VectorActivations | null {
  const exports = instantiate(activationModuleBytes(), memory);
  return exports === null ? null : { tanh: exports["tanh"] as VectorActivation, sigmoid: exports["sigmoid"] as VectorActivation };
}
