// Writing after training: model.json is written first; a file that cannot be written (full disk,
// read-only file system) is named with the reason, the others are still written, and the run exits
// 1; a model.json that cannot be written goes to the system's temporary folder instead; an unknown
// with a very long name gives shortened plot names rather than ENAMETOOLONG.
import * as fs from "node:fs";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { pinn } from "../helpers/cli.js";
import { safeFileName } from "../../src/reports/outputs.js";

// Spy-able fs (real behaviour unless a test says otherwise).
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return { ...actual, openSync: vi.fn(actual.openSync) };
});

const ROOT = mkdtempSync(join(tmpdir(), "pinn-writes-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
afterEach(() => {
  vi.mocked(fs.openSync).mockReset();
  process.exitCode = undefined;
});

const PROBLEM = `name: w\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = cos(x)"]\nconditions: ["u(0) = 0"]\nexact: {u: "sin(x)"}\nnetwork: {hidden: [6]}\ntraining: {optimizer: adam, epochs: 10, points: 16}\nevaluate: {points: 11}\n`;

function file(text: string): string {
  const path = join(ROOT, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Make the atomic writes of files whose name matches `names` under `under` fail with `code`. */
async function failWrites(under: string, names: RegExp, code: string): Promise<void> {
  const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
  vi.mocked(fs.openSync).mockImplementation(((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    const p = String(path);
    if (p.startsWith(under) && p.endsWith(".tmp") && names.test(p)) throw Object.assign(new Error(`${code}: write`), { code });
    return actual.openSync(path, flags ?? "r", mode);
  }) as typeof fs.openSync);
}

describe("a full disk after training", () => {
  it("model.json and summary.json written; each failed file named with the reason; exit 1", async () => {
    const out = join(ROOT, "full");
    await failWrites(ROOT, /\/\.(solution\.csv|[^/]*\.png)\./, "ENOSPC");
    const run = await pinn("solve", file(PROBLEM), "--out", out, "--quiet");
    expect(run.code).toBe(1);
    for (const f of ["solution.csv", "loss.png", "u.png", "u_error.png", "residuals.png"]) expect(run.stderr).toContain(`pinn: could not write ${f}: no space left on the device (ENOSPC)`);
    expect(run.stderr).toMatch(/the other outputs are in .*full\/: model\.json, summary\.json/);
    expect(run.stderr).not.toContain("internal error");
    expect(readdirSync(out).sort()).toEqual(["model.json", "summary.json"]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.files).toEqual(["model.json", "summary.json"]);
    expect(summary.write_errors.map((e: { file: string }) => e.file)).toEqual(["solution.csv", "loss.png", "u.png", "u_error.png", "residuals.png"]);
  });

  it("a model.json that cannot be written in the folder is saved under the temporary folder, and the run says where", async () => {
    const out = join(ROOT, "readonly");
    await failWrites(join(ROOT, ".readonly."), /./, "EROFS"); // the staging folder beside the target
    const run = await pinn("solve", file(PROBLEM), "--out", out, "--quiet", "--no-plots");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("pinn: could not write model.json: the file system is read-only (EROFS)");
    const saved = /the trained model was saved to (\S+model\.json) instead/.exec(run.stderr)?.[1];
    expect(saved).toBeDefined();
    expect(existsSync(saved!)).toBe(true);
    expect(JSON.parse(readFileSync(saved!, "utf8")).format).toBe("pinn-model");
    rmSync(join(saved!, ".."), { recursive: true, force: true });
  });
});

describe("long unknown names", () => {
  it("safeFileName keeps names up to 200 bytes and shortens longer ones, keeping the extension, distinct per name", () => {
    expect(safeFileName("u_heatmap.png")).toBe("u_heatmap.png");
    const a = safeFileName(`${"a".repeat(230)}_heatmap.png`);
    const b = safeFileName(`${"a".repeat(231)}_heatmap.png`);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(200);
    expect(a.endsWith(".png")).toBe(true);
    expect(a).not.toBe(b);
  });

  it("an unknown of 220 characters: every output written under shortened names, exit 0", async () => {
    const name = `u${"x".repeat(219)}`;
    const out = join(ROOT, "long");
    const long = `name: w\ndomain: {x: [0, 1]}\nunknowns: [${name}]\nequations: ["d(${name}, x) = cos(x)"]\nconditions: ["${name}(0) = 0"]\nexact: {${name}: "sin(x)"}\nnetwork: {hidden: [6]}\ntraining: {optimizer: adam, epochs: 10, points: 16}\nevaluate: {points: 11}\n`;
    const run = await pinn("solve", file(long), "--out", out, "--quiet");
    // Ten Adam epochs leave the equation unsolved, so the verdict warns and exits 1; no write failed.
    expect(run.stderr).not.toMatch(/could not write|internal error|ENAMETOOLONG/);
    expect(run.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning: "))).toEqual([]);
    expect(run.code).toBe(1);
    const files = readdirSync(out);
    expect(files).toContain("summary.json");
    expect(files).toContain("model.json");
    expect(files.filter((f) => f.endsWith(".png"))).toHaveLength(4); // loss, solution, error, residuals
    for (const f of files) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(200);
  });
});
