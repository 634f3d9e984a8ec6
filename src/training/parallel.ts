// Over 400 lines on purpose: the calling thread's half of one shared-memory protocol (layout, block
// hand-out, barrier, reduction, fallback) whose other half is parallel-worker.ts; split, each part
// would need the other's offsets and states. Profiling lives apart (parallel-profile.ts).
//
// Data-parallel training on worker threads: each evaluation of the loss splits every point set's
// rows into B contiguous blocks (B fixed by the problem, 4 for up to 4 threads), and the calling
// thread and the workers take blocks from a shared counter until none is left (so a thread that
// is slower, preempted or busy with serial work simply takes fewer), all with the same weights
// (copied through shared memory). Each block gives its share of every term's mean square (its
// rows' mean times its fraction of the rows) and the gradient of its share of the weighted total
// into its own result slot; the calling thread adds the blocks up in block order 0, 1, …, B−1.
//
// The loss is a weighted sum of means, so the blocks' shares add up to the serial loss exactly in
// exact arithmetic; in floating point the sums are grouped differently from the one-thread path,
// so losses and gradients agree with it to rounding (relative 1e-12 in the tests), and training
// runs on one thread and on several agree to that at first and then drift apart as any
// rounding-level change would (never more than the run-to-run spread of a different seed). Which
// thread computed a block does not matter: the numbers depend on B only, so they are the same on
// every run and for every thread count from 2 to 4 (beyond 4 threads B grows with the threads).
//
// The calling thread blocks in Atomics.wait while the workers finish their last blocks (the
// training loop is synchronous). Workers are built from the problem file's text (symbolic
// expressions stay per thread), as the ensemble's are; the first evaluation is checked against
// one thread's. Used only where it pays (enough work per evaluation), where every term group can
// be split by rows (TermGroup.rowwise: equations, conditions, data, and periodic conditions, whose
// rows are point pairs — both points of a pair in the same block), and without causal weights
// (each time slice's weight depends on every earlier slice's loss over all the points).
// Time-marching windows: the workers build the window's model (ParallelSpec.window) and are parked
// between windows (close(true)), then handed the next window's job. PINN_THREAD_PROFILE=1 measures
// each phase's CPU time and each hand-over's wall times (parallel-profile.ts); PINN_SPIN_MS=m makes
// a thread poll for up to m ms before it sleeps in Atomics.wait (default: 1 ms unless the tasks
// runnable at the start leave no core for each training thread, then 0 — spinFor; README, "Every core").

