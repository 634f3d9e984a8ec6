// The default refinement budget of a problem with RAR-D (training/budget.ts): network, points and
// BFGS iterations sized by the rule where the file leaves them out, nothing changed elsewhere.

import { describe, expect, it } from "vitest";
import { loadProblem, parseProblem } from "../../src/problem/load.js";
import { buildModel, solve } from "../../src/solve.js";
import { describeModel } from "../../src/cli/describe.js";
import { RAR_BUDGET, budgetIterations, iterationCost, withRefinementBudget } from "../../src/training/budget.js";
import { parameterCount } from "../../src/problem/limits.js";
import { ADAPTIVE_SAMPLING_EVOLUTION } from "../../src/training/techniques.js";
import type { Problem } from "../../src/problem/types.js";

const BURGERS = `name: burgers
domain:
  x: [-1, 1]
  t: [0, 1]
unknowns: [u]
constants:
  nu: 0.01/pi
equations:
  - "u_t + u*u_x = nu*u_xx"
conditions:
  - "u(x, 0) = -sin(pi*x)"
  - "u(-1, t) = 0"
  - "u(1, t) = 0"
`;

const bfgsIterations = (p: Problem): number[] => p.training.stages.flatMap((s) => (s.optimizer === "bfgs" ? [s.iterations] : []));

describe("the cost model", () => {
  it("counts the weights of a fully connected network with biases", () => {
    // By hand: (2 + 1)·20 + (20 + 1)·20 + (20 + 1)·20 + (20 + 1)·1 = 60 + 420 + 420 + 21.
    expect(parameterCount([2, 20, 20, 20, 1])).toBe(921);
    // (2 + 1)·32 + 2·(32 + 1)·32 + (32 + 1)·1 = 96 + 2112 + 33.
    expect(parameterCount([2, 32, 32, 32, 1])).toBe(2241);
  });

  it("prices an iteration as points·(18·neurons + weights) + weights²/4 and fits whole redraw periods into the work", () => {
    expect(RAR_BUDGET.neuronCost).toBe(18);
    expect(RAR_BUDGET.matrixCost).toBe(0.25);
    expect(RAR_BUDGET.work).toBe(6.4e10);
    // 3×20 on 2,000 points: 2000·(18·60 + 921) + 921²/4 = 4,002,000 + 212,060.25.
    const small = iterationCost(2000, 2, [20, 20, 20], 1);
    expect(small).toBe(4_214_060.25);
    // 6.4e10 / 4,214,060.25 = 15,187.2 → 60 whole periods of 250.
    expect(budgetIterations(small, 250)).toBe(15000);
    // 3×32 on 2,000 points: 2000·(18·96 + 2241) + 2241²/4 = 7,938,000 + 1,255,520.25; 6.4e10 / that = 6,961.4 → 27 periods.
    const large = iterationCost(2000, 2, [32, 32, 32], 1);
    expect(large).toBe(9_193_520.25);
    expect(budgetIterations(large, 250)).toBe(6750);
    // A tiny network on few points hits the cap; a huge one still gets one period.
    expect(budgetIterations(iterationCost(10, 2, [4], 1), 250)).toBe(RAR_BUDGET.maxIterations);
    expect(budgetIterations(1e12, 250)).toBe(250);
  });
});

describe("withRefinementBudget", () => {
  it("sizes network, points and BFGS iterations of a Burgers file that gives only the physics", () => {
    const p = withRefinementBudget(parseProblem(BURGERS, "case.yaml"));
    expect(p.network.hidden).toEqual([20, 20, 20]);
    expect(p.training.points).toBe(2000); // 1,000 per variable, two variables
    expect(bfgsIterations(p)).toEqual([15000]);
    expect(p.training.stages[0]).toMatchObject({ optimizer: "adam", epochs: 2000 }); // Adam as by default
    expect(p.training.budget).toEqual({ hidden: [20, 20, 20], points: 2000, iterations: 15000, cost_per_iteration: 4_214_060.25 });
    // Applying it again changes nothing (scripts may apply it before solve does).
    expect(withRefinementBudget(p)).toEqual(p);
    // pinn solve's header says so.
    const header = describeModel(buildModel(p)).join("\n");
    expect(header).toContain("network 2-20-20-20-1 tanh; 921 weights");
    expect(header).toContain("BFGS (ssbfgs) 15000 iterations; 2000 points per epoch");
    expect(header).toContain("network, points and BFGS iterations chosen by the refinement budget for RAR-D");
  });

  it("keeps what the file gives and prices the iterations with it", () => {
    const p = withRefinementBudget(parseProblem(`${BURGERS}network:\n  hidden: [32, 32, 32]\n`, "case.yaml"));
    expect(p.network.hidden).toEqual([32, 32, 32]);
    expect(p.training.points).toBe(2000);
    expect(bfgsIterations(p)).toEqual([6750]); // the 3×32 case above
    const q = withRefinementBudget(parseProblem(`${BURGERS}training:\n  points: 1000\n  lbfgs_iterations: 3000\n`, "case.yaml"));
    expect(q.training.points).toBe(1000);
    expect(bfgsIterations(q)).toEqual([3000]);
    expect(q.network.hidden).toEqual([20, 20, 20]);
    const stages = withRefinementBudget(parseProblem(`${BURGERS}training:\n  optimizer: [adam, bfgs]\n`, "case.yaml"));
    expect(bfgsIterations(stages)).toEqual([2500]);
    const cli = withRefinementBudget(parseProblem(BURGERS, "case.yaml", { overrides: { points: 500 } }));
    expect(cli.training.points).toBe(500);
  });

  it("leaves problems without RAR-D alone", () => {
    const off = parseProblem(`${BURGERS}training:\n  adaptive_sampling: false\n`, "case.yaml");
    expect(withRefinementBudget(off)).toBe(off);
    const heat = loadProblem("problems/heat1d.yaml"); // linear: no RAR-D
    expect(withRefinementBudget(heat)).toBe(heat);
    const reaction = loadProblem("problems/reaction.yaml"); // time-marching windows keep fixed points
    expect(withRefinementBudget(reaction)).toBe(reaction);
    const oneNetwork = loadProblem("problems/reaction.yaml");
    oneNetwork.training.timeWindows = 0;
    expect(withRefinementBudget(oneNetwork).training.budget?.iterations).toBe(15000);
  });

  it("is what solve trains, and --epochs scales it like any refinement", async () => {
    expect(ADAPTIVE_SAMPLING_EVOLUTION).toBe(250);
    // 20 Adam epochs of the default 2,000: the refinement 15,000 · 20/2,000 = 150 iterations.
    const r = await solve(parseProblem(BURGERS, "case.yaml"), { epochs: 20, write: false, threads: 1 });
    expect(r.network.parameters().reduce((n, t) => n + t.size, 0)).toBe(921);
    expect(r.model.pointCounts()[0]).toBe(2000);
    expect(r.train.stages.map((s) => s.optimizer)).toEqual(["adam", "bfgs"]);
    expect(r.train.stages[1]!.iterations).toBeLessThanOrEqual(150);
    const settings = r.summary.settings as { training: { refinement_budget?: unknown; optimizer: { iterations?: number }[] } };
    expect(settings.training.refinement_budget).toEqual({ hidden: [20, 20, 20], points: 2000, iterations: 15000, cost_per_iteration: 4_214_060.25 });
    expect(settings.training.optimizer[1]!.iterations).toBe(150);
  }, 60_000);
});
