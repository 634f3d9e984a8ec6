import { describe, expect, test } from "vitest";
import { SOBOL_MAX_DIM, SobolSequence } from "../../src/sampling/sobol.js";

// Points 0..31 of the unshifted 8-dimensional Sobol' sequence (Gray-code order), times 32.
// Independent reference: SciPy 1.17.1, which ships Joe & Kuo's new-joe-kuo-6.21201 direction numbers:
//   from scipy.stats import qmc
//   (qmc.Sobol(d=8, scramble=False).random(32) * 32).astype(int)
// (every entry was checked to be an exact multiple of 1/32).
const SCIPY_FIRST_32_TIMES_32 = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [16, 16, 16, 16, 16, 16, 16, 16],
  [24, 8, 8, 8, 24, 24, 8, 24],
  [8, 24, 24, 24, 8, 8, 24, 8],
  [12, 12, 20, 28, 12, 4, 12, 28],
  [28, 28, 4, 12, 28, 20, 28, 12],
  [20, 4, 28, 20, 20, 28, 4, 4],
  [4, 20, 12, 4, 4, 12, 20, 20],
  [6, 10, 30, 14, 18, 10, 14, 30],
  [22, 26, 14, 30, 2, 26, 30, 14],
  [30, 2, 22, 6, 10, 18, 6, 6],
  [14, 18, 6, 22, 26, 2, 22, 22],
  [10, 6, 10, 18, 30, 14, 2, 2],
  [26, 22, 26, 2, 14, 30, 18, 18],
  [18, 14, 2, 26, 6, 22, 10, 26],
  [2, 30, 18, 10, 22, 6, 26, 10],
  [3, 15, 15, 21, 9, 31, 17, 27],
  [19, 31, 31, 5, 25, 15, 1, 11],
  [27, 7, 7, 29, 17, 7, 25, 3],
  [11, 23, 23, 13, 1, 23, 9, 19],
  [15, 3, 27, 9, 5, 27, 29, 7],
  [31, 19, 11, 25, 21, 11, 13, 23],
  [23, 11, 19, 1, 29, 3, 21, 31],
  [7, 27, 3, 17, 13, 19, 5, 15],
  [5, 5, 17, 27, 27, 21, 31, 5],
  [21, 21, 1, 11, 11, 5, 15, 21],
  [29, 13, 25, 19, 3, 13, 23, 29],
  [13, 29, 9, 3, 19, 29, 7, 13],
  [9, 9, 5, 7, 23, 17, 19, 25],
  [25, 25, 21, 23, 7, 1, 3, 9],
  [17, 1, 13, 15, 15, 9, 27, 1],
  [1, 17, 29, 31, 31, 25, 11, 17],
];

// Points 1000003 and 1000004, times 2^30, from SciPy 1.17.1:
//   s = qmc.Sobol(d=8, scramble=False, bits=30); s.fast_forward(1000003); s.random(2) * 2**30
// SciPy uses 30-bit integers; below 2^30 points the top 30 of our 32 bits are the same integers.
const SCIPY_POINT_1000003_TIMES_2_30 = [
  [296862720, 603356160, 83747840, 449088512, 943453184, 585255936, 237024256, 286467072],
  [431080448, 200702976, 486401024, 314870784, 809235456, 987909120, 639677440, 957555712],
];

function take(seq: SobolSequence, count: number): number[][] {
  const rows: number[][] = [];
  for (let k = 0; k < count; k++) {
    const p = new Float64Array(seq.dim);
    seq.next(p);
    rows.push(Array.from(p));
  }
  return rows;
}