import { availableParallelism, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { Worker, isMainThread } from "node:worker_threads";
import { Tensor } from "../engine/tensor.js";
import { apply, defineOp } from "../engine/op.js";
import { gradients } from "../engine/autograd.js";
import { isGradEnabled } from "../engine/state.js";
import { keep } from "../engine/pool.js";
import * as ops from "../engine/ops/index.js";
import type { Problem } from "../problem/types.js";
import type { WindowRecipe } from "./time-marching.js";
import type { Batch, ResidualModel } from "../residual/model.js";
import { weightedLoss, type Loss } from "../loss/loss.js";
import { ParallelProfile, WORKER_SLOTS, WORKER_SLOT_COUNT, absoluteMs, blockRecords, profileSlotCount, profiling, recordBlock, setLastParallelProfile } from "./parallel-profile.js";

/** The tensors training updates: the network's weights, then the learned parameters θ if any. */
export function trainedParameters(model: ResidualModel): Tensor[] {
  return model.theta === null ? model.network.parameters() : [...model.network.parameters(), model.theta];
}

/**
 * Below this many multiply-adds per evaluation and point set (points × streams × weights over the
 * number of point sets), one thread is faster. Per point set, because every set is split into its
 * own blocks, each with the fixed costs of a call of the fused pass: measured on 2 cores (whole
 * `pinn solve` runs, wall clock, quiet machine, stop 18), poisson2d.yaml with 512 points (one set,
 * 2.9e6) ran 1.24–1.35× faster on two threads, but heat1d.yaml (four sets, 2.5e6 in all) 0.89× and with
 * 512 points (3.9e6 in all) only 1.05–1.09×, for 35–55% more CPU.
 */
export const PARALLEL_MIN_WORK = 1.5e6;
/** How long the calling thread waits for the workers to start (module loading) before going on alone. */
const START_TIMEOUT_MS = 60_000;

/** What a worker needs to build the same model (plain data: it crosses the thread boundary). */
export interface ParallelSpec {
  text: string;
  file: string;
  training: Problem["training"];
  network: Problem["network"];
  /** A time-marching window's model (time-marching.ts workerWindowModel), or null: the problem's. */
  window: WindowRecipe | null;
}

// Control words (Int32Array over a SharedArrayBuffer).
const GEN = 0; // evaluation counter, bumped by the calling thread
const TICKET = 1; // the next block to take: (GEN mod 2^23)·256 + block (blocks of other evaluations are refused)
const GRAD = 2; // 1 when gradients are wanted
const STOP = 3; // 1: workers exit; PARK: they wait for their next job (ParallelLoss.close(true))
const ERROR = 4; // 1: a worker failed
const FIXED = 6; // 1: thread j computes blocks j, j + K, j + 2K, … (the first evaluation, so that the check covers every worker)
const READY = 8; // READY + j: worker j is built
const CONTROL_WORDS = 72;
export const MAX_THREADS = CONTROL_WORDS - READY;
/** STOP's value that parks the workers instead of ending them. */
export const PARK = 2;
const MAX_BLOCKS = 255;
/** Blocks per evaluation for up to this many threads (more threads: one block each). */
// One block per thread on two cores, not 4 (stop 21) nor 8 (stop 16). Each block is one pass of
// the model's JavaScript (building the fused op, the backward walk) besides its kernels, so 4 blocks
// on 2 threads ran that code twice per epoch in each isolate — enough to make functions that one
// thread never optimises (the fused passes, the graph walk) hot in the middle of the run, where
// TurboFan's compiles then took the core the other training thread needed: measured with perf over
// the bench's timed epochs of poisson2d, 230 ms of TurboFan CPU with 4 blocks, 110–120 ms with 2
// (56 ms on one thread); 8 blocks had cost more still (garbage collection). Dynamic blocks only
// helped when a thread woke or ran late, which one block each cannot hide — measured below (README,
// "Every core"). PINN_BLOCKS overrides it for probes and the bench's A/B runs.
export const BLOCKS = envNumber("PINN_BLOCKS", (n) => Number.isInteger(n) && n >= 1 && n <= MAX_BLOCKS) ?? 2;

/** A number set in the environment (probes and the bench's A/B runs) that `valid` accepts, else null (unset, blank or not a number). */
function envNumber(name: string, valid: (n: number) => boolean): number | null {
  const text = process.env[name];
  const n = Number(text);
  return text === undefined || text.trim() === "" || !Number.isFinite(n) || !valid(n) ? null : n;
}

/** Blocks for `threads` threads over point sets of these sizes: max(BLOCKS, threads), at most the smallest set's rows. */
export function blockCount(counts: readonly number[], threads: number): number {
  return Math.min(Math.max(BLOCKS, threads), MAX_BLOCKS, ...counts);
}

/**
 * How long a thread polls a word before it sleeps in Atomics.wait (ms) — a sleeping vCPU takes far
 * longer to wake (0.9 ms at p90 on this machine's kind, against 0.06 ms polling) — unless the machine
 * is saturated, where polling takes the core another process or V8's compiler needs (stop 18: clearly
 * slower at load average 12–21). PINN_SPIN_MS=m sets it for every run.
 */
export const SPIN_MS_WHEN_IDLE = 1;
const SPIN_SETTING = envNumber("PINN_SPIN_MS", (n) => n >= 0);

/**
 * The polling time of a run on `threads` threads (decided when an evaluator starts, before its workers
 * do, and handed to them in the layout): PINN_SPIN_MS when set; else SPIN_MS_WHEN_IDLE when the other
 * tasks that want a core now (`load`, this thread included, less one) leave a core for every training
 * thread, and 0 when the machine is oversubscribed (libgomp likewise spins by default and stops when
 * oversubscribed). Measured on 2 cores (README, "Every core"): polling 1 ms was faster with nothing else
 * running, slower at load average 3–4 and above. `load` is runnableNow(): the tasks runnable at this
 * moment where Linux says so — until stop 22 it was the 1-minute load average, which lags: it still
 * counted the previous minute's runs (in the bench, the previous variant's two threads), so a run
 * on an idle machine often did not poll.
 */
export function spinFor(threads: number, load?: number, cores = availableParallelism()): number {
  if (SPIN_SETTING !== null) return SPIN_SETTING;
  // (Read only when needed: runnableNow takes 4 ms of readings.)
  return (load ?? runnableNow()) - 1 + threads <= cores ? SPIN_MS_WHEN_IDLE : 0;
}

/** The runnable tasks of /proc/loadavg's text ("0.52 0.58 0.59 3/456 12345": 3, the reader included), or null. */
export function runnableIn(text: string): number | null {
  const m = /^\S+\s+\S+\s+\S+\s+(\d+)\//.exec(text);
  return m === null ? null : Number(m[1]);
}

/**
 * The tasks that want a core now, this thread included: the median of 5 readings of /proc/loadavg's
 * runnable count, 1 ms apart (one reading may catch a passing task); where there is no /proc/loadavg
 * (not Linux), the 1-minute load average (0 on Windows: it polls).
 */
export function runnableNow(): number {
  const readings: number[] = [];
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let k = 0; k < 5; k++) {
    let text: string;
    try {
      text = readFileSync("/proc/loadavg", "utf8");
    } catch {
      return loadavg()[0]!;
    }
    const n = runnableIn(text);
    if (n === null) return loadavg()[0]!;
    readings.push(n);
    if (k < 4) Atomics.wait(pause, 0, 0, 1);
  }
  readings.sort((a, b) => a - b);
  return readings[2]!;
}

