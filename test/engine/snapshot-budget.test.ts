// The snapshots of tensors the caller made (fusion.ts snapshotOf) hold at most SNAPSHOT_BUDGET bytes in
// all. In a file of its own: the test spends the budget, and the tensors it keeps alive hold it until
// the garbage collector takes them, which would change what the other files' tests measure.

import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import { SNAPSHOT_BUDGET, setFusion, snapshotBytesHeld } from "../../src/engine/fusion.js";
import { wasmKernelsActive } from "../../src/engine/kernels/f64-heap.js";

describe("snapshot budget", () => {
  it.skipIf(!wasmKernelsActive())("past SNAPSHOT_BUDGET bytes, an op on a caller's tensor computes at once, with the same bits", () => {
    // 80 tensors of 2^17 values (1 MiB each) kept alive: 80 MiB of snapshots if nothing bounded them,
    // so the first 64 are read lazily through a snapshot and the last 16 computed at once
    const n = 2 ** 17;
    expect(snapshotBytesHeld()).toBe(0);
    const xs = Array.from({ length: 80 }, (_, k) => tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(i + k))));
    const ys = xs.map((x) => x.tanh());
    expect(snapshotBytesHeld()).toBe(SNAPSHOT_BUDGET);
    expect(ys.slice(0, 64).every((y) => y.lazy !== null)).toBe(true);
    expect(ys.slice(64).every((y) => y.lazy === null)).toBe(true);
    // a tensor with a snapshot keeps reading it (changed in place: a new snapshot in the old one's place)
    xs[3]!.data[0] = 0.25;
    const again = xs[3]!.tanh();
    expect(again.lazy).not.toBeNull();
    expect(snapshotBytesHeld()).toBe(SNAPSHOT_BUDGET);
    // the values: those of the unfused ops
    setFusion(false);
    try {
      const same = (a: Float64Array, b: Float64Array): boolean => a.every((v, i) => Object.is(v, b[i]));
      for (const k of [0, 63, 64, 79]) expect(same(ys[k]!.data, xs[k]!.tanh().data)).toBe(true);
      expect(same(again.data, xs[3]!.tanh().data)).toBe(true);
    } finally {
      setFusion(true);
    }
  });
});
