// A small typed WebAssembly assembler: just what the SIMD kernels need (i32 and f64x2/i64x2
// arithmetic, loads and stores, blocks and loops), so that the kernels are assembled from
// TypeScript at run time and no toolchain is needed to build or install the project.
//
// Locals are typed handles, not numbers: a FunctionBuilder hands out `Local`s (parameters first,
// then locals in allocation order) and numbers them only when the function is encoded, grouping
// the declared locals by type (all i32s, then all v128s, each group in allocation order) as the
// binary format requires. Instructions are kept as a list of byte runs and local references, so
// nothing is decoded again. Each builder owns its state (hoisted constants included); the module
// holds no generator state. Encodings follow the WebAssembly core specification, §5 (binary format).

import "./wasm-types.js";

/** Value types the kernels use, with their binary codes (spec §5.3.1, §5.3.2). */
export type ValType = "i32" | "v128";
const TYPE_CODE: Readonly<Record<ValType, number>> = { i32: 0x7f, v128: 0x7b };

/** Unsigned LEB128 of a u32 (spec §5.2.2). */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`internal: uleb of ${n} (not a u32)`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an s32 (spec §5.2.2). */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`internal: sleb of ${n} (not an s32)`);
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A local (or parameter) of one function being built; its index is fixed at encoding. */
export interface Local<T extends ValType = ValType> {
  readonly type: T;
  /** The builder that made it (a local of another function is an error). */
  readonly owner: FunctionBuilder<readonly ValType[]>;
  /** Parameter position, or −1 for a declared local. */
  readonly param: number;
  /** Allocation order among the declared locals. */
  readonly serial: number;
}

/** local.get / local.set / local.tee of a local, resolved to its index at encoding. */
interface LocalRef {
  readonly opcode: 0x20 | 0x21 | 0x22;
  readonly local: Local;
}

/** Instruction code: raw bytes and local references, in order. */
export type Code = readonly (number | LocalRef)[];

/** Concatenate instruction code. */
export function code(...parts: Code[]): (number | LocalRef)[] {
  const out: (number | LocalRef)[] = [];
  for (const p of parts) for (const b of p) out.push(b);
  return out;
}

const simd = (n: number): number[] => [0xfd, ...uleb(n)];
/** memarg: alignment exponent 3 (8 bytes, a hint) and the offset. */
const memarg = (offset: number): number[] => [3, ...uleb(offset)];

/** v128.const of 16 bytes written by `fill` (little-endian lanes). */
function v128Const(fill: (view: DataView) => void): number[] {
  const bytes = new Uint8Array(16);
  fill(new DataView(bytes.buffer));
  return [...simd(0x0c), ...bytes];
}

