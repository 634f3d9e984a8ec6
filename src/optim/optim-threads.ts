// Dense BFGS's pass over H split over threads: the rows of H in ROW_BLOCKS fixed blocks (balanced
// by their share of the upper triangle), each block's share of H·g in its own vector, added up in
// block order by the caller — so the numbers depend on the blocks only, and one thread (which runs
// the blocks in turn) and any number of threads give the same numbers to the bit.
//
// The workers are process-wide (created on first use, reused by every BFGS, unref'd so that they
// never keep the process alive) and run the same WebAssembly kernel (optim-wasm.ts) on the BFGS's
// shared WebAssembly memory, which is posted to them once per arena and picked up synchronously
// (receiveMessageOnPort) when a job names an arena they do not have yet. A job: the calling thread
// writes the kernel's arguments into a shared control array, bumps the generation and takes blocks
// from a shared counter like the workers do (a worker that has not started, or is descheduled,
// simply takes none), then waits for every block to be done. A worker that cannot run a block
// before touching H (no arena) hands it back and the calling thread runs it; one whose kernel fails
// marks it broken, and the pass throws instead of returning a wrong product.

import { Worker } from "node:worker_threads";

/** Row blocks of one pass (whatever the thread count). */
export const ROW_BLOCKS = 4;

// Control words (Int32Array over a SharedArrayBuffer).
const GEN = 0;
const TICKET = 1;
const DONE = 2;
const ARENA = 3;
const RETURNED = 4; // bit b: block b not run (the calling thread runs it)
const BROKEN = 5; // bit b: block b's kernel failed
const WORKER_BLOCKS = 6; // blocks the workers ran (for tests and profiles)
const ARGS = 8; // h, np, coef, v (byte offsets / counts)
const BLOCK_ARGS = 12; // per block: r0, r1, out
const CONTROL_WORDS = BLOCK_ARGS + 3 * ROW_BLOCKS;
/** How long the calling thread waits for a block a worker took before it reports the pass failed. */
const BLOCK_TIMEOUT_MS = 60_000;

const WORKER_SOURCE = `
const { parentPort, workerData, receiveMessageOnPort } = require("node:worker_threads");
const c = new Int32Array(workerData.control);
let arena = -1;
let kernel = null;
let seen = 0;
for (;;) {
  Atomics.wait(c, ${GEN}, seen);
  seen = Atomics.load(c, ${GEN});
  for (;;) {
    const b = Atomics.add(c, ${TICKET}, 1);
    if (b >= ${ROW_BLOCKS}) break;
    const want = Atomics.load(c, ${ARENA});
    while (arena !== want) {
      const m = receiveMessageOnPort(parentPort);
      if (m === undefined) break;
      arena = m.message.id;
      kernel = new WebAssembly.Instance(m.message.module, { env: { memory: m.message.memory } }).exports.symUpdateMv;
    }
    if (arena !== want) {
      Atomics.or(c, ${RETURNED}, 1 << b);
    } else {
      const q = ${BLOCK_ARGS} + 3 * b;
      try {
        kernel(c[${ARGS}], c[q], c[q + 1], c[${ARGS} + 1], c[${ARGS} + 2], c[${ARGS} + 3], c[q + 2]);
        Atomics.add(c, ${WORKER_BLOCKS}, 1);
      } catch {
        Atomics.or(c, ${BROKEN}, 1 << b);
      }
    }
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
}
`;

/** The arguments of one pass: byte offsets of H, the coefficients and the interleaved vectors, np, and each block's rows and out vector. */
export interface PassArgs {
  h: number;
  np: number;
  coef: number;
  v: number;
  blocks: readonly { r0: number; r1: number; out: number }[];
}

let nextArenaId = 1;

/** A fresh id for an arena whose memory the workers may be sent. */
export function arenaId(): number {
  return nextArenaId++;
}

export class RowThreads {
  private static pool: RowThreads | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly workers: Worker[] = [];
  private arena = -1;

