// npm run bench: time PINN training per epoch for the three workloads of ../shared/bench through
// the normal solve path, the same workloads in the reference implementations that are installed
// (in the same invocation, so the ratios compare like with like), and the scaling of pinn's time
// per epoch with the number of points and the width. Prints a table and writes JSON.
//
//   npm run bench [-- --quick] [--workload ode1,poisson2d] [--runs N] [--no-peers] [--peers ids]
//                 [--no-scaling] [--no-tta | --tta-only] [--tta-seconds S] [--no-ops | --ops-only] [--out FILE] [--install-peers]
//
// Environment: PINN_BENCH_DIR (default ../shared/bench next to the repository), PINN_BENCH_PEERS_DIR
// (a writable copy of it with node_modules, default bench/.peers), PINN_BENCH_PYTHON
// (default /usr/bin/python3).

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release as osRelease } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PEERS, missingReason, runPeer, type PeerPlaces, type PeerResult, type PeerSpec } from "./peers.js";
import { median } from "./stats.js";
import { formatReport, type Report, type WorkloadReport, type ScalingRow, type ThreadProfile } from "./report.js";
import { formatTta, runTta } from "./tta.js";
import { formatOps, runOps } from "./ops.js";

/**
 * Variants of the hand-over the every-core runs compare, alternating (README "Every core"): how long
 * a thread polls before it sleeps in Atomics.wait (PINN_SPIN_MS; null: the default, spinFor — 1 ms
 * unless the load average is at least the number of cores, else 0), and the blocks per evaluation (PINN_BLOCKS;
 * null: the default, BLOCKS). The first, pinn's defaults, gives "all cores".
 */
const HANDOVER_VARIANTS: { label: string; spinMs: number | null; blocks: number | null; v8Budget?: number }[] = [
  { label: "default", spinMs: null, blocks: null },
  { label: "spin 0", spinMs: 0, blocks: null },
  { label: "spin 1 ms", spinMs: 1, blocks: null },
  { label: "4 blocks, spin 0", spinMs: 0, blocks: 4 },
  // Another tier-up budget instead of pinn's 4× V8's (src/cli/v8-flags.ts, PINN_INTERRUPT_BUDGET; 0:
  // V8's own) on the threads (the round's one-thread run keeps pinn's): what the budget does for the
  // threads. 16× (since stop 24): two threads still compiled 0.22–0.35 ms per epoch past epoch 1,000
  // with 4×, 0.01–0.07 with 16× (README "Every core").
  { label: "V8's tier-up budget", spinMs: null, blocks: null, v8Budget: 0 },
  { label: "16× V8's budget", spinMs: null, blocks: null, v8Budget: 16 * 67_584 },
];

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist-bench/bench/run.js: the repository is two levels up.
const repo = resolve(here, "..", "..");

interface Workload {
  name: string;
  problem: string;
  epochs: number;
  quickEpochs: number;
  /** Epochs for each peer (full, quick); null skips the peer (too slow for a routine run). */
  peerEpochs: Record<string, [number | null, number | null]>;
  targets: Record<string, number>;
}

