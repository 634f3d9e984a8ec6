// A minimal WebAssembly binary encoder: just what the SIMD kernels need (i32 and f64x2/i64x2
// arithmetic, loads and stores, blocks and loops), so that the kernels are assembled from
// TypeScript at run time and no toolchain is needed to build or install the project.

import "./wasm-types.js";

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
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

export const I32 = 0x7f;
export const V128 = 0x7b;

const simd = (code: number): number[] => [0xfd, ...uleb(code)];
const memarg = (offset: number): number[] => [3, ...uleb(offset)];

/** v128.const of two float64 lanes. */
function f64x2Const(a: number, b: number): number[] {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, a, true);
  view.setFloat64(8, b, true);
  return [...simd(0x0c), ...bytes];
}

/** v128.const of two int64 lanes (given as numbers within ±2^53). */
function i64x2Const(a: number, b: number): number[] {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigInt64(0, BigInt(a), true);
  view.setBigInt64(8, BigInt(b), true);
  return [...simd(0x0c), ...bytes];
}

/** Instruction emitters (each is, or returns, its bytes). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  geU: [0x4f],
  ltU: [0x49],
  eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(offset)],
  load64Splat: (offset = 0) => [...simd(0x0a), ...memarg(offset)],
  f64x2: (x: number) => f64x2Const(x, x),
  i64x2: (x: number) => i64x2Const(x, x),
  f64x2Splat: simd(0x14),
  f64x2Abs: simd(0xec),
  f64x2Neg: simd(0xed),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  f64x2Min: simd(0xf4),
  f64x2Max: simd(0xf5),
  f64x2Le: simd(0x4b),
  i64x2Add: simd(0xce),
  i64x2Sub: simd(0xd1),
  i64x2Shl: simd(0xcb),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128Xor: simd(0x51),
  v128AndNot: simd(0x4f),
  bitselect: simd(0x52),
};

/** Concatenate instruction bytes. */
export function code(...parts: (number[] | number)[]): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) for (const b of p) out.push(b);
    else out.push(p);
  }
  return out;
}

export interface FunctionDef {
  name: string;
  /** Parameter types (all functions return nothing). */
  params: number[];
  /** Local declarations after the parameters: [count, type]. */
  locals: [number, number][];
  /** The body's instructions, without the final `end`. */
  body: number[];
}

/** A module importing env.memory and exporting the given functions. */
export function moduleBytes(functions: FunctionDef[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector([])]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)];
  const bodies = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
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
