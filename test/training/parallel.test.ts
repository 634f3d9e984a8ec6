// Data-parallel training (src/training/parallel.ts) at tiny sizes: the loss, its terms and its
// gradient split over 2 and 3 threads equal the one-thread values (computed by the ordinary serial
// path, model.losses + backward) to rounding and each other exactly (the same blocks, added in
// the same order, whichever thread computed them), and a short training run on 2 threads follows
// the one-thread path. No timing is asserted.

import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadProblem, parseProblem } from "../../src/problem/load.js";
import { buildModel, solve } from "../../src/solve.js";
import { weightedLoss } from "../../src/loss/loss.js";
import { shipped } from "../helpers/problems.js";
import { BLOCKS, CONTROL, PARALLEL_MIN_WORK, ParallelLoss, SPIN_MS_WHEN_IDLE, blockCount, chunkRows, finishBlock, parallelThreads, parallelWork, runnableIn, runnableNow, spinFor, takeBlock } from "../../src/training/parallel.js";
import { lastParallelProfile, quantiles } from "../../src/training/parallel-profile.js";
import { train } from "../../src/training/trainer.js";
import type { Problem } from "../../src/problem/types.js";

const root = join(import.meta.dirname, "..", "..");

/** heat1d (four term groups: equation, initial and two boundary conditions) at tiny sizes. */
function tinyHeat(): Problem {
  const p = loadProblem(join(root, "problems", "heat1d.yaml"));
  p.network = { ...p.network, hidden: [8, 8] };
  p.training = { ...p.training, points: 37, boundaryPoints: 11 };
  return p;
}

/** convection (equation, initial condition and a periodic condition in x, whose rows are point pairs) at tiny sizes. */
function tinyConvection(): Problem {
  const p = loadProblem(join(root, "problems", "convection.yaml"));
  p.network = { ...p.network, hidden: [8, 8] };
  p.training = { ...p.training, points: 37, boundaryPoints: 11 };
  return p;
}

function serialLossAndGrad(problem: Problem, weights: number[]) {
  const model = buildModel(problem);
  const params = model.network.parameters();
  const batch = model.draw();
  const loss = weightedLoss(model.losses(batch), weights);
  loss.total.backward();
  return { model, params, batch, value: loss.total.item(), terms: loss.terms, grads: params.map((p) => Float64Array.from(p.grad!.data)) };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

type Sums = { total: number; terms: number[]; grads: Float64Array[] };

/**
 * `evaluations` evaluations of `parallel` on the reference's batch and weights (the first checked
 * against one thread inside), the last one's loss, terms and gradient against the one-thread
 * reference `ref` (only the summation order differs: 1e-12, gradients 1e-11); returns its sums.
 */
function checkedAgainstSerial(
  parallel: ParallelLoss,
  setup: ReturnType<typeof serialLossAndGrad>,
  weights: number[],
  ref: ReturnType<typeof serialLossAndGrad>,
  evaluations: number,
): Sums {
  const { params, batch } = setup;
  for (let e = 0; e < evaluations; e++) parallel.evaluate(batch, weights);
  const loss = parallel.evaluate(batch, weights);
  expect(Math.abs(loss.total.item() - ref.value) / ref.value).toBeLessThan(1e-12);
  expect(relDiff(loss.terms, ref.terms)).toBeLessThan(1e-12);
  loss.total.backward();
  params.forEach((p, i) => expect(relDiff(p.grad!.data, ref.grads[i]!)).toBeLessThan(1e-11));
  return { total: loss.total.item(), terms: loss.terms, grads: params.map((p) => Float64Array.from(p.grad!.data)) };
}

/** Every thread count's sums equal the first's to the bit (the same blocks added in the same order). */
function expectSameBits(results: Sums[]): void {
  for (const other of results.slice(1)) {
    expect(other.total).toBe(results[0]!.total);
    expect(other.terms).toEqual(results[0]!.terms);
    other.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(results[0]!.grads[i]!)));
  }
}

