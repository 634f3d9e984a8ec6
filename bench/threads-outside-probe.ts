// Probe (data-parallel training, README "Every core"): CPU ms of the trainer's serial steps around one
// evaluation (resampling, backward through the precomputed loss, Adam's step) and of L-BFGS's own work
// per step (the step's CPU less its closure calls), one thread through the profiling path.
//   node dist-bench/bench/threads-outside-probe.js PROBLEM.yaml REPS
import { loadProblem } from "../src/problem/load.js";
import { buildModel } from "../src/solve.js";
import { ParallelLoss, trainedParameters } from "../src/training/parallel.js";
import { threadCpuClock } from "../src/training/parallel-profile.js";
import { Adam } from "../src/optim/adam.js";
process.env["PINN_THREAD_PROFILE"] = "1";
const [file, reps] = process.argv.slice(2);
const model = buildModel(loadProblem(file!));
const params = trainedParameters(model);
const parallel = ParallelLoss.create(model, params, 1)!;
const adam = new Adam(params, { lr: 1e-3 });
const w = model.terms.map(() => 1);
const cpu = threadCpuClock();
const t = { draw: 0, evaluate: 0, item: 0, zero: 0, backward: 0, step: 0 };
const R = Number(reps);
for (let r = 0; r < 2 * R; r++) {
  const c0 = cpu();
  const batch = model.draw();
  const c1 = cpu();
  const loss = parallel.evaluate(batch, w);
  const c2 = cpu();
  loss.total.item();
  const c3 = cpu();
  adam.zeroGrad();
  const c4 = cpu();
  loss.total.backward();
  const c5 = cpu();
  adam.step();
  const c6 = cpu();
  if (r >= R) {
    t.draw += c1 - c0; t.evaluate += c2 - c1; t.item += c3 - c2; t.zero += c4 - c3; t.backward += c5 - c4; t.step += c6 - c5;
  }
}
parallel.close();
console.log(Object.entries(t).map(([k, v]) => `${k} ${(v / R).toFixed(4)}`).join("  "));

// L-BFGS: CPU of a step minus that of its closure calls (the optimiser's own serial work).
{
  const { LBFGS } = await import("../src/optim/lbfgs.js");
  const lbfgs = new LBFGS(params, { lr: 1, historySize: 50 });
  const batch = model.drawFresh();
  const p2 = ParallelLoss.create(model, params, 1)!;
  let inClosure = 0;
  let calls = 0;
  const closure = (): number => {
    const c0 = cpu();
    for (const p of params) p.grad = null;
    const loss = p2.evaluate(batch, w);
    loss.total.backward();
    const v = loss.total.item();
    inClosure += cpu() - c0;
    calls++;
    return v;
  };
  let total = 0;
  let steps = 0;
  for (let r = 0; r < 2 * R; r++) {
    if (r === R) {
      inClosure = 0;
      calls = 0;
    }
    const c0 = cpu();
    const s = lbfgs.step(closure);
    if (r >= R) {
      total += cpu() - c0;
      steps++;
    }
    if (s.converged) break;
  }
  p2.close();
  console.log(`lbfgs: steps ${steps} closure calls ${calls} step cpu ${(total / steps).toFixed(4)} closure cpu ${(inClosure / steps).toFixed(4)} optimiser's own ${((total - inClosure) / steps).toFixed(4)} per step`);
}