const WORKLOADS: Workload[] = [
  {
    name: "ode1",
    problem: "bench-ode1.yaml",
    epochs: 2000,
    quickEpochs: 400,
    peerEpochs: { "pytorch-f64": [2000, 400], "jaxjs-f64": [2000, 400], "jaxjs-f32": [2000, 400], "tfjs-wasm-f32": [2000, 400], "tfjs-cpu-f32": [1000, 200] },
    targets: { "pytorch-f64": 0.5, "jaxjs-f64": 1, "jaxjs-f32": 1, "tfjs-wasm-f32": 1, "tfjs-cpu-f32": 1 },
  },
  {
    name: "poisson2d",
    problem: "bench-poisson2d.yaml",
    epochs: 200,
    quickEpochs: 60,
    peerEpochs: { "pytorch-f64": [200, 60], "jaxjs-f64": [60, 20], "jaxjs-f32": [200, 60], "tfjs-wasm-f32": [200, 60], "tfjs-cpu-f32": [60, 20] },
    targets: { "pytorch-f64": 0.5, "jaxjs-f64": 1, "jaxjs-f32": 1, "tfjs-wasm-f32": 1, "tfjs-cpu-f32": 1 },
  },
  {
    name: "poisson2d-wide",
    problem: "bench-poisson2d-wide.yaml",
    epochs: 20,
    quickEpochs: 8,
    peerEpochs: { "pytorch-f64": [20, 8], "jaxjs-f64": [5, null], "jaxjs-f32": [20, 8], "tfjs-wasm-f32": [8, null], "tfjs-cpu-f32": [5, null] },
    targets: { "pytorch-f64": 1, "jaxjs-f64": 1, "jaxjs-f32": 1, "tfjs-wasm-f32": 1, "tfjs-cpu-f32": 1 },
  },
];

const POINTS = [256, 512, 1024, 2048, 4096, 8192, 16384];
const WIDTHS = [16, 32, 64, 128, 256];

