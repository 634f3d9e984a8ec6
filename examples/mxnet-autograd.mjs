// The MXNet autograd tutorial on pinn's engine.
//
//   node examples/mxnet-autograd.mjs        (after `npm run build`)
//
// 1. X = [[1, 2], [3, 4]], Y = 2·X·X (elementwise): X.grad = 4X = [[4, 8], [12, 16]].
// 2. Dynamic control flow: the graph is whatever JavaScript ran. f doubles its input until the
//    norm passes 1000, then picks b[0] or b[1] by the sign of the sum. The result is c = 2^k·a_i
//    for the picked i, so ∂c/∂a is c/a_i at i and 0 elsewhere.
// 3. NDArray facts: norm([[2, 4], [7, 5]]) = √94 ≈ 9.695359, sum = 18.

import { pathToFileURL } from "node:url";
import { tensor, randn, Rng } from "pinn";

/** Step 1: the gradient of Σ 2·X·X (backward with a seed of ones, MXNet's implicit head gradient). */
export function squareGradient(X0 = [[1, 2], [3, 4]]) {
  const X = tensor(X0, { requiresGrad: true });
  const Y = X.mul(X).mul(2);
  Y.backward(1);
  return { Y: Y.toArray(), grad: X.grad.toArray() };
}

/** The tutorial's function: ordinary JS loops and branches on the tensor's values. */
export function controlFlow(a) {
  let b = a.mul(2);
  let doublings = 1;
  while (b.norm().item() < 1000) {
    b = b.mul(2);
    doublings++;
  }
  const picked = b.sum().item() >= 0 ? 0 : 1;
  return { c: b.slice(picked), picked, doublings };
}

/** Step 2 for one random input: the gradient from backward and the expected c/a at the picked index. */
export function controlFlowGradient(seed, size = 4) {
  const a = randn([size], { rng: new Rng(seed), requiresGrad: true });
  const { c, picked, doublings } = controlFlow(a);
  c.backward();
  const values = Array.from(a.data);
  const expected = values.map((ai, i) => (i === picked ? c.item() / ai : 0));
  return {
    seed,
    a: values,
    sum: values.reduce((s, v) => s + v, 0),
    picked,
    doublings,
    c: c.item(),
    grad: Array.from(a.grad.data),
    expected,
  };
}

/** Step 3: norm and sum of a small matrix. */
export function ndarrayFacts(M = [[2, 4], [7, 5]]) {
  const t = tensor(M);
  return { norm: t.norm().item(), sum: t.sum().item(), sqrt94: Math.sqrt(94) };
}

/** Seeds chosen so that one input has a positive sum (picks b[0]) and one a negative sum (picks b[1]). */
export const CONTROL_FLOW_SEEDS = [1, 0];

export function run() {
  return {
    square: squareGradient(),
    controlFlow: CONTROL_FLOW_SEEDS.map((s) => controlFlowGradient(s)),
    facts: ndarrayFacts(),
  };
}

const fmt = (v, d = 4) => (typeof v === "number" ? v.toFixed(d) : `[${v.map((e) => fmt(e, d)).join(", ")}]`);

function report() {
  const r = run();
  console.log("MXNet autograd tutorial on pinn\n");
  console.log("1. Y = 2·X·X with X = [[1, 2], [3, 4]]");
  console.log(`   X.grad = ${JSON.stringify(r.square.grad)}   (4X)`);
  console.log("2. b = 2a; while ‖b‖ < 1000: b = 2b; c = b[0] if Σb ≥ 0 else b[1]");
  for (const cf of r.controlFlow) {
    console.log(`   seed ${cf.seed}: a = ${fmt(cf.a)}, Σa = ${fmt(cf.sum)} → picks b[${cf.picked}] after ${cf.doublings} doublings, c = ${fmt(cf.c, 2)}`);
    console.log(`           a.grad = ${fmt(cf.grad, 1)}   c/a at the pick = ${fmt(cf.expected, 1)}`);
  }
  console.log("3. M = [[2, 4], [7, 5]]");
  console.log(`   norm = ${r.facts.norm.toFixed(9)} (√94 = ${r.facts.sqrt94.toFixed(9)})   sum = ${r.facts.sum}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) report();
