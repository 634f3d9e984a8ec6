// The bench's JSON shape and its text tables (Markdown, so they paste into a README).

import type { PeerResult } from "./peers.js";
import type { TtaReport } from "./tta.js";
import type { OpsReport } from "./ops.js";
import type { ParallelProfileSummary } from "../src/training/parallel-profile.js";

export type ThreadProfile = ParallelProfileSummary;

export interface ScalingRow {
  points: number;
  width: number;
  epochs: number;
  ms_per_epoch: number;
  gflops: number;
  peak_rss_mb: number;
}

export interface WorkloadReport {
  name: string;
  epochs: number;
  /** pinn on one thread. */
  pinn: Record<string, unknown>;
  /** pinn on every core (threads: the count; load: the 1-minute load average before and after), when the machine has more than one. */
  pinnAll?: Record<string, unknown>;
  /** pinn on one thread in the rounds of the runs on every core (each round: one thread, then every variant). */
  pinnOne?: Record<string, unknown>;
  /** pinn on every core per hand-over variant (bench/run.ts HANDOVER_VARIANTS), runs alternating. */
  pinnVariants?: Record<string, unknown>[];
  /** Profiled runs (PINN_THREAD_PROFILE=1) on one thread and on every core (the default variant's, and each variant's), and the load average after them. */
  threadProfile?: { one: ThreadProfile | null; all: ThreadProfile | null; load: number; variants?: { label: string; profile: ThreadProfile | null }[] };
  peers: Record<string, PeerResult | { skipped: string }>;
  /** Target ratio pinn/peer (ms per epoch) per peer. */
  targets: Record<string, number>;
}

export interface Report {
  machine: { cpu: string; cores: number; simd: string; memory_gb: number; node: string; v8: string; os: string; date: string };
  options: { quick: boolean; runs: number };
  workloads: WorkloadReport[];
  scaling: { points: ScalingRow[]; width: ScalingRow[] } | null;
  /** Time to accuracy (tta.ts), when run. */
  tta: TtaReport[] | null;
  /** The engine op by op (ops.ts), when run. */
  ops: OpsReport | null;
}

const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toPrecision(digits) : "–");

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function isResult(x: PeerResult | { skipped: string } | undefined): x is PeerResult {
  return x !== undefined && !("skipped" in x);
}

