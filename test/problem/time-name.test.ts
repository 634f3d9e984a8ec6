// A variable that looks like time but is not named t gets none of pinn's evolution machinery (causal
// weights, time-marching, snapshots, the verdict's tighter limit), which keys on the name: Raissi's
// Allen–Cahn problem written from the contract with its time called s ended at a relative error of 0.99
// (6.2e-3 with t). Which files are expected to be warned about is decided by hand from their conditions.

import { describe, expect, it } from "vitest";
import { parse, locate, shipped } from "../helpers/problems.js";

const AC = (time: string): string => `name: ac
domain:
  x: [-1, 1]
  ${time}: [0, 1]
unknowns: [u]
equations:
  - "u_${time} = 0.0001*u_xx - 5*u^3 + 5*u"
conditions:
  - "u(x, 0) = x^2*cos(pi*x)"
  - periodic: x
`;
const warned = (text: string): string[] => parse(text).warnings.filter((w) => w.message.includes("looks like time")).map((w) => w.message);

describe("a time variable not named t", () => {
  it("is warned about, at its initial condition, with the rename suggested", () => {
    const p = parse(AC("s"));
    const w = p.warnings.filter((i) => i.message.includes("looks like time"));
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^"s" looks like time \(a condition at s = 0 over the other variables, none at s = 1\), but pinn treats only a variable named t as time/);
    expect(w[0]!.position).toEqual(locate(AC("s"), `"u(x, 0) = x^2*cos(pi*x)"`));
    expect(w[0]!.hint).toMatch(/rename it t/);
    expect(p.timeVariable).toBeNull();
  });

  it("not when the variable is named t", () => {
    expect(warned(AC("t"))).toEqual([]);
    expect(parse(AC("t")).timeVariable).toBe(1);
  });

  it("not for a boundary-value problem: a condition at both ends of every variable", () => {
    const poisson = `name: p
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
`;
    expect(warned(poisson)).toEqual([]);
  });

  it("not when two variables look alike (advection with inflow at x = 0 and data at s = 0: which is time is not clear)", () => {
    const advection = `name: a
domain:
  x: [0, 1]
  s: [0, 1]
unknowns: [u]
equations:
  - "u_s + u_x = 0"
conditions:
  - "u(x, 0) = sin(pi*x)"
  - "u(0, s) = -sin(pi*s)"
`;
    expect(warned(advection)).toEqual([]);
  });

  it("not for the shipped problems (their time is t)", () => {
    for (const name of ["burgers", "heat1d", "wave1d", "poisson2d", "ode1", "system"]) expect(shipped(name).warnings.filter((w) => w.message.includes("looks like time"))).toEqual([]);
  });
});