/** Instruction emitters (each is, or returns, its code). Opcodes from spec §5.4. */
export const op = {
  get: (l: Local): Code => [{ opcode: 0x20, local: l }],
  set: (l: Local): Code => [{ opcode: 0x21, local: l }],
  tee: (l: Local): Code => [{ opcode: 0x22, local: l }],
  i32: (v: number): Code => [0x41, ...sleb(v)],
  add: [0x6a] as Code,
  sub: [0x6b] as Code,
  mul: [0x6c] as Code,
  and: [0x71] as Code,
  geU: [0x4f] as Code,
  ltU: [0x49] as Code,
  eqz: [0x45] as Code,
  block: [0x02, 0x40] as Code,
  loop: [0x03, 0x40] as Code,
  end: [0x0b] as Code,
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  v128Load: (offset = 0): Code => [...simd(0x00), ...memarg(offset)],
  v128Store: (offset = 0): Code => [...simd(0x0b), ...memarg(offset)],
  load64Splat: (offset = 0): Code => [...simd(0x0a), ...memarg(offset)],
  /** A float64 in both lanes. */
  f64x2: (x: number): Code => v128Const((v) => (v.setFloat64(0, x, true), v.setFloat64(8, x, true))),
  /** An int64 (a bigint, taken modulo 2^64) in both lanes. */
  i64x2: (x: bigint): Code => v128Const((v) => (v.setBigUint64(0, BigInt.asUintN(64, x), true), v.setBigUint64(8, BigInt.asUintN(64, x), true))),
  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a‖b (0–15 from a, 16–31 from b). */
  i8x16Shuffle: (lanes: readonly number[]): Code => {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) throw new RangeError(`internal: shuffle lanes ${lanes}`);
    return [...simd(0x0d), ...lanes];
  },
  /** The low float64 lanes of a and b: [a₀, b₀] (one unpcklpd). */
  f64x2Lows: [...simd(0x0d), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] as Code,
  /** The high float64 lanes of a and b: [a₁, b₁] (one unpckhpd). */
  f64x2Highs: [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31] as Code,
  /** i32x4.extract_lane: lane 0 and 2 are the low halves of the two 64-bit lanes. */
  i32x4ExtractLane: (lane: number): Code => {
    if (!Number.isInteger(lane) || lane < 0 || lane > 3) throw new RangeError(`internal: i32x4 lane ${lane}`);
    return [...simd(0x1b), lane];
  },
  f64x2Splat: simd(0x14) as Code,
  i32x4Splat: simd(0x11) as Code,
  f64x2Abs: simd(0xec) as Code,
  f64x2Neg: simd(0xed) as Code,
  f64x2Add: simd(0xf0) as Code,
  f64x2Sub: simd(0xf1) as Code,
  f64x2Mul: simd(0xf2) as Code,
  f64x2Div: simd(0xf3) as Code,
  f64x2Min: simd(0xf4) as Code,
  f64x2Max: simd(0xf5) as Code,
  /** Pseudo-minimum b < a ? b : a (one x86 minpd; f64x2.min's NaN and ±0 rules cost about eight instructions). */
  f64x2Pmin: simd(0xf6) as Code,
  /** Pseudo-maximum a < b ? b : a (one maxpd). */
  f64x2Pmax: simd(0xf7) as Code,
  f64x2Le: simd(0x4b) as Code,
  i64x2Add: simd(0xce) as Code,
  i64x2Sub: simd(0xd1) as Code,
  i64x2Shl: simd(0xcb) as Code,
  v128And: simd(0x4e) as Code,
  v128Or: simd(0x50) as Code,
  v128Xor: simd(0x51) as Code,
  v128AndNot: simd(0x4f) as Code,
  bitselect: simd(0x52) as Code,
};

/**
 * `while (!exit) { body }`: block, loop, the exit test (an i32, nonzero to leave), br_if 1, the body,
 * br 0, end, end. Inside the body, depth 0 is the loop (continue) and 1 the block (leave).
 */
export function whileNot(exit: Code, ...body: Code[]): (number | LocalRef)[] {
  return code(op.block, op.loop, exit, op.brIf(1), ...body, op.br(0), op.end, op.end);
}

/** `for (; i < n; i += step) { body }`, unsigned (the caller sets i first): whileNot(i ≥ n) with the step after the body. */
export function countedLoop(i: Local<"i32">, n: Code, step: number, ...body: Code[]): (number | LocalRef)[] {
  return whileNot(code(op.get(i), n, op.geU), ...body, op.get(i), op.i32(step), op.add, op.set(i));
}

/** An encoded function: exported by name, parameters only (all functions return nothing). */
export interface FunctionDef {
  readonly name: string;
  readonly params: readonly ValType[];
  /** The locals vector and the body with its final `end` (spec §5.5.13, the `func` of a code entry). */
  readonly code: readonly number[];
}

/** Builds one function: its parameters (a tuple of typed locals), typed locals, hoisted constants and body. */
export class FunctionBuilder<P extends readonly ValType[] = readonly ValType[]> {
  /** The parameters, as locals. */
  readonly params: { readonly [K in keyof P]: Local<P[K]> };
  private readonly locals: Local[] = [];
  private readonly body: (number | LocalRef)[] = [];
  private readonly hoisted = new Map<string, { local: Local; init: Code }>();