/** Least-squares slope of log(y) against log(x). */
export function logLogSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  lx.forEach((x, i) => {
    num += (x - mx) * (ly[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/**
 * The profiled runs: CPU ms per evaluation of the serial work (the training loop between
 * evaluations, handing over, adding up), of the parallel work (every block), the serial fraction
 * and Amdahl's bound, the busiest thread's share over the mean, the V8 helper threads' CPU (garbage
 * collector, compiler: on a machine without spare cores it takes from the compute threads), and the
 * speed-up the CPU times give on an idle machine: one thread's serial + parallel over every core's
 * serial + parallel / threads (the blocks are shared out as the threads come free, so the busiest
 * thread's share on a loaded machine says more about the load than about the split).
 */
export function formatThreadProfiles(workloads: WorkloadReport[]): string {
  const rows = workloads
    .filter((w) => w.threadProfile?.one && w.threadProfile.all)
    .map((w) => {
      const one = w.threadProfile!.one!;
      const all = w.threadProfile!.all!;
      return [
        w.name,
        String(all.threads),
        fmt(one.serialCpu + one.parallelCpu),
        fmt(all.serialCpu),
        fmt(all.parallelCpu),
        `${fmt(100 * all.serialFraction, 2)}%`,
        fmt(all.amdahl),
        fmt(all.imbalance),
        `${fmt(one.helperCpu, 2)} / ${fmt(all.helperCpu, 2)}`,
        // Blocks are taken dynamically: on an idle machine each thread gets parallel / threads.
        fmt((one.serialCpu + one.parallelCpu) / (all.serialCpu + all.parallelCpu / all.threads)),
        w.threadProfile!.load.toFixed(2),
      ];
    });
  return table(
    ["workload", "threads", "1 thread CPU ms/eval", "serial CPU ms", "parallel CPU ms", "serial fraction", "Amdahl bound", "busiest / mean thread", "helper threads CPU ms (1 / all)", "CPU-time speed-up", "load average"],
    rows,
  );
}

/** The hand-over's distributions per workload and variant (parallel-profile.ts HandoverSummary). */
export function formatHandover(workloads: WorkloadReport[]): string {
  const pq = (q: { p50: number; p90: number } | undefined): string => (q === undefined ? "–" : `${fmt(q.p50)} / ${fmt(q.p90)}`);
  const rows = workloads.flatMap((w) =>
    (w.threadProfile?.variants ?? [])
      .filter((v) => v.profile?.handover)
      .map((v) => {
        const h = v.profile!.handover!;
        return [
          w.name,
          v.label,
          pq(h.wake),
          pq(h.barrier),
          pq(h.idle),
          pq(h.blockWall),
          `${pq(h.lost)} (mean ${fmt(h.lost.mean)})`,
          [1, 2, 3].map((k) => `${Math.round(100 * (h.ownBlocks[k] ?? 0))}%`).join(" / "),
          `${Math.round(100 * h.lateWake)}%`,
          fmt(v.profile!.cycleWall),
          fmt(v.profile!.helperCpu, 2),
        ];
      }),
  );
  if (rows.length === 0) return "";
  return table(["workload", "variant", "wake-up", "barrier", "idle at the barrier", "one block", "lost", "training thread's blocks 1 / 2 / 3", "late wake-ups", "mean cycle ms", "helper threads CPU ms"], rows);
}

export function formatReport(r: Report): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Machine: ${m.cpu}, ${m.cores} cores (${m.simd || "no AVX flags"}), ${m.memory_gb} GB, Node ${m.node} (V8 ${m.v8}), ${m.os}, ${m.date}`);
  out.push(
    "ms/epoch: time of the epochs after min(20, epochs/4) warm-up epochs over their count, as the reference implementations measure it; " +
      `pinn: median over its runs, interleaved with the peers' (at least ${r.options.runs}); peers: one run each${r.options.quick ? " (--quick)" : ""}. ` +
      "'median epoch' is the median of pinn's single-epoch times (robust to load spikes from other processes).\n",
  );
  if (r.workloads.length === 0 && r.scaling === null) return out.join("\n");
  const peerIds = [...new Set(r.workloads.flatMap((w) => Object.keys(w.peers)))];
  out.push(
    table(
      ["workload", "pinn ms/epoch", "pinn median epoch ms", "GFLOP/epoch", "GFLOP/s", "peak RSS MB", ...peerIds.map((id) => `${id} ms/epoch`)],
      r.workloads.map((w) => [
        w.name,
        fmt(w.pinn["ms_per_epoch"] as number),
        fmt(w.pinn["median_epoch_ms"] as number),
        fmt((w.pinn["flops_per_epoch"] as number) / 1e9),
        fmt(w.pinn["gflops"] as number),
        fmt(w.pinn["peak_rss_mb"] as number, 4),
        ...peerIds.map((id) => {
          const p = w.peers[id];
          return isResult(p) ? fmt(p.ms_per_epoch) : "–";
        }),
      ]),
    ),
  );
  out.push("\nRatios pinn / peer (ms per epoch; target in parentheses):\n");
  const ratioRows = r.workloads.map((w) => [
    w.name,
    ...peerIds.map((id) => {
      const p = w.peers[id];
      if (!isResult(p)) return "–";
      // A peer on N threads ("-Nt") is compared with pinn on as many.
      const multi = /-\d+t$/.test(id);
      const mine = multi ? w.pinnAll : w.pinn;
      if (mine === undefined) return "–";
      const ratio = (mine["ms_per_epoch"] as number) / p.ms_per_epoch;
      const target = w.targets[id];
      const verdict = target === undefined ? "" : ratio <= target ? ` ≤ ${target} ok` : ` > ${target} MISSED`;
      return `${fmt(ratio, 2)}${verdict}`;
    }),
  ]);
  out.push(table(["workload", ...peerIds], ratioRows));
  const parallel = r.workloads.filter((w) => w.pinnAll !== undefined);
  if (parallel.length > 0) {
    out.push(
      "\npinn on every core (data-parallel training) against one thread (target ≥ 1.7× on 2 cores for poisson2d and poisson2d-wide). " +
        "Each round runs one thread, then every core; the speed-up is the median over the rounds of the round's ratio (the runs of each round, in order):\n",
    );
    out.push(
      table(
        ["workload", "threads", "1 thread ms/epoch", "all cores ms/epoch", "all cores median epoch ms", "speed-up (mean)", "speed-up per round", "speed-up (median epoch)", "load average"],
        parallel.map((w) => {
          const a = w.pinnAll!;
          // Paired rounds (bench/run.ts, since stop 22); older reports: the ratio of the medians.
          const one = w.pinnOne ?? w.pinn;
          const speed = (a["paired_speedup"] as number | undefined) ?? (one["ms_per_epoch"] as number) / (a["ms_per_epoch"] as number);
          const target = w.name === "ode1" ? "" : speed >= 1.7 ? " ≥ 1.7 ok" : " < 1.7 MISSED";
          return [
            w.name,
            String(a["threads"]),
            fmt(one["ms_per_epoch"] as number),
            fmt(a["ms_per_epoch"] as number),
            fmt(a["median_epoch_ms"] as number),
            `${fmt(speed, 3)}${target}`,
            ((a["paired_speedup_runs"] as number[] | undefined) ?? []).map((x) => fmt(x, 3)).join(", ") || "–",
            fmt((a["paired_speedup_median_epoch"] as number | undefined) ?? (one["median_epoch_ms"] as number) / (a["median_epoch_ms"] as number), 3),
            ((a["load"] as number[] | undefined) ?? []).map((x) => x.toFixed(2)).join(" → "),
          ];
        }),
      ),
    );
    const variantRows = parallel.flatMap((w) =>
      (w.pinnVariants ?? []).map((a) => [
        w.name,
        String(a["label"]),
        fmt(a["ms_per_epoch"] as number),
        ((a["ms_per_epoch_runs"] as number[] | undefined) ?? []).map((x) => fmt(x)).join(", "),
        fmt((a["paired_speedup"] as number | undefined) ?? (w.pinn["ms_per_epoch"] as number) / (a["ms_per_epoch"] as number), 3),
        fmt((a["paired_speedup_median_epoch"] as number | undefined) ?? (w.pinn["median_epoch_ms"] as number) / (a["median_epoch_ms"] as number), 3),
      ]),
    );
    if (variantRows.length > 0) {
      out.push("\nThe hand-over variants, runs alternating (\"all cores\" above is the default's):\n");
      out.push(table(["workload", "variant", "ms/epoch (median run)", "runs", "speed-up (mean)", "speed-up (median epoch)"], variantRows));
    }
    out.push("\nWall-clock speed-ups need an idle machine (1-minute load average well below 1). Measured in CPU time instead, which load does not distort:\n");
    out.push(formatThreadProfiles(parallel));
    const handover = formatHandover(parallel);
    if (handover !== "") {
      out.push(
        "\nThe hand-over per evaluation (profiled runs; wall ms after the training thread's notify, p50 / p90 over the evaluations): the worker's wake-up, " +
          "when the training thread had every block (barrier), its idle wall time there, one block's wall time, " +
          "the wall time lost between the threads (barrier less the blocks' wall time over the threads), how often the training thread computed 1 / 2 / 3 of the blocks, " +
          "how often the worker woke only after the training thread's first block, and the V8 helper threads' CPU per evaluation:\n",
      );
      out.push(handover);
    }
  }
  const skipped = r.workloads.flatMap((w) => Object.entries(w.peers).filter(([, p]) => !isResult(p)).map(([id, p]) => `${w.name}/${id}: ${(p as { skipped: string }).skipped}`));
  if (skipped.length > 0) out.push(`\nNot run: ${[...new Set(skipped)].join("; ")}`);
  out.push("\nAccuracy after training (relative L2 error against the exact solution):\n");
  out.push(
    table(
      ["workload", "pinn", ...peerIds],
      r.workloads.map((w) => [
        w.name,
        fmt(w.pinn["rel_l2"] as number, 2),
        ...peerIds.map((id) => {
          const p = w.peers[id];
          return isResult(p) ? `${fmt(p.rel_l2, 2)} (${p.epochs} ep.)` : "–";
        }),
      ]),
    ),
  );
  out.push("\nPeak resident memory (MB):\n");
  out.push(
    table(
      ["workload", "pinn", ...peerIds],
      r.workloads.map((w) => [
        w.name,
        fmt(w.pinn["peak_rss_mb"] as number, 4),
        ...peerIds.map((id) => {
          const p = w.peers[id];
          return isResult(p) && p.peak_rss_mb !== null ? fmt(p.peak_rss_mb, 4) : "–";
        }),
      ]),
    ),
  );
  if (r.scaling !== null) {
    const s = r.scaling;
    const base = s.points.find((x) => x.points === 1024) ?? s.points[0]!;
    out.push("\nScaling with the number of points (poisson2d shape, width 32):\n");
    out.push(
      table(
        ["points", "epochs", "ms/epoch", "µs per point", "relative to linear from 1024", "GFLOP/s", "peak RSS MB"],
        s.points.map((x) => [
          String(x.points),
          String(x.epochs),
          fmt(x.ms_per_epoch),
          fmt((1000 * x.ms_per_epoch) / x.points),
          fmt(x.ms_per_epoch / ((base.ms_per_epoch * x.points) / base.points), 3),
          fmt(x.gflops),
          fmt(x.peak_rss_mb, 4),
        ]),
      ),
    );
    const large = s.points.filter((x) => x.points >= 1024);
    if (large.length >= 2) {
      out.push(`\nlog-log slope of ms/epoch against points (≥ 1024 points): ${fmt(logLogSlope(large.map((x) => x.points), large.map((x) => x.ms_per_epoch)), 3)} (1 = linear)`);
    }
    out.push("\nScaling with the width (poisson2d shape, 1024 points, three hidden layers):\n");
    out.push(
      table(
        ["width", "epochs", "ms/epoch", "GFLOP/s", "peak RSS MB"],
        s.width.map((x) => [String(x.width), String(x.epochs), fmt(x.ms_per_epoch), fmt(x.gflops), fmt(x.peak_rss_mb, 4)]),
      ),
    );
  }
  return out.join("\n");
}
