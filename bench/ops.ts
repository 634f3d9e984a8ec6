// The engine as a library, op by op: pinn (ops-child.ts) against PyTorch (peers/torch_ops.py, one
// thread), the same four cases; target ≤ 0.5× PyTorch. The two sides run alternately (`rounds` times
// each, a round being one run of each side, a minute apart at most) and each time is the median over
// the rounds. Each ratio is the median of the rounds' own ratios (paired, as the thread speed-up:
// the machine's phases move a whole process's times by a quarter or more, so two sides timed in one
// round are compared, not medians from different phases). Reported: median wall ms of one call and
// mean process CPU ms of one call (the work done, insensitive to waiting for a core when the machine is
// shared); pinn as written and inside tidy(), each case and way of calling in a process of its own
// (since stop 24: ops-child.ts says why).

import { runJson } from "./child-json.js";
import { median } from "./stats.js";
import { join } from "node:path";

/** Both sides on one thread (OpenMP for PyTorch). */
const ONE_THREAD = { ...process.env, OMP_NUM_THREADS: "1" };

export const OP_CASES = [
  ["chain", "elementwise chain, 1e5 values, forward + backward"],
  ["mlp", "MLP 2-32-32-32-1, 1,024 points, forward + backward"],
  ["laplacian", "Laplacian through the MLP + the loss's gradient"],
  ["hessian", "Hessian of a 10-input function"],
] as const;

type Side = Record<string, unknown> | { skipped: string };

export interface OpsReport {
  /** Numbers: medians over the rounds; `kernels`: the kernels one call ran (last round). */
  pinn: Side;
  pytorch: Side;
  rounds: number;
  /**
   * pinn / PyTorch per case, the median of the rounds' ratios (rounds where both sides ran): keys
   * `<case>_ms`, `<case>_cpu_ms` (as written), `<case>_tidy_ms`, `<case>_tidy_cpu_ms` (in tidy, against
   * PyTorch's one form). Absent in reports written before stop 24 (their ratios: the medians' ratio).
   */
  ratios?: Record<string, number>;
}

/** The median over the rounds where both sides ran of pinn's number `key` over PyTorch's `torchKey`. */
function pairedRatio(pinn: (Record<string, unknown> | null)[], torch: (Record<string, unknown> | null)[], key: string, torchKey: string): number | undefined {
  const qs: number[] = [];
  pinn.forEach((p, r) => {
    const a = p?.[key];
    const b = torch[r]?.[torchKey];
    if (typeof a === "number" && typeof b === "number" && Number.isFinite(a) && Number.isFinite(b) && b > 0) qs.push(a / b);
  });
  return qs.length > 0 ? median(qs) : undefined;
}

/** The per-field median of the rounds' numbers (other fields from the last round). */
function combine(runs: Record<string, unknown>[]): Side {
  if (runs.length === 0) return { skipped: "no run succeeded" };
  const out: Record<string, unknown> = { ...runs[runs.length - 1] };
  for (const [k, v] of Object.entries(out)) if (typeof v === "number") out[k] = median(runs.map((r) => r[k] as number));
  return out;
}

