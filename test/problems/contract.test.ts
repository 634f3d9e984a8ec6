// Problem files written from the contract alone (docs/problem-format.md) by someone who had not
// read pinn's code: the valid ones load, pass `pinn check` and solve; each invalid one has exactly
// one mistake, reported with its line, column and a hint.
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { checkExactSolution } from "../../src/residual/check.js";
import { solve } from "../../src/solve.js";

const DIR = fileURLToPath(new URL("../fixtures/contract/", import.meta.url));
const VALID = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
const INVALID = readdirSync(join(DIR, "invalid")).filter((f) => f.endsWith(".yaml")).sort();

// The valid files prove the contract (they load, check and train), not the accuracy: each is solved at
// a reduced budget, solve()'s `epochs` option (CONTRACT_EPOCHS Adam epochs, L-BFGS scaled by the same
// factor; src/run-overrides.ts). The default 5000-iteration L-BFGS stage is what made these slow; a
// file that trains with Adam alone (third-order: 1000 epochs on 48 points, about a second) keeps its
// own budget, which is what it needs (at 150 epochs its error is 0.49). The error is pinn's evaluation against the exact solution written in
// each file. The accuracy targets are asserted on the shipped problems (npm run accuracy).
const CONTRACT_EPOCHS = 150;
/** A sanity bound at that budget: a solution that learned nothing has an error near 1. */
const SANITY = 0.05;

describe("valid contract files", () => {
  for (const file of VALID) {
    it(`${file} loads, its exact solution checks, and it solves (reduced budget)`, async () => {
      const problem = loadProblem(join(DIR, file));
      expect(checkExactSolution(problem).ok).toBe(true);
      const hasLbfgs = problem.training.stages.some((s) => s.optimizer !== "adam"); // a refinement stage (L-BFGS or BFGS)
      const result = await solve(problem, { write: false, threads: 1, ...(hasLbfgs ? { epochs: CONTRACT_EPOCHS } : {}) });
      expect(result.train.status).toBe("completed");
      for (const [u, m] of Object.entries(result.evaluation.metrics)) expect(m.rel_l2!, `${file}: ${u}`).toBeLessThan(SANITY);
    }, 120_000);
  }
});

describe("invalid contract files", () => {
  for (const file of INVALID) {
    it(`${file} is rejected with a position and a hint`, () => {
      let error: unknown;
      try {
        loadProblem(join(DIR, "invalid", file));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProblemError);
      const issues = (error as ProblemError).issues;
      expect(issues.length).toBeGreaterThanOrEqual(1);
      expect(issues[0]!.position?.line).toBeGreaterThanOrEqual(1);
      expect(issues[0]!.hint ?? "").not.toBe("");
      expect((error as ProblemError).message).toContain(`${file}:${issues[0]!.position!.line}:`);
    });
  }
});
