// The SIMD tanh, sigmoid, exp, sin and cos kernels against Math.* and the logistic formula evaluated
// in float64, their tables against independent values, and the range edges of the tables' indices.

import { describe, expect, it } from "vitest";
import { F64Heap } from "../../../src/engine/kernels/f64-heap.js";
import { Rng } from "../../../src/engine/random.js";
import { KERNEL_TABLE_BYTES, hexFloat, type VectorActivationName } from "../../../src/engine/kernels/wasm-activations.js";
import { EXP_TABLE_SIZE, expTable, piParts, trigTable } from "../../../src/engine/kernels/kernel-tables.js";

/** |a − b| ≤ ulps·ε·|b|, or both NaN. */
function near(a: number, b: number, ulps: number, what: string): void {
  if (Number.isNaN(b)) expect(Number.isNaN(a), what).toBe(true);
  else expect(Math.abs(a - b), what).toBeLessThanOrEqual(ulps * Number.EPSILON * Math.abs(b));
}

function fromBits(b: bigint): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, b);
  return v.getFloat64(0);
}

function inputs(): Float64Array {
  const rng = new Rng(5);
  const special = [0, -0, 1e-300, -1e-300, 1e-12, -3e-9, 0.1, 0.3465, 0.3467, 0.7, 1, -1, 5, 19.99, 20, 20.01, -20, 36, 50, -50, 300, 699, 701, -701, 1e6, -1e6, Infinity, -Infinity];
  const random = Array.from({ length: 4001 }, () => (rng.uniform() - 0.5) * 10 ** (rng.uniform() * 8 - 5));
  return Float64Array.from([...special, ...random]);
}

let heap: F64Heap | null = null;

/** The kernel over x's whole pairs on one heap (the last element of an odd x is left NaN). */
function run(name: VectorActivationName, x: Float64Array): Float64Array {
  heap ??= new F64Heap(true);
  expect(heap.activations).not.toBeNull();
  const src = heap.copyIn(x);
  const dst = heap.alloc(x.length);
  heap.activations![name](8 * src, 8 * dst, x.length >> 1);
  const out = Float64Array.from(heap.view(dst, x.length));
  heap.release(dst, x.length);
  heap.release(src, x.length);
  if (x.length & 1) out[x.length - 1] = NaN; // odd tail is not computed by the vector kernel
  return out;
}

describe("SIMD activations", () => {
  it("tanh is within 4 units in the last place of Math.tanh (relative), with its sign and limits", () => {
    const x = inputs();
    const y = run("tanh", x);
    for (let i = 0; i < x.length - 1; i++) {
      const ref = Math.tanh(x[i]!);
      expect(Math.abs(y[i]! - ref), `tanh(${x[i]})`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(ref));
      expect(Math.sign(y[i]!)).toBe(Math.sign(ref));
    }
    expect(Object.is(run("tanh", Float64Array.from([-0, 0, 1]))[0], -0)).toBe(true);
  });

  it("sigmoid is within 4 ulp of 1/(1 + e^−x) where that is a normal number, and tends to 0 and 1", () => {
    const x = inputs();
    const y = run("sigmoid", x);
    for (let i = 0; i < x.length - 1; i++) {
      const ref = 1 / (1 + Math.exp(-x[i]!));
      if (x[i]! < -700) expect(y[i]!).toBeLessThan(1e-300);
      else expect(Math.abs(y[i]! - ref), `sigmoid(${x[i]})`).toBeLessThanOrEqual(4 * Number.EPSILON * ref);
    }
  });

  it("an odd number of pairs (the loop's single-pair tail) is computed too", () => {
    const x = Float64Array.from([0.5, -1, 2, -3, 4, 0.25, 7]);
    const t = run("tanh", x);
    const s = run("sigmoid", x);
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(t[i]! - Math.tanh(x[i]!))).toBeLessThanOrEqual(4 * Number.EPSILON);
      expect(Math.abs(s[i]! - 1 / (1 + Math.exp(-x[i]!)))).toBeLessThanOrEqual(4 * Number.EPSILON);
    }
  });

  it("propagates NaN", () => {
    expect(Number.isNaN(run("tanh", Float64Array.from([NaN, 1, 0]))[0])).toBe(true);
    expect(Number.isNaN(run("sigmoid", Float64Array.from([NaN, 1, 0]))[0])).toBe(true);
  });
});

