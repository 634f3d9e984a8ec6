// Probe (data-parallel training, README "Every core"): the hand-over between the training thread and
// the workers, measured per evaluation (PINN_THREAD_PROFILE=1, parallel-profile.ts HandoverSummary):
// wake-up latency, first block, barrier, idle time, blocks per thread, wall time lost between the
// threads; plus the run's wall ms per epoch (mean and median) and process CPU. One JSON line.
//   node dist-bench/bench/threads-handover-probe.js PROBLEM.yaml EPOCHS THREADS [LABEL]
import { loadavg } from "node:os";
import { loadProblem } from "../src/problem/load.js";
import { solve } from "../src/solve.js";
import { lastParallelProfile } from "../src/training/parallel-profile.js";
import { tuneV8 } from "../src/cli/v8-flags.js";
process.env["PINN_THREAD_PROFILE"] = "1";
tuneV8(); // as the `pinn` command runs (PINN_INTERRUPT_BUDGET=0: V8's own)
const [file, epochs, threads, label] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const load = loadavg()[0]!;
const result = await solve(loadProblem(file!), { write: false, plots: false, epochs: Number(epochs), threads: Number(threads) });
const usage = process.cpuUsage(cpu0);
const t = result.train.history.elapsedMs;
const skip = Math.floor(t.length / 4);
const per = t.slice(skip + 1).map((v, i) => v - t[skip + i]!);
const sorted = [...per].sort((a, b) => a - b);
const p = lastParallelProfile();
const r = (x: number): number => Math.round(x * 1000) / 1000;
const q = (o: Record<string, number> | undefined): Record<string, number> | null => (o === undefined ? null : Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r(v)])));
const h = p?.handover;
console.log(
  JSON.stringify({
    label: label ?? "",
    threads: Number(threads),
    load: r(load),
    msPerEpoch: r(per.reduce((a, b) => a + b, 0) / per.length),
    medianEpoch: r(sorted[Math.floor(sorted.length / 2)]!),
    processCpuS: r((usage.user + usage.system) / 1e6),
    serialCpu: r(p?.serialCpu ?? NaN),
    parallelCpu: r(p?.parallelCpu ?? NaN),
    helperCpu: r(p?.helperCpu ?? NaN),
    ...(h
      ? { wake: q({ ...h.wake }), firstBlock: q({ ...h.firstBlock }), barrier: q({ ...h.barrier }), idle: q({ ...h.idle }), blockWall: q({ ...h.blockWall }), lost: q({ ...h.lost }), ownBlocks: h.ownBlocks.map(r), lateWake: r(h.lateWake) }
      : {}),
  }),
);
