// The new-user items of issue 8: `--epochs N` is a quick run (L-BFGS scaled too); the library's
// solve(problem, options) honours {epochs, seed, out} and rejects unknown options; --quiet still
// prints errors; the progress line fits 80 columns with the time left in view; --verbose names the
// kernels; generated trial forms print tidied; 3-D slices at interior values, named by value.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pinn } from "../helpers/cli.js";
import { scaleStages } from "../../src/run-overrides.js";
import { parseProblem, loadProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";
import { ensembleLine, progressLine } from "../../src/cli/progress.js";
import { displayExpression, fractionOf } from "../../src/cli/display-expression.js";
import { hardConstraintLines } from "../../src/cli/describe.js";
import { sliceIndices } from "../../src/reports/solution-plots.js";
import type { StageSettings } from "../../src/problem/types.js";

const ROOT = mkdtempSync(join(tmpdir(), "pinn-quick-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

const adam = (epochs: number): StageSettings => ({ optimizer: "adam", epochs, learningRate: 1e-3, schedule: { type: "constant" } });
const lbfgs = (iterations: number): StageSettings => ({ optimizer: "lbfgs", iterations, learningRate: 1, historySize: 50 });
const ODE = (training: string): string =>
  `name: q\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = cos(x)"]\nconditions: ["u(0) = 0"]\nexact: {u: "sin(x)"}\nnetwork: {hidden: [6]}\ntraining: ${training}\nevaluate: {points: 11}\n`;

describe("--epochs N: a quick run", () => {
  it("scales L-BFGS stages by the Adam factor, never lengthens them, and sets them to N without Adam", () => {
    // The defaults: Adam 2000 then L-BFGS 5000; --epochs 10 is 1/200 of the Adam stage → 25 L-BFGS iterations.
    expect(scaleStages([adam(2000), lbfgs(5000)], 10)).toEqual([adam(10), lbfgs(25)]);
    expect(scaleStages([adam(2000), lbfgs(5000)], 1)).toEqual([adam(1), lbfgs(3)]); // round(2.5) = 3
    expect(scaleStages([adam(100), lbfgs(50)], 1000)).toEqual([adam(1000), lbfgs(50)]);
    expect(scaleStages([adam(100), lbfgs(10)], 1)).toEqual([adam(1), lbfgs(1)]);
    expect(scaleStages([lbfgs(500), lbfgs(300)], 7)).toEqual([lbfgs(7), lbfgs(7)]);
  });

  it("pinn solve --epochs 4 on Adam 2000 + L-BFGS 5000 trains 4 + 10 iterations", async () => {
    const path = join(ROOT, "both.yaml");
    writeFileSync(path, ODE("{optimizer: [adam, lbfgs], epochs: 2000, lbfgs_iterations: 5000, points: 16}"));
    const out = join(ROOT, "both");
    const run = await pinn("solve", path, "--epochs", "4", "--out", out, "--quiet", "--no-plots");
    // 14 iterations do not solve the ODE: the verdict says so (exit 1); the run itself completed.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^warning: /m);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(s.settings.training.optimizer.map((o: { epochs?: number; iterations?: number }) => o.epochs ?? o.iterations)).toEqual([4, 10]);
    expect(s.train.stages[0].iterations).toBe(4);
    expect(s.train.stages[1].iterations).toBeLessThanOrEqual(10);
  });
});

describe("solve(problem, options) as a library", () => {
  it("honours epochs, seed and out", async () => {
    const out = join(ROOT, "lib");
    const r = await solve(parseProblem(ODE("{optimizer: adam, epochs: 500, points: 16, seed: 1}"), "q.yaml"), { epochs: 7, seed: 42, out, plots: false });
    expect(r.train.epochs).toBe(7);
    expect(r.problem.training.seed).toBe(42);
    expect(r.outDir).toBe(out);
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).seed).toBe(42);
    // The same seed given in the file gives the same numbers: the override is the seed, nothing else.
    const same = await solve(parseProblem(ODE("{optimizer: adam, epochs: 7, points: 16, seed: 42}"), "q.yaml"), { write: false });
    expect(same.train.finalLoss).toBe(r.train.finalLoss);
  });

  it("rejects unknown or invalid options with a message naming them", async () => {
    const p = parseProblem(ODE("{optimizer: adam, epochs: 5, points: 16}"), "q.yaml");
    await expect(solve(p, { epoch: 3 } as never)).rejects.toThrow(/solve: unknown option "epoch"/);
    await expect(solve(p, { epochs: 0, write: false })).rejects.toThrow(/epochs must be a whole number ≥ 1, not 0/);
    await expect(solve(p, { seed: 1.5, write: false })).rejects.toThrow(/seed must be a whole number/);
  });
});

describe("--quiet", () => {
  it("prints no report but still prints the error line", async () => {
    const path = join(ROOT, "bad.yaml");
    writeFileSync(path, ODE("{epochs: many}"));
    const run = await pinn("solve", path, "--quiet", "--out", join(ROOT, "bad"));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: error: /);
  });
});