describe("parallel loss", () => {
  it("splits n rows into K contiguous chunks covering each row once", () => {
    for (const [n, K] of [[37, 2], [37, 3], [11, 3], [5, 5]] as const) {
      const rows = Array.from({ length: K }, (_, j) => chunkRows(n, j, K));
      expect(rows[0]![0]).toBe(0);
      expect(rows[K - 1]![1]).toBe(n);
      for (let j = 1; j < K; j++) expect(rows[j]![0]).toBe(rows[j - 1]![1]);
    }
  });

  it("hands out each block of an evaluation once, and none of another evaluation", () => {
    const control = new Int32Array(new SharedArrayBuffer(72 * 4));
    const B = 5;
    const done = new Int32Array(new SharedArrayBuffer(4 * B));
    for (const gen of [1, 2, 0x800001]) {
      Atomics.store(control, CONTROL.TICKET, ((gen & 0x7fffff) << 8) | 0); // what evaluate() stores
      const taken: number[] = [];
      for (let b = takeBlock(control, gen, B); b >= 0; b = takeBlock(control, gen, B)) {
        taken.push(b);
        finishBlock(done, b, gen);
      }
      expect(taken).toEqual([0, 1, 2, 3, 4]);
      expect(Array.from(done)).toEqual([gen, gen, gen, gen, gen]);
      // A worker still on the previous evaluation gets nothing of this one.
      Atomics.store(control, CONTROL.TICKET, (((gen + 1) & 0x7fffff) << 8) | 0);
      expect(takeBlock(control, gen, B)).toBe(-1);
    }
  });

  it("polls before sleeping while the other runnable tasks leave a core for every training thread", () => {
    // (PINN_SPIN_MS is not set in the tests.) spinFor(threads, runnable now with this thread, cores).
    // 2 threads on 2 cores: alone (1 runnable: this thread) — polls; one other task — sleeps at once.
    expect(spinFor(2, 1, 2)).toBe(SPIN_MS_WHEN_IDLE);
    expect(spinFor(2, 2, 2)).toBe(0);
    // 4 threads on 8 cores: 4 other tasks leave 4 cores — polls; 5 others leave 3 — sleeps.
    expect(spinFor(4, 5, 8)).toBe(SPIN_MS_WHEN_IDLE);
    expect(spinFor(4, 6, 8)).toBe(0);
    // /proc/loadavg's fourth field: runnable / all tasks.
    expect(runnableIn("0.52 0.58 0.59 3/456 12345\n")).toBe(3);
    expect(runnableIn("garbage")).toBeNull();
    // Where Linux says so, a whole number of tasks, this thread among them.
    const now = runnableNow();
    expect(now).toBeGreaterThanOrEqual(process.platform === "linux" ? 1 : 0);
  });

  it("uses one block per thread (at least 2), never more than the smallest set's rows", () => {
    expect(BLOCKS).toBe(2);
    expect(blockCount([1024, 64, 64], 1)).toBe(2);
    expect(blockCount([1024, 64, 64], 2)).toBe(2);
    expect(blockCount([1024, 64, 64], 3)).toBe(3);
    expect(blockCount([1024, 64, 64], 12)).toBe(12);
    expect(blockCount([37, 3], 4)).toBe(3);
  });

  it("gives the serial loss, terms and gradient with 2 and 3 threads; 2 threads the same to the bit as one thread through the same 2 blocks", () => {
    const weights = [1, 2, 0.5, 1];
    const ref = serialLossAndGrad(tinyHeat(), weights);
    const results: Sums[] = [];
    const previous = process.env["PINN_THREAD_PROFILE"];
    for (const threads of [1, 2, 3]) {
      const setup = serialLossAndGrad(tinyHeat(), weights);
      const { model, params } = setup;
      params.forEach((p) => (p.grad = null));
      // Profiled on 2 threads: the profile's block counts are checked below. Profiled, one thread
      // takes the parallel path itself (no workers): the same 2 blocks, added in the same order.
      if (threads <= 2) process.env["PINN_THREAD_PROFILE"] = "1";
      const parallel = ParallelLoss.create(model, params, threads)!;
      if (previous === undefined) delete process.env["PINN_THREAD_PROFILE"];
      else process.env["PINN_THREAD_PROFILE"] = previous;
      try {
        // Several evaluations (the profile drops the first quarter and the last); the same batch and
        // weights as the reference (same seed).
        results.push(checkedAgainstSerial(parallel, setup, weights, ref, 8));
        // While its workers started (from the TypeScript sources: seconds) this thread warmed up on the
        // first batch's blocks; the sums above (against one thread, and the same bits with 2 and 3
        // threads) show it changed nothing.
        if (threads > 1) expect(parallel.warmUpBlocks).toBeGreaterThan(0);
      } finally {
        parallel.close();
      }
      if (threads === 2) {
        // 37 interior and 11 boundary rows: 2 blocks, each computed by exactly one of the two threads.
        const profile = lastParallelProfile()!;
        expect(profile.threads).toBe(2);
        expect(profile.evaluations).toBeGreaterThanOrEqual(5);
        expect(profile.ownBlocks + profile.workerBlocks[0]!).toBeCloseTo(2, 12);
        // The hand-over's per-evaluation records: the training thread's block counts (fractions of
        // the evaluations) add up to 1 and average to the mean count above; a barrier after the notify.
        const h = profile.handover!;
        expect(h.ownBlocks.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(h.ownBlocks.reduce((a, f, k) => a + k * f, 0)).toBeCloseTo(profile.ownBlocks, 12);
        expect(h.barrier.p50).toBeGreaterThan(0);
        // (On a loaded machine the worker can wake only after the training thread has taken both of
        // these tiny blocks, in every evaluation: then every wake-up is late and has no quantiles.)
        if (Number.isFinite(h.wake.p10)) expect(h.wake.p10).toBeLessThanOrEqual(h.wake.p90);
        else expect(h.lateWake).toBeCloseTo(1, 12);
      }
    }
    // One thread and two through the same 2 blocks: the same sums in the same order, whichever thread
    // computed a block. (Three threads sum 3 blocks: checked against the serial numbers above.)
    expectSameBits(results.slice(0, 2));
  }, 90_000);

  it("writes the gradient into .grad as backward() does, to the bit (Loss.writeGrads), and accumulates into a held one through backward()", () => {
    const weights = [1, 2, 0.5, 1];
    const setup = serialLossAndGrad(tinyHeat(), weights);
    const { model, params, batch } = setup;
    // One thread, profiled: the parallel path without workers (the same PRECOMPUTED loss as with threads).
    const previous = process.env["PINN_THREAD_PROFILE"];
    process.env["PINN_THREAD_PROFILE"] = "1";
    const parallel = ParallelLoss.create(model, params, 1)!;
    if (previous === undefined) delete process.env["PINN_THREAD_PROFILE"];
    else process.env["PINN_THREAD_PROFILE"] = previous;
    try {
      const gradsOf = (): number[][] => params.map((p) => Array.from(p.grad!.data));
      params.forEach((p) => (p.grad = null));
      const a = parallel.evaluate(batch, weights);
      a.total.backward();
      const viaBackward = gradsOf();
      params.forEach((p) => (p.grad = null));
      const b = parallel.evaluate(batch, weights);
      expect(b.writeGrads).toBeDefined();
      b.writeGrads!();
      expect(gradsOf()).toEqual(viaBackward);
      // each parameter its own copy: changing one .grad leaves the loss's values as they were
      params[0]!.grad!.data[0] = 123;
      b.writeGrads!.call(null);
      expect(params[0]!.grad!.data[0]).toBe(123 + viaBackward[0]![0]!);
      // a held gradient accumulates as backward() accumulates: twice the values (x + x is exact)
      params.forEach((p) => (p.grad = null));
      const c = parallel.evaluate(batch, weights);
      c.writeGrads!();
      c.writeGrads!();
      expect(gradsOf()).toEqual(viaBackward.map((g) => g.map((v) => 2 * v)));
    } finally {
      parallel.close();
    }
  });

  it("counts the work per point set: heat1d stays on one thread by default, poisson2d with 512 points does not", () => {
    // heat1d.yaml: 2-32-32-1 (2·32 + 32·32 + 32·1 = 1,120 products per stream), 5 streams (u and
    // first and second derivatives in x and t), 256 + 3 × 64 points in 4 sets: 448 · 5 · 1120 / 4.
    const heat = buildModel(shipped("heat1d"));
    expect(parallelWork(heat)).toBe((448 * 5 * 1120) / 4);
    expect(parallelWork(heat)).toBeLessThan(PARALLEL_MIN_WORK);
    // poisson2d.yaml (hard conditions: one set) with 512 points: 512 · 5 · 1120.
    const p = shipped("poisson2d");
    const poisson = buildModel({ ...p, training: { ...p.training, points: 512 } });
    expect(parallelWork(poisson)).toBe(512 * 5 * 1120);
    expect(parallelWork(poisson)).toBeGreaterThanOrEqual(PARALLEL_MIN_WORK);
  });

  it("splits a periodic condition's point pairs by rows: 2, 3 and 4 threads give the serial numbers", () => {
    const problem = tinyConvection();
    const model0 = buildModel(problem);
    expect(model0.terms.map((t) => t.kind)).toContain("periodic");
    // Every group can be split by rows now, so the default uses the threads asked for.
    expect(parallelThreads(model0, 3, false)).toBe(3);
    expect(parallelThreads(model0, 3, true)).toBe(1);
    const weights = model0.terms.map((_, t) => 1 + 0.5 * t);
    // The reference: the ordinary one-thread path (model.losses + backward) on the same seed's batch.
    const ref = serialLossAndGrad(tinyConvection(), weights);
    const results: Sums[] = [];
    for (const threads of [2, 3, 4]) {
      const setup = serialLossAndGrad(tinyConvection(), weights);
      setup.params.forEach((p) => (p.grad = null));
      const parallel = ParallelLoss.create(setup.model, setup.params, threads)!;
      try {
        results.push(checkedAgainstSerial(parallel, setup, weights, ref, 3));
      } finally {
        parallel.close();
      }
    }
    // (A block per thread: each thread count sums its own blocks; each agrees with the serial numbers to rounding.)
    expect(results).toHaveLength(3);
  }, 120_000);

  it("trains with adaptive loss weighting (annealing) along the same path with 1 and 2 threads", async () => {
    const runs = [];
    for (const threads of [1, 2]) {
      const model = buildModel(tinyHeat());
      // Annealing updates the weights at epochs 0 and 10 from each term's gradient (on the threads too).
      runs.push(await train(model, [{ optimizer: "adam", epochs: 15, learningRate: 5e-3, schedule: { type: "constant" } }], { threads, causal: false, lossWeighting: "annealing" }));
    }
    const [one, two] = runs;
    expect(one!.history.total.length).toBe(15);
    // The weights moved away from the file's (all 1) on one thread and two alike.
    expect(one!.finalWeights.some((w) => Math.abs(w - 1) > 1e-3)).toBe(true);
    expect(relDiff(two!.finalWeights, one!.finalWeights)).toBeLessThan(1e-8);
    expect(relDiff(two!.history.total, one!.history.total)).toBeLessThan(1e-8);
  }, 120_000);

  it("trains time-marching windows on 2 threads along the one-thread path, the workers kept from window to window", async () => {
    const runs = [];
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      for (const threads of [1, 2]) {
        const p = tinyConvection();
        // Three windows; the workers build each window's model (its time interval, and after the
        // first the initial data handed on as per-point values) and are parked between windows.
        p.training = { ...p.training, timeWindows: 3, optimizerDefault: false, stages: [{ optimizer: "adam", epochs: 12, learningRate: 5e-3, schedule: { type: "constant" } }, { optimizer: "lbfgs", iterations: 4, learningRate: 1, historySize: 10 }] };
        runs.push(await solve(p, { write: false, plots: false, threads }));
      }
    } finally {
      process.off("warning", onWarning);
    }
    const [one, two] = runs;
    expect(one!.train.windows!.length).toBe(3);
    // No window fell back to one thread (a worker's model that differed would warn).
    expect(warnings.filter((w) => /parallel training/.test(w))).toEqual([]);
    // Rounding-level differences only (the blocks' sums are grouped differently from one thread's).
    expect(relDiff(two!.train.history.total, one!.train.history.total)).toBeLessThan(1e-8);
  }, 180_000);

  it("stays on one thread, with the one-thread numbers, when a point set has fewer rows than threads", () => {
    const problem = (): Problem => {
      const p = tinyHeat();
      p.training = { ...p.training, boundaryPoints: 2 };
      return p;
    };
    const weights = [1, 1, 1, 1];
    const ref = serialLossAndGrad(problem(), weights);
    const { model, params, batch } = serialLossAndGrad(problem(), weights);
    const parallel = ParallelLoss.create(model, params, 3)!;
    try {
      // Exactly the serial path's numbers: no worker is started, no block split.
      expect(parallel.evaluate(batch, weights).total.item()).toBe(ref.value);
    } finally {
      parallel.close();
    }
  });

  it("trains Adam then L-BFGS along the same path with 1 and 2 threads", async () => {
    const runs = [];
    for (const threads of [1, 2]) {
      const problem = tinyHeat();
      const model = buildModel(problem);
      runs.push(await train(model, [{ optimizer: "adam", epochs: 15, learningRate: 5e-3, schedule: { type: "constant" } }, { optimizer: "lbfgs", iterations: 5, learningRate: 1, historySize: 10 }], { threads, causal: false }));
    }
    const [one, two] = runs;
    expect(one!.history.total.length).toBe(20);
    // Rounding-level differences per evaluation; over 20 iterations they stay far below 1e-8.
    expect(relDiff(two!.history.total, one!.history.total)).toBeLessThan(1e-8);
    expect(one!.history.total.at(-1)!).toBeLessThan(one!.history.total[0]!);
  }, 120_000);
});

