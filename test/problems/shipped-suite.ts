// Every shipped problem (every problems/**/*.yaml present when the test runs, so new ones are covered
// without editing this file) loads, its exact solution satisfies the problem (pinn check), and it is
// solved at a REDUCED budget with a bound that still proves the solver works on it. The accuracy
// targets at full settings (1e-4 / 1e-3 and the issues' own targets) are asserted by `npm run accuracy`
// (scripts/accuracy.mjs, its TARGETS table), not here: at full settings this file alone would take
// far longer than the test budget (README, "Accuracy of the shipped problems").
//
// The error is computed by pinn's evaluation against the exact solution written in the problem file
// (or against its reference data, e.g. burgers) — an independent formula, not the network's output.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadProblem } from "../../src/problem/load.js";
import { checkExactSolution } from "../../src/residual/check.js";
import { solve } from "../../src/solve.js";
import { diagnosticsSummary } from "../../src/diagnostics/index.js";

const DIR = fileURLToPath(new URL("../../problems/", import.meta.url));
/** Paths relative to problems/, without ".yaml": "ode1", "inverse/heat", … */
const NAMES = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.replace(/\\/g, "/").replace(/\.yaml$/, ""))
  .sort();

/** The full-settings targets that differ from the default (npm run accuracy asserts them; here they only label the tests). */
const TARGETS = (JSON.parse(readFileSync(join(DIR, "targets.json"), "utf8")) as { targets: Record<string, number> }).targets;

interface Reduced {
  /** solve()'s `epochs` option: every Adam stage runs this many epochs, L-BFGS scaled alike (src/run-overrides.ts). */
  epochs: number;
  /** Collocation points instead of the file's, when given. */
  points?: number;
  /**
   * Largest relative L2 error (each unknown) at this budget; "truthful" for a problem no short run
   * solves: then the default rule below (verdict consistent with the error), its target being proven
   * only at full settings by npm run accuracy.
   */
  bound: number | "truthful";
}