/** Poll `word[i]` while it equals `value`, for up to `spinMs`; true when it changed. */
export function spinWhile(word: Int32Array, i: number, value: number, spinMs: number): boolean {
  if (spinMs <= 0) return false;
  const end = performance.now() + spinMs;
  for (let k = 0; ; k++) {
    if (Atomics.load(word, i) !== value) return true;
    if ((k & 255) === 255 && performance.now() > end) return false;
  }
}

function ticketTag(gen: number): number {
  return (gen & 0x7fffff) << 8;
}

/** Take the next block of evaluation `gen`: its index, or −1 when none is left (or `gen` is over). */
export function takeBlock(control: Int32Array, gen: number, blocks: number): number {
  const tag = ticketTag(gen);
  for (;;) {
    const word = Atomics.load(control, TICKET);
    if ((word & ~0xff) !== tag || (word & 0xff) >= blocks) return -1;
    if (Atomics.compareExchange(control, TICKET, word, word + 1) === word) return word & 0xff;
  }
}

/**
 * The blocks thread `index` of `threads` computes in evaluation `gen`, one at a time: taken from
 * the shared counter, or (FIXED) every threads-th block from its index on.
 */
export function* blocksOf(control: Int32Array, gen: number, blocks: number, index: number, threads: number): Generator<number> {
  if (Atomics.load(control, FIXED) === 1) {
    for (let b = index; b < blocks; b += threads) yield b;
    return;
  }
  for (let b = takeBlock(control, gen, blocks); b >= 0; b = takeBlock(control, gen, blocks)) yield b;
}

/** Mark block b of evaluation `gen` finished (its result slot written), waking the calling thread if it waits for it. */
export function finishBlock(done: Int32Array, b: number, gen: number): void {
  Atomics.store(done, b, gen);
  Atomics.notify(done, b);
}

/** Shared buffers and their layout. */
export interface SharedLayout {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Offsets (in float64s) into data. */
  params: number;
  weights: number;
  /** Per group: coordinates and attributes (attrs −1 when the group has none), with their sizes. */
  groups: { x: number; xLength: number; attrs: number; attrsLength: number }[];
  /** Blocks per evaluation (B), and threads in all (K, the calling thread's included). */
  blocks: number;
  threads: number;
  /** Int32 per block: the evaluation (GEN) whose block was last finished. */
  done: SharedArrayBuffer;
  /** Results: block b at results + b·(T + P): T term shares, then the P gradient values. */
  results: number;
  paramCount: number;
  termCount: number;
  /** With PINN_THREAD_PROFILE=1 (parallel-profile.ts): [notify time, then per worker j ≥ 1 its slots at 1 + (j−1)·WORKER_SLOT_COUNT]. */
  profile: SharedArrayBuffer | null;
  /** How long every thread polls before it sleeps (spinFor, decided when the evaluator starts). */
  spinMs: number;
}

