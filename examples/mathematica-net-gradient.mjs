// The Mathematica question that started this project: given a trained net
//   LinearLayer[32] → LogisticSigmoid → LinearLayer[32] → LogisticSigmoid → LinearLayer[1],
// NetPortGradient gives du/dx at a point, but not du/dx as a function that can be composed into a
// new loss and differentiated again with respect to the weights. Here it is an ordinary function.
//
//   node examples/mathematica-net-gradient.mjs        (after `npm run build`)
//
// 1. du/dx at x = 5 (what NetPortGradient returns), checked against central finite differences and
//    against the chain rule written out in plain loops over the weights (no engine involved).
// 2. The full Hessian of a two-input net: symmetric, and equal to finite differences of the
//    hand-written gradient.
// 3. Hessian–vector products, forward-over-reverse and reverse-over-reverse: equal, and equal to H·v.
// 4. The derivative network inside a loss, L(θ) = mean_i (du/dx(x_i) − 2x_i)², and ∂L/∂θ by
//    backward(), checked against central finite differences of L on a handful of weights.

import { pathToFileURL } from "node:url";
import { tensor, grad, hessian, hvp, noGrad, nn } from "pinn";

// ---------------------------------------------------------------------------------------------
// The independent implementation: a sigmoid MLP evaluated and differentiated by hand, from the
// plain arrays of net.toJSON() (weight of layer l is [out, in], row-major).

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** u(x) and ∇u(x) of a sigmoid MLP with one output, by the chain rule in plain loops. */
export function handValueAndGradient(json, x) {
  const { layers } = json;
  // Forward, keeping each hidden layer's activations: h_l = σ(W_l h_{l−1} + b_l), u = W_L h_{L−1} + b_L.
  const hs = [x];
  let h = x;
  layers.forEach(({ weight, bias }, l) => {
    const out = bias.length;
    const next = new Array(out);
    for (let i = 0; i < out; i++) {
      let z = bias[i];
      for (let k = 0; k < h.length; k++) z += weight[i * h.length + k] * h[k];
      next[i] = l + 1 < layers.length ? sigmoid(z) : z;
    }
    h = next;
    hs.push(h);
  });
  // Reverse: g starts as ∂u/∂u = 1; through a linear layer g ← Wᵀg, through σ g ← g ⊙ σ(1 − σ).
  let g = [1];
  for (let l = layers.length - 1; l >= 0; l--) {
    const { weight } = layers[l];
    const inputs = hs[l];
    const n = inputs.length;
    const prev = new Array(n).fill(0);
    for (let i = 0; i < g.length; i++) for (let k = 0; k < n; k++) prev[k] += weight[i * n + k] * g[i];
    // inputs of layer l > 0 are sigmoid outputs s, whose derivative is s(1 − s).
    g = l > 0 ? prev.map((gk, k) => gk * inputs[k] * (1 - inputs[k])) : prev;
  }
  return { u: h[0], grad: g };
}

/** L(θ) = mean_i (du/dx(x_i) − 2x_i)², by hand (for finite differences in θ). */
export function handDerivativeLoss(json, xs) {
  let total = 0;
  for (const x of xs) total += (handValueAndGradient(json, [x]).grad[0] - 2 * x) ** 2;
  return total / xs.length;
}

// ---------------------------------------------------------------------------------------------
// 1. du/dx at a point.

/** The net of the question: 1 → 32 → 32 → 1 with logistic sigmoids. */
export function makeNet(seed = 7) {
  return new nn.MLP([1, 32, 32, 1], "sigmoid", { seed });
}

export function pointDerivative({ seed = 7, x0 = 5, h = 1e-5 } = {}) {
  const net = makeNet(seed);
  // u as a function of one number (a 0-d tensor); grad(u) is du/dx as a function.
  const u = (x) => net.forward(x.reshape([1, 1]));
  const dudx = grad(u);
  const engine = dudx(tensor(x0)).item();
  const value = noGrad(() => u(tensor(x0)).item());
  const at = (x) => noGrad(() => u(tensor(x)).item());
  const finiteDifference = (at(x0 + h) - at(x0 - h)) / (2 * h);
  const hand = handValueAndGradient(net.toJSON(), [x0]);
  return { x0, u: value, dudx: engine, finiteDifference, handU: hand.u, handDudx: hand.grad[0] };
}

// ---------------------------------------------------------------------------------------------
// 2–3. Hessian and Hessian–vector products of a two-input net.

