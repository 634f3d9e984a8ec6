// The PyTorch autograd chapter, step by step, on pinn's engine.
//
//   node examples/pytorch-autograd.mjs        (after `npm run build`)
//
// 1. Y = tanh x at x = 2:  dY/dx = sech²2 = 1 − Y² ≈ 0.0707
// 2. z = tanh(tanh x):     dz/dy ≈ 0.4434 (kept on the intermediate y by retainGrad), dz/dx ≈ 0.0313
// 3. y = w·x + b at x = 2, w = 3, b = 4:  dy/dx = w = 3, dy/dw = x = 2, dy/db = 1
// 4. Y = tanh(W·X + B):    ∂Y_i/∂W_jk = δ_ij (1 − Y_i²) X_k and ∂Y_i/∂B_j = δ_ij (1 − Y_i²),
//    from `jacobian` and from `backward` with a seed, compared with those formulas in plain loops.

import { pathToFileURL } from "node:url";
import { tensor, jacobian } from "pinn";

/** Step 1: the derivative of tanh at 2, and its two closed forms. */
export function tanhDerivative(x0 = 2) {
  const x = tensor(x0, { requiresGrad: true });
  const Y = x.tanh();
  Y.backward();
  const sech = 1 / Math.cosh(x0);
  return { Y: Y.item(), dYdx: x.grad.item(), sech2: sech * sech, oneMinusY2: 1 - Y.item() ** 2 };
}

/** Step 2: a chain of two tanh; the intermediate y keeps its gradient with retainGrad(). */
export function nestedTanh(x0 = 2) {
  const x = tensor(x0, { requiresGrad: true });
  const y = x.tanh().retainGrad();
  const z = y.tanh();
  z.backward();
  return { y: y.item(), z: z.item(), dzdy: y.grad.item(), dzdx: x.grad.item() };
}

/** Step 3: a linear function of three leaves. */
export function linear(x0 = 2, w0 = 3, b0 = 4) {
  const x = tensor(x0, { requiresGrad: true });
  const w = tensor(w0, { requiresGrad: true });
  const b = tensor(b0, { requiresGrad: true });
  const y = w.mul(x).add(b);
  y.backward();
  return { y: y.item(), dydx: x.grad.item(), dydw: w.grad.item(), dydb: b.grad.item() };
}

// Step 4's data: a 3×2 matrix W, X in R², B in R³, and a seed (cotangent) for backward.
const W0 = [[0.5, -1.2], [0.3, 0.8], [-0.7, 0.25]];
const X0 = [1.5, -0.4];
const B0 = [0.1, -0.2, 0.3];
const SEED = [1, -2, 0.5];

/**
 * ∂Y/∂W and ∂Y/∂B by plain loops over the closed forms (no engine): with Y_i = tanh(Σ_k W_ik X_k + B_i),
 * ∂Y_i/∂W_jk = δ_ij (1 − Y_i²) X_k and ∂Y_i/∂B_j = δ_ij (1 − Y_i²).
 */
export function layerJacobiansByHand(W = W0, X = X0, B = B0) {
  const m = W.length;
  const n = X.length;
  const Y = W.map((row, i) => Math.tanh(row.reduce((s, w, k) => s + w * X[k], 0) + B[i]));
  const dYdW = [];
  const dYdB = [];
  for (let i = 0; i < m; i++) {
    const slopeI = 1 - Y[i] * Y[i];
    const rowW = [];
    const rowB = [];
    for (let j = 0; j < m; j++) {
      const block = [];
      for (let k = 0; k < n; k++) block.push(i === j ? slopeI * X[k] : 0);
      rowW.push(block);
      rowB.push(i === j ? slopeI : 0);
    }
    dYdW.push(rowW);
    dYdB.push(rowB);
  }
  return { Y, dYdW, dYdB };
}

/** Step 4 with the engine: full Jacobians, and the seeded backward pass (a vector–Jacobian product). */
export function layerJacobians(W = W0, X = X0, B = B0, seed = SEED) {
  const Wt = tensor(W);
  const Xt = tensor(X);
  const Bt = tensor(B);
  const layer = (w, b) => w.matmul(Xt).add(b).tanh();
  const Y = layer(Wt, Bt);
  const dYdW = jacobian((w) => layer(w, Bt))(Wt); // shape [3, 3, 2]
  const dYdB = jacobian((b) => layer(Wt, b))(Bt); // shape [3, 3]

  // backward with a seed v accumulates vᵀ·∂Y/∂W into W.grad and vᵀ·∂Y/∂B into B.grad.
  const Wl = tensor(W, { requiresGrad: true });
  const Bl = tensor(B, { requiresGrad: true });
  layer(Wl, Bl).backward(tensor(seed));
  return {
    Y: Y.toArray(),
    dYdW: dYdW.toArray(),
    dYdB: dYdB.toArray(),
    seed,
    seededGradW: Wl.grad.toArray(),
    seededGradB: Bl.grad.toArray(),
  };
}

/** Everything above, for the report and the tests. */
export function run() {
  return {
    tanh: tanhDerivative(),
    nested: nestedTanh(),
    linear: linear(),
    layer: layerJacobians(),
    layerByHand: layerJacobiansByHand(),
  };
}

function fmt(v, digits = 6) {
  if (typeof v === "number") return v.toFixed(digits);
  return `[${v.map((e) => fmt(e, digits)).join(", ")}]`;
}

function maxAbsDiff(a, b) {
  if (typeof a === "number") return Math.abs(a - b);
  return Math.max(...a.map((e, i) => maxAbsDiff(e, b[i])));
}

function report() {
  const r = run();
  console.log("PyTorch autograd chapter on pinn\n");
  console.log("1. Y = tanh x at x = 2");
  console.log(`   dY/dx = ${fmt(r.tanh.dYdx)}   sech²2 = ${fmt(r.tanh.sech2)}   1 − Y² = ${fmt(r.tanh.oneMinusY2)}`);
  console.log("2. z = tanh(tanh x) at x = 2 (y = tanh x retains its gradient)");
  console.log(`   dz/dy = ${fmt(r.nested.dzdy, 4)}   dz/dx = ${fmt(r.nested.dzdx, 4)}`);
  console.log("3. y = w·x + b at x = 2, w = 3, b = 4");
  console.log(`   y = ${r.linear.y}   dy/dx = ${r.linear.dydx}   dy/dw = ${r.linear.dydw}   dy/db = ${r.linear.dydb}`);
  console.log("4. Y = tanh(W·X + B), W 3×2");
  console.log(`   Y = ${fmt(r.layer.Y)}`);
  console.log(`   ∂Y/∂B (jacobian)   = ${fmt(r.layer.dYdB)}`);
  console.log(`   max |jacobian − (1 − Y²) formula|: ∂Y/∂W ${maxAbsDiff(r.layer.dYdW, r.layerByHand.dYdW).toExponential(1)}, ∂Y/∂B ${maxAbsDiff(r.layer.dYdB, r.layerByHand.dYdB).toExponential(1)}`);
  console.log(`   backward(seed ${fmt(r.layer.seed, 1)}): W.grad = ${fmt(r.layer.seededGradW)}`);
  console.log(`                                B.grad = ${fmt(r.layer.seededGradB)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) report();
