// Which variable is time (problem/time-variable.ts). Before, only a variable named t was: Raissi's
// Allen–Cahn problem written from the contract with its time called s ended at a relative error of
// 0.99 (6.2e-3 with t). The expected time variable of each file below is decided by hand from its
// conditions and the type of its equation (wave vs Laplace: the signs of u_ss and u_xx), not taken
// from the code.

import { describe, expect, it } from "vitest";
import { parse, locate, shipped, withTempFolder } from "../helpers/problems.js";
import { pinn } from "../helpers/cli.js";
import type { Problem } from "../../src/problem/types.js";

const AC = (time: string, d = `u_${time}`, uxx = "u_xx"): string => `name: ac
domain:
  x: [-1, 1]
  ${time}: [0, 1]
unknowns: [u]
equations:
  - "${d} = 0.0001*${uxx} - 5*u^3 + 5*u"
conditions:
  - "u(x, 0) = x^2*cos(pi*x)"
  - periodic: x
`;
const timeOf = (p: Problem): string | null => (p.timeVariable === null ? null : p.variables[p.timeVariable]!);
const timeWarnings = (p: Problem): string[] => p.warnings.filter((w) => / time/.test(w.message)).map((w) => w.message);

/** u_ss ± u_xx = 0 on [0,1]², data u and u_s at s = 0, u = 0 at x = 0 and x = 1: a wave (−) or a Cauchy problem for Laplace (+). */
const secondOrder = (sign: "+" | "-"): string => `name: w
domain:
  x: [0, 1]
  s: [0, 1]
unknowns: [u]
equations:
  - "u_ss ${sign} 4*u_xx = 0"
conditions:
  - "u(x, 0) = sin(pi*x)"
  - "u_s(x, 0) = 0"
  - "u(0, s) = 0"
  - "u(1, s) = 0"
`;

describe("the time variable", () => {
  it("is s when the conditions mark it (initial condition at s = 0, none at s = 1), with the reason and no warning", () => {
    const p = parse(AC("s"));
    expect(timeOf(p)).toBe("s");
    expect(p.timeWhy).toBe("initial condition at s = 0, none at s = 1");
    expect(timeWarnings(p)).toEqual([]);
  });

  it("is t by its name, as before", () => {
    const p = parse(AC("t"));
    expect(timeOf(p)).toBe("t");
    expect(p.timeWhy).toBe("named t");
  });

  it("may be called tau or time (derivatives written with d(u, ·))", () => {
    expect(timeOf(parse(AC("tau", "d(u, tau)", "d(u, x, 2)")))).toBe("tau");
    expect(timeOf(parse(AC("time", "d(u, time)", "d(u, x, 2)")))).toBe("time");
  });

  it("is s for a wave u_ss = 4u_xx, none for the Cauchy problem u_ss + 4u_xx = 0 with the same conditions", () => {
    expect(timeOf(parse(secondOrder("-")))).toBe("s");
    const laplace = parse(secondOrder("+"));
    expect(timeOf(laplace)).toBeNull();
    expect(timeWarnings(laplace)).toEqual([]);
  });

  it("none for a boundary-value problem: a condition at both ends of every variable", () => {
    const poisson = parse(`name: p
domain:
  x: [0, 1]
  y: [0, 1]
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u(0, y) = 0"
  - "u(1, y) = 0"
  - "u(x, 0) = sin(pi*x)"
  - "u_y(x, 1) = 0"
`);
    expect(timeOf(poisson)).toBeNull();
    expect(timeWarnings(poisson)).toEqual([]);
  });

  it("none when no equation has a derivative in the marked variable (s is a parameter of a family of problems)", () => {
    const family = parse(`name: f
domain:
  x: [0, 1]
  s: [0, 1]
unknowns: [u]
equations:
  - "u_xx = -2 - 2*s"
conditions:
  - "u(x, 0) = x*(1 - x)"
  - "u(0, s) = 0"
  - "u(1, s) = 0"
`);
    expect(timeOf(family)).toBeNull();
  });

  it("is x for one-way transport u_x + u_y = 0 with inflow at x = 0, periodic in y (an evolution in x)", () => {
    const transport = parse(`name: tr
domain:
  x: [0, 1]
  y: [0, 1]
unknowns: [u]
equations:
  - "u_x + u_y = 0"
conditions:
  - "u(0, y) = sin(2*pi*y)"
  - periodic: y
`);
    expect(timeOf(transport)).toBe("x");
    expect(transport.timeWhy).toBe("initial condition at x = 0, none at x = 1");
  });

  it("none, with a warning at the first such condition, when two variables qualify (inflow at x = 0 and data at s = 0)", () => {
    const text = `name: a
domain:
  x: [0, 1]
  s: [0, 1]
unknowns: [u]
equations:
  - "u_s + u_x = 0"
conditions:
  - "u(0, s) = -sin(pi*s)"
  - "u(x, 0) = sin(pi*x)"
`;
    const p = parse(text);
    expect(timeOf(p)).toBeNull();
    const w = p.warnings.filter((i) => i.message.includes("which is time is not clear"));
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^x and s each have an initial condition/);
    expect(w[0]!.position).toEqual(locate(text, `"u(0, s) = -sin(pi*s)"`));
    expect(w[0]!.hint).toMatch(/name it t/);
  });

  it("only t in a problem with a region (the contract's region rule): s is then warned about, not taken", () => {
    const text = `name: r
domain:
  x: [-1, 1]
  y: [-1, 1]
  s: [0, 1]
shapes:
  disk: "cylinder(0, 0, 1, 0, 1)"
unknowns: [u]
equations:
  - "u_s = u_xx + u_yy"
conditions:
  - "u(x, y, 0) = 1 - x^2 - y^2"
  - "u = 0 on boundary"
`;
    const p = parse(text);
    expect(timeOf(p)).toBeNull();
    expect(timeWarnings(p).join("\n")).toMatch(/"s" looks like time \(initial condition at s = 0, none at s = 1\), but in a problem with a region only a variable named t is time/);
  });

  it("unchanged for the shipped problems", () => {
    for (const name of ["burgers", "heat1d", "wave1d"]) expect(timeOf(shipped(name))).toBe("t");
    for (const name of ["poisson2d", "ode1", "system", "cylinder-flow", "nonlinear"]) expect(timeOf(shipped(name))).toBeNull();
  });

  it("is shown by pinn check, in words and under --json", async () => {
    await withTempFolder("time", async (folder) => {
      const file = folder.write("ac.yaml", AC("s"));
      const text = await pinn("check", file);
      expect(text.code).toBe(0);
      expect(text.stdout.split("\n")[1]).toBe("  time: s (initial condition at s = 0, none at s = 1)");
      const json = await pinn("check", file, "--json");
      expect(JSON.parse(json.stdout).time_variable).toBe("s");
    });
  });
});
