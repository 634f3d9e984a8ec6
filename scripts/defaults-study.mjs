// The measurement behind pinn's defaults: solve problems under alternative settings and several
// seeds, and print the median relative L2 error and time of each variant.
//
//   npm run build && node scripts/defaults-study.mjs [--seeds 3] [--dir problems] [--problems a,b] [--variants a,b]
//
// A variant changes settings the problem file leaves to the defaults (never what the file sets
// itself), so each row answers "what if the default were this instead".
//
// Every solve trains once (`escalate: false`): `pinn solve` would train a steady problem again with
// 1,024 points and RAR-D when its verdict blames the gap between the points (training/escalation.ts),
// and a row would then measure that retry as much as its variant (the "points x4" variant is nearly
// the retry itself). What escalation adds is measured on its own in the README ("Escalation").

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadProblem, solve } from "pinn";

const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seeds = Number(arg("--seeds", "3"));
const dir = arg("--dir", "problems");
const problems = arg("--problems", readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => f.replace(/\.yaml$/, "")).join(",")).split(",");

/** Each variant edits the loaded problem's settings where the file did not set them. */
const VARIANTS = {
  defaults: () => {},
  "init uniform": (p, file) => (!file.network?.init ? (p.network.init = "uniform") : null),
  "init glorot": (p, file) => (!file.network?.init ? (p.network.init = "glorot") : null),
  "lbfgs 1000": (p) => lbfgs(p, 1000),
  "lbfgs 2000": (p) => lbfgs(p, 2000),
  "no scaling": (p) => (p.training.scaling = false),
  "no causal": (p) => (p.training.causal = false),
  gradnorm: (p) => (p.training.lossWeighting = "gradnorm"),
  "hidden 64x3": (p, file) => (!file.network?.hidden ? (p.network.hidden = [64, 64, 64]) : null),
  "hidden 32x2": (p, file) => (!file.network?.hidden ? (p.network.hidden = [32, 32]) : null),
  "uniform + lbfgs 2000": (p, file) => (VARIANTS["init uniform"](p, file), lbfgs(p, 2000)),
  "uniform + lbfgs 5000": (p, file) => (VARIANTS["init uniform"](p, file), lbfgs(p, 5000)),
  "uniform + lbfgs 2000 + gradnorm": (p, file) => (VARIANTS["init uniform"](p, file), lbfgs(p, 2000), (p.training.lossWeighting = "gradnorm")),
  "points x4": (p, file) => (!file.training?.points ? (p.training.points *= 4) : null),
};

function lbfgs(p, n) {
  for (const s of p.training.stages) if (s.optimizer === "lbfgs") s.iterations = n;
}

const chosen = arg("--variants", Object.keys(VARIANTS).join(",")).split(",");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { parse } = await import("yaml");
const { readFileSync } = await import("node:fs");

console.log(`| problem | variant | median rel. L2 (${seeds} seeds) | worst | median time (s) |`);
console.log("| --- | --- | --- | --- | --- |");
for (const name of problems) {
  const path = join(dir, `${name}.yaml`);
  const file = parse(readFileSync(path, "utf8"));
  for (const variant of chosen) {
    const errors = [];
    const times = [];
    for (let seed = 0; seed < seeds; seed++) {
      const p = loadProblem(path, { overrides: { seed } });
      VARIANTS[variant](p, file);
      const r = await solve(p, { write: false, escalate: false });
      errors.push(Math.max(...Object.values(r.evaluation.metrics).map((m) => m.rel_l2 ?? 0)));
      times.push(r.train.seconds);
    }
    console.log(`| ${name} | ${variant} | ${median(errors).toExponential(2)} | ${Math.max(...errors).toExponential(2)} | ${median(times).toFixed(1)} |`);
  }
}
