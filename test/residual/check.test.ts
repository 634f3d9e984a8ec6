// checkExactSolution: a correct exact solution satisfies every equation and condition (to
// rounding); a deliberately wrong one fails on the line with the error, and only there.

import { describe, expect, it } from "vitest";
import { parse } from "../helpers/problems.js";
import { checkExactSolution, type CheckReport } from "../../src/residual/check.js";

function check(text: string): CheckReport {
  return checkExactSolution(parse(text));
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in the text`);
  return text.slice(0, at).split("\n").length;
}

function expectAllOk(report: CheckReport): void {
  for (const item of report.items) {
    expect(item.ok, `${item.source.text}: max residual ${item.maxResidual}`).toBe(true);
    expect(item.skipped).toBeUndefined();
  }
  expect(report.ok).toBe(true);
}

/** The report fails exactly on the items whose text is listed. */
function expectFailsOn(report: CheckReport, texts: string[]): void {
  expect(report.ok).toBe(false);
  expect(report.items.filter((i) => !i.ok).map((i) => i.source.text)).toEqual(texts);
}

const ODE = `name: oscillator
domain:
  x: [0, 6]
unknowns: [u]
equations:
  - "u'' + u = 0"
conditions:
  - "u(0) = 0"
  - "u'(0) = 1"
exact:
  u: "sin(x)"
`;

const POISSON = `name: poisson
domain:
  x: [0, 1]
  y: [0, 1]
unknowns: [u]
equations:
  - "-(u_xx + u_yy) = 2*pi^2*sin(pi*x)*sin(pi*y)"
conditions:
  - "u(0, y) = 0"
  - "u(1, y) = 0"
  - "u(x, 0) = 0"
  - "d(u, y)(x, 1) = -pi*sin(pi*x)"
exact:
  u: "sin(pi*x)*sin(pi*y)"
`;

const SYSTEM = `name: system
domain:
  t: [0, 4]
unknowns: [u, v]
equations:
  - "u' = v"
  - "v' = -u"
conditions:
  - "u(0) = 0"
  - "v(0) = 1"
exact:
  u: "sin(t)"
  v: "cos(t)"
`;

const PERIODIC_HEAT = `name: heat
domain:
  x: [0, "2*pi"]
  t: [0, 1]
unknowns: [u]
constants:
  k: 0.5
equations:
  - "u_t = k*u_xx"
conditions:
  - "u(x, 0) = sin(x)"
  - periodic: x
exact:
  u: "exp(-k*t)*sin(x)"
`;

const ROBIN = `name: robin
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = u"
conditions:
  - "u(0) + u'(0) = 2"
exact:
  u: "exp(x)"
`;

const HEAT_3D = `name: heat2d
domain:
  x: [0, 3]
  y: [0, 3]
  t: [0, 1]
unknowns: [u]
equations:
  - "u_t = u_xx + u_yy"
conditions:
  - "u(x, y, 0) = sin(x)*sin(2*y)"
  - "u_x(0, y, t) = exp(-5*t)*sin(2*y)"
exact:
  u: "exp(-5*t)*sin(x)*sin(2*y)"
`;

describe("correct exact solutions pass", () => {
  it.each([
    ["one variable, second order", ODE],
    ["two variables, Dirichlet and Neumann", POISSON],
    ["a system of two unknowns", SYSTEM],
    ["periodic", PERIODIC_HEAT],
    ["Robin", ROBIN],
    ["three variables", HEAT_3D],
  ])("%s", (_, text) => {
    const report = check(text);
    const p = parse(text);
    expect(report.items).toHaveLength(p.equations.length + p.conditions.length);
    expectAllOk(report);
    for (const item of report.items) expect(item.maxResidual).toBeLessThan(1e-8 * item.scale);
  });

  it("items keep the kind, text and line of the source", () => {
    const report = check(PERIODIC_HEAT);
    expect(report.items.map((i) => [i.kind, i.source.text, i.source.position?.line])).toEqual([
      ["equation", "u_t = k*u_xx", lineOf(PERIODIC_HEAT, "u_t = k*u_xx")],
      ["condition", "u(x, 0) = sin(x)", lineOf(PERIODIC_HEAT, "u(x, 0)")],
      ["periodic", "periodic: x", lineOf(PERIODIC_HEAT, "periodic: x")],
    ]);
  });
});

describe("wrong exact solutions fail on the right line", () => {
  it("a sign error in the exact solution breaks the equation only", () => {
    const text = PERIODIC_HEAT.replace("exp(-k*t)", "exp(k*t)");
    const report = check(text);
    expectFailsOn(report, ["u_t = k*u_xx"]);
    const failed = report.items.find((i) => !i.ok)!;
    expect(failed.source.position?.line).toBe(lineOf(text, "u_t = k*u_xx"));
    // Residual 2k·e^{kt}·sin x: at most 2·0.5·e^{0.5} ≈ 1.65, and far above rounding.
    expect(failed.maxResidual).toBeGreaterThan(0.5);
    expect(failed.maxResidual).toBeLessThanOrEqual(Math.exp(0.5) + 1e-12);
  });

  it("a wrong boundary value breaks that condition only, with the exact residual", () => {
    const text = POISSON.replace('"u(1, y) = 0"', '"u(1, y) = 1"');
    const report = check(text);
    expectFailsOn(report, ["u(1, y) = 1"]);
    const failed = report.items.find((i) => !i.ok)!;
    expect(failed.source.position?.line).toBe(lineOf(text, "u(1, y) = 1"));
    expect(failed.maxResidual).toBeCloseTo(1, 12);
  });

  it("a wrong Neumann value (sign error in a derivative condition)", () => {
    const text = POISSON.replace("= -pi*sin(pi*x)", "= pi*sin(pi*x)");
    const report = check(text);
    expectFailsOn(report, ["d(u, y)(x, 1) = pi*sin(pi*x)"]);
    // |u_y − π sin πx| = 2π sin πx ≤ 2π.
    expect(report.items.find((i) => !i.ok)!.maxResidual).toBeLessThanOrEqual(2 * Math.PI);
  });

  it("a sign error in an equation of a system", () => {
    const text = SYSTEM.replace('"v\' = -u"', '"v\' = u"');
    const report = check(text);
    expectFailsOn(report, ["v' = u"]);
    expect(report.items.find((i) => !i.ok)!.source.position?.line).toBe(lineOf(text, "v' = u"));
  });

  it("a Robin condition with the wrong value", () => {
    expectFailsOn(check(ROBIN.replace("= 2", "= 1")), ["u(0) + u'(0) = 1"]);
  });

  it("an exact solution that is not periodic", () => {
    const text = PERIODIC_HEAT.replace('"exp(-k*t)*sin(x)"', '"exp(-k*t)*sin(x) + x"').replace("sin(x)\"\n  - periodic", "sin(x) + x\"\n  - periodic");
    const report = check(text);
    expectFailsOn(report, ["periodic: x"]);
    expect(report.items.find((i) => !i.ok)!.maxResidual).toBeCloseTo(2 * Math.PI, 10);
  });

  it("an exact solution that is not a number (NaN) fails", () => {
    const report = check(ROBIN.replace('"exp(x)"', '"sqrt(x - 2)"'));
    expect(report.ok).toBe(false);
  });
});

describe("unknowns without an exact solution", () => {
  it("items that involve them are skipped, the rest checked", () => {
    const text = SYSTEM.replace('  v: "cos(t)"\n', "");
    const report = check(text);
    expect(report.items.map((i) => [i.source.text, i.skipped ?? "checked"])).toEqual([
      ["u' = v", "no exact solution for v"],
      ["v' = -u", "no exact solution for v"],
      ["u(0) = 0", "checked"],
      ["v(0) = 1", "no exact solution for v"],
    ]);
    expect(report.ok).toBe(true);
  });
});