interface Options {
  quick: boolean;
  workloads: string[];
  runs: number;
  peers: string[] | null;
  scaling: boolean;
  out: string;
  installPeers: boolean;
  /** Time-to-accuracy workload (tta.ts): run it, and its per-run training budget in seconds. */
  tta: boolean;
  ttaSeconds: number;
  /** The engine op by op (ops.ts). */
  ops: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { quick: false, workloads: WORKLOADS.map((w) => w.name), runs: 3, peers: null, scaling: true, out: join(repo, "bench", "results", "latest.json"), installPeers: false, tta: true, ttaSeconds: 600, ops: true };
  let opsOnly = false;
  let ttaOnly = false;
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--workload" || a === "--workloads") o.workloads = next().split(",");
    else if (a === "--runs") {
      o.runs = Number(next());
      runsGiven = true;
    } else if (a === "--no-peers") o.peers = [];
    else if (a === "--peers") o.peers = next().split(",");
    else if (a === "--no-scaling") o.scaling = false;
    else if (a === "--out") o.out = resolve(next());
    else if (a === "--install-peers") o.installPeers = true;
    else if (a === "--no-tta") o.tta = false;
    else if (a === "--tta-only") ttaOnly = true;
    else if (a === "--no-ops") o.ops = false;
    else if (a === "--ops-only") opsOnly = true;
    else if (a === "--tta-seconds") o.ttaSeconds = Number(next());
    else if (a === "--help" || a === "-h") {
      const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
      const header = lines.slice(0, lines.findIndex((l) => !l.startsWith("//")));
      console.log(header.map((l) => l.slice(3)).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (o.quick && !runsGiven) o.runs = 1;
  if (o.quick && !argv.includes("--tta-seconds")) o.ttaSeconds = 60;
  if (ttaOnly || opsOnly) {
    o.workloads = [];
    o.scaling = false;
    o.tta = ttaOnly;
    o.ops = opsOnly;
  }
  for (const w of o.workloads) if (!WORKLOADS.some((x) => x.name === w)) throw new Error(`unknown workload ${w} (ode1, poisson2d, poisson2d-wide)`);
  return o;
}

/** Paired rounds of the thread speed-up in a full run (at least; --runs N above it gives N). */
const THREAD_ROUNDS = 5;

function places(): PeerPlaces {
  const benchDir = resolve(process.env["PINN_BENCH_DIR"] ?? join(repo, "..", "shared", "bench"));
  const jsDir = resolve(process.env["PINN_BENCH_PEERS_DIR"] ?? join(repo, "bench", ".peers"));
  return { benchDir, jsDir: existsSync(join(jsDir, "node_modules")) ? jsDir : null, python: process.env["PINN_BENCH_PYTHON"] ?? "/usr/bin/python3" };
}

function installPeers(p: PeerPlaces): void {
  const target = resolve(process.env["PINN_BENCH_PEERS_DIR"] ?? join(repo, "bench", ".peers"));
  mkdirSync(target, { recursive: true });
  cpSync(join(p.benchDir, "peers"), join(target, "peers"), { recursive: true });
  cpSync(join(p.benchDir, "package.json"), join(target, "package.json"));
  console.log(`installing the JavaScript peers into ${target} (npm install) ...`);
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: target, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm install of the peers failed");
}

function runChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(here, "pinn-child.js"), ...args], { stdio: ["ignore", "pipe", "inherit"], env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => {
      const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (code !== 0 || line === undefined) reject(new Error(`pinn ${args.join(" ")}: exit ${code}`));
      else resolvePromise(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

/** One result from several single-run measurements: the run with the median ms/epoch, plus all the runs' times. */
function combineRuns(runs: Record<string, unknown>[]): Record<string, unknown> {
  const sorted = [...runs].sort((a, b) => (a["ms_per_epoch"] as number) - (b["ms_per_epoch"] as number));
  const mid = sorted[(sorted.length - 1) >> 1]!;
  const times = runs.map((r) => r["ms_per_epoch"] as number);
  const ms = median(times);
  return {
    ...mid,
    ms_per_epoch: ms,
    ms_per_epoch_runs: times,
    median_epoch_ms: median(runs.map((r) => r["median_epoch_ms"] as number)),
    gflops: (mid["flops_per_epoch"] as number) / (ms * 1e6),
    peak_rss_mb: Math.max(...runs.map((r) => r["peak_rss_mb"] as number)),
  };
}

function machine(): Report["machine"] {
  let flags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const line = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? "";
    flags = ["avx2", "fma", "avx512f"].filter((f) => line.split(" ").includes(f)).join(" ");
  } catch {
    // not Linux
  }
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    simd: flags,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    os: `${osType()} ${osRelease()}`,
    date: new Date().toISOString(),
  };
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const p = places();
  if (opts.installPeers) {
    installPeers(p);
    Object.assign(p, places());
  }
  const problems = join(p.benchDir, "problems");
  if ((opts.workloads.length > 0 || opts.scaling) && !existsSync(problems)) throw new Error(`bench problems not found in ${problems} (set PINN_BENCH_DIR)`);
  const wantedPeers = PEERS.filter((x) => opts.peers === null || opts.peers.includes(x.id));
  const available = new Map<string, string | null>(wantedPeers.map((x) => [x.id, missingReason(x, p)]));
  for (const [id, reason] of available) if (reason !== null) log(`peer ${id} skipped: ${reason}`);

  const report: Report = { machine: machine(), options: { quick: opts.quick, runs: opts.runs }, workloads: [], scaling: null, tta: null, ops: null };
  for (const w of WORKLOADS.filter((x) => opts.workloads.includes(x.name))) {
    const epochs = opts.quick ? w.quickEpochs : w.epochs;
    // pinn's runs are interleaved with the peers' (one before each peer and one after the last),
    // so that a change in the machine's load during the invocation affects both sides alike.
    const pinnRuns: Record<string, unknown>[] = [];
    const pinnRun = async (): Promise<void> => {
      log(`pinn ${w.name}: ${epochs} epochs (run ${pinnRuns.length + 1}) ...`);
      pinnRuns.push(await runChild([join(problems, w.problem), "--epochs", String(epochs), "--runs", "1", "--threads", "1"]));
    };
    const entry: WorkloadReport = { name: w.name, epochs, pinn: {}, peers: {}, targets: w.targets };
    for (const peer of wantedPeers) {
      const reason = available.get(peer.id);
      if (reason != null) {
        entry.peers[peer.id] = { skipped: reason };
        continue;
      }
      // PyTorch on all cores runs as many epochs as on one.
      const epochsOf = w.peerEpochs[peer.id] ?? (peer.kind === "torch" ? w.peerEpochs["pytorch-f64"] : undefined);
      const pe = epochsOf?.[opts.quick ? 1 : 0] ?? null;
      if (pe === null) {
        entry.peers[peer.id] = { skipped: opts.quick ? "not run with --quick" : "not run (too slow for a routine run)" };
        continue;
      }
      await pinnRun();
      log(`${peer.id} ${w.name}: ${pe} epochs ...`);
      try {
        entry.peers[peer.id] = await runPeer(peer as PeerSpec, p, w.name, pe, 30 * 60_000);
      } catch (err) {
        entry.peers[peer.id] = { skipped: `failed: ${(err as Error).message}` };
      }
    }
    do await pinnRun();
    while (pinnRuns.length < opts.runs);
    entry.pinn = combineRuns(pinnRuns);
    // pinn on every core (data-parallel training, src/training/parallel.ts), as many runs.
    const cores = cpus().length;
    if (cores > 1) {
      const variantRuns = HANDOVER_VARIANTS.map(() => [] as Record<string, unknown>[]);
      const envOf = (v: (typeof HANDOVER_VARIANTS)[number]): NodeJS.ProcessEnv => {
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env["PINN_SPIN_MS"];
        delete env["PINN_BLOCKS"];
        if (v.v8Budget !== undefined) env["PINN_INTERRUPT_BUDGET"] = String(v.v8Budget);
        if (v.spinMs !== null) env["PINN_SPIN_MS"] = String(v.spinMs);
        if (v.blocks !== null) env["PINN_BLOCKS"] = String(v.blocks);
        return env;
      };
      const loadBefore = loadavg()[0]!;
      // Each round runs one thread first, then every variant: the speed-up of a variant is taken
      // per round (that round's one-thread run over the variant's run, minutes apart at most) and
      // its median over the rounds reported — the machine's speed drifts by up to a quarter between
      // phases of a few minutes, which a ratio of runs made at different times would carry. Five
      // rounds at least (three until stop 24): one round in a disturbed phase moved the median of three
      // by up to 0.3 (rounds of one run: 1.48, 1.06, 1.64).
      const oneRuns: Record<string, unknown>[] = [];
      const rounds = opts.quick ? Math.max(1, opts.runs) : Math.max(THREAD_ROUNDS, opts.runs);
      for (let r = 0; r < rounds; r++) {
        log(`pinn ${w.name}: ${epochs} epochs on 1 thread, paired with the runs on ${cores} threads (run ${r + 1}) ...`);
        oneRuns.push(await runChild([join(problems, w.problem), "--epochs", String(epochs), "--runs", "1", "--threads", "1"]));
        for (const [i, v] of HANDOVER_VARIANTS.entries()) {
          log(`pinn ${w.name}: ${epochs} epochs on ${cores} threads, ${v.label} (run ${r + 1}) ...`);
          variantRuns[i]!.push(await runChild([join(problems, w.problem), "--epochs", String(epochs), "--runs", "1", "--threads", String(cores)], envOf(v)));
        }
      }
      const load = [loadBefore, loadavg()[0]!];
      const byDefault = 0;
      // The 1-minute load average before and after: wall-clock speed-ups mean little above ~0.5.
      const paired = (runs: Record<string, unknown>[]): Record<string, unknown> => {
        const ratios = (key: string): number[] => runs.map((run, r) => (oneRuns[r]![key] as number) / (run[key] as number));
        return { paired_speedup: median(ratios("ms_per_epoch")), paired_speedup_runs: ratios("ms_per_epoch"), paired_speedup_median_epoch: median(ratios("median_epoch_ms")) };
      };
      entry.pinnOne = combineRuns(oneRuns);
      entry.pinnAll = { threads: cores, load, variant: HANDOVER_VARIANTS[byDefault]!.label, ...combineRuns(variantRuns[byDefault]!), ...paired(variantRuns[byDefault]!) };
      entry.pinnVariants = HANDOVER_VARIANTS.map((v, i) => ({ label: v.label, threads: cores, load, ...combineRuns(variantRuns[i]!), ...paired(variantRuns[i]!) }));
      // The same on one thread and on every core with PINN_THREAD_PROFILE=1 (src/training/
      // parallel-profile.ts): each phase's CPU time per evaluation, which a loaded machine does
      // not distort as it does the wall clock.
      const profiled = async (threads: number, env: NodeJS.ProcessEnv = process.env, label = ""): Promise<ThreadProfile | null> => {
        log(`pinn ${w.name}: ${epochs} epochs on ${threads} thread(s)${label}, profiled ...`);
        const r = await runChild([join(problems, w.problem), "--epochs", String(epochs), "--runs", "1", "--threads", String(threads)], { ...env, PINN_THREAD_PROFILE: "1" });
        return (r["thread_profile"] as ThreadProfile | null) ?? null;
      };
      const one = await profiled(1);
      // Every variant profiled: the hand-over's distributions (wake-up, idle time at the barrier, blocks per thread).
      const variants: (ThreadProfile | null)[] = [];
      for (const v of HANDOVER_VARIANTS) variants.push(await profiled(cores, envOf(v), `, ${v.label}`));
      entry.threadProfile = { one, all: variants[byDefault]!, load: loadavg()[0]!, variants: HANDOVER_VARIANTS.map((v, i) => ({ label: v.label, profile: variants[i]! })) };
    }
    report.workloads.push(entry);
  }
  if (opts.scaling) {
    const poisson = join(problems, "bench-poisson2d.yaml");
    // Epochs in proportion to 1/work (200 at the poisson2d size), at least 20.
    const scale = opts.quick ? 0.25 : 1;
    const epochsFor = (work: number): number => Math.max(20, Math.min(200, Math.round((200 * scale) / work)));
    const points = opts.quick ? [256, 1024, 4096, 16384] : POINTS;
    const widths = opts.quick ? [16, 64, 256] : WIDTHS;
    const byPoints: ScalingRow[] = [];
    for (const n of points) {
      const epochs = epochsFor(n / 1024);
      log(`scaling: ${n} points, ${epochs} epochs ...`);
      const r = await runChild([poisson, "--epochs", String(epochs), "--points", String(n), "--runs", "1"]);
      byPoints.push({ points: n, width: 32, epochs, ms_per_epoch: r["ms_per_epoch"] as number, gflops: r["gflops"] as number, peak_rss_mb: r["peak_rss_mb"] as number });
    }
    const byWidth: ScalingRow[] = [];
    for (const width of widths) {
      const epochs = epochsFor((width / 32) ** 2);
      log(`scaling: width ${width}, ${epochs} epochs ...`);
      const r = await runChild([poisson, "--epochs", String(epochs), "--width", String(width), "--runs", "1"]);
      byWidth.push({ points: 1024, width, epochs, ms_per_epoch: r["ms_per_epoch"] as number, gflops: r["gflops"] as number, peak_rss_mb: r["peak_rss_mb"] as number });
    }
    report.scaling = { points: byPoints, width: byWidth };
  }
  if (opts.tta) {
    const torch = PEERS.find((x) => x.kind === "torch")!;
    const cores = cpus().length;
    report.tta = await runTta({
      repo,
      child: join(here, "tta-child.js"),
      python: p.python,
      torchMissing: missingReason(torch, p),
      torchThreads: cores > 1 ? [1, cores] : [1],
      maxSeconds: opts.ttaSeconds,
      log,
    });
  }
  if (opts.ops) {
    const torch = PEERS.find((x) => x.kind === "torch")!;
    report.ops = await runOps({ repo, child: join(here, "ops-child.js"), python: p.python, torchMissing: missingReason(torch, p), quick: opts.quick, log });
  }
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(report, null, 2) + "\n");
  console.log(formatReport(report));
  if (report.tta !== null) console.log(formatTta(report.tta));
  if (report.ops !== null) console.log(formatOps(report.ops));
  console.log(`\nJSON: ${opts.out}`);
}

export type { PeerResult };

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
