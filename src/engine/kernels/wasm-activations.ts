// tanh and the logistic sigmoid over arrays, two float64 lanes at a time (WebAssembly SIMD),
// through a vector expm1:
//   u = k·ln2 + r with k = round(u/ln2), |r| ≤ ln2/2 (Cody–Waite: ln2 = LN2_HI + LN2_LO),
//   e^r − 1 = r·Σ_{i=0}^{12} r^i/(i+1)!   (truncation < 2e-17 relative on |r| ≤ 0.347; Estrin's scheme),
//   2^k built in the exponent bits, e^u − 1 = 2^k·(e^r − 1) + (2^k − 1).
// Then tanh z = sign(z)·e/(e + 2) with e = expm1(2·min(|z|, 20)) (accurate for small |z|, and
// ±1 in float64 beyond 20), and σ(x) = 1/(1 + e^{−x}) with the exponent clamped to ±700.
// Both agree with Math.tanh / 1/(1 + Math.exp(−x)) to a few units in the last place.

import { FunctionBuilder, code, instantiate, moduleBytes, op, type Code, type Local } from "./wasm-encoder.js";

const INV_LN2 = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
const SHIFT = 6755399441055744;
const SHIFT_BITS = 0x4338000000000000n;

/** The v128 scratch locals of one element pair (two pairs are generated per step, interleaved). */
const SCRATCH = ["X", "U", "T", "KF", "R", "Q", "SCALE", "E", "R2", "R4", "R8", "PA", "PB", "PC", "PD"] as const;
type Scratch = Record<(typeof SCRATCH)[number], Local<"v128">>;

/** Generates one activation function: its builder, and constants hoisted into locals set once before the loop. */
class Generator {
  constructor(readonly f: FunctionBuilder) {}

  /** A float64 constant in both lanes. */
  K(x: number): Code {
    return op.get(this.f.hoist(`f${Object.is(x, -0) ? "-0" : x}`, "v128", () => op.f64x2(x)));
  }

  /** An int64 constant in both lanes. */
  KI(v: bigint): Code {
    return op.get(this.f.hoist(`i${v}`, "v128", () => op.i64x2(v)));
  }

  /** Leaves e^u − 1 in local E and 2^k in SCALE, for u in local U (|u| ≤ 708). */
  expm1Into(l: Scratch): Code {
    return code(
      this.expParts(l),
      // e^u − 1 = scale·(e^r − 1) + (scale − 1)
      op.get(l.Q), op.get(l.SCALE), op.f64x2Mul, op.get(l.SCALE), this.K(1), op.f64x2Sub, op.f64x2Add, op.set(l.E),
    );
  }