describe("hand-over quantiles", () => {
  it("takes the element at floor(p·n) of the sorted finite values", () => {
    // 1..10 shuffled, with a NaN left out: p10 = 2nd smallest (index 1), p50 = index 5 → 6, p90 = index 9 → 10.
    const q = quantiles([7, 3, NaN, 10, 1, 9, 2, 8, 4, 6, 5]);
    expect([q.p10, q.p50, q.p90, q.p99, q.max, q.mean]).toEqual([2, 6, 10, 10, 10, 5.5]);
  });
});

describe("parallel loss with a changed problem file", () => {
  it("notices that the workers' model differs, warns, and gives the one-thread numbers", async () => {
    // The workers rebuild the model from the file; here the file on disk says k = 0.5 where the
    // loaded problem has k = 0.1 (same network and terms, different equation).
    const dir = mkdtempSync(join(tmpdir(), "pinn-parallel-"));
    const changed = join(dir, "heat1d.yaml");
    writeFileSync(changed, readFileSync(join(root, "problems", "heat1d.yaml"), "utf8").replace("k: 0.1", "k: 0.5"));
    const weights = [1, 1, 1, 1];
    const ref = serialLossAndGrad(tinyHeat(), weights);
    const problem = tinyHeat();
    problem.file = changed;
    const model = buildModel(problem);
    const params = model.network.parameters();
    const batch = model.draw();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    const parallel = ParallelLoss.create(model, params, 2)!;
    try {
      const loss = parallel.evaluate(batch, weights);
      expect(Math.abs(loss.total.item() - ref.value) / ref.value).toBeLessThan(1e-12);
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings.join("\n")).toMatch(/differs/);
    } finally {
      parallel.close();
      process.off("warning", onWarning);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("training.threads", () => {
  const base = 'name: ode\ndomain:\n  x: [0, 1]\nunknowns: [u]\nequations:\n  - "u\' = 2*x"\ntraining:\n';
  it("reads a positive thread count, and the command line's wins", () => {
    expect(parseProblem(`${base}  threads: 2\n`, "case.yaml").training.threads).toBe(2);
    expect(parseProblem(`${base}  threads: 2\n`, "case.yaml", { overrides: { threads: 1 } }).training.threads).toBe(1);
    expect(parseProblem(`${base}  epochs: 10\n`, "case.yaml").training.threads).toBeUndefined();
  });
  it("rejects zero with an error naming the setting and its line", () => {
    expect(() => parseProblem(`${base}  threads: 0\n`, "case.yaml")).toThrow(/case\.yaml:8.*training\.threads/s);
  });
});
