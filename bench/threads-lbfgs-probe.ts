// Probe (data-parallel training, README "Every core"): Adam then L-BFGS on a problem with
// PINN_THREAD_PROFILE=1, printing the profile's serial fraction and Amdahl bound for the L-BFGS-heavy run.
//   PINN_THREAD_PROFILE=1 node dist-bench/bench/threads-lbfgs-probe.js PROBLEM.yaml THREADS LBFGS_ITERATIONS
import { loadProblem } from "../src/problem/load.js";
import { buildModel } from "../src/solve.js";
import { train } from "../src/training/trainer.js";
import { lastParallelProfile } from "../src/training/parallel-profile.js";
const [file, threads, iters] = process.argv.slice(2);
const problem = loadProblem(file!);
const model = buildModel(problem);
const t0 = performance.now();
const r = await train(model, [{ optimizer: "adam", epochs: 20, learningRate: 1e-3, schedule: { type: "constant" } }, { optimizer: "lbfgs", iterations: Number(iters), learningRate: 1, historySize: 50 }], { threads: Number(threads), causal: false });
const p = lastParallelProfile();
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, iterations: r.epochs, evaluations: p?.evaluations, serialFraction: p?.serialFraction, amdahl: p?.amdahl, outsideCpu: p?.outsideCpu, reduceCpu: p?.reduceCpu, copyCpu: p?.copyCpu, chunks: p ? [p.ownCpu, ...p.workerComputeCpu] : null, helper: p?.helperCpu, imbalance: p?.imbalance }));
