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

describe("valid contract files", () => {
  for (const file of VALID) {
    it(`${file} loads, its exact solution checks, and it solves`, async () => {
      const problem = loadProblem(join(DIR, file));
      expect(checkExactSolution(problem).ok).toBe(true);
      const result = await solve(problem, { write: false });
      expect(result.train.status).toBe("completed");
      // A sanity bound: these files use their own (often small) budgets; the accuracy targets
      // are asserted on the shipped problems.
      for (const m of Object.values(result.evaluation.metrics)) expect(m.rel_l2!).toBeLessThan(0.05);
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