  /** Leaves e^r − 1 in local Q and 2^k in SCALE, where u = k·ln2 + r, for u in local U (|u| ≤ 708). */
  expParts(l: Scratch): Code {
    const coefficients: number[] = [];
    let factorial = 1;
    for (let i = 0; i <= 12; i++) {
      factorial *= i + 1;
      coefficients.push(1 / factorial);
    }
    const K = (x: number): Code => this.K(x);
    // Estrin's scheme (short dependency chains, so that consecutive elements overlap):
    //   q = [p01 + r²p23 + r⁴(p45 + r²p67)] + r⁸[p89 + r²p1011 + r⁴c12],  p_ij = c_i + c_j·r.
    const c = (i: number): Code => K(coefficients[i]!);
    const pair = (i: number): Code => code(op.get(l.R), c(i + 1), op.f64x2Mul, c(i), op.f64x2Add);
    const estrin = code(
      op.get(l.R), op.get(l.R), op.f64x2Mul, op.tee(l.R2), op.get(l.R2), op.f64x2Mul, op.tee(l.R4), op.get(l.R4), op.f64x2Mul, op.set(l.R8),
      // PA = p01 + r²·p23, PB = p45 + r²·p67
      pair(0), op.get(l.R2), pair(2), op.f64x2Mul, op.f64x2Add, op.set(l.PA),
      pair(4), op.get(l.R2), pair(6), op.f64x2Mul, op.f64x2Add, op.set(l.PB),
      // PC = p89 + r²·p1011 + r⁴·c12
      pair(8), op.get(l.R2), pair(10), op.f64x2Mul, op.f64x2Add, op.get(l.R4), c(12), op.f64x2Mul, op.f64x2Add, op.set(l.PC),
      // PD = PA + r⁴·PB;  q = PD + r⁸·PC
      op.get(l.PA), op.get(l.R4), op.get(l.PB), op.f64x2Mul, op.f64x2Add, op.set(l.PD),
      op.get(l.PD), op.get(l.R8), op.get(l.PC), op.f64x2Mul, op.f64x2Add,
    );
    return code(
      // t = u/ln2 + SHIFT; kf = t − SHIFT
      op.get(l.U), K(INV_LN2), op.f64x2Mul, K(SHIFT), op.f64x2Add, op.tee(l.T),
      K(SHIFT), op.f64x2Sub, op.set(l.KF),
      // r = u − kf·LN2_HI − kf·LN2_LO
      op.get(l.U), op.get(l.KF), K(LN2_HI), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(LN2_LO), op.f64x2Mul, op.f64x2Sub, op.set(l.R),
      // q(r), then e^r − 1 = r·q
      estrin, op.get(l.R), op.f64x2Mul, op.set(l.Q),
      // 2^k = bits((bits(t) − bits(SHIFT) + 1023) << 52)
      op.get(l.T), this.KI(SHIFT_BITS), op.i64x2Sub, this.KI(1023n), op.i64x2Add, op.i32(52), op.i64x2Shl, op.set(l.SCALE),
    );
  }

  /**
   * sin x (cos x with `cos`): x = k·π/2 + r with k = round(2x/π) and r reduced by four parts of π/2
   * (fdlibm's 33-bit pio2_1, pio2_2, pio2_3 and pio2_3t; each k·part is exact for |k| < 2^20), then
   * fdlibm's kernel polynomials sin r = r + r³·S(r²) and cos r = 1 − r²/2 + r⁴·C(r²) on |r| ≤ π/4,
   * and the quadrant: sin x = (sin r, cos r, −sin r, −cos r)[k mod 4], cos x the same with k + 1.
   * The caller recomputes |x| > 1e5 (and NaN, ±∞) with Math.sin / Math.cos.
   */
  sinCos(l: Scratch, cos: boolean): Code {
    const K = (x: number): Code => this.K(x);
    const horner = (z: Local<"v128">, cs: readonly number[]): Code => {
      // cs[0] + z·(cs[1] + z·(… + z·cs[n−1]))
      const parts: Code[] = [K(cs[cs.length - 1]!)];
      for (let i = cs.length - 2; i >= 0; i--) parts.push(code(op.get(z), op.f64x2Mul, K(cs[i]!), op.f64x2Add));
      return code(...parts);
    };
    const S = [-1.66666666666666324348e-1, 8.33333333332248946124e-3, -1.98412698298579493134e-4, 2.75573137070700676789e-6, -2.50507602534068634195e-8, 1.58969099521155010221e-10];
    const C = [4.16666666666666019037e-2, -1.38888888888741095749e-3, 2.48015872894767294178e-5, -2.75573143513906633035e-7, 2.08757232129817482790e-9, -1.13596475577881948265e-11];
    return code(
      // t = x·2/π + SHIFT; kf = t − SHIFT (= k)
      op.get(l.X), K(6.36619772367581382433e-1), op.f64x2Mul, K(SHIFT), op.f64x2Add, op.tee(l.T),
      K(SHIFT), op.f64x2Sub, op.set(l.KF),
      // r = (((x − k·p1) − k·p2) − k·p3) − k·p3t
      op.get(l.X), op.get(l.KF), K(1.57079632673412561417), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(6.07710050630396597660e-11), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(2.02226624871116645580e-21), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(8.47842766036889956997e-32), op.f64x2Mul, op.f64x2Sub, op.tee(l.R),
      op.get(l.R), op.f64x2Mul, op.set(l.R2),
      // sin r = r + r·z·S(z)
      op.get(l.R), op.get(l.R), op.get(l.R2), op.f64x2Mul, horner(l.R2, S), op.f64x2Mul, op.f64x2Add, op.set(l.PA),
      // cos r = 1 − (z/2 − z·z·C(z))
      K(1), op.get(l.R2), K(0.5), op.f64x2Mul, op.get(l.R2), op.get(l.R2), op.f64x2Mul, horner(l.R2, C), op.f64x2Mul, op.f64x2Sub, op.f64x2Sub, op.set(l.PB),
      // the quadrant k (+1 for cos) as an integer in each lane
      op.get(l.T), this.KI(SHIFT_BITS), op.i64x2Sub, ...(cos ? [this.KI(1n), op.i64x2Add] : []), op.set(l.Q),
      this.quadrant(l, l.X),
    );
  }

