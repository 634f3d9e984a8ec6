// The WebAssembly assembler: LEB128 against the byte sequences given in the specification and
// its standard examples, module bytes written out by hand from the binary format (spec §5), and
// typed locals numbered by declaration group.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FunctionBuilder, MODULE_HEADER, code, countedLoop, instantiate, moduleBytes, op, sleb, uleb, whileNot, type Code } from "../../../src/engine/kernels/wasm-encoder.js";

describe("LEB128", () => {
  it("unsigned: known encodings", () => {
    // 624485 = 0b10011_0000111_1100101 → E5 8E 26 (the DWARF / Wikipedia example).
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("signed: known encodings", () => {
    // −123456 → C0 BB 78 (the DWARF / Wikipedia example); the sign bit is bit 6 of the last byte.
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(0)).toEqual([0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it("decodes back (the decoder written from the definition: Σ (b & 0x7f)·128^i)", () => {
    const decodeU = (b: number[]): number => b.reduce((v, x, i) => v + (x & 0x7f) * 128 ** i, 0);
    const decodeS = (b: number[]): number => {
      const v = decodeU(b);
      return (b[b.length - 1]! & 0x40) !== 0 ? v - 128 ** b.length : v;
    };
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => decodeU(uleb(n)) === n));
    fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (n) => decodeS(sleb(n)) === n));
  });

  it("refuses numbers outside u32 / s32", () => {
    expect(() => uleb(-1)).toThrow();
    expect(() => uleb(2 ** 32)).toThrow();
    expect(() => uleb(1.5)).toThrow();
    expect(() => sleb(2 ** 31)).toThrow();
  });
});

describe("module bytes", () => {
  it("a module with one empty exported function, byte for byte", () => {
    const bytes = moduleBytes([new FunctionBuilder("f", []).finish()]);
    // prettier-ignore
    expect([...bytes]).toEqual([
      ...MODULE_HEADER,                                              // \0asm, version 1
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                            // type section: one type, func [] → []
      0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76,                      // import section: one import, "env"
      0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01,    //   "memory", kind memory, limits {min 1}
      0x03, 0x02, 0x01, 0x00,                                        // function section: one function, type 0
      0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,                      // export section: "f", function 0
      0x0a, 0x08, 0x01, 0x06, 0x02, 0x00, 0x7f, 0x00, 0x7b, 0x0b,    // code section: one entry of 6 bytes:
    ]);                                                              //   locals {0 × i32, 0 × v128}, end
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it("locals are typed handles, numbered parameters first, then i32s, then v128s", () => {
    const f = new FunctionBuilder("g", ["i32"]);
    const v = f.local("v128");
    const i = f.local("i32");
    const w = f.local("v128");
    f.emit(op.get(f.params[0]!), op.set(i), op.get(w), op.set(v));
    const def = f.finish();
    // locals: 2 groups, 1 × i32 (index 1), 2 × v128 (v = 2, w = 3, in allocation order)
    expect(def.code).toEqual([0x02, 0x01, 0x7f, 0x02, 0x7b, 0x20, 0x00, 0x21, 0x01, 0x20, 0x03, 0x21, 0x02, 0x0b]);
    expect(def.params).toEqual(["i32"]);
  });

  it("a local of another function is an error", () => {
    const f = new FunctionBuilder("f", []);
    const g = new FunctionBuilder("g", []);
    const l = g.local("i32");
    f.emit(op.i32(0), op.set(l));
    expect(() => f.finish()).toThrow(/another function/);
  });

  it("hoisted constants are set once before the body, each key once", () => {
    const f = new FunctionBuilder("f", ["i32"]);
    const k1 = f.hoist("one", "v128", () => op.f64x2(1));
    const k2 = f.hoist("one", "v128", () => op.f64x2(2));
    expect(k2).toBe(k1);
    f.emit(op.get(f.params[0]!), op.get(k1), op.v128Store(0));
    const def = f.finish();
    const one = [0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]; // 1.0 = 0x3FF0000000000000, little-endian, twice
    expect(def.code).toEqual([0x02, 0x00, 0x7f, 0x01, 0x7b, ...one, 0x21, 0x01, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x0b, 0x03, 0x00, 0x0b]);
  });

  it("an assembled function runs: x ← (x + x)·0.25 over n f64x2 pairs", () => {
    const f = new FunctionBuilder("axpy", ["i32", "i32"]);
    const [dst, n] = f.params;
    const i = f.local("i32");
    const x = f.local("v128");
    f.emit(
      op.i32(0), op.set(i),
      op.block, op.loop,
      op.get(i), op.get(n!), op.geU, op.brIf(1),
      op.get(dst!), op.get(i), op.i32(16), op.mul, op.add, op.v128Load(), op.tee(x),
      op.get(x), op.f64x2Add, op.set(x),
      op.get(dst!), op.get(i), op.i32(16), op.mul, op.add, code(op.get(x), op.f64x2(0.25), op.f64x2Mul), op.v128Store(),
      op.get(i), op.i32(1), op.add, op.set(i), op.br(0),
      op.end, op.end,
    );
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = instantiate(moduleBytes([f.finish()]), memory);
    expect(exports).not.toBeNull();
    const a = new Float64Array(memory.buffer, 0, 6);
    a.set([3, -5, 0.75, 1e300, -0, 7]);
    (exports!["axpy"] as (d: number, n: number) => void)(0, 2);
    // Halved (exactly, in binary) for the first two pairs; the third pair is untouched.
    expect([...a]).toEqual([1.5, -2.5, 0.375, 5e299, -0, 7]);
  });
});

describe("loops", () => {
  it("countedLoop and whileNot are block, loop, the exit test, br_if 1, the body, (the step,) br 0, end, end", () => {
    const f = new FunctionBuilder("f", ["i32"]);
    const [n] = f.params;
    const i = f.local("i32");
    const body = code(op.get(i), op.set(i));
    // The sequence written out by hand from the loop's definition (spec §2.4.8: br_if 1 leaves the block, br 0 repeats the loop).
    const byHand = code(op.block, op.loop, op.get(i), op.get(n!), op.geU, op.brIf(1), body, op.get(i), op.i32(3), op.add, op.set(i), op.br(0), op.end, op.end);
    expect(countedLoop(i, op.get(n!), 3, body)).toEqual(byHand);
    expect(whileNot(code(op.get(i), op.get(n!), op.geU), body, op.get(i), op.i32(3), op.add, op.set(i))).toEqual(byHand);
    // The builder's forms wrap what the callback emits in the same code.
    const g = new FunctionBuilder("g", ["i32"]);
    const j = g.local("i32");
    g.emitCounted(j, op.get(g.params[0]!), 3, () => g.emit(op.get(j), op.set(j)));
    const h = new FunctionBuilder("g", ["i32"]);
    const k = h.local("i32");
    h.emit(op.block, op.loop, op.get(k), op.get(h.params[0]!), op.geU, op.brIf(1), op.get(k), op.set(k), op.get(k), op.i32(3), op.add, op.set(k), op.br(0), op.end, op.end);
    expect(g.finish().code).toEqual(h.finish().code);
  });

  it("a counted loop with a step of 2 runs ⌈n/2⌉ times: every other pair doubled", () => {
    const f = new FunctionBuilder("every", ["i32", "i32"]);
    const [dst, n] = f.params;
    const i = f.local("i32");
    const at = code(op.get(dst!), op.get(i), op.i32(16), op.mul, op.add);
    f.emit(op.i32(0), op.set(i));
    f.emitCounted(i, op.get(n!), 2, () => f.emit(at, at, op.v128Load(), op.f64x2(2), op.f64x2Mul, op.v128Store()));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = instantiate(moduleBytes([f.finish()]), memory);
    expect(exports).not.toBeNull();
    const a = new Float64Array(memory.buffer, 0, 10);
    a.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    (exports!["every"] as (d: number, n: number) => void)(0, 5);
    // Pairs 0, 2 and 4 (i = 0, 2, 4 < 5) doubled; pairs 1 and 3 untouched.
    expect([...a]).toEqual([2, 4, 3, 4, 10, 12, 7, 8, 18, 20]);
  });
});

describe("data segments, shuffles, lane extraction, pseudo-min/max", () => {
  it("a data segment is a section 11 after the code, written to the memory at instantiation", () => {
    const bytes = moduleBytes([new FunctionBuilder("f", []).finish()], [{ offset: 8, bytes: Uint8Array.from([1, 2, 3]) }]);
    // data section: id 11, size 9, one segment: mode 0 (active, memory 0), i32.const 8, end, 3 bytes
    expect([...bytes.slice(-11)]).toEqual([0x0b, 0x09, 0x01, 0x00, 0x41, 0x08, 0x0b, 0x03, 1, 2, 3]);
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(instantiate(bytes, memory)).not.toBeNull();
    expect([...new Uint8Array(memory.buffer, 7, 5)]).toEqual([0, 1, 2, 3, 0]);
  });

  it("f64x2Lows/Highs, i32x4.extract_lane and pmin/pmax compute what the specification says", () => {
    // f(p): at p: a, b (two f64x2); writes [a₀, b₀], [a₁, b₁], pmin(a, b), pmax(a, b) after them, and
    // the i32 lanes 0 and 2 of a as the i32s at p + 96 and p + 100.
    const f = new FunctionBuilder("f", ["i32"]);
    const [p] = f.params;
    const a = f.local("v128");
    const b = f.local("v128");
    const lane = (n: number): Code => code(op.get(a), op.i32x4ExtractLane(n));
    f.emit(
      op.get(p!), op.v128Load(0), op.set(a), op.get(p!), op.v128Load(16), op.set(b),
      op.get(p!), op.get(a), op.get(b), op.f64x2Lows, op.v128Store(32),
      op.get(p!), op.get(a), op.get(b), op.f64x2Highs, op.v128Store(48),
      op.get(p!), op.get(a), op.get(b), op.f64x2Pmin, op.v128Store(64),
      op.get(p!), op.get(a), op.get(b), op.f64x2Pmax, op.v128Store(80),
      op.get(p!), lane(0), [0x36, 0x02, 96], // i32.store align 4, offset 96
      op.get(p!), lane(2), [0x36, 0x02, 100],
    );
    const memory = new WebAssembly.Memory({ initial: 1 });
    const exports = instantiate(moduleBytes([f.finish()]), memory)!;
    const x = new Float64Array(memory.buffer, 0, 12);
    x.set([NaN, 2, 1, -0]);
    (exports["f"] as (p: number) => void)(0);
    expect([...x.slice(4, 6)]).toEqual([NaN, 1]);
    expect([...x.slice(6, 8)]).toEqual([2, -0]);
    // pmin(a, b) = b < a ? b : a: NaN < … is false, so NaN stays; pmax(a, b) = a < b ? b : a
    expect([...x.slice(8, 10)]).toEqual([NaN, -0]);
    expect([...x.slice(10, 12)]).toEqual([NaN, 2]);
    // the low 32 bits of each float64: NaN's canonical bits 0x7ff8000000000000 → 0, 2 = 0x4000000000000000 → 0
    x[0] = 5e-324; // bits 1
    x[1] = 1e-323; // bits 2
    (exports["f"] as (p: number) => void)(0);
    expect([...new Int32Array(memory.buffer, 96, 2)]).toEqual([1, 2]);
  });

  it("refuses shuffle lanes beyond 31 and i32x4 lanes beyond 3", () => {
    expect(() => op.i8x16Shuffle(Array.from({ length: 16 }, () => 32))).toThrow();
    expect(() => op.i8x16Shuffle([0])).toThrow();
    expect(() => op.i32x4ExtractLane(4)).toThrow();
  });
});
