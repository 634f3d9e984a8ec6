// exp, tanh, the logistic sigmoid, sin and cos over arrays, two float64 lanes at a time
// (WebAssembly SIMD), table-driven (the tables: kernel-tables.ts, in the module's data segment at
// the start of the memory, which the heap keeps: KERNEL_TABLE_BYTES).
//
// exp (the ARM optimized-routines / musl / glibc algorithm, N = 128):
//   u = (k·N + j)·ln2/N + r with k·N + j = round(u·N/ln2), |r| ≤ ln2/(2N) (Cody–Waite: ln2/N = hi + lo),
//   2^(j/N) = scale_j·(1 + tail_j) from the table, 2^k·scale_j built by adding (k·N + j)·2^45 to its bits,
//   e^u = s + s·(tail_j + r + r²(C2 + r·C3) + r⁴(C4 + r·C5)) with s = 2^k·scale_j (polynomial error
//   1.6·2^−66 absolute; 0.51 ulp in musl's analysis), and e^u − 1 = s·q + (s − 1) (s − 1 is exact for
//   s ≤ 2, so small u keep their relative accuracy).
// Then tanh z = sign(z)·e/(e + 2) with e = expm1(2·min(|z|, 20)) (±1 in float64 beyond 20), and
// σ(x) = 1/(1 + e^u), u = −x clamped to ±700.
// sin and cos: x = k·π/64 + r, k = round(64x/π), |r| ≤ π/128, r by four parts of π/64 (32-bit high
// parts, so each k·part is exact for |k| < 2^21 = 2.1·10⁶; |x| ≤ 1e5, the callers' range, gives
// |k| ≤ 2.04·10⁶), j = k mod 128, and with S = sin(jπ/64), C = cos(jπ/64) from the table,
// s(r) = sin r, c(r) = cos r − 1 by their Taylor polynomials to r⁷ and r⁶ (the first terms left out:
// below 2^−61 of sin r and 2^−57 of cos r on |r| ≤ π/128):
//   sin x = S + (S·c(r) + C·s(r)),  cos x = C + (C·c(r) − S·s(r)).
// The zeros of sin and cos are table rows with S or C exactly 0 and the other ±1, so there the result
// is ±s(r) with its full relative accuracy.
// All agree with Math.* (σ: its formula) to a few units in the last place (tests).

import { FunctionBuilder, code, countedLoop, instantiate, moduleBytes, op, whileNot, type Code, type Local } from "./wasm-encoder.js";
import { EXP_TABLE_SIZE, TRIG_TABLE_SIZE, expTable, piParts, trigTable } from "./kernel-tables.js";

/** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
const SHIFT = 6755399441055744;
/** A C99 hexadecimal float literal ("−0x1.62e42fefa0000p-8"), exactly (at most 53 significant bits). */
export function hexFloat(literal: string): number {
  const m = /^(-?)0x([0-9a-f])\.([0-9a-f]*)p([+-]?\d+)$/i.exec(literal);
  if (m === null) throw new Error(`internal: hex float ${literal}`);
  const value = parseInt(m[2]! + m[3]!, 16) * 2 ** (Number(m[4]) - 4 * m[3]!.length);
  return m[1] === "-" ? -value : value;
}

/** N/ln2 (musl's exp_data.c: 0x1.71547652b82fep0·N, exact). */
const INV_LN2_N = hexFloat("0x1.71547652b82fep0") * EXP_TABLE_SIZE;
/** −ln2/N in two parts (musl's exp_data.c): the high part has trailing zeros, so k·hi is exact. */
const NEG_LN2_HI_N = hexFloat("-0x1.62e42fefa0000p-8");
const NEG_LN2_LO_N = hexFloat("-0x1.cf79abc9e3b3ap-47");
/** exp's polynomial C2..C5 (musl's exp_data.c, EXP_POLY_ORDER 5, N = 128). */
const EXP_C = ["0x1.ffffffffffdbdp-2", "0x1.555555555543cp-3", "0x1.55555cf172b91p-5", "0x1.1111167a4d017p-7"].map(hexFloat);
/** 64/π, and π/64 in four parts. */
const TRIG_DIVISIONS = TRIG_TABLE_SIZE / 2;
const INV_PI_64 = TRIG_DIVISIONS / Math.PI;

