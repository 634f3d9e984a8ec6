// Probe (data-parallel training, README "Every core"): a whole solve() of a problem (time-marching
// windows included) with PINN_THREAD_PROFILE=1 on N threads: process CPU and wall seconds, and the
// profiles of every ParallelLoss (one per window) added up by their evaluations — serial and
// parallel CPU ms, and the CPU-time speed-up against a run of the same probe on one thread.
//   node dist-bench/bench/threads-window-probe.js PROBLEM.yaml EPOCHS THREADS
import { loadProblem } from "../src/problem/load.js";
import { solve } from "../src/solve.js";
import { parallelProfiles } from "../src/training/parallel-profile.js";
process.env["PINN_THREAD_PROFILE"] = "1";
const [file, epochs, threads] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await solve(loadProblem(file!), { write: false, plots: false, epochs: Number(epochs), threads: Number(threads) });
const usage = process.cpuUsage(cpu0);
const profiles = parallelProfiles();
let evaluations = 0;
let serial = 0;
let parallel = 0;
let helper = 0;
let wait = 0;
for (const p of profiles) {
  evaluations += p.evaluations;
  serial += p.evaluations * p.serialCpu;
  parallel += p.evaluations * p.parallelCpu;
  helper += p.evaluations * (Number.isFinite(p.helperCpu) ? p.helperCpu : 0);
  wait += p.evaluations * p.waitWall;
}
const n = Number(threads);
console.log(
  JSON.stringify({
    problem: result.problem.name,
    threads: n,
    windows: profiles.length,
    processCpuS: (usage.user + usage.system) / 1e6,
    wallS: (performance.now() - t0) / 1000,
    rel_l2: Object.values(result.evaluation.metrics)[0]?.rel_l2 ?? null,
    profiled: { evaluations, serialMs: serial / evaluations, parallelMs: parallel / evaluations, helperMs: helper / evaluations, waitWallMs: wait / evaluations, criticalMs: (serial + parallel / n) / evaluations },
  }),
);