  /** From sin r (PA), cos r (PB) and the quadrant (Q): the value in that quadrant, into `into`. */
  quadrant(l: Scratch, into: Local<"v128">): Code {
    return code(
      // odd quadrant: cos r instead of sin r (mask = 0 − (k & 1))
      op.get(l.PB), op.get(l.PA), this.KI(0n), op.get(l.Q), this.KI(1n), op.v128And, op.i64x2Sub, op.bitselect,
      // quadrants 2 and 3: negate ((k & 2) << 62 is the sign bit)
      op.get(l.Q), this.KI(2n), op.v128And, op.i32(62), op.i64x2Shl, op.v128Xor, op.set(into),
    );
  }

  /**
   * sin x into X and cos x into E at once: sinCos's reduction and polynomials once, then quadrant k
   * for sin and k + 1 for cos — the same operations as the sin and cos kernels, so the same bits.
   */
  sinAndCos(l: Scratch): Code {
    // sinCos(l, false) leaves sin x in X and k in Q.
    return code(this.sinCos(l, false), op.get(l.Q), this.KI(1n), op.i64x2Add, op.set(l.Q), this.quadrant(l, l.E));
  }

  /**
   * e^x = 2^k·(e^r − 1) + 2^k (not expm1 + 1, which cancels for negative x), with x clamped to
   * ±708: the caller recomputes elements beyond that (and NaN) with Math.exp.
   */
  exp(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      op.get(l.X), K(-708), op.f64x2Pmax, K(708), op.f64x2Pmin, op.set(l.U),
      this.expParts(l),
      op.get(l.Q), op.get(l.SCALE), op.f64x2Mul, op.get(l.SCALE), op.f64x2Add, op.set(l.X),
    );
  }

  tanh(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      // u = 2·min(|x|, 20)
      op.get(l.X), op.f64x2Abs, K(20), op.f64x2Pmin, K(2), op.f64x2Mul, op.set(l.U),
      this.expm1Into(l),
      // |tanh| = e/(e + 2), then the sign of x
      op.get(l.E), op.get(l.E), K(2), op.f64x2Add, op.f64x2Div,
      op.get(l.X), K(-0), op.v128And, op.v128Or, op.set(l.X),
    );
  }

  sigmoid(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      // u = clamp(−x, −700, 700); σ = 1/(1 + e^u) = 1/(2 + expm1(u))
      op.get(l.X), op.f64x2Neg, K(-700), op.f64x2Pmax, K(700), op.f64x2Pmin, op.set(l.U),
      this.expm1Into(l),
      K(1), op.get(l.E), K(2), op.f64x2Add, op.f64x2Div, op.set(l.X),
    );
  }
}

