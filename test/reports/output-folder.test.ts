// The output folder holds one run's outputs as a consistent set: staged beside the target and
// swapped in whole; /proc paths fail at once; a folder holding other files is never replaced;
// staging folders of dead runs are removed; concurrent runs into one folder each leave a complete set.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputFolderError, OutputStaging } from "../../src/reports/output-folder.js";
import { parseProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";
import { loadModel } from "../../src/reports/model-file.js";

const ROOT = mkdtempSync(join(tmpdir(), "pinn-outdir-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

describe("OutputStaging", () => {
  it("a /proc path fails at once with a clear error (recursive mkdir used to spin there)", () => {
    if (!existsSync("/proc/self")) return;
    const t0 = performance.now();
    for (const path of ["/proc/self/x", "/proc/self/x/y/z"]) {
      expect(() => OutputStaging.begin(path)).toThrow(OutputFolderError);
      expect(() => OutputStaging.begin(path)).toThrow(/cannot write the outputs to \/proc\/self\/x/);
    }
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("below a file: an error naming the path", () => {
    const file = join(ROOT, "a-file");
    writeFileSync(file, "x");
    expect(() => OutputStaging.begin(join(file, "sub"))).toThrow(/a part of the path is a file, not a folder/);
  });

  it("a folder holding files pinn did not write is refused, and left alone", () => {
    const dir = join(ROOT, "mine");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "keep me");
    writeFileSync(join(dir, "summary.json"), "{}");
    expect(() => OutputStaging.begin(dir)).toThrow(/holds files pinn did not write \(notes\.txt\)/);
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "summary.json"]);
  });

  it("nothing reaches the target before commit; commit replaces the whole set, old files and stale .tmp files included", () => {
    const dir = join(ROOT, "set");
    mkdirSync(dir);
    for (const f of ["summary.json", "model.json", "old_heatmap.png", ".model.json.123.abc.tmp"]) writeFileSync(join(dir, f), "old");
    const s = OutputStaging.begin(dir);
    writeFileSync(join(s.dir, "model.json"), "new");
    expect(readFileSync(join(dir, "model.json"), "utf8")).toBe("old");
    expect(s.commit()).toBe(dir);
    expect(readdirSync(dir)).toEqual(["model.json"]);
    expect(readFileSync(join(dir, "model.json"), "utf8")).toBe("new");
    expect(readdirSync(ROOT).filter((f) => f.startsWith(".set."))).toEqual([]);
  });

  it("a run that stops before committing (killed, aborted) leaves the target as it was", () => {
    const dir = join(ROOT, "kept");
    mkdirSync(dir);
    writeFileSync(join(dir, "summary.json"), "old");
    const s = OutputStaging.begin(dir);
    writeFileSync(join(s.dir, "model.json"), "new");
    s.discard();
    expect(readdirSync(dir)).toEqual(["summary.json"]);
    expect(existsSync(s.dir)).toBe(false);
  });

  it("staging folders of runs whose process is gone are removed; those of live processes are kept", () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const stale = join(ROOT, `.swept.pinn-${dead}-abc123`);
    const live = join(ROOT, `.swept.pinn-${process.ppid}-def456`);
    mkdirSync(stale);
    mkdirSync(live);
    writeFileSync(join(stale, "model.json"), "half");
    const s = OutputStaging.begin(join(ROOT, "swept"));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    s.discard();
    rmSync(live, { recursive: true });
  });
});

describe("two solves into the same folder", () => {
  it("each run's outputs form a consistent set: the folder holds exactly one run's files", async () => {
    const out = join(ROOT, "shared");
    const text = (seed: number): string =>
      `name: c\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = cos(x)"]\nconditions: ["u(0) = 0"]\nexact: {u: "sin(x)"}\nnetwork: {hidden: [6]}\ntraining: {optimizer: adam, epochs: 40, points: 16, seed: ${seed}}\nevaluate: {points: 11}\n`;
    // Interleaved in one process: both train at once (the trainer yields to the event loop).
    const [a, b] = await Promise.all([solve(parseProblem(text(1), "a.yaml"), { out, plots: false }), solve(parseProblem(text(2), "b.yaml"), { out, plots: false })]);
    expect(a.outDir).toBe(out);
    expect(b.outDir).toBe(out);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(readdirSync(out).sort()).toEqual([...summary.files].sort());
    // model.json reproduces solution.csv's predictions: the same run wrote both.
    const rows = readFileSync(join(out, "solution.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    const model = loadModel(join(out, "model.json"));
    const predicted = model.evaluate(rows.map((r) => [r[0]!])).u!;
    rows.forEach((r, i) => expect(predicted[i]!).toBeCloseTo(r[1]!, 12));
    // And the summary is that run's (its seed).
    const winner = summary.seed === 1 ? a : b;
    expect(summary.train.final_loss).toBe(winner.train.finalLoss);
    expect(readdirSync(ROOT).filter((f) => f.startsWith(".shared."))).toEqual([]);
  });
});