// Reduced budgets and their bounds. Measured on 2026-11-26 by solving each file with
// solve(problem, { write: false, epochs, points }) at seed 0 (the file's) and reading
// evaluation.metrics.<u>.rel_l2; each bound is about 10× the measured error (measured error in the
// comment), so it survives floating-point differences between machines while staying far below what
// an untrained or wrong solution gives (≈ 1). Times in the comments were measured with a load average
// of 13–19 on the 2-core machine (several times a quiet machine's). Full-settings targets: npm run accuracy.
const REDUCED: Record<string, Reduced> = {
  // Burgers (ν = 0.01/π, shock at x = 0) under the refinement budget of RAR-D (training/budget.ts:
  // 3×20, 2,000 points; 200 epochs scale its 15,000 BFGS iterations to 1,500): 1.5e-3 (23 s of CPU,
  // load 15; stop 18) — too slow for this suite's 180 s timeout on a loaded machine (it timed out at
  // load 15), so it stays held to the verdict's promise within the 15 s cap. Its 1e-4 target against
  // the reference needs the full budget (npm run accuracy).
  burgers: { epochs: 200, bound: "truthful" }, // 1.5e-3 when run to the end, 23 s CPU
  beam: { epochs: 200, bound: 5e-5 }, // 4.4e-6, 3.2 s
  "bvp-dirichlet": { epochs: 200, bound: 1.5e-4 }, // 1.3e-5, 7.3 s
  "bvp-robin": { epochs: 200, bound: 1e-4 }, // 9.5e-6, 2.0 s
  heat1d: { epochs: 200, bound: 2e-3 }, // 2.0e-4, 7.5 s
  ivp2: { epochs: 200, bound: 1.5e-3 }, // 1.3e-4, 7.3 s
  "nonlinear-elliptic": { epochs: 200, bound: 1.5e-2 }, // 1.6e-3, 13.2 s
  nonlinear: { epochs: 600, bound: 3e-5 }, // 3.0e-6, 6.0 s (at 200 epochs: 1.0, the verdict says suspect)
  ode1: { epochs: 200, bound: 3e-5 }, // 2.5e-6, 2.0 s
  "poisson-mixed": { epochs: 200, bound: 8e-3 }, // 7.6e-4, 11.8 s
  poisson2d: { epochs: 200, bound: 5e-5 }, // 4.7e-6, 9.1 s
  system: { epochs: 200, bound: 2.5e-4 }, // u 2.5e-5, v 1.6e-5, 2.4 s
  wave1d: { epochs: 200, bound: 6e-4 }, // 5.7e-5, 6.8 s
  // Regions (issue 13), measured the same way at a load average of 7–9:
  "cylinder-flow": { epochs: 200, bound: 8e-3 }, // 8.0e-4 (verdict suspect), 15.2 s
  "heat-triangle": { epochs: 200, bound: 1.5e-2 }, // 1.4e-3, 15.0 s
  "laplace-annulus": { epochs: 200, bound: 4.5e-2 }, // 4.5e-3, 8.6 s
  "laplace-lshape": { epochs: 200, bound: 5e-2 }, // 2.0e-2, 11.7 s (2.5× margin: 10× would prove nothing)
  "poisson-ball": { epochs: 200, bound: 3.5e-3 }, // 3.6e-4, 12.9 s
  "poisson-disk": { epochs: 200, bound: 5.5e-3 }, // 5.6e-4, 4.2 s
  // The steady 2-D region rule's problem (1024 points, boundary points by length, RAR-D), one thread,
  // CPU time, load average 14: at 200 epochs 1.5e-2 (8.5 s), too close to 10% to prove anything;
  // at 500 epochs 2.2e-3 (20 s CPU, 143 s of wall time under load: near the test's limit).
  "elliptic-hole": { epochs: 300, bound: 8e-2 }, // 8.0e-3, 12.9 s
  // The rule in 3-D (stop 19, one thread, CPU time, load ~6): 4.8e-3 at 200 epochs. poisson-ball, whose
  // file sets its points, gets the rule's RAR-D since then: 9.6e-5 at 200 epochs (6.8 s), inside its bound.
  "laplace-shell": { epochs: 200, bound: 5e-2 }, // 4.8e-3, 10.7 s
  // Failure modes (issue 11), same load: reaction is nearly solved at 200 epochs; the other four are
  // not (errors 1.8, 0.32, 0.52, 0.45, all flagged "suspect"): their 1e-3 targets need the full budget.
  reaction: { epochs: 200, bound: 6e-2 }, // 2.4e-2, 2.0 s (2.5× margin)
  convection: { epochs: 200, bound: "truthful" }, // 1.8, suspect, 4.5 s
  "diffusion-reaction": { epochs: 200, bound: "truthful" }, // 0.32, suspect, 6.6 s
  "klein-gordon": { epochs: 200, bound: "truthful" }, // 0.52, suspect, 8.2 s
  "wave-modes": { epochs: 200, bound: "truthful" }, // 0.45, suspect, 5.1 s
};

// A problem not in the table (one just added) runs DEFAULT_EPOCHS, training stopped after CAP_SECONDS
// of wall time, and must be truthful rather than accurate: finite errors, and the verdict consistent
// with the true error — the verdict's promise (src/diagnostics/verdict.ts, README "Reading the
// diagnostics") is that every result with a relative error above 10% is flagged "suspect". Measure
// it and add it to REDUCED to assert a real bound.
const DEFAULT_EPOCHS = 200;
const CAP_SECONDS = 15;
const SUSPECT_ABOVE = 0.1;

/**
 * The suite in PARTS test files (shipped-1.test.ts, …), problem i in part i mod PARTS, so that vitest
 * runs the parts on different cores; the checks of the tables themselves run in part 0.
 */
export const PARTS = 2;

