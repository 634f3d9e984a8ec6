// Profile one case of ops-child.ts: node --cpu-prof dist-bench/bench/ops-profile.js CASE N
import { tidy, tensor, rand, hessian, laplacian, nn, Rng, type Tensor } from "../src/index.js";
const [which = "chain", nStr = "100"] = process.argv.slice(2);
const rng = new Rng(0);
const x = rand([100_000], { rng, requiresGrad: true });
const net = new nn.MLP([2, 32, 32, 32, 1], "tanh", { seed: 0 });
const params = net.parameters();
const X = rand([1024, 2], { rng });
const Xg = rand([1024, 2], { rng, requiresGrad: true });
const f = (z: Tensor): Tensor => z.slice([0, 9]).sin().mul(z.slice([1, 10]).square()).sum().add(z.sum().square().mul(0.1));
const H = hessian(f);
const z = tensor(Array.from({ length: 10 }, (_, i) => 0.1 * (i + 1)));
const cases: Record<string, () => void> = {
  chain: () => { x.grad = null; x.tanh().mul(x.sin()).add(x.square().neg().exp().mul(0.5)).sub(x).sum().backward(); },
  mlp: () => { for (const p of params) p.grad = null; net.forward(X).square().mean().backward(); },
  laplacian: () => { for (const p of params) p.grad = null; laplacian(net.forward(Xg), Xg).square().mean().backward(); },
  hessian: () => void H(z),
};
const base = cases[which]!;
const fn = process.env["TIDY"] ? () => tidy(base) : base;
for (let i = 0; i < 5; i++) fn();
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < Number(nStr); i++) fn();
const c1 = process.cpuUsage(c0);
console.log(which, ((performance.now() - t0) / Number(nStr)).toFixed(3), "ms/call wall", ((c1.user + c1.system) / 1000 / Number(nStr)).toFixed(3), "ms/call cpu");
if (process.env["STATS"]) {
  const { poolStats, kernelUsage, resetKernelUsage } = await import("../src/index.js");
  const s0 = poolStats();
  resetKernelUsage();
  fn();
  const s1 = poolStats();
  console.log("one call: fresh", s1.fresh - s0.fresh, "reused", s1.reused - s0.reused, "released", s1.released - s0.released, "pooled MB", (s1.pooledBytes / 2 ** 20).toFixed(1), JSON.stringify(kernelUsage()));
}
