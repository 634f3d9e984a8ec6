// Every ensemble member gets a verdict (src/diagnostics/ensemble-verdicts.ts): rebuilt from its seed,
// data rows and weights, a member is diagnosed as member 0 is, and one that does not solve the
// problem is named.

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadProblem } from "../../src/problem/load.js";
import { writeDecayProblem } from "../helpers/decay-inverse.js";
import { runEnsemble } from "../../src/training/ensemble.js";
import { buildSeededModel, loadWeights } from "../../src/training/member.js";
import { diagnose } from "../../src/diagnostics/index.js";
import { withParameterValues } from "../../src/problem/parameters.js";
import { memberVerdicts, memberVerdictsSummary, memberVerdictWarnings } from "../../src/diagnostics/ensemble-verdicts.js";
import { solve } from "../../src/solve.js";


describe("ensemble members' verdicts", () => {
  it("member 0's is the solve's; each other member's is diagnose() on its own rebuilt model; a broken member is named", async () => {
    const file = writeDecayProblem(3);
    const problem = loadProblem(file);
    const e = await runEnsemble(problem, readFileSync(file, "utf8"), { threads: 1 });
    const m0 = e.members[0]!;
    const model0 = buildSeededModel(problem, m0.seed);
    loadWeights(model0, m0.weights);
    const first = diagnose(withParameterValues(problem, model0.theta?.data ?? []), model0, m0.train);
    const v = memberVerdicts(problem, e, first);
    expect(v.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(v[0]!.worst_equation_relative).toBe(first.diagnosis.worst_equation_relative);
    // Member 1 diagnosed by hand: its model from its seed and data rows (as its worker built it), its weights.
    const m1 = e.members[1]!;
    const { memberDataRows } = await import("../../src/training/ensemble.js");
    const model1 = buildSeededModel(problem, m1.seed, memberDataRows(problem, m1.seed, 1));
    loadWeights(model1, m1.weights);
    const d1 = diagnose(withParameterValues(problem, model1.theta?.data ?? []), model1, m1.train);
    expect(v[1]!.worst_condition_relative).toBe(d1.diagnosis.worst_condition_relative);
    expect(v[1]!.ok).toBe(d1.diagnosis.ok);

    // Member 2 broken: every weight 0, so u ≡ 0 (no trial form) and u(0) = 1 is missed by 1 — a
    // residual of the condition's own order (relative 1/natural size, natural size ≤ 2 here), far above
    // the verdict's 1e-2: that member fails and is named; member 0's verdict is untouched.
    const broken = { ...e, members: e.members.map((m, i) => (i === 2 ? { ...m, weights: m.weights.map((w) => new Float64Array(w.length)) } : m)) };
    const vb = memberVerdicts(problem, broken, first);
    expect(vb[2]!.ok).toBe(false);
    expect(vb[2]!.worst_condition_relative).toBeGreaterThanOrEqual(0.5);
    expect(vb[0]!.ok).toBe(first.diagnosis.ok);
    const lines = memberVerdictWarnings(vb);
    expect(lines.some((l) => l.startsWith(`warning: ensemble member 2 (seed ${e.members[2]!.seed})`))).toBe(true);
    const summary = memberVerdictsSummary(vb) as { verdicts: string[]; suspect_members: { index: number }[] };
    expect(summary.verdicts[2]).toBe("suspect");
    expect(summary.suspect_members.map((m) => m.index)).toContain(2);
  }, 120_000);

  it("solve() gives every member's verdict, member 0's being the solve's, in summary.json's ensemble entry", async () => {
    const result = await solve(loadProblem(writeDecayProblem(3)), { write: false, plots: false, threads: 1 });
    expect(result.memberVerdicts!.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(result.memberVerdicts![0]!.ok).toBe(result.diagnostics.diagnosis.ok);
    const ensemble = result.summary["ensemble"] as { verdicts: string[] };
    expect(ensemble.verdicts).toEqual(result.memberVerdicts!.map((m) => (m.ok ? "solved" : "suspect")));
  }, 120_000);
});
