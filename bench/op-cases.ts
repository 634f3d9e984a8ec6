// The four computations of the engine-as-library bench (bench/peers/torch_ops.py computes the same in
// PyTorch), as a user who writes their own loss would call the public engine API (src/index.ts); one
// call of each is a forward and backward pass. Shared by ops-child.ts (the bench), ops-profile.ts and
// function-fusion-probe.ts.
//
//   chain:     y = sum(tanh(x)·sin(x) + exp(−x²)·0.5 − x) on 1e5 values, forward and backward
//   mlp:       2-32-32-32-1 tanh MLP on 1,024 points: mean(N(X)²) forward and backward to the weights
//   laplacian: u = N(X), mean((Δu)²) with Δu by nested reverse mode, then its gradient in the weights
//   hessian:   the 10×10 Hessian of f(z) = Σ_i sin(z_i)·z_{i+1}² + (Σ z)² ·0.1

import { tensor, rand, hessian, laplacian, nn, Rng, type Tensor } from "../src/index.js";

export const OP_CASES = ["chain", "mlp", "laplacian", "hessian"] as const;
export type OpCase = (typeof OP_CASES)[number];

/** One call of each case, on inputs made from seed 0 (the same as in earlier stops). */
export function opCases(): Record<OpCase, () => void> {
  const rng = new Rng(0);
  const x = rand([100_000], { rng, requiresGrad: true });
  const net = new nn.MLP([2, 32, 32, 32, 1], "tanh", { seed: 0 });
  const params = net.parameters();
  const X = rand([1024, 2], { rng });
  const Xg = rand([1024, 2], { rng, requiresGrad: true });
  const f = (z: Tensor): Tensor => {
    const head = z.slice([0, 9]);
    const tail = z.slice([1, 10]);
    return head.sin().mul(tail.square()).sum().add(z.sum().square().mul(0.1));
  };
  const H = hessian(f);
  const z = tensor(Array.from({ length: 10 }, (_, i) => 0.1 * (i + 1)));
  return {
    chain: () => {
      x.grad = null;
      x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum().backward();
    },
    mlp: () => {
      for (const p of params) p.grad = null;
      net.forward(X).square().mean().backward();
    },
    laplacian: () => {
      for (const p of params) p.grad = null;
      laplacian(net.forward(Xg), Xg).square().mean().backward();
    },
    hessian: () => void H(z),
  };
}

/** The case named `name`, or an error that lists the cases. */
export function opCase(name: string): () => void {
  if (!(OP_CASES as readonly string[]).includes(name)) throw new Error(`unknown case ${name} (${OP_CASES.join(", ")})`);
  return opCases()[name as OpCase];
}
