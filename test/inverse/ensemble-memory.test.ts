// Memory of an ensemble (README, "Limits"): each member in training holds its own activations and,
// with the dense BFGS refinement, its own n × n matrix, so the estimate counts the members in training
// at once, and no more of them run at once than the memory limit holds. The expected numbers are
// computed here by hand from the formula in the comment of memoryEstimate.

import { describe, expect, it } from "vitest";
import { ODE_PROBLEM, parse, rejection, shipped } from "../helpers/problems.js";
import { LIMITS, ensembleThreads, ensembleWorkers, memoryEstimate } from "../../src/problem/limits.js";

const GIB = 2 ** 30;

const ODE = (training: string, evaluate = 11): string => `${ODE_PROBLEM}network:
  hidden: [10, 10]
training:
${training}evaluate:
  points: ${evaluate}
`;

describe("ensemble memory", () => {
  it("counts one member per worker in flight, plus the members' solutions gathered on the grid", () => {
    const p = parse(ODE("  points: 100\n  optimizer: bfgs\n  ensemble: 3\n"));
    // One member: 100 interior points + 1 for u(0); coefficients 1 + 2 (u') + 1 (u) = 4; widths 10 + 10 + 1 = 21;
    // the dense matrix for n = 20 + 110 + 11 = 141 weights: 8·141² bytes.
    const member = 8 * 3 * 101 * 4 * 21 + 8 * 141 * 141;
    // Gathered: 3 members' u on 11 grid points, their mean and std (3 + 2 arrays), and 3 weight vectors.
    const gathered = 8 * 11 * (3 + 2) + 8 * 3 * 141;
    expect(memoryEstimate(p, 2)).toEqual({ bytes: 2 * member + gathered, part: "ensemble", perMember: member, inFlight: 2 });
    expect(memoryEstimate(p, 8)).toEqual({ bytes: 3 * member + gathered, part: "ensemble", perMember: member, inFlight: 3 });
    // Without an ensemble: the single run, as before.
    expect(memoryEstimate(parse(ODE("  points: 100\n  optimizer: bfgs\n")))).toEqual({ bytes: member, part: "training" });
  });

  it("runs no more members at once than the limit holds", () => {
    expect(ensembleWorkers(8, 1.5 * GIB, 0, 8)).toBe(2); // 2 × 1.5 GiB ≤ 4 GiB < 3 × 1.5 GiB
    expect(ensembleWorkers(8, 1.5 * GIB, 1.5 * GIB, 8)).toBe(1); // gathered results take room too
    expect(ensembleWorkers(8, 1024, 0, 3)).toBe(3); // threads
    expect(ensembleWorkers(2, 1024, 0, 16)).toBe(2); // members
    expect(ensembleWorkers(4, 5 * GIB, 0, 4)).toBe(1); // never below one (a member above the limit is an input error)
  });

  it("Burgers' inverse ensemble: four members with their 3,299 × 3,299 BFGS matrices fit, on any number of threads", () => {
    const p = shipped("inverse/burgers-inverse");
    expect(p.training.ensemble).toBe(4);
    // 2-32-32-32-32-1: 96 + 3·1056 + 33 = 3,297 weights, and λ1, λ2.
    const matrix = 8 * 3299 * 3299;
    for (const threads of [1, 2, 4, 64]) {
      const e = memoryEstimate(p, threads);
      expect(e.inFlight).toBe(Math.min(4, threads));
      expect(e.perMember!).toBeGreaterThan(matrix);
      expect(e.bytes).toBeGreaterThan(Math.min(4, threads) * matrix);
      expect(e.bytes).toBeLessThanOrEqual(LIMITS.maxMemoryBytes);
      expect(ensembleThreads(p, threads)).toBe(e.inFlight);
    }
  });

  it("an ensemble whose gathered solutions exceed the limit is an error at training.ensemble", () => {
    // Two unknowns on a 2000 × 2000 grid: 64 members' solutions and the mean and std take
    // 8 · 4e6 · 2 · 66 bytes ≈ 3.9 GiB, plus one member evaluating the grid (8 · 2 · 4e6 · (2 + 2 + 4) ≈ 0.5 GiB).
    const text = `name: two
domain:
  x: [0, 1]
  y: [0, 1]
unknowns: [u, v]
equations:
  - "u_x + u_y = 0"
  - "v_x = u"
conditions:
  - "u(0, y) = 1"
  - "v(0, y) = 0"
network:
  hidden: [2]
training:
  ensemble: 64
evaluate:
  points: 2000
`;
    const e = rejection(text);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.message).toMatch(/^an ensemble of 64 members would need about 4\.\d GiB of memory .*; the limit is 4\.0 GiB$/);
    expect(e.issues[0]!.hint).toMatch(/fewer members/);
    expect(e.issues[0]!.position?.line).toBe(text.split("\n").indexOf("  ensemble: 64") + 1);
    // Eight members fit.
    expect(() => parse(text.replace("ensemble: 64", "ensemble: 8"))).not.toThrow();
  });
});
