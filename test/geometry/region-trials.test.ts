// constraints: hard on regions: which conditions the generated trial forms enforce (verified the
// same way as for boxes: the residual vanishes for random networks), and which stay penalties.

import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { classifyCondition } from "../../src/residual/enforced.js";
import { evaluatePoints } from "../../src/expressions/evaluate.js";
import * as S from "../../src/expressions/symbolic.js";

const base = (shapes: string, conditions: string, extra = "") => `name: h
domain:
  x: [-1, 1]
  y: [-1, 1]
${extra}shapes:
${shapes}
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
${conditions}
constraints: hard
`;

function statuses(text: string): string[] {
  const p = parseProblem(text, "h.yaml");
  return p.conditions.map((c) => classifyCondition(p, c));
}

describe("hard constraints on regions", () => {
  it("annulus with one data expression on both circles: both enforced; φ vanishes on both circles", () => {
    const text = base('  outer: "disk(0, 0, 1)"\n  inner: "disk(0, 0, 0.5)"\nregion: "outer - inner"', '  - "u = x on outer"\n  - "u = x on inner"');
    expect(statuses(text)).toEqual(["enforced", "enforced"]);
    const p = parseProblem(text, "h.yaml");
    // With N = 1 the trial form minus the lift is φ: zero at r = 1 and r = 0.5, positive at r = 0.75.
    const phi = S.substitute(S.sub(p.trial[0]!.expr, S.variable(0)), (a) => (a.kind === "net" ? S.ONE : undefined));
    const at = (x: number, y: number) => evaluatePoints(phi, Float64Array.of(x, y), 2)[0]!;
    expect(Math.abs(at(1, 0))).toBeLessThan(1e-12);
    expect(Math.abs(at(0, -0.5))).toBeLessThan(1e-12);
    expect(at(0.75, 0)).toBeGreaterThan(0);
  });

  it("different data on the two circles, Neumann data, a non-convex polygon: penalties", () => {
    expect(statuses(base('  outer: "disk(0, 0, 1)"\n  inner: "disk(0, 0, 0.5)"\nregion: "outer - inner"', '  - "u = x on outer"\n  - "u = 1 on inner"'))).toEqual(["penalty", "penalty"]);
    expect(statuses(base('  d: "disk(0, 0, 1)"', '  - "d(u, n) = 0 on d"'))).toEqual(["penalty"]);
    // An L-shape as one polygon: the product of its sides' lines changes sign inside it.
    expect(statuses(base('  l: "polygon(-1, -1, 1, -1, 1, 0, 0, 0, 0, 1, -1, 1)"', '  - "u = 0 on boundary"'))).toEqual(["penalty"]);
  });

  it("triangle over time: the Dirichlet data and the initial condition are both enforced (Boolean sum)", () => {
    const text = `name: h
domain:
  x: [0, 1]
  y: [0, 1]
  t: [0, 1]
shapes:
  tri: "polygon(0, 0, 1, 0, 0, 1)"
unknowns: [u]
equations:
  - "u_t = u_xx + u_yy"
conditions:
  - "u(x, y, 0) = sin(pi*x)*sin(pi*y)"
  - "u = exp(-2*pi^2*t)*sin(pi*x)*sin(pi*y) on tri"
constraints: hard
`;
    expect(statuses(text)).toEqual(["enforced", "enforced"]);
  });
});
