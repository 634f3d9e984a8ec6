// Region problems end to end at reduced settings (the full settings and the targets are in
// test/problems/shipped-suite.ts and `npm run accuracy`): the shipped files with shorter training, and
// bounds on the relative L2 error that an untrained or wrongly posed solve cannot meet (a network
// that ignored the region's boundary data or normals is off by O(1)). `pinn check` on boundary parts
// is tested with a correct and a wrong Neumann condition.

import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadProblem, parseProblem } from "../../src/problem/load.js";
import { checkExactSolution } from "../../src/residual/check.js";
import { solve } from "../../src/solve.js";
import type { Problem } from "../../src/problem/types.js";
import { readFileSync } from "node:fs";

const DIR = fileURLToPath(new URL("../../problems/", import.meta.url));

function reduced(name: string, adam: number, lbfgs: number, points: number, boundary: number, edit?: (text: string) => string): Problem {
  const text = readFileSync(join(DIR, `${name}.yaml`), "utf8");
  const p = edit ? parseProblem(edit(text), `${name}.yaml`) : loadProblem(join(DIR, `${name}.yaml`));
  const lr = p.training.stages[0]!.learningRate;
  p.training.stages = [
    { optimizer: "adam", epochs: adam, learningRate: lr, schedule: { type: "constant" } as never },
    { optimizer: "lbfgs", iterations: lbfgs, learningRate: 1, historySize: 50 },
  ];
  p.training.points = points;
  p.training.boundaryPoints = boundary;
  return p;
}

describe("pinn check on boundary parts", () => {
  it("the cylinder's Neumann condition holds with the real normals, and a wrong one is caught", () => {
    expect(checkExactSolution(loadProblem(join(DIR, "cylinder-flow.yaml"))).ok).toBe(true);
    const text = readFileSync(join(DIR, "cylinder-flow.yaml"), "utf8").replace('"d(phi, n) = 0 on cylinder"', '"d(phi, n) = 1 on cylinder"');
    const report = checkExactSolution(parseProblem(text, "cylinder-flow.yaml"));
    expect(report.ok).toBe(false);
    expect(report.items.find((i) => i.source.text.startsWith("d(phi, n)"))!.ok).toBe(false);
    // On the hole the region's outward normal points into it: n = −(x, y)/a. A condition that is
    // odd in n holds only with that sign: phi + n_x = phi_exact − x/a.
    const odd = (rhs: string) => parseProblem(readFileSync(join(DIR, "cylinder-flow.yaml"), "utf8").replace('"d(phi, n) = 0 on cylinder"', `"phi + n_x = x*(1 + a^2/(x^2 + y^2)) ${rhs} on cylinder"`), "cylinder-flow.yaml");
    expect(checkExactSolution(odd("- x/a")).ok).toBe(true);
    expect(checkExactSolution(odd("+ x/a")).ok).toBe(false);
    // φ_x = 1 + a²(y² − x²)/r⁴, which is 2y²/a² on r = a (by hand): a part condition without normals.
    const px = readFileSync(join(DIR, "cylinder-flow.yaml"), "utf8").replace('"d(phi, n) = 0 on cylinder"', '"d(phi, x) = 2*y^2/a^2 on cylinder"');
    expect(checkExactSolution(parseProblem(px, "cylinder-flow.yaml")).ok).toBe(true);
  });
});

describe("region problems at reduced settings", () => {
  it("Poisson on a disk, Dirichlet data on the circle (hard: u = g + φN with φ the disk's distance function)", async () => {
    const result = await solve(reduced("poisson-disk", 300, 300, 256, 64), { write: false });
    expect(result.evaluation.grid.inside).not.toBeNull();
    expect(result.evaluation.metrics["u"]!.rel_l2!).toBeLessThan(1e-2);
  }, 300_000);

  it("Neumann data on a hole through the normals: u = log r in an annulus, d(u, n) = −1/r on the inner circle", async () => {
    // On the hole the region's outward normal is −(x, y)/r, so d(u, n) = −∂u/∂r = −2 at r = 0.5.
    // With the normal's sign wrong the solution would be −log r: a relative error of order one.
    const text = `name: neumann-hole
domain:
  x: [-1, 1]
  y: [-1, 1]
shapes:
  outer: "disk(0, 0, 1)"
  inner: "disk(0, 0, 0.5)"
region: "outer - inner"
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u = 0 on outer"
  - "d(u, n) = -2 on inner"
exact:
  u: "log(x^2 + y^2)/2"
network:
  hidden: [16, 16]
training:
  epochs: 500
  lbfgs_iterations: 500
  points: 256
  boundary_points: 64
evaluate:
  points: 31
`;
    const problem = parseProblem(text, "neumann-hole.yaml");
    expect(checkExactSolution(problem).ok).toBe(true);
    const result = await solve(problem, { write: false });
    expect(result.evaluation.metrics["u"]!.rel_l2!).toBeLessThan(2e-2);
  }, 300_000);
});