export function hessianCheck({ seed = 11, x0 = [0.3, -0.7], v = [0.6, -1.1], h = 1e-4 } = {}) {
  const net = new nn.MLP([2, 32, 32, 1], "sigmoid", { seed });
  const f = (x) => net.forward(x); // [2] → [1]
  const x = tensor(x0);
  const H = hessian(f)(x).reshape([2, 2]).toArray();

  // Column j of the Hessian by central differences of the hand-written gradient.
  const json = net.toJSON();
  const fdH = [[0, 0], [0, 0]];
  for (let j = 0; j < 2; j++) {
    const plus = [...x0];
    const minus = [...x0];
    plus[j] += h;
    minus[j] -= h;
    const gp = handValueAndGradient(json, plus).grad;
    const gm = handValueAndGradient(json, minus).grad;
    for (let i = 0; i < 2; i++) fdH[i][j] = (gp[i] - gm[i]) / (2 * h);
  }

  const vt = tensor(v);
  const hvpForward = Array.from(hvp(f, x, vt, "forward-over-reverse").data);
  const hvpReverse = Array.from(hvp(f, x, vt, "reverse-over-reverse").data);
  const Hv = H.map((row) => row[0] * v[0] + row[1] * v[1]);
  return { x0, H, fdH, v, hvpForward, hvpReverse, Hv };
}

// ---------------------------------------------------------------------------------------------
// 4. The derivative network inside a loss, differentiated with respect to the weights.

/** The weights the finite-difference check perturbs: [layer, "weight" | "bias", flat index]. */
export const CHECKED_WEIGHTS = [
  [0, "weight", 3],
  [0, "bias", 17],
  [1, "weight", 200],
  [1, "bias", 5],
  [2, "weight", 9],
  [2, "bias", 0], // the output bias: du/dx does not depend on it, so ∂L/∂b is exactly 0
];

export function derivativeLoss({ seed = 7, xs = [-1, -0.5, 0, 0.5, 1, 1.5], h = 1e-4 } = {}) {
  const net = makeNet(seed);
  // The derivative network, as an ordinary function of a batch X of shape [N, 1]: row n of
  // grad(X ↦ Σ u(X)) is du/dx at x_n, because each u_n depends on x_n only.
  const dudx = grad((X) => net.forward(X).sum());
  const X = tensor(xs.map((x) => [x]));
  const target = X.mul(2);
  const L = dudx(X).sub(target).square().mean();
  L.backward();

  const json = net.toJSON();
  const checks = CHECKED_WEIGHTS.map(([layer, kind, index]) => {
    const param = net.layers[layer][kind];
    const backward = param.grad === null ? 0 : param.grad.data[index];
    const arr = json.layers[layer][kind];
    const orig = arr[index];
    arr[index] = orig + h;
    const Lp = handDerivativeLoss(json, xs);
    arr[index] = orig - h;
    const Lm = handDerivativeLoss(json, xs);
    arr[index] = orig;
    return { layer, kind, index, backward, finiteDifference: (Lp - Lm) / (2 * h) };
  });
  return { xs, L: L.item(), handL: handDerivativeLoss(json, xs), checks };
}

export function run() {
  return { point: pointDerivative(), hessian: hessianCheck(), loss: derivativeLoss() };
}

// ---------------------------------------------------------------------------------------------

const e = (v) => v.toExponential(2);
const fmt = (v, d = 1) => (typeof v === "number" ? v.toFixed(d) : `[${v.map((x) => fmt(x, d)).join(", ")}]`);
const sci = (v) => (typeof v === "number" ? v.toExponential(6) : `[${v.map(sci).join(", ")}]`);

function report() {
  const { point, hessian: hs, loss } = run();
  console.log("The Mathematica question: derivatives of a net as composable functions\n");
  console.log("1. u = LinearLayer[32] → σ → LinearLayer[32] → σ → LinearLayer[1], du/dx at x = 5 (NetPortGradient)");
  console.log(`   engine ${point.dudx.toExponential(10)}   finite diff ${point.finiteDifference.toExponential(10)}   by hand ${point.handDudx.toExponential(10)}`);
  console.log(`   |engine − hand| = ${e(Math.abs(point.dudx - point.handDudx))}   |engine − finite diff| = ${e(Math.abs(point.dudx - point.finiteDifference))}`);
  console.log(`2. Hessian of a 2 → 32 → 32 → 1 net at x = ${fmt(hs.x0)}`);
  console.log(`   hessian                        ${sci(hs.H)}`);
  console.log(`   finite diff. of hand gradient  ${sci(hs.fdH)}`);
  console.log(`   |H12 − H21| = ${e(Math.abs(hs.H[0][1] - hs.H[1][0]))}`);
  console.log(`3. Hessian–vector product with v = ${fmt(hs.v)}`);
  console.log(`   forward-over-reverse ${sci(hs.hvpForward)}   reverse-over-reverse ${sci(hs.hvpReverse)}   H·v ${sci(hs.Hv)}`);
  console.log(`4. L(θ) = mean (du/dx(x_i) − 2x_i)² over x = ${fmt(loss.xs)}: L = ${loss.L.toFixed(10)} (by hand ${loss.handL.toFixed(10)})`);
  for (const c of loss.checks) {
    const name = `layer ${c.layer} ${c.kind}[${c.index}]`.padEnd(20);
    console.log(`   ∂L/∂ ${name} backward ${c.backward.toExponential(8).padStart(16)}   finite diff ${c.finiteDifference.toExponential(8).padStart(16)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) report();