/** Byte offsets of the tables in the memory, and the bytes the heap must keep for them. */
const EXP_TABLE_AT = 0;
const TRIG_TABLE_AT = EXP_TABLE_AT + 16 * EXP_TABLE_SIZE;
export const KERNEL_TABLE_BYTES = TRIG_TABLE_AT + 16 * TRIG_TABLE_SIZE;

/** The v128 scratch locals of one element pair. */
const SCRATCH = ["X", "U", "T", "KF", "R", "Q", "SCALE", "E", "R2", "IDX", "ROW0", "ROW1", "SR", "CR", "S", "C"] as const;
export type Scratch = Record<(typeof SCRATCH)[number], Local<"v128">>;

/** A new set of the scratch locals of one element pair in `f`. */
export function scratchLocals(f: FunctionBuilder): Scratch {
  return Object.fromEntries(SCRATCH.map((k) => [k, f.local("v128")])) as Scratch;
}

/**
 * Generates one activation function: its builder, and constants hoisted into locals set once before the
 * loop. The fused elementwise kernels (wasm-fused.ts) emit their functions' code with it too
 * (activationBody): one source, the same bits.
 */
export class Generator {
  constructor(readonly f: FunctionBuilder) {}

  /** A float64 constant in both lanes. */
  K(x: number): Code {
    return op.get(this.f.hoist(`f${Object.is(x, -0) ? "-0" : x}`, "v128", () => op.f64x2(x)));
  }

  /** An int64 constant in both lanes. */
  KI(v: bigint): Code {
    return op.get(this.f.hoist(`i${v}`, "v128", () => op.i64x2(v)));
  }

  /** Horner's scheme: cs[0] + z·(cs[1] + z·(… + z·cs[n−1])). */
  horner(z: Local<"v128">, cs: readonly number[]): Code {
    const parts: Code[] = [this.K(cs[cs.length - 1]!)];
    for (let i = cs.length - 2; i >= 0; i--) parts.push(code(op.get(z), op.f64x2Mul, this.K(cs[i]!), op.f64x2Add));
    return code(...parts);
  }

  /**
   * The two 16-byte table rows of the lanes' indices (the low bits of T, an integer k in its low
   * mantissa bits): ROW0 = row[k₀ mod size], ROW1 = row[k₁ mod size], for the table at byte `at`.
   */
  rows(l: Scratch, at: number, size: number): Code {
    return code(
      op.get(l.T), this.KI(BigInt(size - 1)), op.v128And, op.i32(4), op.i64x2Shl, op.set(l.IDX),
      op.get(l.IDX), op.i32x4ExtractLane(0), op.v128Load(at), op.set(l.ROW0),
      op.get(l.IDX), op.i32x4ExtractLane(2), op.v128Load(at), op.set(l.ROW1),
    );
  }