describe("the kernels' tables", () => {
  it("exp: the scales of 2^(j/128) and their tails are musl's exp_data.c values (scales exact, tails within an ulp), and within an ulp of 2 ** (j/128)", () => {
    const t = expTable();
    // Words copied from musl src/math/exp_data.c (tab[2j], tab[2j+1] for j = 0, 1, 2, 127).
    const musl: [number, bigint, bigint][] = [
      [0, 0x0n, 0x3ff0000000000000n],
      [1, 0x3c9b3b4f1a88bf6en, 0x3feff63da9fb3335n],
      [2, 0xbc7160139cd8dc5dn, 0x3fefec9a3e778061n],
      [127, 0x3c5305c14160cc89n, 0x3feff3c22b8f71f1n],
    ];
    for (const [j, tail, scale] of musl) {
      expect(t[2 * j + 1], `scale word ${j}`).toBe(scale);
      const mine = fromBits(t[2 * j]!);
      expect(Math.abs(mine - fromBits(tail)), `tail ${j}`).toBeLessThanOrEqual(Math.abs(fromBits(tail)) * Number.EPSILON);
    }
    for (let j = 0; j < EXP_TABLE_SIZE; j++) {
      const scale = fromBits(t[2 * j + 1]! + (BigInt(j) << 45n));
      near(scale, 2 ** (j / EXP_TABLE_SIZE), 1, `2^(${j}/128)`);
      // the tail is the relative remainder: below half an ulp of the scale
      expect(Math.abs(fromBits(t[2 * j]!))).toBeLessThanOrEqual(Number.EPSILON / 2);
    }
  });

  it("sin/cos: rows [sin(jπ/64), cos(jπ/64)] within an ulp of Math.sin/Math.cos, exact 0 and ±1 at the quarter periods", () => {
    const t = trigTable();
    expect(t.length).toBe(256);
    for (let j = 0; j < 128; j++) {
      const y = (j * Math.PI) / 64;
      // Math.sin(y) is sin of the rounded y = jπ/64 (off by up to y·ε/2): that times the derivative, plus 2 ulp.
      expect(Math.abs(t[2 * j]! - Math.sin(y)), `sin ${j}`).toBeLessThanOrEqual(Number.EPSILON * (2 * Math.abs(Math.sin(y)) + y * Math.abs(Math.cos(y))));
      expect(Math.abs(t[2 * j + 1]! - Math.cos(y)), `cos ${j}`).toBeLessThanOrEqual(Number.EPSILON * (2 * Math.abs(Math.cos(y)) + y * Math.abs(Math.sin(y))));
      // and the rows lie on the unit circle
      expect(Math.abs(t[2 * j]! ** 2 + t[2 * j + 1]! ** 2 - 1)).toBeLessThanOrEqual(2 * Number.EPSILON);
    }
    expect([0, 32, 64, 96].map((j) => [t[2 * j], t[2 * j + 1]])).toEqual([[0, 1], [1, 0], [0, -1], [-1, 0]]);
  });

  it("π/64 in four parts: the sum is Math.PI/64, the high parts have at most 32 significant bits (k·part exact for |k| < 2^21)", () => {
    const parts = piParts(64, 32, 4);
    expect(parts[0]! + parts[1]! + parts[2]! + parts[3]!).toBe(Math.PI / 64);
    for (const p of parts.slice(0, 3)) {
      const e = Math.floor(Math.log2(p));
      expect(Number.isInteger(p / 2 ** (e - 31)), `${p}`).toBe(true);
    }
    // each part far below the previous one (the reduction adds about 32 bits per part)
    for (let i = 1; i < 4; i++) expect(parts[i]! / parts[i - 1]!).toBeLessThan(2 ** -30);
  });

  it("hexFloat reads C99 hex literals exactly", () => {
    expect(hexFloat("0x1.8p52")).toBe(1.5 * 2 ** 52);
    expect(hexFloat("-0x1.62e42fefa0000p-8")).toBe(-(0x162e42fefa0000 * 2 ** -60));
    expect(hexFloat("0x1.71547652b82fep0")).toBe(1 / Math.LN2);
  });

  it("the heap keeps the tables: its first block starts after them, and they survive the heap's use", () => {
    const h = new F64Heap(true);
    const a = h.alloc(1000);
    expect(8 * a).toBeGreaterThanOrEqual(KERNEL_TABLE_BYTES);
    h.f64.fill(7, a, a + 1000);
    const src = h.copyIn(Float64Array.from([0.5, 1, 2, 3]));
    h.activations!.exp(8 * src, 8 * a, 2);
    h.activations!.sin(8 * src, 8 * (a + 4), 2);
    [0.5, 1, 2, 3].forEach((x, i) => {
      near(h.f64[a + i]!, Math.exp(x), 2, `exp ${x}`);
      near(h.f64[a + 4 + i]!, Math.sin(x), 4, `sin ${x}`);
    });
  });
});

