// A small inverse problem for ensemble tests: u' = -a u, u(0) = 1 on [0, 1] with a = 1 (u = e^-t),
// observed at 11 points (test/inverse/ensemble.test.ts, test/diagnostics/ensemble-verdicts.test.ts).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The problem file (and its data CSV) in a new temporary folder; returns the file's path. */
export function writeDecayProblem(ensemble: number, optimizer = "[{adam: {epochs: 30, learning_rate: 0.01}}, {lbfgs: {iterations: 10}}]"): string {
  const dir = mkdtempSync(join(tmpdir(), "pinn-ensemble-"));
  const rows = Array.from({ length: 11 }, (_, i) => `${i / 10},${Math.exp(-i / 10)}`);
  writeFileSync(join(dir, "decay.csv"), ["t,u", ...rows].join("\n") + "\n");
  writeFileSync(
    join(dir, "decay.yaml"),
    `name: decay
domain:
  t: [0, 1]
unknowns: [u]
parameters:
  a: {initial: 0.5, min: 0, exact: 1}
equations:
  - "u' = -a*u"
conditions:
  - "u(0) = 1"
data:
  - file: decay.csv
network:
  hidden: [6]
training:
  optimizer: ${optimizer}
  points: 16
  ensemble: ${ensemble}
evaluate:
  points: 5
`,
  );
  return join(dir, "decay.yaml");
}