describe("the progress line", () => {
  it("fits 80 columns with many long terms, the time left always in view", () => {
    const terms: [string, string][] = Array.from({ length: 6 }, (_, i) => [`u_tt - c^2*u_xx - sin(x)*${i}`, "1.23e-4"]);
    const line = progressLine({ optimizer: "lbfgs", value: 12345, total: 50000, etaSeconds: 3725, loss: "1.234e-3", terms }, 80);
    expect(line.length).toBeLessThan(80);
    expect(line).toContain("ETA 1h02m");
    expect(line).toMatch(/\+5$/); // the terms left out are counted
    expect(line).toMatch(/\| u_tt - c\^?… 1\.23e-4 \+5$/); // one term, shortened, fits in 80 columns
    const wide = progressLine({ optimizer: "adam", value: 1, total: 10, etaSeconds: 5, loss: "1e0", terms: terms.slice(0, 2) }, 200);
    expect(wide).toContain("u_tt - c^2*u_xx -…");
    expect(wide.length).toBeLessThan(200);
  });
});

describe("the ensemble's progress line", () => {
  it("counts the members done and the iterations of all members, within the terminal's width", () => {
    const line = ensembleLine({ membersDone: 1, members: 4, value: 9600, total: 28000, etaSeconds: 370 }, 100);
    // 9600 of 28000 is 34%: 7 of 20 cells filled.
    expect(line).toBe(`Ensemble ${"█".repeat(7)}${"░".repeat(13)} 1/4 members done | 9600/28000 iterations ETA 6m10s`);
    expect(ensembleLine({ membersDone: 1, members: 4, value: 9600, total: 28000, etaSeconds: 370 }, 50).length).toBeLessThan(50);
  });
});

describe("--verbose", () => {
  it("names the kernels in use", async () => {
    const path = join(ROOT, "v.yaml");
    writeFileSync(path, ODE("{optimizer: adam, epochs: 2, points: 16}"));
    const run = await pinn("solve", path, "--verbose", "--out", join(ROOT, "v"), "--no-plots");
    expect(run.stdout).toMatch(/kernels: matrix products (WebAssembly SIMD|JavaScript fallback); activations .*; Taylor jets /);
  });
});

describe("generated trial forms", () => {
  it("fractionOf gives the exact fraction only", () => {
    expect(fractionOf(1 / 3)).toEqual([1, 3]);
    expect(fractionOf(4 / 9)).toEqual([4, 9]);
    expect(fractionOf(0.1)).toEqual([1, 10]);
    expect(fractionOf(Math.PI)).toBeNull();
    expect(fractionOf(2)).toBeNull();
  });

  it("print as a person would write them, with the same value", () => {
    const p = parseProblem(
      `name: h\ndomain: {x: [-1, 2], t: [0, 3]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = sin(pi*x)", "u(-1, t) = 0", "u(2, t) = 0"]\nconstraints: hard\n`,
      "h.yaml",
    );
    const line = hardConstraintLines(p, () => true).find((l) => l.includes("trial form for u"))!;
    expect(line).not.toMatch(/- -|\d\.\d{6,}/);
    // 4/(3·3) · (2 − x)(x + 1) · t/3: the constants gathered into one exact fraction, π as pi.
    // (The factors' order follows the symbolic nodes' creation order.)
    expect(line).toMatch(/ \+ 4(\*(N|t|\(2 - x\)|\(x \+ 1\))){4}\/27$/);
    expect(line).toContain("sin(pi*x)");
    // The tidied text parses back to the same function: evaluate both with N = 1 at a few points.
    const shown = displayExpression(p.trial[0]!.expr, p);
    const f = (src: string) => new Function("x", "t", "N", "sin", "pi", `return ${src.replaceAll("^", "**")};`) as (x: number, t: number, n: number, sin: (v: number) => number, pi: number) => number;
    for (const [x, t] of [[0.3, 0.7], [-0.5, 2.9], [1.9, 0.1]] as const) {
      expect(f(shown)(x, t, 1.7, Math.sin, Math.PI)).toBeCloseTo(f(p.trial[0]!.source.text)(x, t, 1.7, Math.sin, Math.PI), 12);
    }
  });
});

describe("3-D problems", () => {
  it("slice indices are interior, near 1/4, 1/2, 3/4", () => {
    expect(sliceIndices(41)).toEqual([10, 20, 30]);
    expect(sliceIndices(9)).toEqual([2, 4, 6]);
    expect(sliceIndices(3)).toEqual([1]);
    expect(sliceIndices(2)).toEqual([0, 1]);
  });

  it("heat maps at interior values of the third variable, files named by value", async () => {
    const fixture = fileURLToPath(new URL("../fixtures/contract/xyt-few-points.yaml", import.meta.url));
    const problem = loadProblem(fixture);
    const out = join(ROOT, "xyt");
    await solve(problem, { out, epochs: 2 });
    // t ∈ [0, 0.5] with 9 points: t_j = j/16; j = 2, 4, 6 → 0.125, 0.25, 0.375 (not 0 and 0.5).
    expect(readdirSync(out).filter((f) => f.startsWith("u_heatmap")).sort()).toEqual(["u_heatmap_t=0.125.png", "u_heatmap_t=0.25.png", "u_heatmap_t=0.375.png"]);
  });
});
