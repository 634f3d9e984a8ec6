// A unit written after a number (`x: [0, 1 m]`) is reported as a unit, at the unit's column, with a
// hint to write the number alone; a missing "*" before a name the file defines keeps the parser's
// own hint. Positions are found by searching the YAML text (locate), not taken from the code.

import { describe, expect, it } from "vitest";
import { issuesOf, locate, onlyIssue } from "../helpers/problems.js";

const HEAT = (domain: string, equation: string, constants = ""): string => `name: heat
domain:
${domain}
unknowns: [u]
${constants}equations:
  - "${equation}"
conditions:
  - "u(x, 0) = sin(pi*x)"
`;

describe("units after numbers", () => {
  it("in the domain's intervals: each end named, the number alone suggested", () => {
    const text = HEAT("  x: [0, 1 m]\n  t: [0, 10 s]", "u_t = u_xx");
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual([
      'missing operator before "m": "1 m" reads as a number with a unit',
      'missing operator before "s": "10 s" reads as a number with a unit',
    ]);
    expect(issues.map((i) => i.position)).toEqual([locate(text, "m]"), locate(text, "s]")]);
    expect(issues[0]!.hint).toMatch(/problem files carry no units: write the number alone \(1\)/);
    expect(issues[1]!.hint).toMatch(/write the number alone \(10\)/);
  });

  it("in a constant and an equation, with an exponent in the number", () => {
    const text = HEAT("  x: [0, 1]\n  t: [0, 1]", "u_t = 0.1*u_xx + 2.5e-3 K", "constants:\n  c: 3e8 m/s\n");
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual([
      'missing operator before "m": "3e8 m" reads as a number with a unit',
      'missing operator before "K": "2.5e-3 K" reads as a number with a unit',
    ]);
    expect(issues.map((i) => i.position)).toEqual([locate(text, "m/s"), locate(text, "K\"")]);
  });

  it("not for names the file defines or built-in names: there a '*' is missing", () => {
    for (const [equation, name] of [["u_t = u_xx + 2 x", "x"], ["u_t = u_xx + 2 pi", "pi"], ["u_t = u_xx + 2 sin(x)", "sin"], ["u_t = 2 u_xx", "u_xx"]] as const) {
      const issue = onlyIssue(HEAT("  x: [0, 1]\n  t: [0, 1]", equation));
      expect(issue.message).toBe(`missing operator before "${name}"`);
      expect(issue.hint).toBe("write multiplication explicitly with *");
    }
    // A constant of the file, too.
    const issue = onlyIssue(HEAT("  x: [0, 1]\n  t: [0, 1]", "u_t = 2 k*u_xx", "constants:\n  k: 0.1\n"));
    expect(issue.hint).toBe("write multiplication explicitly with *");
  });
});