/** The rows of block j of K out of n: [floor(j·n/K), floor((j+1)·n/K)). */
export function chunkRows(n: number, j: number, K: number): [number, number] {
  return [Math.floor((j * n) / K), Math.floor(((j + 1) * n) / K)];
}

/**
 * Block j of K: its share of each term's mean square (out[t]) and the gradient of its share of
 * Σ_t w_t·loss_t with respect to the parameters (out[T..], in parameter order).
 */
export function chunkContribution(model: ResidualModel, params: readonly { data: Float64Array }[], batch: Batch, j: number, K: number, weights: ArrayLike<number>, grad: boolean, out: Float64Array): void {
  // Arrays here are built by push, never by map()/flatMap(): those builtins return arrays of
  // either elements kind depending on the path they take, and an array of a kind the optimised code
  // has not seen throws away the compiled loss evaluation ("wrong map"; measured with --trace-deopt:
  // a 110–220 ms recompile inside the timed epochs on two threads).
  const dims = model.network.dims;
  const fractions: number[] = [];
  const part: Batch = [];
  for (const b of batch) {
    const n = b.x.length / dims;
    const [a, e] = chunkRows(n, j, K);
    fractions.push((e - a) / n);
    const width = b.attrs === null ? 0 : b.attrs.length / n;
    part.push({ x: b.x.subarray(a * dims, e * dims), attrs: b.attrs === null ? null : b.attrs.subarray(a * width, e * width) });
  }
  const termFraction: number[] = [];
  for (let i = 0; i < model.groups.length; i++) for (let s = 0; s < model.groups[i]!.specs.length; s++) termFraction.push(fractions[i]!);
  const T = termFraction.length;
  const perTerm = model.losses(part);
  for (let t = 0; t < T; t++) out[t] = perTerm.data[t]! * termFraction[t]!;
  if (!grad) {
    out.fill(0, T);
    return;
  }
  const coefficients = new Tensor(Float64Array.from(termFraction, (f, t) => f * weights[t]!), [T]);
  const total = ops.sum(ops.mul(perTerm, coefficients));
  const grads = gradients(total, params as Tensor[], { allowUnused: true });
  let o = T;
  for (const g of grads) {
    out.set(g.data, o);
    o += g.size;
  }
}

/**
 * The gradients the blocks added up, written into the parameters' `.grad` as `total.backward()` would
 * (Loss.writeGrads): its pass hands PRECOMPUTED's gradients over unchanged (seed 1) and gives each leaf
 * a copy of its own, so a leaf whose `.grad` is null gets a copy of these values — without the pass's
 * machinery (a topological walk, a scope, a closure per tensor), which took 0.11 ms per epoch of the
 * training thread on poisson2d while the workers waited for the next evaluation (stop 24, profiled).
 * When a leaf holds a gradient already (accumulation), backward() itself runs.
 */
function writeGradients(total: Tensor, params: readonly Tensor[], grads: readonly Float64Array[]): void {
  if (params.some((p) => p.grad !== null || !p.requiresGrad)) {
    total.backward();
    return;
  }
  params.forEach((p, i) => {
    p.grad = keep(new Tensor(grads[i]!.slice(), p.shape));
  });
}

/** The weighted total as an engine op of the parameters: value and gradient computed already. */
const PRECOMPUTED = defineOp<{ value: number; grads: Float64Array[] }>({
  name: "parallel-loss",
  forward: (_inputs, p) => new Tensor(Float64Array.of(p.value), []),
  // The seed of backward() is 1: then the gradients themselves (1·x is x), without a product each.
  vjp: (g, inputs, _out, p, needs) => {
    const one = g.size === 1 && g.data[0] === 1;
    return inputs.map((t, i) => (needs[i] ? (one ? new Tensor(p.grads[i]!, t.shape) : ops.mul(g, new Tensor(p.grads[i]!, t.shape))) : null));
  },
  jvp: () => {
    throw new Error("parallel training: the loss has no forward-mode derivative");
  },
});

