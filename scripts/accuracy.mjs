// npm run accuracy: solve every shipped problem (problems/**/*.yaml, subfolders included) with its
// file's settings and pinn's defaults — exactly as `pinn solve` does — check each against its target
// (problems/targets.json), and write the table of errors, verdicts, times and settings that the README shows.
// This is where the full-settings targets are asserted; the tests (test/problems/shipped-suite.ts)
// solve the same files at reduced settings with bounds that still prove them.
//
//   node scripts/accuracy.mjs [--update-readme] [--only NAME,...]
//
// NAME is a file's path under problems/ without ".yaml" ("ode1", "inverse/heat") or its base name.
// Writes out/accuracy/accuracy.json and out/accuracy/accuracy.md; with --update-readme it also
// replaces the table between the accuracy markers in README.md. Exit 1 when a target is missed.
//
// Inverse problems (problems/inverse/) are judged by their parameter errors, not by this table:
// scripts/inverse-accuracy.mjs reports them when it exists (it is run at the end, given the same
// --only); until then they are listed as left to it.

import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { spawnSync } from "node:child_process";
import { loadProblem, solve } from "pinn";

// The accuracy targets (relative L2 error of every unknown): one table, problems/targets.json, by
// problem name, read also by the tests; a problem not in it has the accuracy issue's default, 1e-4
// for one variable and 1e-3 otherwise. Burgers' target is against its reference solution
// (metrics.u.against = "reference").
const TARGETS = JSON.parse(readFileSync(join("problems", "targets.json"), "utf8")).targets;
const targetOf = (name, problem) => {
  const own = TARGETS[problem.name] ?? TARGETS[name];
  return own !== undefined ? { target: own, source: "problems/targets.json" } : { target: problem.variables.length === 1 ? 1e-4 : 1e-3, source: "default" };
};

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",").filter(Boolean) : null;
const matches = (o, name) => [name, `${name}.yaml`, name.split("/").pop(), `${name.split("/").pop()}.yaml`].includes(o);
const wanted = (name) => !only || only.some((o) => matches(o, name));
const names = readdirSync("problems", { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.replace(/\\/g, "/").replace(/\.yaml$/, ""))
  .sort()
  .filter(wanted);
const isInverse = (name) => name.startsWith("inverse/");
const unmatched = (only ?? []).filter((o) => !names.some((n) => matches(o, n)));
if (unmatched.length > 0) {
  process.stderr.write(`accuracy: --only ${unmatched.join(",")}: no such file under problems/ (give a path under problems/ without .yaml, e.g. ode1)\n`);
  process.exit(2);
}

const rows = [];
for (const name of names.filter((n) => !isInverse(n))) {
  const problem = loadProblem(join("problems", `${name}.yaml`));
  const { target, source } = targetOf(name, problem);
  process.stderr.write(`${name} ... `);
  const result = await solve(problem, { plots: true, threads: 1 }); // one core, as the targets say
  const errors = Object.entries(result.evaluation.metrics).map(([u, m]) => ({ unknown: u, rel_l2: m.rel_l2, max_abs: m.max_abs, against: m.against ?? "exact" }));
  const worst = errors.length === 0 ? Infinity : Math.max(...errors.map((e) => e.rel_l2 ?? Infinity));
  const verdict = result.summary.diagnosis?.verdict ?? "–";
  const row = {
    problem: name,
    file: `problems/${name}.yaml`,
    variables: problem.variables.join(", "),
    errors,
    target,
    target_source: source,
    pass: worst <= target,
    verdict,
    seconds: result.train.seconds,
    iterations: result.train.epochs,
    network: `${[problem.variables.length, ...problem.network.hidden, problem.unknowns.length].join("-")} ${problem.network.activation}`,
    stages:
      problem.training.stages.map((s) => (s.optimizer === "adam" ? `Adam ${s.epochs}` : `${s.optimizer === "bfgs" ? `BFGS (${s.update})` : "L-BFGS"} ${s.iterations}`)).join(" + ") +
      // RAR-D (the refinement's points redrawn where the residual is large), as the stage records it.
      [...new Set(result.train.stages.flatMap((s) => (s.adaptiveSampling ? [s.adaptiveSampling] : [])))].map((r) => `, RAR-D every ${r}`).join(""),
    constraints: problem.trial.some((t) => t && !t.generated) ? "trial form" : problem.constraints,
  };
  rows.push(row);
  process.stderr.write(`${errors.map((e) => `${e.unknown} ${e.rel_l2?.toExponential(2)}`).join(", ")} (target ${target}) ${row.pass ? "pass" : "FAIL"}, verdict ${verdict}, ${row.seconds.toFixed(1)} s\n`);
}

const fmt = (x) => (x === null || x === undefined ? "–" : x.toExponential(1));
const errorCell = (r) =>
  r.errors.length === 0
    ? "no exact solution or reference"
    : r.errors.map((e) => (r.errors.length > 1 ? `${e.unknown}: ` : "") + fmt(e.rel_l2) + (e.against === "reference" ? " (vs reference)" : "")).join(", ");
const table = [
  "| problem | variables | rel. L2 error | target | verdict | max abs error | time (s) | iterations | network | optimizer | conditions |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) =>
    `| [${r.problem}](${r.file}) | ${r.variables} | ${errorCell(r)} ${r.pass ? "✓" : "✗"} | ${fmt(r.target)} | ${r.verdict} | ${r.errors.map((e) => fmt(e.max_abs)).join(", ")} | ${r.seconds.toFixed(1)} | ${r.iterations} | ${r.network} | ${r.stages} | ${r.constraints} |`,
  ),
].join("\n");
const inverse = names.filter(isInverse);
const inverseScript = join("scripts", "inverse-accuracy.mjs");
const inverseNote =
  inverse.length === 0
    ? ""
    : existsSync(inverseScript)
      ? `\n\nInverse problems (${inverse.join(", ")}) are judged by their parameter errors: see \`node ${inverseScript}\`.`
      : `\n\nInverse problems (${inverse.join(", ")}) are judged by their parameter errors, reported by ${inverseScript} (not there yet); they are not in this table.`;
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
mkdirSync("out/accuracy", { recursive: true });
writeFileSync("out/accuracy/accuracy.json", `${JSON.stringify({ machine, rows, inverse }, null, 2)}\n`);
const md = `${table}\n\nMeasured with \`npm run accuracy\` on ${machine}; one core, default settings plus what each file says. The verdict is summary.json's \`diagnosis.verdict\`, decided without the exact solution.${inverseNote}\n`;
writeFileSync("out/accuracy/accuracy.md", md);
process.stdout.write(md);

if (args.includes("--update-readme")) {
  if (only) {
    process.stderr.write("accuracy: --update-readme needs every problem; not updating README.md with --only\n");
  } else {
    const readme = readFileSync("README.md", "utf8");
    const start = "<!-- accuracy-table:start -->";
    const end = "<!-- accuracy-table:end -->";
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) throw new Error("README.md has no accuracy markers");
    writeFileSync("README.md", `${readme.slice(0, a + start.length)}\n${md}${readme.slice(b)}`);
    process.stderr.write("README.md updated\n");
  }
}
if (rows.some((r) => !r.pass)) process.exitCode = 1;

if (inverse.length > 0 && existsSync(inverseScript)) {
  const run = spawnSync(process.execPath, [inverseScript, ...(only ? ["--only", inverse.map((n) => n.split("/").pop()).join(",")] : [])], { stdio: "inherit" });
  if (run.status !== 0) process.exitCode = 1;
}
