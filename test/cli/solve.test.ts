// `pinn solve` end to end on tiny problems (a few dozen Adam epochs on a small network): the exit
// code, the output folder (summary.json, solution.csv, model.json, plots) and its consistency:
// metrics recomputed from the CSV, exact values recomputed here, model.json reproducing the CSV.

import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinn, type Run } from "../helpers/cli.js";
import { loadModel } from "../../src/reports/model-file.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/problem-layer/", import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;
const ROOT = mkdtempSync(join(tmpdir(), "pinn-cli-solve-"));
let runs = 0;

/** `pinn solve FILE --out <fresh dir> ...args`, capturing what it writes. */
type SolveRun = Run & { out: string };

async function solve(file: string, ...args: string[]): Promise<SolveRun> {
  const out = join(ROOT, `run${runs++}`);
  return { ...(await pinn("solve", fixture(file), "--out", out, ...args)), out };
}

afterEach(() => {
  process.exitCode = undefined;
});

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

/** Parse solution.csv into its header and numeric columns. */
function readCsv(path: string): { header: string[]; columns: Record<string, number[]>; rows: number } {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  const header = lines[0]!.split(",");
  const columns: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    expect(cells).toHaveLength(header.length);
    cells.forEach((c, i) => columns[header[i]!]!.push(Number(c)));
  }
  return { header, columns, rows: lines.length - 1 };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function expectPng(path: string): void {
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 8)], path).toEqual(PNG_SIGNATURE);
  expect(bytes.length).toBeGreaterThan(1000);
}

interface Summary {
  problem: { name: string; file: string; unknowns: string[]; equations: string[]; conditions: string[]; exact: Record<string, string> };
  settings: { network: { hidden: number[] }; training: { optimizer: { name: string; epochs: number; learning_rate: number }[]; seed: number } };
  seed: number;
  conditions: { enforced_by_trial: string[]; penalty_terms: string[] };
  train: { status: string; epochs: number; seconds: number; ms_per_epoch: number; final_loss: number; loss_terms: Record<string, number> };
  metrics: Record<string, { rel_l2: number; max_abs: number }>;
  files: string[];
}

const readSummary = (dir: string): Summary => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as Summary;