export async function runOps(o: { repo: string; child: string; python: string; torchMissing: string | null; quick: boolean; log: (m: string) => void }): Promise<OpsReport> {
  const reps = String(o.quick ? 10 : 30);
  const rounds = o.quick ? 1 : 5;
  // Round r's result of each side (null: that run failed).
  const pinnRuns: (Record<string, unknown> | null)[] = [];
  const torchRuns: (Record<string, unknown> | null)[] = [];
  let pinnError = "";
  let torchError = o.torchMissing ?? "";
  for (let r = 0; r < rounds; r++) {
    o.log(`engine op by op, pinn (round ${r + 1}/${rounds}) ...`);
    // One process per case and way of calling (ops-child.ts says why); the round's record is their union.
    let round: Record<string, unknown> | null = { impl: "pinn" };
    const kernels: Record<string, unknown> = {};
    for (const [key] of OP_CASES) {
      for (const mode of ["plain", "tidy"]) {
        const part = await runJson<Record<string, unknown>>(process.execPath, ["--expose-gc", o.child, "--reps", reps, "--case", key, "--mode", mode], ONE_THREAD).catch((e: Error) => ((pinnError = `failed: ${e.message}`), null));
        if (part === null) round = null;
        else if (round !== null) {
          Object.assign(kernels, part["kernels"] ?? {});
          Object.assign(round, part, { kernels });
        }
      }
    }
    pinnRuns.push(round);
    if (o.torchMissing === null) {
      o.log(`engine op by op, pytorch-f64 (round ${r + 1}/${rounds}) ...`);
      torchRuns.push(await runJson<Record<string, unknown>>(o.python, [join(o.repo, "bench", "peers", "torch_ops.py"), reps, "1"], ONE_THREAD).catch((e: Error) => ((torchError = `failed: ${e.message}`), null)));
    }
  }
  const ratios: Record<string, number> = {};
  for (const [key] of OP_CASES) {
    for (const [mine, theirs] of [[`${key}_ms`, `${key}_ms`], [`${key}_cpu_ms`, `${key}_cpu_ms`], [`${key}_tidy_ms`, `${key}_ms`], [`${key}_tidy_cpu_ms`, `${key}_cpu_ms`]] as const) {
      const q = pairedRatio(pinnRuns, torchRuns, mine, theirs);
      if (q !== undefined) ratios[mine] = q;
    }
  }
  const ok = <T>(x: T | null): x is T => x !== null;
  return {
    pinn: pinnRuns.some(ok) ? combine(pinnRuns.filter(ok)) : { skipped: pinnError },
    pytorch: torchRuns.some(ok) ? combine(torchRuns.filter(ok)) : { skipped: torchError },
    rounds,
    ratios,
  };
}

export function formatOps(r: OpsReport, target = 0.5): string {
  const num = (side: Side, key: string): number | undefined => {
    const v = "skipped" in side ? undefined : side[key];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  };
  const fmt = (x: number | undefined): string => (x === undefined ? "–" : x.toPrecision(3));
  const pair = (side: Side, key: string): string => `${fmt(num(side, `${key}_ms`))} (${fmt(num(side, `${key}_cpu_ms`))})`;
  // (the paired ratio of the rounds when the report has one, else the medians' ratio)
  const ratio = (key: string, a: number | undefined, b: number | undefined): string => {
    const q = r.ratios?.[key] ?? (a === undefined || b === undefined ? undefined : a / b);
    if (q === undefined) return "–";
    return `${q.toPrecision(2)}${q <= target ? " ok" : " MISSED"}`;
  };
  const lines = [
    `\nThe engine op by op (ms of one call: median wall clock, mean process CPU in parentheses; PyTorch float64, one thread; ${r.rounds} round(s) each, alternating; ` +
      `each ratio the median of the rounds' ratios; target ≤ ${target}× PyTorch):\n`,
    "| case | pinn ms (CPU) | pinn in tidy() ms (CPU) | pytorch-f64 ms (CPU) | pinn / pytorch wall (CPU) | in tidy() / pytorch wall (CPU) |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const [key, label] of OP_CASES) {
    const t = (k: string): number | undefined => num(r.pytorch, k);
    const p = (k: string): number | undefined => num(r.pinn, k);
    lines.push(
      `| ${label} | ${pair(r.pinn, key)} | ${pair(r.pinn, `${key}_tidy`)} | ${pair(r.pytorch, key)} | ` +
        `${ratio(`${key}_ms`, p(`${key}_ms`), t(`${key}_ms`))} (${ratio(`${key}_cpu_ms`, p(`${key}_cpu_ms`), t(`${key}_cpu_ms`))}) | ` +
        `${ratio(`${key}_tidy_ms`, p(`${key}_tidy_ms`), t(`${key}_ms`))} (${ratio(`${key}_tidy_cpu_ms`, p(`${key}_tidy_cpu_ms`), t(`${key}_cpu_ms`))}) |`,
    );
  }
  if (!("skipped" in r.pinn)) {
    const kernels = (r.pinn["kernels"] ?? {}) as Record<string, Record<string, number>>;
    lines.push("\nKernels run by one call in tidy() (op:kernel × calls), and the buffers it still allocates (the kept gradients):");
    for (const [key] of OP_CASES) {
      const k = Object.entries(kernels[key] ?? {}).map(([n, c]) => `${n} × ${c}`).join(", ") || "none with a fast path";
      lines.push(`- ${key}: ${k}; new buffers: ${fmt(num(r.pinn, `${key}_tidy_fresh_buffers`))}`);
    }
  }
  for (const [who, x] of [["pinn", r.pinn], ["pytorch-f64", r.pytorch]] as const) if ("skipped" in x && x.skipped) lines.push(`\n${who} not run: ${x.skipped}`);
  return lines.join("\n");
}
