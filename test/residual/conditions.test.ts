// How trial forms relate to conditions, evolution detection and the causal window.
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { classifyCondition } from "../../src/residual/enforced.js";
import { buildModel } from "../../src/solve.js";
import { PointSet, interiorLocation } from "../../src/residual/point-sets.js";
import { Rng } from "../../src/engine/random.js";
import { causalWindow } from "../../src/training/trainer.js";

const ode = (conditions: string, trial = "") =>
  parseProblem(`name: t\ndomain: {x: [0, 2]}\nunknowns: [u]\nequations: ["u' = u"]\nconditions: [${conditions}]\n${trial}`, "t.yaml");

describe("conditions against trial forms", () => {
  it("enforced, impossible and penalty", () => {
    expect(classifyCondition(ode(`"u(0) = 1"`, `trial: {u: "1 + x*N"}`), ode(`"u(0) = 1"`).conditions[0]!)).toBe("enforced");
    const impossible = ode(`"u(0) = 1"`, `trial: {u: "x*N"}`);
    expect(classifyCondition(impossible, impossible.conditions[0]!)).toBe("impossible");
    const penalty = ode(`"u(2) = 3"`, `trial: {u: "1 + x*N"}`);
    expect(classifyCondition(penalty, penalty.conditions[0]!)).toBe("penalty");
  });

  it("an impossible condition stops the solve with its line", () => {
    const p = ode(`"u(0) = 1"`, `trial: {u: "x*N"}`);
    expect(() => buildModel(p)).toThrow(ProblemError);
    try {
      buildModel(p);
    } catch (e) {
      expect((e as ProblemError).message).toMatch(/^t\.yaml:5:\d+: error: the condition "u\(0\) = 1" cannot hold/);
    }
  });

  it("an impossible condition that varies along the boundary is found too", () => {
    const p = parseProblem(
      `name: t\ndomain: {x: [0, 1], y: [0, 1]}\nunknowns: [u]\nequations: ["u_xx + u_yy = 0"]\nconditions: ["u(0, y) = sin(y)"]\ntrial: {u: "x*N"}`,
      "t.yaml",
    );
    expect(classifyCondition(p, p.conditions[0]!)).toBe("impossible");
  });
});

describe("unknowns and equations", () => {
  it("an unknown in no equation is an error", () => {
    expect(() => parseProblem(`name: t\ndomain: {x: [0, 1]}\nunknowns: [u, w]\nequations: ["u' = 1"]`, "t.yaml")).toThrow(/"w" appears in no equation/);
  });

  it("fewer equations than unknowns is a warning", () => {
    const p = parseProblem(`name: t\ndomain: {x: [0, 1]}\nunknowns: [u, v]\nequations: ["u' = v"]`, "t.yaml");
    // Without any condition u + c also solves u' = v: the second warning (problem/uniqueness.ts).
    expect(p.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/2 unknowns but 1 equation/), expect.stringMatching(/^"u" appears only through its derivatives/)]);
  });
});

describe("evolution problems and the causal window", () => {
  it("detects initial-value problems in one variable and time-dependent problems with an initial condition", () => {
    expect(buildModel(ode(`"u(0) = 1"`)).evolution()).toEqual({ variable: 0, from: 0 });
    expect(buildModel(ode(`"u(2) = 1"`)).evolution()).toEqual({ variable: 0, from: 2 });
    expect(buildModel(ode(`"u(0) = 1", "u(2) = 2"`)).evolution()).toBeNull();
    const heat = parseProblem(
      `name: t\ndomain: {x: [0, 1], t: [0, 3]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = sin(pi*x)", "u(0, t) = 0"]`,
      "t.yaml",
    );
    expect(buildModel(heat).evolution()).toEqual({ variable: 1, from: 0 });
    const poisson = parseProblem(`name: t\ndomain: {x: [0, 1], y: [0, 1]}\nunknowns: [u]\nequations: ["u_xx + u_yy = 0"]\nconditions: ["u(x, 0) = 0"]`, "t.yaml");
    expect(buildModel(poisson).evolution()).toBeNull();
  });

  it("the window squeezes the evolution coordinate towards its initial end", () => {
    const set = new PointSet(2, [[0, 1], [2, 4]], interiorLocation(2), 64, "random", true, new Rng(1));
    set.setWindow({ dim: 1, from: 2, fraction: 0.25 });
    const pts = set.next();
    for (let k = 0; k < 64; k++) {
      expect(pts[2 * k + 1]).toBeGreaterThanOrEqual(2);
      expect(pts[2 * k + 1]).toBeLessThanOrEqual(2.5);
    }
    set.setWindow({ dim: 1, from: 4, fraction: 0.5 });
    const back = set.next();
    for (let k = 0; k < 64; k++) expect(back[2 * k + 1]).toBeGreaterThanOrEqual(3);
  });

  it("grows from 10% to the whole interval over the first half of the stage", () => {
    expect(causalWindow(0, 1000)).toBeCloseTo(0.1, 12);
    expect(causalWindow(250, 1000)).toBeCloseTo(0.55, 12);
    expect(causalWindow(500, 1000)).toBe(1);
    expect(causalWindow(900, 1000)).toBe(1);
  });
});

describe("periodic conditions", () => {
  it("match the unknown and its derivatives below the order the equations use along the variable", async () => {
    const { periodicFields } = await import("../../src/terms/periodic.js");
    const heat = parseProblem(`name: t\ndomain: {x: [0, 6.283185307179586], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = sin(x)", {periodic: x}]`, "t.yaml");
    expect(periodicFields(heat, 0).map((f) => f.order)).toEqual([0, 1]);
    const advection = parseProblem(`name: t\ndomain: {x: [0, 1], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t + u_x = 0"]\nconditions: ["u(x, 0) = sin(2*pi*x)", {periodic: x}]`, "t.yaml");
    expect(periodicFields(advection, 0).map((f) => f.order)).toEqual([0]);
  });

  it("the exact solution of a periodic heat problem checks, a non-periodic one does not", async () => {
    const { checkExactSolution } = await import("../../src/residual/check.js");
    const periodic = (initial: string, exact: string) =>
      parseProblem(
        `name: t\ndomain: {x: [0, 6.283185307179586], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nconditions: ["u(x, 0) = ${initial}", {periodic: x}]\nexact: {u: "${exact}"}`,
        "t.yaml",
      );
    expect(checkExactSolution(periodic("sin(x)", "exp(-t)*sin(x)")).ok).toBe(true);
    // sin(x/2) solves the equation and the initial condition and has equal values (0) at both
    // ends, but opposite slopes (½ and −½): only the match of u_x catches it.
    const halfWave = checkExactSolution(periodic("sin(x/2)", "exp(-t/4)*sin(x/2)"));
    expect(halfWave.items.filter((i) => !i.ok).map((i) => i.kind)).toEqual(["periodic"]);
  });
});
