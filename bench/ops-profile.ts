// Profile one case of ops-child.ts: node --cpu-prof dist-bench/bench/ops-profile.js CASE N
import { tidy } from "../src/index.js";
import { opCase } from "./op-cases.js";
const [which = "chain", nStr = "100"] = process.argv.slice(2);
const base = opCase(which);
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
