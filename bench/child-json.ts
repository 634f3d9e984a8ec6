// Run a reference implementation or helper script whose last stdout line starting with "{" is its
// JSON result; a non-zero exit or no such line rejects with the last lines of its stderr.

import { spawn } from "node:child_process";

export function runJson<T>(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (code !== 0 || line === undefined) reject(new Error(`exit ${code}${err ? `: ${err.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