describe("exp, sin and cos kernels at the edges of their tables", () => {
  it("exp: within 2 ulp of Math.exp at table indices j = 0 and 127, their boundaries, and k from −1022 to 1021", () => {
    const xs: number[] = [];
    const step = Math.LN2 / 128;
    for (const k of [-1022, -1021, -500, -1, 0, 1, 500, 1020, 1021])
      for (const j of [0, 1, 63, 64, 126, 127])
        for (const d of [0, 0.5 - 1e-9, -0.5 + 1e-9, 0.25, -0.25]) {
          const x = (k * 128 + j + d) * step;
          if (Math.abs(x) <= 708) xs.push(x);
        }
    xs.push(708, -708, 707.9999999999999, -707.9999999999999, 5e-324, -5e-324, 1e-300, 0, -0);
    const y = run("exp", Float64Array.from([...xs, 0]));
    xs.forEach((x, i) => near(y[i]!, Math.exp(x), 2, `exp(${x})`));
  });

  it("exp: beyond ±708 the kernel gives e^±708 (the caller recomputes those), NaN stays NaN", () => {
    const y = run("exp", Float64Array.from([1000, -1000, Infinity, -Infinity, NaN, 0]));
    near(y[0]!, Math.exp(708), 2, "1000");
    near(y[1]!, Math.exp(-708), 2, "−1000");
    near(y[2]!, Math.exp(708), 2, "∞");
    near(y[3]!, Math.exp(-708), 2, "−∞");
    expect(Number.isNaN(y[4]!)).toBe(true);
  });

  it("sin and cos: within 4 ulp of Math.sin/Math.cos at multiples of π/64 (j = 0, 1, 63, 64, 127), between them, near the zeros, and out to ±1e5", () => {
    const xs: number[] = [];
    for (const k of [0, 1, 63, 64, 127, 128, 129, 255, -1, -64, -127, -128, 1000 * 128 + 127, 15915 * 128 + 64, -15915 * 128])
      for (const d of [0, 0.5 - 1e-9, -0.5 + 1e-9, 0.3, 1e-7])
        if (Math.abs(((k + d) * Math.PI) / 64) <= 1e5) xs.push(((k + d) * Math.PI) / 64);
    xs.push(Math.PI, -Math.PI, Math.PI / 2, 2 * Math.PI, 355, 99999.9, 1e5, -1e5, 1e-300, 5e-324, -1e-12, 0);
    const rng = new Rng(9);
    for (let i = 0; i < 4000; i++) xs.push((rng.uniform() - 0.5) * 2 * 10 ** (rng.uniform() * 5));
    const x = Float64Array.from([...xs, 0]);
    const s = run("sin", x);
    const c = run("cos", x);
    xs.forEach((v, i) => {
      near(s[i]!, Math.sin(v), 4, `sin(${v})`);
      near(c[i]!, Math.cos(v), 4, `cos(${v})`);
    });
    // NaN and ±∞ give NaN (the caller recomputes them anyway)
    const special = Float64Array.from([NaN, Infinity, -Infinity, 0]);
    for (const name of ["sin", "cos"] as const) expect(Array.from(run(name, special).slice(0, 3)).every(Number.isNaN)).toBe(true);
  });

  it("every count of pairs (the interleaved steps of four and the pairs left over) gives the same bits", () => {
    const rng = new Rng(3);
    const x = Float64Array.from({ length: 2 * 11 }, () => (rng.uniform() - 0.5) * 20);
    for (const name of ["tanh", "sigmoid", "exp", "sin", "cos"] as const) {
      const whole = run(name, Float64Array.from([...x, 0]));
      for (let pairs = 1; pairs <= 11; pairs++) {
        const part = run(name, Float64Array.from([...x.subarray(0, 2 * pairs), 0]));
        for (let i = 0; i < 2 * pairs; i++) expect(Object.is(part[i], whole[i]), `${name}, ${pairs} pairs, element ${i}`).toBe(true);
      }
    }
  });
});

describe("one emitter for every vector function", () => {
  it("the module's bytes are pinned", async () => {
    // sha256 of activationModuleBytes(): this pins the module's bytes, so that any change to a kernel's
    // code is deliberate and recorded here with that change (the values are checked by the tests above
    // and vector-unary.test.ts, which also compares sincos with sin and cos value by value).
    // History: a7b393f, one loop emitter for the activations and sincos (the same bytes as the two
    // emitters before); then the clamps with f64x2.pmin/pmax instead of f64x2.min/max (NaN still propagates);
    // then table-driven exp (musl's N = 128) and sin/cos (π/64 steps), four pairs per step interleaved,
    // the tables as a data segment (the tests above check them and the values); then the range-checked
    // forms "<name>_within" appended (the plain forms' bytes unchanged: without them the hash is still
    // 8c9c2280…; vector-unary.test.ts checks the checked forms against the plain ones bit for bit).
    const { createHash } = await import("node:crypto");
    const { activationModuleBytes } = await import("../../../src/engine/kernels/wasm-activations.js");
    expect(createHash("sha256").update(activationModuleBytes()).digest("hex")).toBe("2b9105665bcc33c309ac64b503c05c7e76c97a8f19415e0c4a319e443880d40c");
  });
});