  /** The process-wide pool with at least `threads − 1` workers. */
  static get(threads: number): RowThreads {
    const pool = (RowThreads.pool ??= new RowThreads());
    try {
      while (pool.workers.length < Math.min(threads, ROW_BLOCKS) - 1) pool.spawn();
    } catch {
      // No more threads to be had: the workers there are (or this thread alone) run the blocks.
    }
    return pool;
  }

  /** Blocks the workers have run since the pool started. */
  get workerBlocks(): number {
    return Atomics.load(this.control, WORKER_BLOCKS);
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { control: this.control.buffer } });
    worker.unref();
    // A worker that exits (it never does on its own) leaves its blocks to the others: nothing to do.
    worker.on("error", () => undefined);
    this.workers.push(worker);
    this.arena = -1; // the new worker has no arena yet
  }

  /**
   * One pass: every block run once, by a worker or by `own(b)` on this thread. `memory` and
   * `module` are the arena's (sent to the workers when `id` is new to them). `ownOnly` (tests):
   * this thread takes no block unless a worker hands it back.
   */
  run(id: number, memory: WebAssembly.Memory, module: WebAssembly.Module, args: PassArgs, own: (b: number) => void, ownOnly = false): void {
    const c = this.control;
    if (this.arena !== id) {
      for (const w of this.workers) w.postMessage({ id, module, memory });
      this.arena = id;
    }
    c[ARGS] = args.h;
    c[ARGS + 1] = args.np;
    c[ARGS + 2] = args.coef;
    c[ARGS + 3] = args.v;
    args.blocks.forEach(({ r0, r1, out }, b) => {
      c[BLOCK_ARGS + 3 * b] = r0;
      c[BLOCK_ARGS + 3 * b + 1] = r1;
      c[BLOCK_ARGS + 3 * b + 2] = out;
    });
    Atomics.store(c, ARENA, id);
    Atomics.store(c, RETURNED, 0);
    Atomics.store(c, BROKEN, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, TICKET, 0); // the arguments above are in place before any block can be taken
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    if (!ownOnly) {
      for (let b = Atomics.add(c, TICKET, 1); b < ROW_BLOCKS; b = Atomics.add(c, TICKET, 1)) {
        own(b);
        Atomics.add(c, DONE, 1);
      }
    }
    const started = performance.now();
    for (let done = Atomics.load(c, DONE); done < ROW_BLOCKS; done = Atomics.load(c, DONE)) {
      if (ownOnly && this.workers.length === 0) throw new Error("internal: BFGS row threads: no worker to run the blocks");
      Atomics.wait(c, DONE, done, 100);
      if (performance.now() - started > BLOCK_TIMEOUT_MS) {
        throw new Error(`BFGS: a worker thread did not finish its part of the product by H within ${BLOCK_TIMEOUT_MS / 1000} s`);
      }
    }
    if (Atomics.load(c, BROKEN) !== 0) throw new Error("internal: BFGS: the product by H failed on a worker thread");
    const returned = Atomics.load(c, RETURNED);
    for (let b = 0; b < ROW_BLOCKS; b++) if ((returned & (1 << b)) !== 0) own(b);
  }
}

/**
 * ROW_BLOCKS row ranges [r0, r1) covering 0..n, each starting at an even row (or empty, at n), with about equal
 * shares of the kept upper triangle (row i holds np − (i & ~1) elements); some may be empty.
 */
export function rowBlocks(n: number, np: number): { r0: number; r1: number }[] {
  let total = 0;
  for (let i = 0; i < n; i++) total += np - (i & ~1);
  const blocks: { r0: number; r1: number }[] = [];
  let r0 = 0;
  let area = 0;
  let i = 0;
  for (let b = 0; b < ROW_BLOCKS; b++) {
    const target = (total * (b + 1)) / ROW_BLOCKS;
    if (b === ROW_BLOCKS - 1) i = n;
    else {
      while (i < n && area < target) {
        area += np - (i & ~1);
        i++;
      }
      if (i & 1 && i < n) {
        area += np - (i & ~1);
        i++; // blocks start at even rows
      }
    }
    blocks.push({ r0, r1: i });
    r0 = i;
  }
  return blocks;
}
