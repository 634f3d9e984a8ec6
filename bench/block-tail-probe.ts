// Probe: the wall time of one block (chunkContribution) over many evaluations on one thread: p50/p90/p99.
//   node dist-bench/bench/block-tail-probe.js PROBLEM.yaml REPS B
import { loadProblem } from "../src/problem/load.js";
import { buildModel } from "../src/solve.js";
import { chunkContribution, trainedParameters } from "../src/training/parallel.js";
import { Worker, isMainThread, workerData } from "node:worker_threads";
const [file, repsStr, bStr, mode] = isMainThread ? process.argv.slice(2) : (workerData as string[]);
if (isMainThread && mode === "thread") new Worker(new URL(import.meta.url), { workerData: [file, repsStr, bStr, "worker"] });
const model = buildModel(loadProblem(file!));
const params = trainedParameters(model);
const batch = model.draw();
const out = new Float64Array(model.terms.length + params.reduce((a, p) => a + p.size, 0));
const w = model.terms.map(() => 1);
const B = Number(bStr ?? 4);
const reps = Number(repsStr ?? 500);
for (let r = 0; r < 50; r++) for (let j = 0; j < B; j++) chunkContribution(model, params, batch, j, B, w, true, out);
const ts: number[] = [];
const t00 = performance.now();
for (let r = 0; r < reps; r++) for (let j = 0; j < B; j++) { const t0 = performance.now(); chunkContribution(model, params, batch, j, B, w, true, out); ts.push(performance.now() - t0); }
const total = performance.now() - t00;
ts.sort((a, b) => a - b);
const q = (p: number): string => ts[Math.floor(p * (ts.length - 1))]!.toFixed(3);
console.log(`${isMainThread ? "main" : "worker"} blocks ${ts.length} mean ${(ts.reduce((a, b) => a + b, 0) / ts.length).toFixed(3)} p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)} eval ms ${(total / reps).toFixed(3)}`);
// With a 4th argument "thread": the same loop also runs on a worker thread of this process at the same time.
