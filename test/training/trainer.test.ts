// Training stops cleanly: on request (Ctrl-C) with every output still written, and on a loss that
// is no longer finite, keeping the best weights seen; stages are recorded.
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/problem/defaults.js";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";

const ode = (training: string) =>
  parseProblem(`name: t\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = cos(x)"]\nconditions: ["u(0) = 0"]\nexact: {u: "sin(x)"}\nnetwork: {hidden: [8]}\ntraining: ${training}`, "t.yaml");

describe("stopping", () => {
  it("a stop request ends training after the current iteration and the outputs are still written", async () => {
    const out = mkdtempSync(join(tmpdir(), "pinn-stop-"));
    let iterations = 0;
    const result = await solve(ode("{epochs: 1000, points: 16}"), { outDir: out, plots: false, onProgress: () => iterations++, shouldStop: () => iterations >= 25 });
    expect(result.train.status).toBe("interrupted");
    expect(result.train.epochs).toBe(25);
    for (const f of ["summary.json", "solution.csv", "model.json"]) expect(existsSync(join(out, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.train.status).toBe("interrupted");
    expect(summary.train.epochs).toBe(25);
  });

  it("a loss that becomes infinite stops training with a message and keeps the best weights seen", async () => {
    const p = parseProblem(
      `name: t\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = exp(50*u)"]\nconditions: ["u(0) = 1"]\ntraining: {optimizer: adam, epochs: 300, learning_rate: 0.5, points: 16}`,
      "t.yaml",
    );
    const result = await solve(p, { write: false });
    expect(result.train.status).toBe("non-finite");
    expect(result.train.message).toMatch(/the loss became (Infinity|NaN) at iteration \d+ \(term "u' = exp\(50\*u\)"\)/);
    expect(result.train.message).toMatch(/best weights seen/);
    expect(Number.isFinite(result.train.finalLoss)).toBe(true);
  });
});

describe("stages", () => {
  it("records each stage: optimizer, iterations, where it started, its final loss", async () => {
    const result = await solve(ode("{epochs: 40, points: 16, lbfgs_iterations: 15}"), { write: false });
    const [adam, refine] = result.train.stages;
    expect(adam).toMatchObject({ optimizer: "adam", iterations: 40, start: 0 });
    // The default refinement (lbfgs_iterations sets its length whichever optimizer it is).
    expect(refine).toMatchObject({ optimizer: DEFAULTS.training.refinement, start: 40 });
    expect(refine!.iterations).toBeLessThanOrEqual(15);
    expect(refine!.finalLoss).toBeLessThanOrEqual(adam!.finalLoss);
    expect(result.train.history.iteration.length).toBe(result.train.epochs);
  });
});
