// An unknown that appears only through its derivatives everywhere is determined only up to a
// constant. Which cases are expected to be flagged is decided by hand from the equations: u + c
// leaves u'' = f, u'(a) = g and d(u, n) = g unchanged, but not u'' + u = f, u(0) = 1, data or a trial.

import { describe, expect, it } from "vitest";
import { parse, locate, tempFolder } from "../helpers/problems.js";
import { loadProblem } from "../../src/problem/load.js";

const NEUMANN = `name: neumann
domain:
  x: [0, 3]
unknowns: [u]
equations:
  - "u'' = -sin(x)"
conditions:
  - "u'(0) = 1"
  - "u'(3) = cos(3)"
`;
const flagged = (text: string): string[] => parse(text).warnings.filter((w) => w.message.includes("only through its derivatives")).map((w) => w.message);

describe("an unknown fixed only up to a constant", () => {
  const dir = tempFolder("uniqueness");
  it("is warned about, at the first equation, with a condition on the value suggested", () => {
    const p = parse(NEUMANN);
    const w = p.warnings.filter((i) => i.message.includes("only through its derivatives"));
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^"u" appears only through its derivatives .* u \+ c solves the problem/);
    expect(w[0]!.position).toEqual(locate(NEUMANN, `"u'' = -sin(x)"`));
    expect(w[0]!.hint).toMatch(/u\(0\) = \.\.\./);
  });

  it("not when an equation, a condition, a trial form or data involve the value itself", () => {
    expect(flagged(NEUMANN.replace(`"u'' = -sin(x)"`, `"u'' + u = 0"`))).toEqual([]);
    expect(flagged(NEUMANN.replace(`  - "u'(3) = cos(3)"`, `  - "u(3) = sin(3)"`))).toEqual([]);
    expect(flagged(`${NEUMANN}trial:\n  u: "x*N"\n`)).toEqual([]);
    dir.write("m.csv", "x,u\n1,0.84\n");
    const file = dir.write("p.yaml", `${NEUMANN}data:\n  - file: m.csv\n`);
    expect(loadProblem(file).warnings.filter((w) => w.message.includes("only through"))).toEqual([]);
  });

  it("in a system, only the unknown whose value nothing fixes (the pressure of a flow)", () => {
    // u' = -p' + 1, u'' = p'  (only p' appears; u has u(0) = 0).
    const text = `name: sys\ndomain:\n  x: [0, 1]\nunknowns: [u, p]\nequations:\n  - "u' = -p' + 1"\n  - "u'' = p'"\nconditions:\n  - "u(0) = 0"\n  - "u'(1) = 0"\n`;
    expect(flagged(text)).toEqual([expect.stringMatching(/^"p" appears only/)]);
  });

  it("a region with a normal derivative on its whole boundary", () => {
    const text = `name: disk\ndomain:\n  x: [-1, 1]\n  y: [-1, 1]\nshapes:\n  d: "disk(0, 0, 1)"\nunknowns: [u]\nequations:\n  - "u_xx + u_yy = 0"\nconditions:\n  - "d(u, n) = x on boundary"\n`;
    expect(flagged(text)).toHaveLength(1);
    expect(flagged(text.replace("d(u, n) = x on boundary", "d(u, n) + u = x on boundary"))).toEqual([]);
  });
});
