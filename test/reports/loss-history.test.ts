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
