// A small inverse problem: u' = -a u, u(0) = 1 on [0, 1] with a = 1 (u = e^-t), observed at chosen
// times (exact values e^-t) — for the ensemble tests (test/inverse/ensemble.test.ts,
// test/diagnostics/ensemble-verdicts.test.ts: 11 points) and the identifiability tests
// (test/diagnostics/identifiability.test.ts: data at t = 0 only, or along t).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DecayOptions {
  /** Times of the observations (default: 0, 0.1, …, 1). */
  times?: readonly number[];
  /** The `parameters:` section's lines (default: a with initial 0.5, min 0, exact 1). */
  parameters?: string;
  /** The equation (default u' = -a*u). */
  equation?: string;
  /** The `training:` section's lines but `points`. */
  training?: string;
  hidden?: number;
  points?: number;
  evaluatePoints?: number;
}

/** The problem file (and its data CSV) in a new temporary folder; returns the file's path. */
export function writeDecay(o: DecayOptions = {}): string {
  const times = o.times ?? Array.from({ length: 11 }, (_, i) => i / 10);
  const dir = mkdtempSync(join(tmpdir(), "pinn-decay-"));
  writeFileSync(join(dir, "decay.csv"), ["t,u", ...times.map((t) => `${t},${Math.exp(-t)}`)].join("\n") + "\n");
  writeFileSync(
    join(dir, "decay.yaml"),
    `name: decay
domain:
  t: [0, 1]
unknowns: [u]
parameters:
${o.parameters ?? "  a: {initial: 0.5, min: 0, exact: 1}"}
equations:
  - "${o.equation ?? "u' = -a*u"}"
conditions:
  - "u(0) = 1"
data:
  - file: decay.csv
network:
  hidden: [${o.hidden ?? 6}]
training:
  ${o.training ?? "optimizer: [{adam: {epochs: 30, learning_rate: 0.01}}, {lbfgs: {iterations: 10}}]"}
  points: ${o.points ?? 16}
evaluate:
  points: ${o.evaluatePoints ?? 5}
`,
  );
  return join(dir, "decay.yaml");
}

/** The ensemble tests' file: 11 observations, a 6-neuron network, `ensemble` members. */
export function writeDecayProblem(ensemble: number, optimizer = "[{adam: {epochs: 30, learning_rate: 0.01}}, {lbfgs: {iterations: 10}}]"): string {
  return writeDecay({ training: `optimizer: ${optimizer}\n  ensemble: ${ensemble}` });
}
