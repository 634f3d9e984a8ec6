// The engine as a library, op by op: pinn (ops-child.ts) against PyTorch (peers/torch_ops.py, one
// thread), the same four cases, median ms each; target ≤ 0.5× PyTorch.

import { runJson } from "./child-json.js";
import { join } from "node:path";

/** Both sides on one thread (OpenMP for PyTorch). */
const ONE_THREAD = { ...process.env, OMP_NUM_THREADS: "1" };

export const OP_CASES = [
  ["chain", "elementwise chain, 1e5 values, forward + backward"],
  ["mlp", "MLP 2-32-32-32-1, 1,024 points, forward + backward"],
  ["laplacian", "Laplacian through the MLP + the loss's gradient"],
  ["hessian", "Hessian of a 10-input function"],
] as const;

export interface OpsReport {
  pinn: Record<string, number> | { skipped: string };
  pytorch: Record<string, number> | { skipped: string };
}


export async function runOps(o: { repo: string; child: string; python: string; torchMissing: string | null; quick: boolean; log: (m: string) => void }): Promise<OpsReport> {
  const reps = String(o.quick ? 10 : 30);
  o.log("engine op by op, pinn ...");
  const pinn = await runJson<Record<string, number>>(process.execPath, [o.child, "--reps", reps], ONE_THREAD).catch((e: Error) => ({ skipped: `failed: ${e.message}` }));
  let pytorch: OpsReport["pytorch"] = { skipped: o.torchMissing ?? "" };
  if (o.torchMissing === null) {
    o.log("engine op by op, pytorch-f64 ...");
    pytorch = await runJson<Record<string, number>>(o.python, [join(o.repo, "bench", "peers", "torch_ops.py"), reps, "1"], ONE_THREAD).catch((e: Error) => ({ skipped: `failed: ${e.message}` }));
  }
  return { pinn, pytorch };
}

export function formatOps(r: OpsReport, target = 0.5): string {
  const fmt = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "–" : x.toPrecision(3));
  const lines = ["\nThe engine op by op (median ms of one call; PyTorch float64, one thread; target ≤ 0.5× PyTorch):\n", "| case | pinn ms | pytorch-f64 ms | pinn / pytorch |", "| --- | --- | --- | --- |"];
  for (const [key, label] of OP_CASES) {
    const a = "skipped" in r.pinn ? undefined : r.pinn[`${key}_ms`];
    const b = "skipped" in r.pytorch ? undefined : r.pytorch[`${key}_ms`];
    const ratio = a !== undefined && b !== undefined ? a / b : undefined;
    const verdict = ratio === undefined ? "–" : `${ratio.toPrecision(2)}${ratio <= target ? ` ≤ ${target} ok` : ` > ${target} MISSED`}`;
    lines.push(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${verdict} |`);
  }
  for (const [who, x] of [["pinn", r.pinn], ["pytorch-f64", r.pytorch]] as const) if ("skipped" in x && x.skipped) lines.push(`\n${who} not run: ${x.skipped}`);
  return lines.join("\n");
}