export function shippedSuite(part: number): void {
describe(`shipped problems, part ${part + 1} of ${PARTS}: exact solutions check, and each solves at a reduced budget (full targets: npm run accuracy)`, () => {
  if (part === 0) it("there is a suite: ode1 and at least eight more", () => {
    expect(NAMES).toContain("ode1");
    expect(NAMES.length).toBeGreaterThanOrEqual(9);
  });

  if (part === 0) it("the tables name only shipped problems", () => {
    for (const name of Object.keys(REDUCED)) expect(NAMES, `REDUCED.${name} has no problems/${name}.yaml`).toContain(name);
    const base = NAMES.map((n) => n.split("/").pop());
    for (const name of Object.keys(TARGETS)) expect(base, `problems/targets.json: ${name} is not a shipped problem`).toContain(name);
  });

  for (const name of NAMES.filter((_, i) => i % PARTS === part)) {
    const reduced = REDUCED[name];
    const label = typeof reduced?.bound === "number"
      ? `${name}: relative L2 error ≤ ${reduced.bound} at epochs ${reduced.epochs}${reduced.points ? `, ${reduced.points} points` : ""}`
      : `${name}: ${reduced ? "no bound at a short budget" : "not measured yet"} — verdict "suspect" whenever the error exceeds ${SUSPECT_ABOVE} (epochs ${reduced?.epochs ?? DEFAULT_EPOCHS}, ≤ ${CAP_SECONDS} s)`;
    const full = TARGETS[name.split("/").pop()!];
    it(`${label}${full !== undefined ? ` [full-settings target ${full}: npm run accuracy]` : ""}`, async () => {
      const loaded = loadProblem(join(DIR, `${name}.yaml`));
      expect(checkExactSolution(loaded).ok, `${name}: its exact solution does not satisfy the problem`).toBe(true);
      // One network, not an ensemble: the ensemble machinery is tested in test/inverse/ensemble.test.ts.
      const training = { ...loaded.training, ensemble: 1, ...(reduced?.points ? { points: reduced.points } : {}) };
      const problem = { ...loaded, training };
      const start = performance.now();
      const bounded = typeof reduced?.bound === "number" ? reduced.bound : null;
      const shouldStop = bounded !== null ? undefined : () => performance.now() - start > CAP_SECONDS * 1000;
      // One thread: vitest already runs test files in parallel, and the bounds were measured on one.
      const result = await solve(problem, { write: false, epochs: reduced?.epochs ?? DEFAULT_EPOCHS, shouldStop, threads: 1 });
      const metrics = Object.entries(result.evaluation.metrics);
      const verdict = (diagnosticsSummary(result.diagnostics).diagnosis as { verdict: string }).verdict;
      if (bounded !== null) {
        expect(result.train.status).toBe("completed");
        expect(metrics.length, `${name}: no error metric (no exact solution or reference)`).toBeGreaterThan(0);
        for (const [u, m] of metrics) {
          expect(m.rel_l2, `${name}: ${u}`).not.toBeNull();
          expect(m.rel_l2!, `${name}: relative L2 error of ${u} at the reduced budget`).toBeLessThanOrEqual(bounded);
        }
      } else {
        expect(["completed", "interrupted"]).toContain(result.train.status);
        // An inverse problem's learned parameters (summary.parameters, judged by scripts/inverse-accuracy.mjs) are finite.
        const parameters = (result.summary.parameters ?? {}) as Record<string, { estimate: number }>;
        for (const [p, s] of Object.entries(parameters)) expect(Number.isFinite(s.estimate), `${name}: parameter ${p} is ${s.estimate}`).toBe(true);
        for (const [u, m] of metrics) {
          if (m.rel_l2 === null) continue;
          expect(Number.isNaN(m.rel_l2), `${name}: relative L2 error of ${u} is NaN`).toBe(false);
          if (!(m.rel_l2 <= SUSPECT_ABOVE)) expect(verdict, `${name}: ${u} has error ${m.rel_l2} but the verdict is "${verdict}"`).toBe("suspect");
        }
      }
    }, 180_000);
  }
});
}
