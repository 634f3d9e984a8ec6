import { describe, expect, it } from "vitest";
import { parse } from "../helpers/problems.js";
import { hardConstraintLines } from "../../src/cli/describe.js";

// PINNacle's Poisson 2d-C written from the contract with `constraints: hard`: u = 1 on the square and
// u = 0 on four holes cannot share one trial form, and the same long reason was printed five times.
const HOLES = `name: p2dc
domain:
  x: [-0.5, 0.5]
  y: [-0.5, 0.5]
shapes:
  square: "rectangle(-0.5, -0.5, 0.5, 0.5)"
  h1: "disk(0.3, 0.3, 0.1)"
  h2: "disk(-0.3, -0.3, 0.1)"
region: "square - h1 - h2"
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u = 1 on square"
  - "u = 0 on h1"
  - "u = 0 on h2"
constraints: hard
`;

describe("constraints: hard — conditions that stay penalty terms", () => {
  it("several: the reason once, then one line per condition with its line number", () => {
    const lines = hardConstraintLines(parse(HOLES), () => false).filter((l) => l.includes("cannot enforce") || l.startsWith("    "));
    expect(lines[0]).toMatch(/^ {2}constraints: hard — cannot enforce these 3 conditions \(on a region a trial form enforces .*\): they stay penalty terms$/);
    expect(lines.slice(1)).toEqual(["    u = 1 on square (line 14)", "    u = 0 on h1 (line 15)", "    u = 0 on h2 (line 16)"]);
    expect(lines.join("\n").match(/on a region a trial form/g)).toHaveLength(1);
  });

  it("one: a single line as before", () => {
    const p = parse(HOLES);
    const lines = hardConstraintLines(p, (c) => c !== p.conditions[1]).filter((l) => l.includes("cannot enforce"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}constraints: hard — cannot enforce u = 0 on h1 \(line 15\) \(on a region .*\): it stays a penalty term$/);
  });
});
