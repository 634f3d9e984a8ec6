// The "Regions" keys of a problem file: shapes, region, conditions on boundary parts with d(u, n)
// and n_x, n_y; and their errors, each at the line and column of the offending text (found here by
// searching the YAML text) with a hint.

import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { type ProblemIssue, type SourcePosition } from "../../src/problem/errors.js";
import * as S from "../../src/expressions/symbolic.js";
import type { PartCondition } from "../../src/problem/types.js";
import { issuesOf } from "../helpers/problems.js";

const FILE = "case.yaml";

const CHANNEL = `name: flow
domain:
  x: [-2, 2]
  y: [-1, 1]
shapes:
  channel: "rectangle(-2, -1, 2, 1)"
  cylinder: "disk(0, 0, 0.25)"
region: "channel - cylinder"
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u = x on channel"
  - "d(u, n) = 0 on cylinder"
`;


function onlyIssue(text: string): ProblemIssue {
  const issues = issuesOf(text);
  expect(issues, JSON.stringify(issues, null, 2)).toHaveLength(1);
  return issues[0]!;
}

function locate(text: string, needle: string): SourcePosition {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in the text`);
  const before = text.slice(0, at);
  return { line: before.split("\n").length, column: at - before.lastIndexOf("\n") };
}

function edit(from: string, to: string, text = CHANNEL): string {
  expect(text.includes(from)).toBe(true);
  return text.replace(from, to);
}

describe("regions in problem files", () => {
  it("a channel with a cylinder: parts named by shape, d(u, n) expanded to n_x u_x + n_y u_y", () => {
    const p = parseProblem(CHANNEL, FILE);
    expect(p.domain?.region?.parts).toEqual(["channel", "cylinder"]);
    const [wall, cyl] = p.conditions as PartCondition[];
    expect(wall!.kind).toBe("part");
    expect(wall!.part).toBe("channel");
    expect(cyl!.part).toBe("cylinder");
    // Normal components are the symbolic variables 2 and 3 (after x, y): n_x·u_x + n_y·u_y − 0.
    const expected = S.add(S.mul(S.variable(2), S.field(0, [1])), S.mul(S.variable(3), S.field(0, [0, 1])));
    expect(cyl!.residual).toBe(expected);
  });

  it("n_x, n_y, u_x and on boundary", () => {
    const p = parseProblem(edit('"d(u, n) = 0 on cylinder"', '"u_x*n_x + 2*n_y*u = 1 on boundary"'), FILE);
    const c = p.conditions[1] as PartCondition;
    expect(c.part).toBeNull();
    const expected = S.sub(S.add(S.mul(S.field(0, [1]), S.variable(2)), S.mul(S.mul(S.num(2), S.variable(3)), S.field(0, []))), S.num(1));
    expect(c.residual).toBe(expected);
  });

  it("a single shape is the region; located conditions stay point conditions over the region", () => {
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
  - "u(x, y, 0) = 0"
  - "u = 0 on tri"
`;
    const p = parseProblem(text, FILE);
    expect(p.domain?.spatial).toEqual([0, 1]);
    expect(p.conditions.map((c) => c.kind)).toEqual(["point", "part"]);
  });

  it("unknown shape kind: located at the kind, with the list of shapes", () => {
    const text = edit('"disk(0, 0, 0.25)"', '"disc(0, 0, 0.25)"');
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/"disc" is not a shape.*did you mean "disk"/);
    expect(issue.position).toEqual(locate(text, "disc("));
    expect(issue.hint).toMatch(/rectangle, disk, ellipse, polygon/);
  });

  it("unknown shape name in region and in a condition", () => {
    const a = edit('region: "channel - cylinder"', 'region: "channel - cylindre"');
    const ia = onlyIssue(a);
    expect(ia.message).toMatch(/"cylindre" is not a shape.*did you mean "cylinder"/);
    expect(ia.position).toEqual(locate(a, "cylindre"));
    const b = edit("0 on cylinder", "0 on cylindre");
    const ib = onlyIssue(b);
    expect(ib.message).toMatch(/"cylindre" is not a shape of the region/);
    expect(ib.position).toEqual(locate(b, "cylindre"));
  });

  it("a region that leaves the domain's intervals", () => {
    const text = edit('"disk(0, 0, 0.25)"', '"disk(1.9, 0, 0.25)"', edit('region: "channel - cylinder"', 'region: "channel + cylinder"'));
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/leaves the domain's interval x ∈ \[-2, 2\]: it reaches x = 2.15/);
    expect(issue.hint).toMatch(/widen x to at least \[-2, 2.15\]/);
    expect(issue.position).toEqual(locate(text, '"channel + cylinder"'));
  });

  it("an empty boundary part: a disk inside the channel added to it", () => {
    const text = edit('region: "channel - cylinder"', 'region: "channel + cylinder"');
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/boundary part "cylinder" is empty/);
    const at = locate(text, "on cylinder");
    expect(issue.position).toEqual({ line: at.line, column: at.column + 3 });
  });

  it("wrong argument count, bad values, 3-D shape in a 2-D domain, several shapes without region", () => {
    expect(onlyIssue(edit('"disk(0, 0, 0.25)"', '"disk(0, 0)"')).message).toMatch(/disk\(\.\.\.\) takes 3 arguments \(cx, cy, r\), got 2/);
    expect(onlyIssue(edit('"disk(0, 0, 0.25)"', '"disk(0, 0, -1)"')).message).toMatch(/shape cylinder: radius r must be positive/);
    expect(onlyIssue(edit('"disk(0, 0, 0.25)"', '"ball(0, 0, 0, 0.25)"')).message).toMatch(/ball is a 3-D shape, but the domain has 2 spatial variables/);
    // A 2-D shape in x, y and a time variable not named t: the hint says to name it t.
    // (Both shapes are reported, and the u_xx spelling, which needs one-letter names.)
    const timed = issuesOf(edit("  y: [-1, 1]\n", "  y: [-1, 1]\n  time: [0, 1]\n"))[0]!;
    expect(timed.message).toMatch(/rectangle is a 2-D shape, but the domain has 3 spatial variables \(x, y, time\)/);
    expect(timed.hint).toMatch(/if one of x, y, time is time, name it t/);
    // With t present the hint lists the 3-D shapes only.
    expect(onlyIssue(edit('"disk(0, 0, 0.25)"', '"ball(0, 0, 0, 0.25)"')).hint).not.toMatch(/name it t/);
    expect(onlyIssue(edit('region: "channel - cylinder"\n', "")).message).toMatch(/2 shapes but no region/);
    expect(onlyIssue(edit('region: "channel - cylinder"', 'region: "channel - (cylinder"')).message).toMatch(/missing "\)"/);
  });

  it("on NAME in a box problem, and d(u, n, 2)", () => {
    const box = edit('shapes:\n  channel: "rectangle(-2, -1, 2, 1)"\n  cylinder: "disk(0, 0, 0.25)"\nregion: "channel - cylinder"\n', "");
    expect(issuesOf(box)[0]!.message).toMatch(/needs a region, and this problem's domain is a box/);
    expect(onlyIssue(edit("d(u, n) = 0", "d(u, n, 2) = 0")).message).toMatch(/only the first normal derivative/);
  });

  it("a periodic condition along a variable of the region", () => {
    const text = edit('"u = x on channel"', "{periodic: x}");
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/periodic conditions need a box along x/);
    expect(issue.position).toEqual(locate(text, "{periodic: x}"));
  });

  it("a located condition that misses the region", () => {
    const text = edit('"u = x on channel"', '"u(0, 0) = 1"');
    expect(onlyIssue(text).message).toMatch(/location \(x = 0, y = 0\) does not meet the region/);
  });
});