  /** Leaves s = 2^k·scale_j in SCALE and q = tail_j + (e^r − 1) in Q, where u = (kN + j)·ln2/N + r, for u in local U (|u| ≤ 708). */
  expParts(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      // t = u·N/ln2 + SHIFT (kN + j in its low bits); kf = t − SHIFT
      op.get(l.U), K(INV_LN2_N), op.f64x2Mul, K(SHIFT), op.f64x2Add, op.tee(l.T),
      K(SHIFT), op.f64x2Sub, op.set(l.KF),
      // r = (u + kf·(−ln2/N)hi) + kf·(−ln2/N)lo
      op.get(l.U), op.get(l.KF), K(NEG_LN2_HI_N), op.f64x2Mul, op.f64x2Add,
      op.get(l.KF), K(NEG_LN2_LO_N), op.f64x2Mul, op.f64x2Add, op.tee(l.R),
      op.get(l.R), op.f64x2Mul, op.set(l.R2),
      this.rows(l, EXP_TABLE_AT, EXP_TABLE_SIZE),
      // scale bits = table word + (kN + j)·2^45 (the high bits of t's bits shift out)
      op.get(l.ROW0), op.get(l.ROW1), op.f64x2Highs, op.get(l.T), op.i32(45), op.i64x2Shl, op.i64x2Add, op.set(l.SCALE),
      // q = tail + r + r²(C2 + r·C3) + r⁴(C4 + r·C5)
      op.get(l.ROW0), op.get(l.ROW1), op.f64x2Lows, op.get(l.R), op.f64x2Add,
      op.get(l.R2), op.get(l.R), K(EXP_C[1]!), op.f64x2Mul, K(EXP_C[0]!), op.f64x2Add, op.f64x2Mul, op.f64x2Add,
      op.get(l.R2), op.get(l.R2), op.f64x2Mul, op.get(l.R), K(EXP_C[3]!), op.f64x2Mul, K(EXP_C[2]!), op.f64x2Add, op.f64x2Mul, op.f64x2Add,
      op.set(l.Q),
    );
  }

  /** Leaves e^u − 1 in local E (and s in SCALE), for u in local U (|u| ≤ 708). */
  expm1Into(l: Scratch): Code {
    return code(
      this.expParts(l),
      // e^u − 1 = s·q + (s − 1)
      op.get(l.SCALE), op.get(l.Q), op.f64x2Mul, op.get(l.SCALE), this.K(1), op.f64x2Sub, op.f64x2Add, op.set(l.E),
    );
  }

  /**
   * sin x (cos x with `cos`) into X: the reduction and table rows (reduceTrig), then one of the two
   * combinations. The caller recomputes |x| > 1e5 (and NaN, ±∞) with Math.sin / Math.cos.
   */
  sinCos(l: Scratch, cos: boolean): Code {
    return code(this.reduceTrig(l), cos ? this.cosOf(l) : this.sinOf(l), op.set(l.X));
  }

  /** From X: s(r) in SR, c(r) = cos r − 1 in CR, and sin(jπ/64), cos(jπ/64) of each lane in S and C. */
  reduceTrig(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    const [p1, p2, p3, p4] = piParts(TRIG_DIVISIONS, 32, 4) as [number, number, number, number];
    // Taylor coefficients: sin r = r + r·z·(−1/6 + z/120 − z²/5040), cos r − 1 = z·(−1/2 + z/24 − z²/720)
    const SIN = [-1 / 6, 1 / 120, -1 / 5040];
    const COS = [-1 / 2, 1 / 24, -1 / 720];
    return code(
      // t = x·64/π + SHIFT; kf = t − SHIFT (= k)
      op.get(l.X), K(INV_PI_64), op.f64x2Mul, K(SHIFT), op.f64x2Add, op.tee(l.T),
      K(SHIFT), op.f64x2Sub, op.set(l.KF),
      // r = (((x − k·p1) − k·p2) − k·p3) − k·p4
      op.get(l.X), op.get(l.KF), K(p1), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(p2), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(p3), op.f64x2Mul, op.f64x2Sub,
      op.get(l.KF), K(p4), op.f64x2Mul, op.f64x2Sub, op.tee(l.R),
      op.get(l.R), op.f64x2Mul, op.set(l.R2),
      // s(r) = r + r·(z·SIN(z)); c(r) = z·COS(z)
      op.get(l.R), op.get(l.R), op.get(l.R2), this.horner(l.R2, SIN), op.f64x2Mul, op.f64x2Mul, op.f64x2Add, op.set(l.SR),
      op.get(l.R2), this.horner(l.R2, COS), op.f64x2Mul, op.set(l.CR),
      this.rows(l, TRIG_TABLE_AT, TRIG_TABLE_SIZE),
      op.get(l.ROW0), op.get(l.ROW1), op.f64x2Lows, op.set(l.S),
      op.get(l.ROW0), op.get(l.ROW1), op.f64x2Highs, op.set(l.C),
    );
  }

  /** sin x = S + (S·c(r) + C·s(r)), on the stack. */
  sinOf(l: Scratch): Code {
    return code(op.get(l.S), op.get(l.S), op.get(l.CR), op.f64x2Mul, op.get(l.C), op.get(l.SR), op.f64x2Mul, op.f64x2Add, op.f64x2Add);
  }

  /** cos x = C + (C·c(r) − S·s(r)), on the stack. */
  cosOf(l: Scratch): Code {
    return code(op.get(l.C), op.get(l.C), op.get(l.CR), op.f64x2Mul, op.get(l.S), op.get(l.SR), op.f64x2Mul, op.f64x2Sub, op.f64x2Add);
  }

  /**
   * sin x into X and cos x into E at once: sinCos's reduction once, then both combinations — the
   * same operations as the sin and cos kernels, so the same bits.
   */
  sinAndCos(l: Scratch): Code {
    return code(this.reduceTrig(l), this.cosOf(l), op.set(l.E), this.sinOf(l), op.set(l.X));
  }

  /**
   * e^x = s + s·q (not expm1 + 1, which cancels for negative x), with x clamped to ±708: the caller
   * recomputes elements beyond that (and NaN) with Math.exp.
   */
  exp(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      op.get(l.X), K(-708), op.f64x2Pmax, K(708), op.f64x2Pmin, op.set(l.U),
      this.expParts(l),
      op.get(l.SCALE), op.get(l.SCALE), op.get(l.Q), op.f64x2Mul, op.f64x2Add, op.set(l.X),
    );
  }

  tanh(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      // u = 2·min(|x|, 20) (|x| by clearing the sign bit; pmin keeps NaN)
      op.get(l.X), this.KI(0x7fffffffffffffffn), op.v128And, K(20), op.f64x2Pmin, op.tee(l.U), op.get(l.U), op.f64x2Add, op.set(l.U),
      this.expm1Into(l),
      // |tanh| = e/(e + 2), then the sign of x
      op.get(l.E), op.get(l.E), K(2), op.f64x2Add, op.f64x2Div,
      op.get(l.X), this.KI(-0x8000000000000000n), op.v128And, op.v128Or, op.set(l.X),
    );
  }

  sigmoid(l: Scratch): Code {
    const K = (x: number): Code => this.K(x);
    return code(
      // u = clamp(−x, −700, 700) (−x by flipping the sign bit); σ = 1/(1 + e^u)
      op.get(l.X), this.KI(-0x8000000000000000n), op.v128Xor, K(-700), op.f64x2Pmax, K(700), op.f64x2Pmin, op.set(l.U),
      this.expParts(l),
      K(1), K(1), op.get(l.SCALE), op.get(l.SCALE), op.get(l.Q), op.f64x2Mul, op.f64x2Add, op.f64x2Add, op.f64x2Div, op.set(l.X),
    );
  }
}

