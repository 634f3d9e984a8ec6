// Instrumentation of data-parallel training (parallel.ts), on when PINN_THREAD_PROFILE=1: per
// evaluation of the loss, the CPU time and wall time of each phase on the calling thread (the
// training loop's own work between evaluations, handing the weights and points over, its own
// blocks, waiting at the barrier, adding the blocks up) and on each worker (waking, taking the
// weights, its blocks). CPU time is each thread's own time on a core (threadCpuClock), so a
// loaded machine — where wall-clock speed-ups mean nothing — still gives the work of each phase; from it the summary computes the serial fraction
// and Amdahl's bound on the speed-up. With one thread (profiling only) the same path runs without
// workers, so the two profiles compare like with like.

import { createRequire } from "node:module";

/** Whether profiling is on (read once per ParallelLoss). */
export function profiling(): boolean {
  return process.env["PINN_THREAD_PROFILE"] === "1";
}

/** Milliseconds on a clock shared by every thread of the process. */
export function absoluteMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The calling thread's CPU time in ms (clock_gettime(CLOCK_THREAD_CPUTIME_ID), reached through
 * node:wasi's clock_time_get on a one-page memory: Node 20 has no per-thread CPU clock of its own,
 * and /proc's per-thread counters move only at scheduler ticks). NaN where WASI is unavailable.
 */
export function threadCpuClock(): () => number {
  try {
    // A module with one exported memory, for clock_time_get to write its result into.
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    // Loaded only here: importing node:wasi prints an experimental-feature warning.
    const { WASI } = createRequire(import.meta.url)("node:wasi") as typeof import("node:wasi");
    const wasi = new WASI({ version: "preview1" });
    wasi.initialize(instance);
    const clock = wasi.wasiImport["clock_time_get"] as (id: number, precision: bigint, at: number) => number;
    const out = new BigUint64Array((instance.exports["memory"] as WebAssembly.Memory).buffer, 0, 1);
    const THREAD_CPUTIME = 3;
    const read = (): number => (clock(THREAD_CPUTIME, 0n, 0) === 0 ? Number(out[0]!) / 1e6 : NaN);
    read();
    return read;
  } catch {
    return () => NaN;
  }
}

/** Per worker and evaluation, written by the worker into shared memory (float64 slots). */
/**
 * A worker's slots. `gen` is the evaluation its other slots are for (written when it wakes, after zeroing
 * them): a worker that has not woken yet for this evaluation still holds the last one's counts, which
 * must not be read as this one's.
 */
export const WORKER_SLOTS = { wake: 0, copyCpu: 1, computeCpu: 2, computeWall: 3, done: 4, totalCpu: 5, blocks: 6, gen: 7 } as const;
export const WORKER_SLOT_COUNT = 8;

/**
 * The profile's shared slots: [notify time], then WORKER_SLOT_COUNT per thread, then per block of
 * the evaluation [thread that computed it, start, end] (absoluteMs), written by that thread.
 */
export function profileSlotCount(threads: number, blocks: number): number {
  return 1 + threads * WORKER_SLOT_COUNT + 3 * blocks;
}

/** Record block b's thread and wall times (start, now) in the shared slots. */
export function recordBlock(slots: Float64Array, threads: number, b: number, thread: number, start: number): void {
  const o = 1 + threads * WORKER_SLOT_COUNT + 3 * b;
  slots[o] = thread;
  slots[o + 1] = start;
  slots[o + 2] = absoluteMs();
}

/** The blocks' records of the last evaluation, times relative to its notify time. */
export function blockRecords(slots: Float64Array, threads: number, blocks: number): { thread: number; start: number; end: number }[] {
  const o = 1 + threads * WORKER_SLOT_COUNT;
  return Array.from({ length: blocks }, (_, b) => ({ thread: slots[o + 3 * b]!, start: slots[o + 3 * b + 1]! - slots[0]!, end: slots[o + 3 * b + 2]! - slots[0]! }));
}

