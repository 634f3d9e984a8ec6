// Worker thread of data-parallel training (parallel.ts): builds the same model from the problem's
// text, then for each evaluation takes blocks from the shared counter until none is left: copies
// the weights from shared memory (once, at its first block), computes the block's share of the
// loss and gradient into the block's result slot, and counts it finished. Told to park (STOP = 2:
// time-marching, more windows follow), it waits on its mailbox for the next window's job (spec and
// layout, posted to it) and serves that, its code already compiled, instead of a new thread starting.

import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { parseProblem } from "../problem/load.js";
import { buildModel } from "../solve.js";
import { workerWindowModel } from "./time-marching.js";
import { noGrad } from "../engine/state.js";
import type { Batch } from "../residual/model.js";
import { WORKER_SLOTS, WORKER_SLOT_COUNT, absoluteMs, recordBlock, threadCpuClock } from "./parallel-profile.js";
import { CONTROL, PARK, blocksOf, chunkContribution, finishBlock, spinWhile, trainedParameters, type ParallelSpec, type SharedLayout } from "./parallel.js";

/** What a worker serves: one model (a problem, or a time-marching window) over one shared layout. */
interface Job {
  spec: ParallelSpec;
  layout: SharedLayout;
  index: number;
}

/** Warm-up: at least 2 and at most WARMUP_ROUNDS evaluations of every block, for about WARMUP_MS (a parked worker's next job: 2). */
const WARMUP_ROUNDS = 20;
const WARMUP_MS = 300;
const { GEN, GRAD, STOP, ERROR, READY } = CONTROL;
const mailbox = new Int32Array((workerData as { mailbox: SharedArrayBuffer }).mailbox);

/** Serve `job` until told to stop (false) or to park (true). */
function serve({ spec, layout, index }: Job, warm: boolean): boolean {
  const control = new Int32Array(layout.control);
  const data = new Float64Array(layout.data);
  const done = new Int32Array(layout.done);
  try {
    const problem = parseProblem(spec.text, spec.file);
    problem.training = spec.training;
    problem.network = spec.network;
    const model = spec.window === null ? buildModel(problem) : workerWindowModel(problem, spec.window);
    const params = trainedParameters(model);
    const T = layout.termCount;
    const P = layout.paramCount;
    const B = layout.blocks;
    if (params.reduce((a, p) => a + p.size, 0) !== P || model.terms.length !== T) throw new Error("parallel worker: the model differs from the calling thread's");
    const batch: Batch = layout.groups.map((g) => ({ x: data.subarray(g.x, g.x + g.xLength), attrs: g.attrs < 0 ? null : data.subarray(g.attrs, g.attrs + g.attrsLength) }));
    const weights = data.subarray(layout.weights, layout.weights + T);
    const slot = (b: number): Float64Array => data.subarray(layout.results + b * (T + P), layout.results + (b + 1) * (T + P));
    // Profiling (parallel-profile.ts): this worker's slots, and its CPU clock.
    const slots = layout.profile === null ? null : new Float64Array(layout.profile, 8 * (1 + (index - 1) * WORKER_SLOT_COUNT), WORKER_SLOT_COUNT);
    const cpu = slots === null ? null : threadCpuClock();
    const allSlots = layout.profile === null ? null : new Float64Array(layout.profile);
    // Warm-up on points of its own while the calling thread waits for the workers to start anyway:
    // the JIT compiles this isolate's copy of the code now, not during the first timed epochs (where,
    // on a machine without a spare core, the compiler threads take from the training threads).
    const own = model.draw();
    const scratch = new Float64Array(T + P);
    const fileWeights = model.terms.map((t) => t.weight);
    const started = performance.now();
    for (let round = 0; round < WARMUP_ROUNDS && (round < 2 || performance.now() - started < (warm ? 0 : WARMUP_MS)); round++) {
      for (let b = 0; b < B; b++) chunkContribution(model, params, own, b, B, fileWeights, true, scratch);
    }
    // GEN is 0 until every worker is ready; reading it after signalling could miss the first bump.
    let seen = 0;
    Atomics.store(control, READY + index, 1);
    Atomics.notify(control, READY + index);
    for (;;) {
      spinWhile(control, GEN, seen, layout.spinMs);
      Atomics.wait(control, GEN, seen);
      if (Atomics.load(control, STOP) !== 0) break;
      const gen = Atomics.load(control, GEN);
      if (gen === seen) continue;
      seen = gen;
      const grad = Atomics.load(control, GRAD) === 1;
      if (slots !== null) {
        slots[WORKER_SLOTS.wake] = absoluteMs();
        slots[WORKER_SLOTS.copyCpu] = slots[WORKER_SLOTS.computeCpu] = slots[WORKER_SLOTS.computeWall] = slots[WORKER_SLOTS.blocks] = 0;
        slots[WORKER_SLOTS.gen] = gen;
      }
      let copied = false;
      for (const b of blocksOf(control, gen, B, index, layout.threads)) {
        // The weights are stable while a block of this evaluation is unfinished.
        const c0 = cpu?.() ?? 0;
        if (!copied) {
          let o = layout.params;
          for (const p of params) {
            p.data.set(data.subarray(o, o + p.size));
            o += p.size;
          }
          copied = true;
        }
        const c1 = cpu?.() ?? 0;
        const w1 = slots === null ? 0 : performance.now();
        const start = slots === null ? 0 : absoluteMs();
        const run = (): void => chunkContribution(model, params, batch, b, B, weights, grad, slot(b));
        if (grad) run();
        else noGrad(run);
        if (slots !== null) {
          const c2 = cpu!();
          slots[WORKER_SLOTS.copyCpu]! += c1 - c0;
          slots[WORKER_SLOTS.computeCpu]! += c2 - c1;
          slots[WORKER_SLOTS.computeWall]! += performance.now() - w1;
          slots[WORKER_SLOTS.blocks]! += 1;
          slots[WORKER_SLOTS.totalCpu] = c2;
          slots[WORKER_SLOTS.done] = absoluteMs();
          recordBlock(allSlots!, layout.threads, b, index, start);
        }
        finishBlock(done, b, gen);
      }
    }
    return Atomics.load(control, STOP) === PARK;
  } catch (e) {
    Atomics.store(control, ERROR, 1);
    for (let b = 0; b < layout.blocks; b++) Atomics.notify(done, b);
    Atomics.notify(control, READY + index);
    throw e;
  }
}

/** The next job, posted by the calling thread before it raises the mailbox. */
function nextJob(): Job {
  for (;;) {
    const m = receiveMessageOnPort(parentPort!);
    if (m !== undefined) {
      Atomics.store(mailbox, 0, 0);
      return m.message as Job;
    }
    Atomics.wait(mailbox, 0, 0, 1000);
  }
}

let job = workerData as Job;
for (let warm = false; serve(job, warm); warm = true) job = nextJob();