describe("pinn solve on a one-variable problem", () => {
  let run: SolveRun;
  it("exits 1 (a few epochs: suspect) and, with --quiet, prints only the verdict's warnings", async () => {
    run = await solve("ode-tiny.yaml", "--epochs", "30", "--quiet");
    expect(run.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics)
    expect(run.stdout).toBe("");
    // --quiet never hides a wrong answer: only warning: lines, ending with the verdict's.
    expect(run.stderr).toMatch(/^(warning: [^\n]*\n)+$/);
    expect(run.stderr).toMatch(/warning: this result does not solve the problem \(exit 1\)[^\n]*\n$/);
  });

  it("writes summary.json, solution.csv, model.json, loss.png and the solution plots", () => {
    const files = readdirSync(run.out).sort();
    expect(files).toEqual(["loss.png", "model.json", "residuals.png", "solution.csv", "summary.json", "u.png", "u_error.png"]);
    for (const png of files.filter((f) => f.endsWith(".png"))) expectPng(join(run.out, png));
  });

  it("summary.json: problem, settings, seed, training and metrics", () => {
    const s = readSummary(run.out);
    expect(s.problem).toMatchObject({ name: "ode-tiny", file: fixture("ode-tiny.yaml"), unknowns: ["u"], equations: ["u' = 2*x"], conditions: ["u(0) = 1"], exact: { u: "x^2 + 1" } });
    expect(s.settings.network.hidden).toEqual([8]);
    expect(s.settings.training.optimizer).toEqual([expect.objectContaining({ name: "adam", epochs: 30, learning_rate: 0.01 })]);
    expect(s.seed).toBe(3);
    expect(s.settings.training.seed).toBe(3);
    expect(s.train.status).toBe("completed");
    expect(s.train.epochs).toBe(30);
    expect(s.train.seconds).toBeGreaterThan(0);
    expect(s.train.ms_per_epoch).toBeCloseTo((1000 * s.train.seconds) / 30, 2);
    expect(Number.isFinite(s.train.final_loss)).toBe(true);
    expect(Object.keys(s.train.loss_terms)).toEqual(["u' = 2*x", "u(0) = 1"]);
    for (const v of Object.values(s.train.loss_terms)) expect(v).toBeGreaterThanOrEqual(0);
    expect(Object.keys(s.metrics)).toEqual(["u"]);
    expect(s.files.sort()).toEqual(readdirSync(run.out).sort());
  });

  it("solution.csv: one row per grid point, exact values and errors consistent with the metrics", () => {
    const csv = readCsv(join(run.out, "solution.csv"));
    expect(csv.header).toEqual(["x", "u", "u_exact", "u_error"]);
    expect(csv.rows).toBe(11); // evaluate.points
    const { x, u, u_exact: exact, u_error: error } = csv.columns as Record<string, number[]>;
    x!.forEach((xi, i) => expect(xi).toBeCloseTo(-1 + 0.2 * i, 14));
    exact!.forEach((v, i) => expect(v).toBeCloseTo(x![i]! ** 2 + 1, 14));
    error!.forEach((v, i) => expect(v).toBe(u![i]! - exact![i]!));
    // Relative L2 and max abs error recomputed from the CSV.
    const err2 = error!.reduce((s, e) => s + e * e, 0);
    const ref2 = exact!.reduce((s, v) => s + v * v, 0);
    const { rel_l2, max_abs } = readSummary(run.out).metrics.u!;
    expect(rel_l2).toBeCloseTo(Math.sqrt(err2 / ref2), 14);
    expect(max_abs).toBe(Math.max(...error!.map(Math.abs)));
  });

  it("model.json reloads with loadModel and reproduces the CSV's predictions", () => {
    const model = loadModel(join(run.out, "model.json"));
    expect(model.file.variables).toEqual(["x"]);
    expect(model.file.unknowns).toEqual(["u"]);
    const { x, u } = readCsv(join(run.out, "solution.csv")).columns as Record<string, number[]>;
    const predicted = model.evaluate(x!.map((v) => [v])).u!;
    predicted.forEach((p, i) => expect(Math.abs(p - u![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(u![i]!))));
  });
});

describe("pinn solve options", () => {
  it("--json prints the summary as valid JSON (the same as summary.json)", async () => {
    const r = await solve("ode-tiny.yaml", "--epochs", "20", "--json", "--no-plots");
    expect(r.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics);
    const printed = JSON.parse(r.stdout) as Summary;
    expect(printed).toEqual(readSummary(r.out));
    expect(printed.train.epochs).toBe(20);
  });

  it("--no-plots writes no PNG", async () => {
    const r = await solve("ode-tiny.yaml", "--epochs", "5", "--no-plots", "--quiet");
    expect(r.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics);
    const files = readdirSync(r.out);
    expect(files.filter((f) => f.endsWith(".png"))).toEqual([]);
    expect(files.sort()).toEqual(["model.json", "solution.csv", "summary.json"]);
    expect(readSummary(r.out).files.some((f) => f.endsWith(".png"))).toBe(false);
  });

  it("--seed, --lr and --points override the file; the same seed gives the same result", async () => {
    const a = await solve("ode-tiny.yaml", "--epochs", "10", "--seed", "7", "--lr", "0.05", "--points", "8", "--no-plots", "--quiet");
    const b = await solve("ode-tiny.yaml", "--epochs", "10", "--seed", "7", "--lr", "0.05", "--points", "8", "--no-plots", "--quiet");
    expect([a.code, b.code]).toEqual([1, 1]); // suspect after 10 epochs (the verdict);
    const s = readSummary(a.out);
    expect(s.seed).toBe(7);
    expect(s.settings.training.optimizer[0]!.learning_rate).toBe(0.05);
    expect((s.settings.training as unknown as { points: number }).points).toBe(8);
    expect(readFileSync(join(a.out, "solution.csv"), "utf8")).toBe(readFileSync(join(b.out, "solution.csv"), "utf8"));
  });

  it("without --quiet it reports the model, the training and the outputs on stdout", async () => {
    const r = await solve("ode-tiny.yaml", "--epochs", "5", "--no-plots");
    expect(r.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics);
    expect(r.stdout).toContain("ode-tiny");
    expect(r.stdout).toContain("penalty term: u(0) = 1");
    expect(r.stdout).toMatch(/trained 5 iterations in [\d.]+ s/);
    expect(r.stdout).toMatch(/u: relative L2 error \d\.\d{3}e[+-]\d+, max abs error/);
    expect(r.stdout).toContain("outputs in");
  });

  it("a bad file writes nothing", async () => {
    const r = await solve("ode-bad.yaml", "--quiet");
    expect(r.code).toBe(2);
    expect(existsSync(r.out)).toBe(false);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("an unusable output folder", () => {
  // An --out path that cannot be created (here: below a regular file) is bad input: exit 2 with
  // a message naming the folder, before any training.
  it("is reported as bad input, not as an internal error", async () => {
    const blocker = join(ROOT, "a-file");
    writeFileSync(blocker, "not a folder");
    const { code, stderr } = await pinn("solve", fixture("ode-tiny.yaml"), "--epochs", "2", "--quiet", "--out", join(blocker, "sub"));
    expect(stderr).not.toContain("internal error");
    expect(stderr).toContain(join(blocker, "sub"));
    expect(code).toBe(2);
  });
});

describe("pinn solve with a trial form", () => {
  it("enforces the condition exactly, and model.json carries the trial form", async () => {
    const r = await solve("ode-trial.yaml", "--epochs", "20", "--no-plots", "--quiet");
    expect(r.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics);
    const s = readSummary(r.out);
    expect(s.conditions.enforced_by_trial).toEqual(["u(0) = u0"]);
    expect(s.conditions.penalty_terms).toEqual([]);
    expect(Object.keys(s.train.loss_terms)).toEqual(["u' = 2*x"]);
    const { x, u } = readCsv(join(r.out, "solution.csv")).columns as Record<string, number[]>;
    // u = u0 + x·N is exactly u0 = 1 at x = 0, whatever the network.
    const zero = x!.findIndex((v) => v === 0);
    expect(zero).toBe(5);
    expect(u![zero]).toBe(1);
    const model = loadModel(join(r.out, "model.json"));
    expect(model.file.trial.u).toMatch(/N/);
    const predicted = model.evaluate(Float64Array.from(x!)).u!;
    predicted.forEach((p, i) => expect(Math.abs(p - u![i]!)).toBeLessThanOrEqual(1e-12));
  });
});

describe("pinn solve on a space-time problem", () => {
  it("writes heat maps and snapshots, and a CSV row per grid point", async () => {
    const r = await solve("heat-tiny.yaml", "--epochs", "10", "--quiet");
    expect(r.code).toBe(1); // a few epochs: the verdict calls the result suspect (test/diagnostics);
    const files = readdirSync(r.out).sort();
    expect(files).toEqual(["loss.png", "model.json", "residuals.png", "solution.csv", "summary.json", "u_heatmap.png", "u_snapshots.png"]);
    for (const png of files.filter((f) => f.endsWith(".png"))) expectPng(join(r.out, png));
    const csv = readCsv(join(r.out, "solution.csv"));
    expect(csv.header).toEqual(["x", "t", "u", "u_exact", "u_error"]);
    expect(csv.rows).toBe(36);
    const { x, t, u, u_exact: exact } = csv.columns as Record<string, number[]>;
    exact!.forEach((v, i) => expect(v).toBeCloseTo(Math.exp(-(Math.PI ** 2) * t![i]!) * Math.sin(Math.PI * x![i]!), 13));
    const model = loadModel(join(r.out, "model.json"));
    const predicted = model.evaluate(x!.map((xi, i) => [xi, t![i]!])).u!;
    predicted.forEach((p, i) => expect(Math.abs(p - u![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(u![i]!))));
    expect(Object.keys(readSummary(r.out).train.loss_terms)).toEqual(["u_t = u_xx", "u(x, 0) = sin(pi*x)", "u(0, t) = 0", "u(1, t) = 0"]);
  });
});