/** Distribution of a quantity over the evaluations (ms). */
export interface Quantiles {
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function quantiles(xs: number[]): Quantiles {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const q = (p: number): number => (v.length === 0 ? NaN : v[Math.min(v.length - 1, Math.floor(p * v.length))]!);
  return { mean: mean(v), p10: q(0.1), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: v.length === 0 ? NaN : v[v.length - 1]! };
}

/**
 * The hand-over, per evaluation (wall ms from the calling thread's notify): when the first worker
 * woke and started its first block, when the calling thread had every block (the barrier), its idle
 * wall time there, each block's wall time, and how many blocks each thread computed.
 */
export interface HandoverSummary {
  wake: Quantiles;
  firstBlock: Quantiles;
  barrier: Quantiles;
  idle: Quantiles;
  blockWall: Quantiles;
  /** Fraction of evaluations in which the calling thread computed k blocks (index k). */
  ownBlocks: number[];
  /** Fraction of evaluations in which the first worker woke after the calling thread finished its first block. */
  lateWake: number;
  /** Per evaluation: the barrier less the ideal (every block's wall time over the threads): wall time lost between threads. */
  lost: Quantiles;
}

/** One evaluation: the calling thread's phases (cpu, wall ms) and each worker's. */
interface EvaluationRecord {
  outsideCpu: number;
  outsideWall: number;
  copyCpu: number;
  ownCpu: number;
  ownWall: number;
  ownBlocks: number;
  waitWall: number;
  reduceCpu: number;
  /** From this evaluation's start to the next one's: the whole process's CPU, and the calling thread's. */
  cycleProcessCpu: number;
  cycleMainCpu: number;
  cycleWall: number;
  /** Per worker; totalCpu is its CPU time since it started (differences give each cycle's). */
  workers: { wakeLatency: number; copyCpu: number; computeCpu: number; computeWall: number; blocks: number; doneLatency: number; totalCpu: number }[];
  /** Each block's thread and wall times, and the barrier, relative to the notify (wall ms). */
  blocks: { thread: number; start: number; end: number }[];
  barrier: number;
}

/** Means over the evaluations (ms per evaluation) and what follows from them. */
export interface ParallelProfileSummary {
  threads: number;
  evaluations: number;
  /** The calling thread's CPU time between evaluations (optimiser step, resampling, bookkeeping). */
  outsideCpu: number;
  /** Its CPU time handing weights, loss weights and points over (copies into shared memory). */
  copyCpu: number;
  /** Its own blocks: CPU time, and how many. */
  ownCpu: number;
  ownBlocks: number;
  /** Its wall time idle at the barrier (waiting for the workers' last blocks after its own, less adding up those finished). */
  waitWall: number;
  /** Adding the blocks up (partly while the workers finish) and building the result (at the first evaluation, with the check). */
  reduceCpu: number;
  /** CPU per evaluation cycle of threads other than these (V8's garbage collector and compiler helpers). */
  helperCpu: number;
  /** Wall time per evaluation cycle. */
  cycleWall: number;
  /** Per worker: CPU of its blocks, how many, CPU copying the weights in, wake-up and finish latencies (wall). */
  workerComputeCpu: number[];
  workerBlocks: number[];
  workerCopyCpu: number[];
  workerWakeLatency: number[];
  workerDoneLatency: number[];
  /** Serial CPU per evaluation: outside + copy + reduce. */
  serialCpu: number;
  /** Parallel CPU per evaluation: every block's CPU time (and the workers' copies of the weights). */
  parallelCpu: number;
  /** serialCpu / (serialCpu + parallelCpu). */
  serialFraction: number;
  /** Largest thread's share of parallelCpu over the mean share (1: perfectly balanced). */
  imbalance: number;
  /** Amdahl: (serial + parallel) / (serial + parallel / threads), with these measured parts. */
  amdahl: number;
  /** The critical path per evaluation in CPU time: serial + the largest thread's share. */
  criticalCpu: number;
  /** The first evaluations (warm-up, not in the means): wall ms of each, and each thread's CPU ms. */
  first: { wall: number; threadsCpu: number[] }[];
  /** With workers: the hand-over's wall-time distributions (the same evaluations as the means). */
  handover: HandoverSummary | null;
}

function mean(xs: number[]): number {
  const finite = xs.filter(Number.isFinite);
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}

/**
 * Collects EvaluationRecords. The first quarter (JIT warm-up, the workers' start, the check
 * against one thread) is dropped, and the last (the final evaluation, without gradient).
 */
export class ParallelProfile {
  private readonly records: EvaluationRecord[] = [];
  private readonly cpu = threadCpuClock();
  private lastEndCpu = NaN;
  private lastEndWall = NaN;
  private current: Partial<EvaluationRecord> = {};
  private mark = { cpu: 0, wall: 0 };
  private previous: { record: EvaluationRecord; processCpu: number; mainCpu: number; wall: number } | null = null;