/**
 * Threads to use for `model`: the setting, or by default all cores where the work per evaluation
 * is large enough to pay for the hand-over; 1 where the terms cannot be split by rows, or when
 * `coupled` (causal weights over time slices) ties the chunks' points together.
 */
export function parallelThreads(model: ResidualModel, setting: number | null | undefined, coupled: boolean): number {
  // Running from the TypeScript sources (the tests), a worker transpiles every module as it
  // starts (seconds): there only a number of threads set explicitly is used.
  if (setting == null && import.meta.url.endsWith(".ts")) return 1;
  // Inside a worker (an ensemble member: the members already share the cores), one thread.
  if (setting == null && !isMainThread) return 1;
  const wanted = Math.min(MAX_THREADS, setting ?? availableParallelism());
  if (wanted <= 1 || coupled) return 1;
  if (!model.groups.every((g) => g.rowwise)) return 1;
  const counts = model.groups.map((g) => g.points.count);
  if (blockCount(counts, wanted) < wanted) return 1;
  // A number of threads the user set is used as given; the default only where it pays.
  return setting != null || parallelWork(model) >= PARALLEL_MIN_WORK ? wanted : 1;
}

/** Multiply-adds per evaluation and point set: points × streams (1 + 2·inputs) × weight products, over the sets. */
export function parallelWork(model: ResidualModel): number {
  const counts = model.groups.map((g) => g.points.count);
  const sizes = [model.network.dims, ...model.problem.network.hidden, model.problem.unknowns.length];
  let perPoint = 0;
  for (let i = 0; i + 1 < sizes.length; i++) perPoint += sizes[i]! * sizes[i + 1]!;
  const streams = 1 + 2 * model.network.dims;
  return (counts.reduce((a, n) => a + n, 0) * streams * perPoint) / counts.length;
}

/** The worker script: the compiled module, or (running from the TypeScript sources) a loader for them. */
function workerUrl(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./parallel-worker-source.mjs" : "./parallel-worker.js", import.meta.url);
}

/** A worker thread, its mailbox (raised when a job is posted to it) and the evaluator it serves now. */
interface WorkerHandle {
  worker: Worker;
  mailbox: Int32Array;
  owner: { control: Int32Array; index: number };
}

/** Workers parked by close(true) for the next evaluator of the same problem text and thread count (the next time-marching window). */
let parked: { key: string; workers: WorkerHandle[] } | null = null;

/** End the parked workers (time-marching's end, or an evaluator that cannot use them). */
export function releaseParkedWorkers(): void {
  if (parked === null) return;
  for (const h of parked.workers) void h.worker.terminate();
  parked = null;
}

export class ParallelLoss {
  private readonly control: Int32Array;
  private layout: SharedLayout | null = null;
  private data: Float64Array | null = null;
  private done: Int32Array | null = null;
  private readonly workers: WorkerHandle[] = [];
  private readonly key: string;
  private failed = false;
  private verified = false;
  private readonly profile: ParallelProfile | null;
  private profileSlots: Float64Array | null = null;

  private constructor(
    private readonly model: ResidualModel,
    private readonly params: readonly Tensor[],
    readonly threads: number,
    private readonly spec: ParallelSpec,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    this.profile = profiling() ? new ParallelProfile(threads) : null;
    this.key = `${threads}\0${spec.file}\0${spec.text}`;
  }

  /** A parallel evaluator with `threads` threads in all, or null when the problem has no file to rebuild it from. */
  static create(model: ResidualModel, params: readonly Tensor[], threads: number, window: WindowRecipe | null = null): ParallelLoss | null {
    // Profiling measures one thread through the same path (no workers), to compare like with like.
    if (threads < 1 || (threads === 1 && !profiling())) return null;
    let text: string;
    try {
      text = readFileSync(model.problem.file, "utf8");
    } catch {
      return null;
    }
    const p = model.problem;
    return new ParallelLoss(model, params, threads, { text, file: p.file, training: p.training, network: p.network, window });
  }

