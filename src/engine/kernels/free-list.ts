// Blocks of a kernel memory handed out by element offset and taken back, kept in free lists by size:
// the one free-list code of the shared heap (f64-heap.ts: sizes rounded up to even, the memory grows
// when the lists are empty) and of the arena's scratch blocks (arena.ts: sizes rounded up to a power of
// two, a fixed memory). The last block given back of a size is the first handed out again.

export class FreeList {
  private readonly lists = new Map<number, number[]>();

  /**
   * `sizeOf(length)`: the size of the block that holds `length` elements (the same for alloc and
   * release); `fresh(size)`: the offset of a new block of that size when none of it is free.
   */
  constructor(
    private readonly sizeOf: (length: number) => number,
    private readonly fresh: (size: number) => number,
  ) {}

  /** A block of at least `length` elements; returns its element offset. */
  alloc(length: number): number {
    const size = this.sizeOf(length);
    const list = this.lists.get(size);
    if (list !== undefined && list.length > 0) return list.pop()!;
    return this.fresh(size);
  }

  /** Give back a block from alloc (same length). */
  release(offset: number, length: number): void {
    const size = this.sizeOf(length);
    let list = this.lists.get(size);
    if (list === undefined) this.lists.set(size, (list = []));
    list.push(offset);
  }
}
