// The time-to-accuracy workload: each side's default pipeline on the shipped poisson2d and heat1d
// problems until the relative L2 error first reaches each target — pinn's (Adam, then self-scaled
// BFGS; tta-child.ts) against Adam then L-BFGS in PyTorch (peers/torch_tta.py, fed the settings pinn
// derived; torch has no dense BFGS, and L-BFGS with strong Wolfe is what a PyTorch PINN runs).

import { runJson } from "./child-json.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TTA_PROBLEMS = ["poisson2d", "heat1d"];
export const TTA_TARGETS = [1e-3, 1e-5];
/** Error checks every this many iterations (Adam epochs or refinement iterations). */
export const TTA_EVERY = 10;

export interface TtaHit {
  target: number;
  seconds: number | null;
  cpu_seconds: number | null;
  iteration: number | null;
  optimizer: string | null;
}

export interface TtaRun {
  impl: string;
  hits: TtaHit[];
  best_rel_l2: number;
  iterations: number;
  train_seconds: number;
  out_of_budget: boolean;
  budget_seconds: number | null;
  [key: string]: unknown;
}

export interface TtaReport {
  problem: string;
  pinn: TtaRun | { skipped: string };
  /** PyTorch with one thread and, when the machine has more cores, with all of them. */
  peers: Record<string, TtaRun | { skipped: string }>;
}

export interface TtaOptions {
  repo: string;
  /** node executable and the compiled tta-child.js. */
  child: string;
  python: string | null;
  /** Why PyTorch cannot run (null: it can). */
  torchMissing: string | null;
  torchThreads: number[];
  maxSeconds: number;
  log: (msg: string) => void;
}


export async function runTta(o: TtaOptions): Promise<TtaReport[]> {
  const reports: TtaReport[] = [];
  const dir = mkdtempSync(join(tmpdir(), "pinn-tta-"));
  try {
    for (const name of TTA_PROBLEMS) {
      const entry: TtaReport = { problem: name, pinn: { skipped: "" }, peers: {} };
      o.log(`time to accuracy, pinn ${name} ...`);
      const args = [o.child, join(o.repo, "problems", `${name}.yaml`), "--every", String(TTA_EVERY), "--targets", TTA_TARGETS.join(","), "--max-seconds", String(o.maxSeconds)];
      let spec: unknown = null;
      try {
        const run = await runJson<TtaRun>(process.execPath, args);
        spec = run["spec"];
        delete run["spec"];
        entry.pinn = run;
      } catch (e) {
        entry.pinn = { skipped: `failed: ${(e as Error).message}` };
      }
      for (const threads of o.torchThreads) {
        const id = `pytorch-f64-${threads}t`;
        if (o.torchMissing !== null || o.python === null) {
          entry.peers[id] = { skipped: o.torchMissing ?? "no python" };
          continue;
        }
        if (spec === null) {
          entry.peers[id] = { skipped: "pinn's run failed (it supplies the settings)" };
          continue;
        }
        const specFile = join(dir, `${name}.json`);
        writeFileSync(specFile, JSON.stringify(spec));
        o.log(`time to accuracy, ${id} ${name} ...`);
        const script = join(o.repo, "bench", "peers", "torch_tta.py");
        const pargs = [script, name, specFile, String(threads), String(TTA_EVERY), TTA_TARGETS.join(","), String(o.maxSeconds)];
        try {
          entry.peers[id] = await runJson<TtaRun>(o.python, pargs, { ...process.env, OMP_NUM_THREADS: String(threads) });
        } catch (e) {
          entry.peers[id] = { skipped: `failed: ${(e as Error).message}` };
        }
      }
      reports.push(entry);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return reports;
}

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toPrecision(digits));

function isRun(x: TtaRun | { skipped: string } | undefined): x is TtaRun {
  return x !== undefined && !("skipped" in x);
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Seconds (and where) a run first reached a target, or why not. */
function reached(run: TtaRun, target: number): string {
  const h = run.hits.find((x) => x.target === target);
  const threads = typeof run["threads"] === "number" ? `${run["threads"]} thread${run["threads"] === 1 ? "" : "s"}; ` : "";
  if (h?.seconds == null) return `not reached (best ${fmt(run.best_rel_l2, 2)}${run.out_of_budget ? `, budget ${run.budget_seconds} s` : ""})`;
  return `${fmt(h.seconds)} s (${threads}${h.optimizer} it. ${h.iteration}; CPU ${fmt(h.cpu_seconds)} s)`;
}

export function formatTta(reports: TtaReport[], targetRatio = 0.5): string {
  const out: string[] = [];
  out.push(
    `\nTime to accuracy: the default pipeline (pinn: Adam, then self-scaled BFGS; PyTorch: Adam, then L-BFGS with strong Wolfe) on the shipped problem until the relative L2 error on the evaluation grid first reaches the target; ` +
      `error checked every ${TTA_EVERY} iterations, the checks' time subtracted; wall-clock seconds of training (process CPU seconds in parentheses); one run each, seed 0 (PyTorch: torch.manual_seed(0)).\n`,
  );
  const ids = [...new Set(reports.flatMap((r) => Object.keys(r.peers)))];
  const rows: string[][] = [];
  for (const r of reports) {
    for (const target of TTA_TARGETS) {
      const pinn = r.pinn;
      const cells = [r.problem, String(target), isRun(pinn) ? reached(pinn, target) : `– (${pinn.skipped})`];
      for (const id of ids) {
        const p = r.peers[id];
        cells.push(isRun(p) ? reached(p, target) : "–");
      }
      for (const id of ids) {
        const p = r.peers[id];
        const a = isRun(pinn) ? pinn.hits.find((h) => h.target === target)?.seconds : null;
        const b = isRun(p) ? p.hits.find((h) => h.target === target)?.seconds : null;
        if (a == null || b == null) cells.push(a != null && isRun(p) ? "pinn only" : b != null ? "peer only" : "–");
        else {
          const ratio = a / b;
          cells.push(`${fmt(ratio, 2)}${ratio <= targetRatio ? ` ≤ ${targetRatio} ok` : ` > ${targetRatio} MISSED`}`);
        }
      }
      rows.push(cells);
    }
  }
  out.push(table(["problem", "target", "pinn", ...ids, ...ids.map((id) => `pinn / ${id}`)], rows));
  const skipped = reports.flatMap((r) => Object.entries(r.peers).filter(([, p]) => !isRun(p)).map(([id, p]) => `${r.problem}/${id}: ${(p as { skipped: string }).skipped}`));
  if (skipped.length > 0) out.push(`\nNot run: ${[...new Set(skipped)].join("; ")}`);
  return out.join("\n");
}
