// A constant or parameter rejected where it is defined is reported there once, not again at each use
// as "not defined … new constants go under constants:" (which it already is). Positions found by
// searching the YAML text.

import { describe, expect, it } from "vitest";
import { issuesOf, locate, onlyIssue } from "../helpers/problems.js";

describe("a rejected name is reported once", () => {
  it("a constant named d (the derivative's name), used in an equation", () => {
    const text = `name: lv\ndomain:\n  t: [0, 1]\nunknowns: [x, y]\nconstants:\n  d: 0.25\nequations:\n  - "x' = x - x*y"\n  - "y' = -y + d*x*y"\nconditions:\n  - "x(0) = 2"\n  - "y(0) = 1"\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('"d" cannot be a constant\'s name (it is a built-in name: d(u, x) is a derivative)');
    expect(issue.position).toEqual(locate(text, "d: 0.25"));
  });

  it("a parameter whose initial value lies outside its bounds, used in an equation", () => {
    const text = `name: p\ndomain:\n  x: [0, 1]\nunknowns: [u]\nparameters:\n  m: {initial: 5, min: 0, max: 1}\nequations:\n  - "u'' = -m*u"\nconditions:\n  - "u(0) = 0"\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual(["parameter m: the initial value 5 must lie strictly inside its bounds [0, 1]"]);
  });

  it("an undefined name is still reported", () => {
    const text = `name: p\ndomain:\n  x: [0, 1]\nunknowns: [u]\nequations:\n  - "u'' = -q*u"\nconditions:\n  - "u(0) = 0"\n`;
    expect(onlyIssue(text).message).toBe('"q" is not defined');
  });
});
