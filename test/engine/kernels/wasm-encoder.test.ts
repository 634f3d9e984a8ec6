// The WebAssembly assembler: LEB128 against the byte sequences given in the specification and
// its standard examples, module bytes written out by hand from the binary format (spec §5), and
// typed locals numbered by declaration group.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FunctionBuilder, MODULE_HEADER, code, instantiate, moduleBytes, op, sleb, uleb } from "../../../src/engine/kernels/wasm-encoder.js";

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
