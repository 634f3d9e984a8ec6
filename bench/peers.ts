// The reference implementations (../shared/bench/peers): which are installed, and running one
// as a child process while sampling its peak resident memory.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism } from "node:os";

export interface PeerSpec {
  /** Label in tables and JSON. */
  id: string;
  kind: "torch" | "jaxjs" | "tfjs";
  /** Extra argument after WORKLOAD EPOCHS. */
  variant: string;
}

export const PEERS: PeerSpec[] = [
  { id: "pytorch-f64", kind: "torch", variant: "1" },
  // PyTorch with every core (its default on a user's machine), against pinn with every core.
  ...(availableParallelism() > 1 ? [{ id: `pytorch-f64-${availableParallelism()}t`, kind: "torch" as const, variant: String(availableParallelism()) }] : []),
  { id: "jaxjs-f64", kind: "jaxjs", variant: "float64" },
  { id: "jaxjs-f32", kind: "jaxjs", variant: "float32" },
  { id: "tfjs-wasm-f32", kind: "tfjs", variant: "wasm" },
  { id: "tfjs-cpu-f32", kind: "tfjs", variant: "cpu" },
];

export interface PeerPlaces {
  /** The bench folder with problems/ and peers/ (read-only is fine). */
  benchDir: string;
  /** A writable copy of it where `npm install` was run (for the JavaScript peers), or null. */
  jsDir: string | null;
  python: string;
}

export interface PeerResult {
  impl: string;
  workload: string;
  epochs: number;
  ms_per_epoch: number;
  loss: number;
  rel_l2: number;
  peak_rss_mb: number | null;
}

/** Why a peer cannot run here (with how to install it), or null when it can. */
export function missingReason(peer: PeerSpec, places: PeerPlaces): string | null {
  if (peer.kind === "torch") {
    const probe = spawnSync(places.python, ["-c", "import torch"], { stdio: "ignore" });
    return probe.status === 0 ? null : `PyTorch not importable by ${places.python} (apt-get update && apt-get install -y python3-torch)`;
  }
  const pkg = peer.kind === "jaxjs" ? "@jax-js/jax" : peer.variant === "wasm" ? "@tensorflow/tfjs-backend-wasm" : "@tensorflow/tfjs";
  if (places.jsDir === null || !existsSync(join(places.jsDir, "node_modules", ...pkg.split("/")))) {
    return `${pkg} not installed (npm run bench -- --install-peers, or copy ../shared/bench to a writable folder, npm install there and set PINN_BENCH_PEERS_DIR to it)`;
  }
  return null;
}

function scriptOf(peer: PeerSpec): string {
  return peer.kind === "torch" ? "torch_pinn.py" : peer.kind === "jaxjs" ? "jaxjs_pinn.mjs" : "tfjs_pinn.mjs";
}

/** Peak resident memory so far of a running process (VmHWM), in MiB, or null. */
function highWaterMark(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export async function runPeer(peer: PeerSpec, places: PeerPlaces, workload: string, epochs: number, timeoutMs: number): Promise<PeerResult> {
  const dir = peer.kind === "torch" ? places.benchDir : places.jsDir!;
  const command = peer.kind === "torch" ? places.python : process.execPath;
  const args = [join(dir, "peers", scriptOf(peer)), workload, String(epochs), peer.variant];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OMP_NUM_THREADS: peer.kind === "torch" ? peer.variant : "1" } });
    let out = "";
    let err = "";
    let peak: number | null = null;
    const poll = setInterval(() => {
      const hwm = child.pid === undefined ? null : highWaterMark(child.pid);
      if (hwm !== null) peak = Math.max(peak ?? 0, hwm);
    }, 50);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (code !== 0 || line === undefined) {
        reject(new Error(`${peer.id} ${workload}: exit ${code}${err ? `: ${err.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
        return;
      }
      const parsed = JSON.parse(line) as Omit<PeerResult, "peak_rss_mb">;
      resolve({ ...parsed, peak_rss_mb: peak });
    });
  });
}