describe("SobolSequence", () => {
  test("first 2-D points match the hand derivation from the direction numbers", () => {
    // Dim 1: v_k = 2^-k. Dim 2 (x + 1, s = 1, m_1 = 1): m_k = 2 m_(k-1) ⊕ m_(k-1), so m = 1, 3, 5, 15
    // and v = .1, .11, .101, .1111 (binary). Point n is the XOR of v_k over the bits of g(n) = n ⊕ n>>1:
    // n=1: g=1 → (.1, .1); n=2: g=3 → (.11, .1⊕.11 = .01); n=3: g=2 → (.01, .11);
    // n=4: g=6 → (.011, .11⊕.101 = .011); n=5: g=7 → (.111, .011⊕.1 = .111);
    // n=6: g=5 → (.101, .1⊕.101 = .001); n=7: g=4 → (.001, .101).
    const pts = take(new SobolSequence(2), 8);
    expect(pts).toEqual([
      [0, 0],
      [0.5, 0.5],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.375, 0.375],
      [0.875, 0.875],
      [0.625, 0.125],
      [0.125, 0.625],
    ]);
  });

  test("first 32 points in 8 dimensions match SciPy (Joe & Kuo direction numbers)", () => {
    expect(SOBOL_MAX_DIM).toBe(8);
    const pts = take(new SobolSequence(8), 32);
    expect(pts.map((row) => row.map((v) => v * 32))).toEqual(SCIPY_FIRST_32_TIMES_32);
    // Lower dimensions are the leading columns of the same sequence.
    for (let d = 1; d <= 8; d++) {
      const low = take(new SobolSequence(d), 32);
      expect(low.map((row) => row.map((v) => v * 32))).toEqual(SCIPY_FIRST_32_TIMES_32.map((r) => r.slice(0, d)));
    }
  });

  test("seek jumps straight to a far index (checked against SciPy) and the Gray-code steps agree", () => {
    const seq = new SobolSequence(8);
    seq.seek(1000003);
    const far = take(seq, 2).map((row) => row.map((v) => v * 2 ** 30));
    expect(far).toEqual(SCIPY_POINT_1000003_TIMES_2_30);

    const walked = take(new SobolSequence(3), 300);
    for (const n of [0, 1, 2, 7, 64, 127, 128, 255, 299]) {
      const s = new SobolSequence(3);
      s.seek(n);
      expect(s.index).toBe(n);
      expect(take(s, 1)[0]).toEqual(walked[n]);
    }
  });

  test("the first 2^m points of 2-D Sobol' form a (0, m, 2)-net, with or without a digital shift", () => {
    // Theorem (Sobol' 1967; Niederreiter 1992): the first two Sobol' coordinates form a
    // (0, 2)-sequence, so every dyadic box of area 2^-m holds exactly one of points 0..2^m - 1.
    // A digital shift permutes the dyadic boxes of each size, so it keeps that property.
    const m = 6;
    const n = 2 ** m;
    for (const shift of [undefined, [0x9e3779b9, 0x12345678]]) {
      const pts = take(new SobolSequence(2, shift), n);
      for (let a = 0; a <= m; a++) {
        const nx = 2 ** a;
        const ny = 2 ** (m - a);
        const hits = new Array<number>(n).fill(0);
        for (const [x, y] of pts) hits[Math.floor(x! * nx) * ny + Math.floor(y! * ny)]!++;
        expect(hits.every((h) => h === 1)).toBe(true);
      }
    }
  });

  test("a digital shift XORs the 32-bit coordinates", () => {
    const shift = [0xdeadbeef, 0x01234567, 0x80000001];
    const plain = take(new SobolSequence(3), 40);
    const shifted = take(new SobolSequence(3, shift), 40);
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < 3; j++) {
        const expected = ((plain[k]![j]! * 2 ** 32) ^ shift[j]!) >>> 0;
        expect(shifted[k]![j]! * 2 ** 32).toBe(expected);
      }
    }
  });

  test("rejects bad dimensions, shifts and indices", () => {
    expect(() => new SobolSequence(0)).toThrow(/from 1 to 8, got 0/);
    expect(() => new SobolSequence(9)).toThrow(/from 1 to 8, got 9/);
    expect(() => new SobolSequence(2, [1])).toThrow(/shift has 1 entries, expected 2/);
    expect(() => new SobolSequence(2).seek(-1)).toThrow(/got -1/);
    expect(() => new SobolSequence(2).seek(2 ** 32)).toThrow(/\[0, 2\^32\)/);
  });
});