  /** Lay out shared memory for batches shaped like `batch` and start the workers. */
  private start(batch: Batch, T: number): boolean {
    const P = this.params.reduce((a, p) => a + p.size, 0);
    let at = 0;
    const take = (n: number): number => {
      const o = at;
      at += n;
      return o;
    };
    const params = take(P);
    const weights = take(T);
    const groups = batch.map((b) => ({ x: take(b.x.length), xLength: b.x.length, attrs: b.attrs === null ? -1 : take(b.attrs.length), attrsLength: b.attrs?.length ?? 0 }));
    const blocks = blockCount(batch.map((b) => b.x.length / this.model.network.dims), this.threads);
    const results = take(blocks * (T + P));
    const data = new SharedArrayBuffer(at * 8);
    const profile = this.profile === null ? null : new SharedArrayBuffer(8 * profileSlotCount(this.threads, blocks));
    this.profileSlots = profile === null ? null : new Float64Array(profile);
    this.layout = { control: this.control.buffer as SharedArrayBuffer, data, params, weights, groups, blocks, threads: this.threads, done: new SharedArrayBuffer(4 * blocks), results, paramCount: P, termCount: T, profile, spinMs: spinFor(this.threads) };
    this.data = new Float64Array(data);
    this.done = new Int32Array(this.layout.done);
    // Parked workers of the same problem text take the new job (their code compiled already); else new threads.
    const reuse = parked !== null && parked.key === this.key ? parked.workers : null;
    if (reuse !== null) parked = null;
    else releaseParkedWorkers();
    for (let j = 1; j < this.threads; j++) {
      const job = { spec: this.spec, layout: this.layout, index: j };
      const handle = reuse?.[j - 1];
      if (handle !== undefined) {
        handle.owner.control = this.control;
        handle.worker.postMessage(job);
        Atomics.store(handle.mailbox, 0, 1);
        Atomics.notify(handle.mailbox, 0);
        this.workers.push(handle);
        continue;
      }
      const mailbox = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(workerUrl(), { workerData: { ...job, mailbox: mailbox.buffer } });
      worker.unref();
      const owner = { control: this.control, index: j };
      worker.on("error", () => {
        Atomics.store(owner.control, ERROR, 1);
        Atomics.notify(owner.control, READY + owner.index);
      });
      this.workers.push({ worker, mailbox, owner });
    }
    const deadline = performance.now() + START_TIMEOUT_MS;
    this.warmUp(batch, T, blocks, deadline);
    for (let j = 1; j < this.threads; j++) {
      while (Atomics.load(this.control, READY + j) === 0 && Atomics.load(this.control, ERROR) === 0) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.control, READY + j, 0, left);
      }
    }
    return Atomics.load(this.control, ERROR) === 0;
  }

  /** Whether every worker has signalled that it is built (or one failed). */
  private workersReady(): boolean {
    if (Atomics.load(this.control, ERROR) !== 0) return true;
    for (let j = 1; j < this.threads; j++) if (Atomics.load(this.control, READY + j) === 0) return false;
    return true;
  }

  /**
   * While the workers start (loading modules, building the model, their own warm-up), this thread
   * computes the blocks of the first batch into a scratch buffer, over and over: its JIT compiles its
   * copy of the code now, on time it would spend waiting, instead of during the first epochs, where on
   * a machine without a spare core the compiler threads take from the training threads. Nothing but the
   * scratch buffer is written and no random numbers are drawn, so training is the same as without it.
   * It stops once every worker is ready (or one failed), checked after each block; an error here is
   * left to the first real evaluation, which computes the same blocks and reports it.
   */
  private warmUp(batch: Batch, T: number, blocks: number, deadline: number): void {
    const P = this.layout!.paramCount;
    const scratch = new Float64Array(T + P);
    const weights = this.model.terms.map((t) => t.weight);
    const grad = isGradEnabled();
    try {
      for (let b = 0; !this.workersReady() && performance.now() < deadline; b = (b + 1) % blocks) {
        chunkContribution(this.model, this.params, batch, b, blocks, weights, grad, scratch);
        this.warmUpBlocks++;
      }
    } catch {
      // (see above)
    }
  }

  /** Blocks computed by warmUp (tests, profiling). */
  warmUpBlocks = 0;

  private fits(batch: Batch): boolean {
    const l = this.layout!;
    return batch.length === l.groups.length && batch.every((b, g) => b.x.length === l.groups[g]!.xLength && (b.attrs?.length ?? 0) === l.groups[g]!.attrsLength && (b.attrs === null) === (l.groups[g]!.attrs < 0));
  }

  /** Σ_t w_t·loss_t on `batch` and each term's loss, as weightedLoss(model.losses(batch), weights) gives them. */
  evaluate(batch: Batch, weights: readonly number[]): Loss {
    const T = weights.length;
    if (!this.failed && this.layout === null) {
      // Every thread needs a block (the first evaluation checks each worker's): with fewer rows, one thread.
      if (blockCount(batch.map((b) => b.x.length / this.model.network.dims), this.threads) < this.threads) this.failed = true;
      else if (!this.start(batch, T)) this.fail();
    }
    if (this.failed || !this.fits(batch)) return this.serial(batch, weights);
    const prof = this.profile;
    prof?.begin();
    const l = this.layout!;
    const data = this.data!;
    let o = l.params;
    for (const p of this.params) {
      data.set(p.data, o);
      o += p.size;
    }
    data.set(weights, l.weights);
    batch.forEach((b, g) => {
      data.set(b.x, l.groups[g]!.x);
      if (b.attrs !== null) data.set(b.attrs, l.groups[g]!.attrs);
    });
    const grad = isGradEnabled();
    const B = l.blocks;
    const stride = T + l.paramCount;
    const control = this.control;
    const done = this.done!;
    Atomics.store(control, GRAD, grad ? 1 : 0);
    // The first evaluation is checked against one thread's: there every worker must take part.
    Atomics.store(control, FIXED, this.verified ? 0 : 1);
    // The tickets of this evaluation first, then its number: a worker that sees the number sees them.
    const gen = Atomics.load(control, GEN) + 1;
    Atomics.store(control, TICKET, ticketTag(gen));
    if (prof !== null) {
      prof.set("copyCpu", prof.lap().cpu);
      this.profileSlots![0] = absoluteMs();
    }
    Atomics.store(control, GEN, gen);
    Atomics.notify(control, GEN);
    let own = 0;
    for (const b of blocksOf(control, gen, B, 0, this.threads)) {
      const start = prof === null ? 0 : absoluteMs();
      chunkContribution(this.model, this.params, batch, b, B, weights, grad, data.subarray(l.results + b * stride, l.results + (b + 1) * stride));
      if (prof !== null) recordBlock(this.profileSlots!, this.threads, b, 0, start);
      finishBlock(done, b, gen);
      own++;
    }
    if (prof !== null) {
      const lap = prof.lap();
      prof.set("ownCpu", lap.cpu);
      prof.set("ownWall", lap.wall);
      prof.set("ownBlocks", own);
    }
    // Block order 0, 1, …, B−1: the same sums whichever thread computed which block. Each block
    // is added as soon as it is finished, while the workers may still compute later ones.
    const sum = new Float64Array(stride);
    for (let b = 0; b < B; b++) {
      for (let seen = Atomics.load(done, b); seen !== gen; seen = Atomics.load(done, b)) {
        if (Atomics.load(control, ERROR) !== 0) {
          this.fail();
          return this.serial(batch, weights);
        }
        if (spinWhile(done, b, seen, l.spinMs)) continue;
        Atomics.wait(done, b, seen, 1000);
      }
      const r = l.results + b * stride;
      for (let i = 0; i < stride; i++) sum[i]! += data[r + i]!;
    }
    if (prof !== null) this.recordWorkers(prof, gen);
    const terms = Array.from(sum.subarray(0, T));
    let value = 0;
    for (let t = 0; t < T; t++) value += weights[t]! * terms[t]!;
    const grads: Float64Array[] = [];
    o = T;
    for (const p of this.params) {
      grads.push(sum.slice(o, o + p.size));
      o += p.size;
    }
    const perTerm = new Tensor(Float64Array.from(terms), [T]);
    const params = this.params as Tensor[];
    const loss: Loss = { total: apply(PRECOMPUTED, [...params], { value, grads }), perTerm, terms };
    if (grad) loss.writeGrads = () => writeGradients(loss.total, params, grads);
    const result = this.verified ? loss : this.verify(batch, weights, loss, grad ? grads : null);
    if (prof !== null) {
      prof.set("reduceCpu", prof.get("reduceCpu") + prof.lap().cpu);
      prof.end();
    }
    return result;
  }

  /** The barrier's wait and each worker's phases, from the shared profile slots. */
  private recordWorkers(prof: ParallelProfile, gen: number): void {
    const slots = this.profileSlots!;
    const resumed = absoluteMs();
    // The wait for the workers' blocks, with the blocks' sums done meanwhile: idle is wall − CPU.
    const lap = prof.lap();
    prof.set("waitWall", lap.wall - lap.cpu);
    prof.set("reduceCpu", lap.cpu);
    prof.set("barrier", resumed - slots[0]!);
    prof.set("blocks", blockRecords(slots, this.threads, this.layout!.blocks));
    const workers = [];
    for (let j = 1; j < this.threads; j++) {
      const o = 1 + (j - 1) * WORKER_SLOT_COUNT;
      // A worker that has not woken for this evaluation (its slots are still the last one's): no
      // blocks, no CPU, and a wake-up after the barrier (Infinity: counted late, left out of the
      // latency's quantiles and means).
      const current = slots[o + WORKER_SLOTS.gen] === gen;
      const blocks = current ? slots[o + WORKER_SLOTS.blocks]! : 0;
      workers.push({
        wakeLatency: current ? slots[o + WORKER_SLOTS.wake]! - slots[0]! : Infinity,
        copyCpu: current ? slots[o + WORKER_SLOTS.copyCpu]! : 0,
        computeCpu: current ? slots[o + WORKER_SLOTS.computeCpu]! : 0,
        computeWall: current ? slots[o + WORKER_SLOTS.computeWall]! : 0,
        blocks,
        doneLatency: blocks > 0 ? Math.max(0, resumed - slots[o + WORKER_SLOTS.done]!) : NaN,
        totalCpu: slots[o + WORKER_SLOTS.totalCpu]!,
      });
    }
    prof.set("workers", workers);
  }

  /**
   * The first evaluation is also done on one thread and compared: the workers rebuilt the model
   * from the problem file, and a file changed since it was loaded must not train silently wrong.
   */
  private verify(batch: Batch, weights: readonly number[], loss: Loss, grads: Float64Array[] | null): Loss {
    this.verified = true;
    const ref = this.serial(batch, weights);
    const close = (a: number, b: number, scale: number): boolean => Math.abs(a - b) <= 1e-9 * scale;
    let ok = close(loss.total.item(), ref.total.item(), Math.abs(ref.total.item())) && loss.terms.every((t, i) => close(t, ref.terms[i]!, Math.abs(ref.terms[i]!)));
    if (ok && grads !== null) {
      // (retainGraph: ref is returned when the check fails, and the trainer then runs backward() through it.)
      const refGrads = gradients(ref.total, this.params as Tensor[], { allowUnused: true, retainGraph: true });
      const scale = Math.max(...refGrads.map((g) => g.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      ok = refGrads.every((g, i) => g.data.every((v, k) => close(grads[i]![k]!, v, scale)));
    }
    if (ok) return loss;
    this.fail("the worker threads' model differs from this one (was the problem file changed?)");
    return ref;
  }

  private serial(batch: Batch, weights: readonly number[]): Loss {
    return weightedLoss(this.model.losses(batch), weights);
  }

  /** Go on alone (a worker failed or did not start): slower, the same numbers to rounding. */
  private fail(reason = "a worker thread failed to start or stopped"): void {
    if (!this.failed) process.emitWarning(`pinn: parallel training unavailable (${reason}); continuing on one thread`);
    this.failed = true;
    this.close();
  }

  /**
   * Stop the workers, or with `park` (more time-marching windows follow) keep them for the next
   * evaluator of the same problem text (releaseParkedWorkers ends them).
   */
  close(park = false): void {
    if (this.profile !== null) setLastParallelProfile(this.profile.summary());
    const keep = park && !this.failed && this.workers.length > 0 && Atomics.load(this.control, ERROR) === 0;
    Atomics.store(this.control, STOP, keep ? PARK : 1);
    Atomics.store(this.control, TICKET, -1);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    if (keep) {
      releaseParkedWorkers();
      parked = { key: this.key, workers: [...this.workers] };
      this.workers.length = 0;
      return;
    }
    for (const w of this.workers) void w.worker.terminate();
    this.workers.length = 0;
  }
}

export const CONTROL = { GEN, TICKET, GRAD, STOP, ERROR, FIXED, READY };
