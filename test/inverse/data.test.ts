// Data misfit terms: one term per data set and observed unknown, equal to the mean squared scaled
// misfit computed here from the network's own predictions; data in a forward problem; malformed
// and out-of-domain CSVs are errors naming the CSV, its line and column.

import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { buildSeededModel } from "../../src/training/member.js";
import { predictUnknowns } from "../../src/residual/predict.js";
import { noGrad } from "../../src/engine/state.js";
import { solve } from "../../src/solve.js";

const PROBLEM = `name: pair
domain:
  x: [0, 2]
unknowns: [u, v]
equations:
  - "u' = v"
  - "v' = -u"
conditions:
  - "u(0) = 0"
network:
  hidden: [6]
data:
  - file: a.csv
  - file: b.csv
    weight: 3
`;

function setup(files: Record<string, string>, problem = PROBLEM): string {
  const dir = mkdtempSync(join(tmpdir(), "pinn-data-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, "p.yaml"), problem);
  return join(dir, "p.yaml");
}

function csvError(file: string): ProblemError {
  try {
    loadProblem(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return e as ProblemError;
  }
  throw new Error("expected a ProblemError");
}

const A = "x,u,v\n0.5,0.479,0.878\n1.5,0.997,0.0707\n";
const B = "v,x\n0.54,1\n";

describe("data terms", () => {
  it("adds one term per set and observed unknown, the mean squared scaled misfit", () => {
    const problem = loadProblem(setup({ "a.csv": A, "b.csv": B }));
    const model = buildSeededModel(problem, 1);
    const data = model.terms.filter((t) => t.kind === "data");
    expect(data.map((t) => t.label)).toEqual(["u = data a.csv", "v = data a.csv", "v = data b.csv"]);
    expect(data.map((t) => t.weight)).toEqual([1, 1, 3]);
    expect(model.pointCounts().slice(-3)).toEqual([2, 2, 1]);
    const losses = noGrad(() => model.losses(model.draw()));
    const first = model.terms.findIndex((t) => t.kind === "data");
    // Independently: predictions at the data points, minus the data, over each term's scale.
    const [u, v] = predictUnknowns(problem, model.network, Float64Array.from([0.5, 1.5, 1]), model.outputScale);
    const s = model.termScale.slice(first);
    const expected = [
      ((u![0]! - 0.479) ** 2 + (u![1]! - 0.997) ** 2) / 2 / s[0]! ** 2,
      ((v![0]! - 0.878) ** 2 + (v![1]! - 0.0707) ** 2) / 2 / s[1]! ** 2,
      (v![2]! - 0.54) ** 2 / s[2]! ** 2,
    ];
    expected.forEach((e, j) => expect(losses.data[first + j]!).toBeCloseTo(e, 12));
    // Scales: the larger of U_k (here 1: no source, zero data) and the data's RMS.
    expect(s[0]).toBeCloseTo(Math.max(1, Math.sqrt((0.479 ** 2 + 0.997 ** 2) / 2)), 12);
  });

  it("fits a forward problem to measurements (reduced settings)", async () => {
    // u'' = 0 with one condition is underdetermined; the data u(1) = 3 fixes u = 1 + 2x.
    const file = setup(
      { "m.csv": "x,u\n1,3\n" },
      'name: fit\ndomain:\n  x: [0, 1]\nunknowns: [u]\nequations:\n  - "u\'\' = 0"\nconditions:\n  - "u(0) = 1"\ndata:\n  - file: m.csv\nnetwork:\n  hidden: [8]\ntraining:\n  optimizer: [{adam: {epochs: 100, learning_rate: 0.01}}, {lbfgs: {iterations: 100}}]\n  points: 16\nexact:\n  u: "1 + 2*x"\n',
    );
    const result = await solve(loadProblem(file), { write: false });
    // Without the data the slope is free (any u = 1 + c x); with it, u = 1 + 2x to 1e-3.
    expect(result.evaluation.metrics.u!.max_abs).toBeLessThan(1e-3);
  }, 60_000);
});

describe("CSV errors", () => {
  it("a point outside the domain names the CSV, its line and column", () => {
    const e = csvError(setup({ "a.csv": "x,u\n0.5,1\n2.5,1\n", "b.csv": B }));
    expect(e.issues[0]!.file).toMatch(/a\.csv$/);
    expect(e.message).toMatch(/a\.csv:3:1: error: /);
    expect(e.issues[0]!.message).toContain("x = 2.5 lies outside the domain");
    expect(e.issues[0]!.position).toEqual({ line: 3, column: 1 });
  });

  it("a non-number names its line and column", () => {
    const e = csvError(setup({ "a.csv": A, "b.csv": "x,v\n1,abc\n" }));
    expect(e.issues[0]!.file).toMatch(/b\.csv$/);
    expect(e.issues[0]!.message).toContain('"abc" is not a finite number');
    expect(e.issues[0]!.position).toEqual({ line: 2, column: 3 });
  });

  it("a missing variable column, an unknown column, a ragged row", () => {
    expect(csvError(setup({ "a.csv": "u\n1\n", "b.csv": B })).issues[0]!.message).toContain('missing column "x"');
    expect(csvError(setup({ "a.csv": "x,w\n1,1\n", "b.csv": B })).issues[0]!.message).toContain('unknown column "w"');
    const ragged = csvError(setup({ "a.csv": "x,u\n1,1\n1\n", "b.csv": B }));
    expect(ragged.issues[0]!.position!.line).toBe(3);
  });

  it("an error in a CSV does not hide the problem file's own errors: both listed, the problem file's first", () => {
    // The problem file's second condition (line 10: name, domain, x, unknowns, equations, two equations,
    // conditions, the first) calls an unknown function; b.csv has a non-number on its line 2.
    const broken = PROBLEM.replace('  - "u(0) = 0"\n', '  - "u(0) = 0"\n  - "v(0) = sinn(1)"\n');
    const e = csvError(setup({ "a.csv": A, "b.csv": "x,v\n1,abc\n" }, broken));
    expect(e.issues.map((i) => [i.file === undefined ? "p.yaml" : i.file.split("/").pop(), i.position?.line])).toEqual([["p.yaml", 10], ["b.csv", 2]]);
    expect(e.issues[0]!.message).toContain('unknown function "sinn"');
  });

  it("a data file with no unknown column", () => {
    expect(csvError(setup({ "a.csv": "x\n1\n", "b.csv": B })).issues[0]!.message).toContain("no observed unknown");
  });

  it("a missing file is reported at the line of the problem file that names it", () => {
    const e = csvError(setup({ "b.csv": B }));
    expect(e.file).toMatch(/p\.yaml$/);
    expect(e.issues[0]!.position).toBeDefined();
    expect(e.issues[0]!.message).toMatch(/a\.csv/);
    expect(e.issues[0]!.message).toContain("cannot read the data file");
  });
});
