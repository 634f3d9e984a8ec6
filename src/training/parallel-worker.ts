// Worker thread of data-parallel training (parallel.ts): builds the same model from the problem's
// text, then for each evaluation copies the weights and points from shared memory, computes its
// chunk's share of the loss and gradient into its result slot, and signals the calling thread.

import { workerData } from "node:worker_threads";
import { parseProblem } from "../problem/load.js";
import { buildModel } from "../solve.js";
import { noGrad } from "../engine/state.js";
import type { Batch } from "../residual/model.js";
import { WORKER_SLOTS, WORKER_SLOT_COUNT, absoluteMs, threadCpuClock } from "./parallel-profile.js";
import { CONTROL, chunkContribution, trainedParameters, type ParallelSpec, type SharedLayout } from "./parallel.js";

const { spec, layout, index } = workerData as { spec: ParallelSpec; layout: SharedLayout; index: number };
const control = new Int32Array(layout.control);
const data = new Float64Array(layout.data);
const { GEN, CHUNKS, GRAD, STOP, ERROR, READY, DONE } = CONTROL;

function fail(): void {
  Atomics.store(control, ERROR, 1);
  Atomics.store(control, DONE + index, -1);
  Atomics.notify(control, DONE + index);
}

try {
  const problem = parseProblem(spec.text, spec.file);
  problem.training = spec.training;
  problem.network = spec.network;
  const model = buildModel(problem);
  const params = trainedParameters(model);
  const T = layout.termCount;
  const P = layout.paramCount;
  if (params.reduce((a, p) => a + p.size, 0) !== P || model.terms.length !== T) throw new Error("parallel worker: the model differs from the calling thread's");
  const batch: Batch = layout.groups.map((g) => ({ x: data.subarray(g.x, g.x + g.xLength), attrs: g.attrs < 0 ? null : data.subarray(g.attrs, g.attrs + g.attrsLength) }));
  const weights = data.subarray(layout.weights, layout.weights + T);
  const out = data.subarray(layout.results + index * (T + P), layout.results + (index + 1) * (T + P));
  // Profiling (parallel-profile.ts): this worker's slots, and its CPU clock.
  const slots = layout.profile === null ? null : new Float64Array(layout.profile, 8 * (1 + (index - 1) * WORKER_SLOT_COUNT), WORKER_SLOT_COUNT);
  const cpu = slots === null ? null : threadCpuClock();
  let lastDone = cpu?.() ?? 0;
  // GEN is 0 until every worker is ready; reading it after signalling could miss the first bump.
  let seen = 0;
  Atomics.store(control, READY + index, 1);
  Atomics.notify(control, READY + index);
  for (;;) {
    Atomics.wait(control, GEN, seen);
    if (Atomics.load(control, STOP) !== 0) break;
    const gen = Atomics.load(control, GEN);
    if (gen === seen) continue;
    seen = gen;
    let c0 = 0;
    if (slots !== null) {
      slots[WORKER_SLOTS.wake] = absoluteMs();
      c0 = cpu!();
    }
    let o = layout.params;
    for (const p of params) {
      p.data.set(data.subarray(o, o + p.size));
      o += p.size;
    }
    const K = Atomics.load(control, CHUNKS);
    const grad = Atomics.load(control, GRAD) === 1;
    let c1 = 0;
    let w1 = 0;
    if (slots !== null) {
      c1 = cpu!();
      w1 = performance.now();
      slots[WORKER_SLOTS.copyCpu] = c1 - c0;
    }
    if (index < K) {
      const run = (): void => chunkContribution(model, params, batch, index, K, weights, grad, out);
      if (grad) run();
      else noGrad(run);
    }
    if (slots !== null) {
      const c2 = cpu!();
      slots[WORKER_SLOTS.computeCpu] = c2 - c1;
      slots[WORKER_SLOTS.totalCpu] = c2 - lastDone;
      lastDone = c2;
      slots[WORKER_SLOTS.computeWall] = performance.now() - w1;
      slots[WORKER_SLOTS.done] = absoluteMs();
    }
    Atomics.store(control, DONE + index, gen);
    Atomics.notify(control, DONE + index);
  }
} catch (e) {
  fail();
  throw e;
}