  constructor(readonly threads: number) {}

  /** Start of an evaluation. */
  begin(): void {
    const cpu = this.cpu();
    const wall = performance.now();
    const usage = process.cpuUsage();
    const processCpu = (usage.user + usage.system) / 1000;
    const p = this.previous;
    if (p !== null) {
      p.record.cycleProcessCpu = processCpu - p.processCpu;
      p.record.cycleMainCpu = cpu - p.mainCpu;
      p.record.cycleWall = wall - p.wall;
    }
    this.current = { outsideCpu: cpu - this.lastEndCpu, outsideWall: wall - this.lastEndWall, workers: [], ownBlocks: 0, waitWall: 0 };
    this.previous = { record: this.current as EvaluationRecord, processCpu, mainCpu: cpu, wall };
    this.mark = { cpu, wall };
  }

  /** Time since the last mark, in cpu and wall ms; moves the mark. */
  lap(): { cpu: number; wall: number } {
    const cpu = this.cpu();
    const wall = performance.now();
    const d = { cpu: cpu - this.mark.cpu, wall: wall - this.mark.wall };
    this.mark = { cpu, wall };
    return d;
  }

  set<K extends keyof EvaluationRecord>(key: K, value: EvaluationRecord[K]): void {
    this.current[key] = value;
  }

  get<K extends keyof EvaluationRecord>(key: K): EvaluationRecord[K] {
    return this.current[key] as EvaluationRecord[K];
  }

  /** End of an evaluation: store it and start timing the work outside. */
  end(): void {
    const record = this.current as EvaluationRecord;
    record.cycleProcessCpu = NaN;
    this.records.push(record);
    this.lastEndCpu = this.cpu();
    this.lastEndWall = performance.now();
  }

