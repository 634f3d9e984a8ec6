// The one free list of the kernel memories (src/engine/kernels/free-list.ts), used by the shared heap
// (f64-heap.ts: even sizes, growth) and the arena's scratch blocks (arena.ts: powers of two, no growth).
// The expected offsets are worked out by hand from the rules: a new block starts where the last new one
// ended (the `fresh` callback below is a bump counter), and a released block of the same size is handed
// out again, the last released first.

import { describe, expect, it } from "vitest";
import { FreeList } from "../../../src/engine/kernels/free-list.js";

describe("FreeList", () => {
  it("rounds by its size rule, takes new blocks only when none of that size is free, last released first", () => {
    let top = 0;
    const asked: number[] = [];
    const list = new FreeList(
      (length) => length + (length & 1),
      (size) => {
        asked.push(size);
        const at = top;
        top += size;
        return at;
      },
    );
    const a = list.alloc(5); // size 6 at 0
    const b = list.alloc(6); // size 6 at 6
    const c = list.alloc(3); // size 4 at 12
    expect([a, b, c]).toEqual([0, 6, 12]);
    list.release(a, 5);
    list.release(b, 6);
    expect(list.alloc(6)).toBe(6); // b, released last
    expect(list.alloc(5)).toBe(0); // then a
    expect(list.alloc(4)).toBe(16); // size 4: none free (c is still out)
    list.release(c, 3);
    expect(list.alloc(4)).toBe(12);
    expect(asked).toEqual([6, 6, 4, 4]);
  });

  it("passes on what `fresh` does when nothing is free (the arena throws when full)", () => {
    const list = new FreeList(
      () => 64,
      () => {
        throw new Error("full");
      },
    );
    expect(() => list.alloc(1)).toThrow("full");
    list.release(128, 10);
    expect(list.alloc(50)).toBe(128);
    expect(() => list.alloc(50)).toThrow("full");
  });
});
