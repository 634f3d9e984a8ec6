// Ensembles: the same seed gives the same members whatever the number of worker threads, member 0
// is the ordinary run, and the statistics are those of the members' values.

import { describe, expect, it } from "vitest";
import { loadProblem } from "../../src/problem/load.js";
import { writeDecayProblem } from "../helpers/decay-inverse.js";
import { runEnsemble, spread, t975, type EnsembleProgress } from "../../src/training/ensemble.js";
import { trainMember } from "../../src/training/member.js";
import { solve } from "../../src/solve.js";


describe("ensembles", () => {
  it("gives the same numbers with one thread and with two", async () => {
    const file = writeDecayProblem(3);
    const problem = loadProblem(file);
    const text = (await import("node:fs")).readFileSync(file, "utf8");
    const one = await runEnsemble(problem, text, { threads: 1 });
    const seen: EnsembleProgress[] = [];
    const two = await runEnsemble(problem, text, { threads: 2, onProgress: (p) => seen.push(p) });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(one.members.map((m) => m.estimates)).toEqual(two.members.map((m) => m.estimates));
    expect(one.members.map((m) => Array.from(m.predicted[0]!))).toEqual(two.members.map((m) => Array.from(m.predicted[0]!)));
    // Members differ from one another (own seeds, bootstrap resamples).
    const estimates = one.members.map((m) => m.estimates[0]!);
    expect(new Set(estimates).size).toBe(3);
    // Member 0 is the ordinary run: trained in this thread, it gives the same numbers.
    const first = await trainMember({ text, file, training: problem.training, network: problem.network, evaluate: problem.evaluate, index: 0 });
    expect(first.estimates).toEqual(one.members[0]!.estimates);
    // The statistics are those of the members' values (computed here directly).
    const mean = estimates.reduce((a, v) => a + v, 0) / 3;
    const std = Math.sqrt(estimates.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
    expect(one.parameters[0]!.mean).toBeCloseTo(mean, 14);
    expect(one.parameters[0]!.std).toBeCloseTo(std, 14);
    expect(one.parameters[0]!.interval[1] - mean).toBeCloseTo(4.303 * std, 12);
    // Progress: each member plans 30 Adam epochs and 10 L-BFGS iterations (the file's stages), 3 × 40 in all.
    expect(seen.every((p) => p.members === 3 && p.totalIterations === 120)).toBe(true);
    expect(seen[0]).toMatchObject({ membersDone: 0, iterations: 0 });
    expect(seen.at(-1)).toMatchObject({ membersDone: 3, iterations: 120 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.iterations).toBeGreaterThanOrEqual(seen[i - 1]!.iterations);
    expect(one.stopped).toBe(false);
  }, 120_000);

  it("solve(): a stop once the members train keeps member 0's training so far and reports no statistics", async () => {
    const file = writeDecayProblem(3, "[{adam: {epochs: 1000000, learning_rate: 0.01}}]");
    let stop = false;
    const result = await solve(loadProblem(file), {
      write: false,
      threads: 2,
      shouldStop: () => stop,
      // Stop once some member has trained (what Ctrl-C does through the command's signal handler).
      onEnsembleProgress: (p) => void (p.iterations > 0 && (stop = true)),
    });
    expect(result.ensemble?.stopped).toBe(true);
    expect(result.ensemble?.planned).toBe(3);
    // Members 0 and 1 ran (two threads) and stopped; member 2 was never started.
    expect(result.ensemble?.members.filter((m) => m.train.status === "completed")).toHaveLength(0);
    expect(result.train.status).toBe("interrupted");
    expect(result.train.epochs).toBeGreaterThan(0);
    expect(result.aborted).toBe(false);
    // Neither running member completed: the summary has no ensemble statistics.
    expect(result.summary.ensemble).toBeUndefined();
  }, 120_000);

  it("uses Student's t for the 95% interval", () => {
    // t(0.975) for 1, 4 and 29 degrees of freedom, from statistical tables; 1.96 beyond 30.
    expect(t975(1)).toBe(12.706);
    expect(t975(4)).toBe(2.776);
    expect(t975(29)).toBe(2.045);
    expect(t975(100)).toBe(1.96);
    const s = spread([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.std).toBe(1);
    expect(s.interval).toEqual([2 - 4.303, 2 + 4.303]);
  });
});