  summary(): ParallelProfileSummary | null {
    const all = this.records;
    // Each worker's CPU over cycle i: its total at the next evaluation's end minus at this one's.
    const workerCycle = (i: number): number =>
      i + 1 < all.length ? all[i]!.workers.reduce((a, w, j) => a + (all[i + 1]!.workers[j]!.totalCpu - w.totalCpu), 0) : NaN;
    const kept = all.map((r, i) => ({ r, i })).slice(Math.floor(all.length / 4), -1).filter(({ r }) => Number.isFinite(r.outsideCpu) && Number.isFinite(r.cycleProcessCpu));
    if (kept.length === 0) return null;
    const rs = kept.map((k) => k.r);
    // Means, not medians: a phase's mean is what it adds to the run's time.
    const m = (f: (r: EvaluationRecord) => number): number => mean(rs.map(f));
    const W = this.threads - 1;
    const per = (f: (w: EvaluationRecord["workers"][number]) => number): number[] => Array.from({ length: W }, (_, j) => m((r) => f(r.workers[j]!)));
    const outsideCpu = m((r) => r.outsideCpu);
    const copyCpu = m((r) => r.copyCpu);
    const ownCpu = m((r) => r.ownCpu);
    const reduceCpu = m((r) => r.reduceCpu);
    const workerComputeCpu = per((w) => w.computeCpu);
    const workerCopyCpu = per((w) => w.copyCpu);
    const shares = [ownCpu, ...workerComputeCpu.map((c, j) => c + workerCopyCpu[j]!)];
    const parallelCpu = shares.reduce((a, b) => a + b, 0);
    const serialCpu = outsideCpu + copyCpu + reduceCpu;
    return {
      threads: this.threads,
      evaluations: rs.length,
      outsideCpu,
      copyCpu,
      ownCpu,
      ownBlocks: m((r) => r.ownBlocks),
      waitWall: m((r) => r.waitWall),
      reduceCpu,
      helperCpu: mean(kept.map(({ r, i }) => r.cycleProcessCpu - r.cycleMainCpu - (W > 0 ? workerCycle(i) : 0))),
      cycleWall: m((r) => r.cycleWall),
      workerComputeCpu,
      workerBlocks: per((w) => w.blocks),
      workerCopyCpu,
      workerWakeLatency: per((w) => w.wakeLatency),
      workerDoneLatency: per((w) => w.doneLatency),
      serialCpu,
      parallelCpu,
      serialFraction: serialCpu / (serialCpu + parallelCpu),
      imbalance: Math.max(...shares) / (parallelCpu / shares.length),
      amdahl: (serialCpu + parallelCpu) / (serialCpu + parallelCpu / this.threads),
      criticalCpu: serialCpu + Math.max(...shares),
      first: all.slice(0, 10).map((r) => ({ wall: r.cycleWall, threadsCpu: [r.ownCpu, ...r.workers.map((w) => w.computeCpu)] })),
      handover: W > 0 ? handover(rs, this.threads) : null,
    };
  }
}

function handover(rs: EvaluationRecord[], threads: number): HandoverSummary | null {
  const with0 = rs.filter((r) => r.blocks !== undefined && r.blocks.length > 0 && r.workers.length > 0);
  if (with0.length === 0) return null;
  const B = with0[0]!.blocks.length;
  const own = new Array<number>(B + 1).fill(0);
  let late = 0;
  for (const r of with0) {
    const k = r.blocks.filter((b) => b.thread === 0).length;
    own[k]! += 1 / with0.length;
    const firstOwnEnd = Math.min(...r.blocks.filter((b) => b.thread === 0).map((b) => b.end));
    if (r.workers[0]!.wakeLatency > firstOwnEnd) late += 1 / with0.length;
  }
  const firstBlock = (r: EvaluationRecord): number => Math.min(...r.blocks.filter((b) => b.thread === 1).map((b) => b.start));
  return {
    wake: quantiles(with0.map((r) => r.workers[0]!.wakeLatency)),
    firstBlock: quantiles(with0.map(firstBlock)),
    barrier: quantiles(with0.map((r) => r.barrier)),
    idle: quantiles(with0.map((r) => Math.max(0, r.waitWall))),
    blockWall: quantiles(with0.flatMap((r) => r.blocks.map((b) => b.end - b.start))),
    ownBlocks: own,
    lateWake: late,
    lost: quantiles(with0.map((r) => r.barrier - r.blocks.reduce((a, b) => a + (b.end - b.start), 0) / threads)),
  };
}

let last: ParallelProfileSummary | null = null;
const all: ParallelProfileSummary[] = [];

/** The summary of the last ParallelLoss closed with profiling on (for the bench). */
export function lastParallelProfile(): ParallelProfileSummary | null {
  return last;
}

/** Every summary so far, in order (time-marching: one per window). */
export function parallelProfiles(): readonly ParallelProfileSummary[] {
  return all;
}

export function setLastParallelProfile(s: ParallelProfileSummary | null): void {
  last = s;
  if (s !== null) all.push(s);
}