/** Element pairs computed per loop step, their statements interleaved (measured best on a 4096 block: 2 → 4 pairs, −10 to −20% time; 6 and 8 slower). */
export const PAIRS_PER_STEP = 4;

/**
 * A kernel body's statements: the code up to and including each local.set. Every statement of the
 * generator ends at a local.set that leaves the stack empty (each computes one local), so the
 * statements of independent element pairs can be interleaved freely.
 */
function statements(c: Code): Code[] {
  const out: Code[] = [];
  let current: Code[number][] = [];
  for (const b of c) {
    current.push(b);
    if (typeof b !== "number" && b.opcode === 0x21) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The statements of several independent bodies, round robin: V8 keeps the order, so the pairs' long dependency chains overlap in the processor. */
export function interleave(bodies: readonly Code[]): Code {
  const parts = bodies.map(statements);
  const out: Code[] = [];
  for (let i = 0, n = Math.max(...parts.map((p) => p.length)); i < n; i++) for (const p of parts) if (i < p.length) out.push(p[i]!);
  return code(...out);
}

/**
 * One emitter for every vector function: f(src, dst_1, …, dst_m, pairs): for i in 0..pairs:
 * X = load(src + 16i); `body` computes; store(dst_j + 16i, results[j]) for each output j.
 * PAIRS_PER_STEP pairs per step, each with its own scratch locals and their statements interleaved,
 * then the remaining pairs one at a time. The activations have one output (X); sincos has two (sin x
 * in X, cos x in E).
 */
function pairLoop(name: string, body: (g: Generator, l: Scratch) => Code, results: (l: Scratch) => readonly Local<"v128">[], outputs: number, range = false): FunctionBuilder {
  const f = new FunctionBuilder(name, ["i32", ...Array.from({ length: outputs }, () => "i32" as const), "i32", ...(range ? (["i32"] as const) : [])]);
  const SRC = f.params[0]!;
  const DST = f.params.slice(1, 1 + outputs);
  const PAIRS = f.params[1 + outputs]!;
  // With the range check (see withinName): ALL &= (lo ≤ x) & (x ≤ hi) on each input, before the body overwrites it.
  const BOUNDS = range ? f.params[2 + outputs]! : null;
  const I = f.local("i32");
  // (declared only in the checked form: the plain form's bytes stay as they were)
  const [LO, HI, ALL] = range ? [f.local("v128"), f.local("v128"), f.local("v128")] : [I, I, I];
  const sets = Array.from({ length: PAIRS_PER_STEP }, () => scratchLocals(f));
  const g = new Generator(f);
  // Pair k of the step: load, compute, store (the byte offset 16k from element pair I).
  const one = (k: number): Code => {
    const l = sets[k]!;
    const out = results(l);
    return code(
      op.get(SRC), op.get(I), op.i32(16), op.mul, op.add, op.v128Load(16 * k), op.set(l.X),
      BOUNDS === null ? code() : code(op.get(ALL), op.get(LO), op.get(l.X), op.f64x2Le, op.v128And, op.get(l.X), op.get(HI), op.f64x2Le, op.v128And, op.set(ALL)),
      body(g, l),
      ...DST.map((dst, j) => code(op.get(dst), op.get(I), op.i32(16), op.mul, op.add, op.get(out[j]!), op.v128Store(16 * k))),
    );
  };
  f.emit(
    BOUNDS === null ? code() : code(op.get(BOUNDS), op.v128Load(0), op.set(LO), op.get(BOUNDS), op.v128Load(16), op.set(HI), op.i64x2(-1n), op.set(ALL)),
    op.i32(0), op.set(I),
    // PAIRS_PER_STEP pairs at a time while that many remain (i + PAIRS_PER_STEP − 1 < pairs) …
    whileNot(
      code(op.get(I), op.i32(PAIRS_PER_STEP - 1), op.add, op.get(PAIRS), op.geU),
      interleave(Array.from({ length: PAIRS_PER_STEP }, (_, k) => one(k))),
      op.get(I), op.i32(PAIRS_PER_STEP), op.add, op.set(I),
    ),
    // … then the remaining pairs, one at a time.
    countedLoop(I, op.get(PAIRS), 1, one(0)),
    // 1.0 in each lane whose inputs all lay in [lo, hi], else +0 (wasm-range.ts's answer, at bounds + 32)
    BOUNDS === null ? code() : code(op.get(BOUNDS), op.get(ALL), op.f64x2(1), op.v128And, op.v128Store(32)),
  );
  return f;
}

/** The code of one vector function on a pair: from its input in l.X to its value in l.X (every statement ends at a local.set). */
export function activationBody(g: Generator, l: Scratch, name: VectorActivationName): Code {
  return name === "sin" || name === "cos" ? g.sinCos(l, name === "cos") : g[name](l);
}

/** f(src, dst, pairs): dst[i] = name(src[i]); with `range`, f(src, dst, pairs, bounds) also checks the inputs (withinName). */
function activationFunction(name: VectorActivationName, range = false): FunctionBuilder {
  return pairLoop(range ? withinName(name) : name, (g, l) => activationBody(g, l, name), (l) => [l.X], 1, range);
}

/** sincos(src, dst, dstCos, pairs): dst[i] = sin(src[i]), dstCos[i] = cos(src[i]); with `range`, sincos_within(…, pairs, bounds). */
function sinCosFunction(range = false): FunctionBuilder {
  return pairLoop(range ? withinName("sincos") : "sincos", (g, l) => g.sinAndCos(l), (l) => [l.X, l.E], 2, range);
}

/**
 * The functions whose callers check the inputs' range (vector-unary.ts) have a second form that does
 * it in the same pass, "<name>_within": one more argument `bounds`, a byte offset holding lo, lo, hi,
 * hi (float64s); at bounds + 32 it writes two float64s, lane l = 1 when lo ≤ x ≤ hi for every input x
 * of lane l, else 0 (NaN is not within) — wasm-range.ts's answer, without its second pass over the block.
 * The values written are those of the plain form, bit for bit (the same body).
 */
export const RANGE_CHECKED = ["exp", "sigmoid", "sin", "cos", "sincos"] as const;
function withinName(name: string): string {
  return `${name}_within`;
}

/** The tables' bytes: exp's at EXP_TABLE_AT, sin/cos's at TRIG_TABLE_AT (little-endian, as WebAssembly reads them). */
function tables(): Uint8Array {
  const bytes = new Uint8Array(KERNEL_TABLE_BYTES);
  const view = new DataView(bytes.buffer);
  expTable().forEach((w, i) => view.setBigUint64(EXP_TABLE_AT + 8 * i, w, true));
  trigTable().forEach((x, i) => view.setFloat64(TRIG_TABLE_AT + 8 * i, x, true));
  return bytes;
}

/** The module's bytes, assembled once per process (about 20 ms; every heap instantiates them). */
let moduleCache: Uint8Array | null = null;

/** The module: the functions, and the tables as a data segment at the start of the memory (KERNEL_TABLE_BYTES, kept by the heap). */
export function activationModuleBytes(): Uint8Array {
  moduleCache ??= moduleBytes(
    [
      ...VECTOR_ACTIVATIONS.map((name) => activationFunction(name).finish()),
      sinCosFunction().finish(),
      ...RANGE_CHECKED.map((name) => (name === "sincos" ? sinCosFunction(true) : activationFunction(name, true)).finish()),
    ],
    [{ offset: 0, bytes: tables() }],
  );
  return moduleCache;
}

/** (srcByteOffset, sinByteOffset, cosByteOffset, pairs): sin and cos of 2·pairs float64s at once. */
export type VectorSinCos = (src: number, dst: number, dstCos: number, pairs: number) => void;

/** (srcByteOffset, dstByteOffset, pairs): dst[i] = f(src[i]) for 2·pairs float64s. */
export type VectorActivation = (src: number, dst: number, pairs: number) => void;

/** The vector functions of the module (each exported under its name). */
export const VECTOR_ACTIVATIONS = ["tanh", "sigmoid", "exp", "sin", "cos"] as const;
export type VectorActivationName = (typeof VECTOR_ACTIVATIONS)[number];

/** The range-checked forms (RANGE_CHECKED): the plain form's arguments, then the bounds' byte offset. */
export type CheckedActivation = (src: number, dst: number, pairs: number, bounds: number) => void;
export type CheckedSinCos = (src: number, dst: number, dstCos: number, pairs: number, bounds: number) => void;

export type VectorActivations = { readonly [N in VectorActivationName]: VectorActivation } & {
  readonly sincos: VectorSinCos;
  /** The range-checked forms, by the plain form's name. */
  readonly checked: { readonly [N in Exclude<(typeof RANGE_CHECKED)[number], "sincos">]: CheckedActivation } & { readonly sincos: CheckedSinCos };
};

/**
 * The kernels on `memory`, or null without WebAssembly SIMD. Instantiating writes the kernels' tables
 * to bytes [0, KERNEL_TABLE_BYTES) of the memory (the module's data segment): the caller must keep
 * them (F64Heap allocates after them) and must not pass the kernels addresses inside them.
 */
export function instantiateActivations(memory: WebAssembly.Memory): VectorActivations | null {
  const exports = instantiate(activationModuleBytes(), memory);
  if (exports === null) return null;
  const checked = Object.fromEntries(RANGE_CHECKED.map((n) => [n, exports[withinName(n)]]));
  return { ...Object.fromEntries([...VECTOR_ACTIVATIONS, "sincos"].map((n) => [n, exports[n]])), checked } as VectorActivations;
}