  constructor(readonly name: string, paramTypes: P) {
    this.params = paramTypes.map((type, i) => ({ type, owner: this, param: i, serial: -1 })) as { readonly [K in keyof P]: Local<P[K]> };
  }

  /** A new local of the given type. */
  local<T extends ValType>(type: T): Local<T> {
    const l: Local<T> = { type, owner: this, param: -1, serial: this.locals.length };
    this.locals.push(l);
    return l;
  }

  /** Append code to the body. */
  emit(...parts: Code[]): void {
    for (const p of parts) for (const b of p) this.body.push(b);
  }

  /** Emit whileNot(exit, …) around the code that `body` emits. */
  emitWhileNot(exit: Code, body: () => void): void {
    const mark = this.body.length;
    body();
    this.emit(whileNot(exit, this.body.splice(mark)));
  }

  /** Emit countedLoop(i, n, step, …) around the code that `body` emits. */
  emitCounted(i: Local<"i32">, n: Code, step: number, body: () => void): void {
    const mark = this.body.length;
    body();
    this.emit(countedLoop(i, n, step, this.body.splice(mark)));
  }

  /**
   * A local set once, before the body, to `init()` (computed on first use of `key`): constants a
   * loop reads many times (a v128.const inside a loop costs several instructions per use).
   */
  hoist(key: string, type: ValType, init: () => Code): Local {
    let h = this.hoisted.get(key);
    if (h === undefined) {
      h = { local: this.local(type), init: init() };
      this.hoisted.set(key, h);
    }
    return h.local;
  }

  /** Encode: locals grouped by type, hoisted initialisations, the body, `end`. */
  finish(): FunctionDef {
    const index = new Map<Local, number>();
    (this.params as readonly Local[]).forEach((p, i) => index.set(p, i));
    let next = this.params.length;
    const groups: number[][] = [];
    for (const type of ["i32", "v128"] as const) {
      const ofType = this.locals.filter((l) => l.type === type);
      for (const l of ofType) index.set(l, next++);
      groups.push([...uleb(ofType.length), TYPE_CODE[type]]);
    }
    const resolve = (c: Code): number[] =>
      c.flatMap((b) => {
        if (typeof b === "number") return [b];
        const i = index.get(b.local);
        if (b.local.owner !== this || i === undefined) throw new Error(`internal: a local of another function used in ${this.name}`);
        return [b.opcode, ...uleb(i)];
      });
    const init = [...this.hoisted.values()].flatMap((h) => code(h.init, op.set(h.local)));
    return {
      name: this.name,
      params: (this.params as readonly Local[]).map((p) => p.type),
      code: [...vector(groups), ...resolve(init), ...resolve(this.body), 0x0b],
    };
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/** The magic number and version 1 (spec §5.5.16). */
export const MODULE_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** An active data segment: `bytes` written to the memory at byte `offset` when the module is instantiated. */
export interface DataSegment {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * A module importing env.memory (one page at least) and exporting the given functions, with the
 * given data segments (spec §5.5.14: mode 0, an i32.const offset expression).
 */
export function moduleBytes(functions: readonly FunctionDef[], data: readonly DataSegment[] = []): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [TYPE_CODE[t]])), ...vector([])]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)];
  const bodies = functions.map((f) => [...uleb(f.code.length), ...f.code]);
  return Uint8Array.from([
    ...MODULE_HEADER,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
    ...(data.length === 0 ? [] : section(11, vector(data.map((d) => [0x00, 0x41, ...sleb(d.offset), 0x0b, ...uleb(d.bytes.length), ...d.bytes])))),
  ]);
}

/** Instantiate a module on a memory; null where it does not validate (no SIMD) or fails. */
export function instantiate(bytes: Uint8Array, memory: WebAssembly.Memory): Record<string, unknown> | null {
  try {
    if (!WebAssembly.validate(bytes)) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  } catch {
    return null;
  }
}
