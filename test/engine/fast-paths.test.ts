// The shape-specialised paths of elementwise ops, sums and matrix products (a row repeated over a
// matrix, column sums, a product written into a reused buffer) against values computed element by
// element here.

import { describe, expect, it } from "vitest";
import { rand, Rng, tidy, type Tensor } from "../../src/index.js";

const rng = new Rng(21);

function at(t: Tensor, i: number, j: number): number {
  return t.data[i * t.shape[1]! + j]!;
}

describe("fast paths", () => {
  it("a row repeated over a matrix, on either side, for a non-symmetric op", () => {
    const A = rand([37, 6], { rng });
    const b = rand([6], { rng });
    const left = A.sub(b);
    const right = b.sub(A);
    const quotient = b.reshape([1, 6]).div(A);
    for (let i = 0; i < 37; i++) {
      for (let j = 0; j < 6; j++) {
        expect(at(left, i, j)).toBe(at(A, i, j) - b.data[j]!);
        expect(at(right, i, j)).toBe(b.data[j]! - at(A, i, j));
        expect(at(quotient, i, j)).toBe(b.data[j]! / at(A, i, j));
      }
    }
  });

  it("column sums (a bias's gradient) add the rows in order (eight-column blocks and the remaining columns)", () => {
    for (const [rows, cols] of [[50, 7], [50, 19], [1027, 32], [3, 8]] as const) {
      const A = rand([rows, cols], { rng });
      const s = A.sum(0);
      for (let j = 0; j < cols; j++) {
        let t = 0;
        for (let i = 0; i < rows; i++) t += at(A, i, j);
        expect(s.data[j], `${rows}×${cols}, column ${j}`).toBe(t);
      }
    }
  });

  it("matrix products into reused (non-zero) buffers start from zero", () => {
    const A = rand([64, 16], { rng });
    const B = rand([16, 32], { rng });
    const expected = (): number[] => {
      const out: number[] = [];
      for (let i = 0; i < 64; i++) for (let j = 0; j < 32; j++) {
        let t = 0;
        for (let p = 0; p < 16; p++) t += at(A, i, p) * at(B, p, j);
        out.push(t);
      }
      return out;
    };
    const ref = expected();
    for (let round = 0; round < 3; round++) {
      // Fill the pool with buffers of the product's size holding garbage, then multiply.
      tidy(() => void rand([64, 32], { rng }).mul(1e6));
      const C = A.matmul(B);
      C.data.forEach((v, k) => expect(Math.abs(v - ref[k]!)).toBeLessThan(1e-12));
    }
  });
});