/**
 * One emitter for every vector function: f(src, dst_1, …, dst_m, pairs): for i in 0..pairs:
 * X = load(src + 16i); `body` computes; store(dst_j + 16i, results[j]) for each output j. Two pairs
 * per step, each with its own scratch locals, so that their long dependency chains overlap. The
 * activations have one output (X); sincos has two (sin x in X, cos x in E).
 */
function pairLoop(name: string, body: (g: Generator, l: Scratch) => Code, results: (l: Scratch) => readonly Local<"v128">[], outputs: number): FunctionBuilder {
  const f = new FunctionBuilder(name, ["i32", ...Array.from({ length: outputs }, () => "i32" as const), "i32"]);
  const SRC = f.params[0]!;
  const DST = f.params.slice(1, 1 + outputs);
  const PAIRS = f.params[1 + outputs]!;
  const I = f.local("i32");
  const scratch = (): Scratch => Object.fromEntries(SCRATCH.map((k) => [k, f.local("v128")])) as Scratch;
  const sets = [scratch(), scratch()];
  const g = new Generator(f);
  const one = (k: number): Code => {
    const l = sets[k]!;
    const out = results(l);
    return code(
      op.get(SRC), op.get(I), op.i32(16), op.mul, op.add, op.v128Load(16 * k), op.set(l.X),
      body(g, l),
      ...DST.map((dst, j) => code(op.get(dst), op.get(I), op.i32(16), op.mul, op.add, op.get(out[j]!), op.v128Store(16 * k))),
    );
  };
  f.emit(
    op.i32(0), op.set(I),
    // Two pairs at a time while two remain.
    op.block, op.loop,
    op.get(I), op.i32(1), op.add, op.get(PAIRS), op.geU, op.brIf(1),
    one(0), one(1),
    op.get(I), op.i32(2), op.add, op.set(I), op.br(0),
    op.end, op.end,
    // The last pair, if any.
    op.block,
    op.get(I), op.get(PAIRS), op.geU, op.brIf(0),
    one(0),
    op.end,
  );
  return f;
}

/** f(src, dst, pairs): dst[i] = name(src[i]). */
function activationFunction(name: VectorActivationName): FunctionBuilder {
  const body = (g: Generator, l: Scratch): Code => (name === "sin" || name === "cos" ? g.sinCos(l, name === "cos") : g[name](l));
  return pairLoop(name, body, (l) => [l.X], 1);
}

/** sincos(src, dst, dstCos, pairs): dst[i] = sin(src[i]), dstCos[i] = cos(src[i]). */
function sinCosFunction(): FunctionBuilder {
  return pairLoop("sincos", (g, l) => g.sinAndCos(l), (l) => [l.X, l.E], 2);
}

export function activationModuleBytes(): Uint8Array {
  return moduleBytes([...VECTOR_ACTIVATIONS.map((name) => activationFunction(name).finish()), sinCosFunction().finish()]);
}

/** (srcByteOffset, sinByteOffset, cosByteOffset, pairs): sin and cos of 2·pairs float64s at once. */
export type VectorSinCos = (src: number, dst: number, dstCos: number, pairs: number) => void;

/** (srcByteOffset, dstByteOffset, pairs): dst[i] = f(src[i]) for 2·pairs float64s. */
export type VectorActivation = (src: number, dst: number, pairs: number) => void;

/** The vector functions of the module (each exported under its name). */
export const VECTOR_ACTIVATIONS = ["tanh", "sigmoid", "exp", "sin", "cos"] as const;
export type VectorActivationName = (typeof VECTOR_ACTIVATIONS)[number];

export type VectorActivations = { readonly [N in VectorActivationName]: VectorActivation } & { readonly sincos: VectorSinCos };

export function instantiateActivations(memory: WebAssembly.Memory): VectorActivations | null {
  const exports = instantiate(activationModuleBytes(), memory);
  if (exports === null) return null;
  return Object.fromEntries([...VECTOR_ACTIVATIONS, "sincos"].map((n) => [n, exports[n]])) as VectorActivations;
}
