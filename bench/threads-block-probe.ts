// Probe (data-parallel training, README "Every core"): CPU ms of one evaluation split into B blocks
// computed one after another on one thread, for each B given: what a block costs beyond its rows.
//   node dist-bench/bench/threads-block-probe.js PROBLEM.yaml REPS [B,B,...]
import { loadProblem } from "../src/problem/load.js";
import { buildModel } from "../src/solve.js";
import { chunkContribution, trainedParameters } from "../src/training/parallel.js";
import { threadCpuClock } from "../src/training/parallel-profile.js";
const [file, reps] = process.argv.slice(2);
const problem = loadProblem(file!);
const model = buildModel(problem);
const params = trainedParameters(model);
const batch = model.draw();
const T = model.terms.length;
const P = params.reduce((a, p) => a + p.size, 0);
const out = new Float64Array(T + P);
const w = model.terms.map(() => 1);
const cpu = threadCpuClock();
for (const B of (process.argv[4] ?? "1,2,4,8,16").split(",").map(Number)) {
  for (let r = 0; r < 3; r++) for (let j = 0; j < B; j++) chunkContribution(model, params, batch, j, B, w, true, out);
  const c0 = cpu();
  for (let r = 0; r < Number(reps); r++) for (let j = 0; j < B; j++) chunkContribution(model, params, batch, j, B, w, true, out);
  console.log(`B=${B} cpu ms per evaluation ${((cpu() - c0) / Number(reps)).toFixed(3)}`);
}
