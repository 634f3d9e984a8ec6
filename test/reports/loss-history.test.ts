import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadProblem } from "../../src/problem/load.js";
import { lossHistory } from "../../src/reports/solution-plots.js";
import type { SolveReport } from "../../src/reports/outputs.js";

// The loss plot's series: with time-marching windows, the initial condition's term holds the file's
// initial data in window 1 only (later windows match the previous window's values at their start), and
// its label says so; the other terms keep their labels. Built from the shipped convection problem's
// conditions (its initial condition u(x, 0) = sin(x), its periodic condition) with a stand-in model and
// training record: only the labels are under test.
const problem = loadProblem(fileURLToPath(new URL("../../problems/convection.yaml", import.meta.url)));

function report(windows: number): Pick<SolveReport, "problem" | "train" | "model"> {
  const sources = [problem.equations[0]!.source, ...problem.conditions.map((c) => c.source)];
  const terms = sources.map((source) => ({ label: source.text, source }));
  const train = {
    history: { iteration: [0, 1], total: [1, 0.5], terms: terms.map(() => [1, 0.5]), elapsedMs: [0, 1], parameters: [] },
    stages: [],
    windows: Array.from({ length: windows }, (_, k) => ({ from: k, to: k + 1, status: "completed", epochs: 1, seconds: 0, finalLoss: 0 })),
  };
  return { problem, train, model: { terms } } as unknown as Pick<SolveReport, "problem" | "train" | "model">;
}

describe("loss history labels", () => {
  it("marks the initial condition's term as handed on after window 1, and nothing else", () => {
    const names = lossHistory(report(11)).terms.map((t) => t.name);
    const initial = problem.conditions.find((c) => c.source.text.startsWith("u(x, 0)"))!.source.text;
    expect(names).toContain(`${initial} (window 1; windows 2–11: the previous window's values)`);
    // total, the equation, the initial condition, the periodic condition: only the third is relabelled.
    const plain = names.filter((n) => !n.includes("window"));
    expect(plain.length).toBe(names.length - 1);
  });

  it("keeps every label as written without windows (or with one)", () => {
    for (const w of [0, 1]) {
      const names = lossHistory(report(w)).terms.map((t) => t.name);
      expect(names.some((n) => n.includes("window"))).toBe(false);
    }
  });
});

describe("loss history of an escalated solve (training/escalation.ts)", () => {
  // Two stand-in trainings of the same terms: a first run of 3 iterations (Adam at 0, BFGS at 2) and a
  // retry of 2 (BFGS), kept. The joined history is written out by hand below.
  const sources = [problem.equations[0]!.source, problem.conditions[0]!.source];
  const terms = sources.map((source) => ({ label: source.text, source }));
  const first = {
    epochs: 3,
    history: { iteration: [0, 1, 2], total: [3, 2, 1], terms: [[2, 1, 0.5], [1, 1, 0.5]], elapsedMs: [], parameters: [] },
    stages: [{ optimizer: "adam", start: 0 }, { optimizer: "bfgs", start: 2 }],
  };
  const retry = {
    epochs: 2,
    history: { iteration: [0, 1], total: [9, 0.1], terms: [[8, 0.05], [1, 0.05]], elapsedMs: [], parameters: [] },
    stages: [{ optimizer: "bfgs", start: 0 }],
  };
  const escalation = { first: { points: 256 }, retry: { points: 1024 }, kept: "retry" };
  const escalated = { problem, train: retry, model: { terms }, escalation, escalationTrains: { first, retry } } as unknown as SolveReport;

  it("holds both attempts, the retry's iterations numbered on from the first's", () => {
    const h = lossHistory(escalated);
    expect(h.iteration).toEqual([0, 1, 2, 3, 4]);
    expect(h.terms).toEqual([
      { name: "total", values: [3, 2, 1, 9, 0.1] },
      { name: sources[0]!.text, values: [2, 1, 0.5, 8, 0.05] },
      { name: sources[1]!.text, values: [1, 1, 0.5, 1, 0.05] },
    ]);
    expect(h.stages).toEqual([{ name: "Adam", start: 0 }, { name: "BFGS", start: 2 }, { name: "retry: BFGS", start: 3 }]);
    expect(h.attempts).toEqual({ first: "first run: 256 points", retry: "retry: 1,024 points, RAR-D", start: 3, kept: "retry" });
  });

  it("is the kept training's alone without an escalation", () => {
    const h = lossHistory({ ...escalated, escalation: null, escalationTrains: null });
    expect(h.iteration).toEqual([0, 1]);
    expect(h.attempts).toBeUndefined();
  });
});
