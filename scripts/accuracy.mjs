// npm run accuracy: solve every shipped problem (problems/*.yaml) with its file's settings and
// pinn's defaults, and write the table of errors, times and settings that the README shows.
//
//   node scripts/accuracy.mjs [--update-readme] [--only NAME,...]
//
// Writes out/accuracy/accuracy.json and out/accuracy/accuracy.md; with --update-readme it also
// replaces the table between the accuracy markers in README.md.

import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { loadProblem, solve } from "pinn";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const files = readdirSync("problems")
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .filter((f) => !only || only.includes(f.replace(/\.yaml$/, "")));

// Targets of the accuracy issue: 1e-4 on one-variable problems, 1e-3 on two-variable ones, unless
// problems/targets.json gives the problem its own (the regions issue's targets).
const TARGETS = JSON.parse(readFileSync("problems/targets.json", "utf8")).targets;
const target = (p) => TARGETS[p.name] ?? (p.variables.length === 1 ? 1e-4 : 1e-3);
const rows = [];
for (const f of files) {
  const problem = loadProblem(join("problems", f));
  process.stderr.write(`${problem.name} ... `);
  const result = await solve(problem, { plots: true });
  const errors = Object.entries(result.evaluation.metrics).map(([u, m]) => ({ unknown: u, rel_l2: m.rel_l2, max_abs: m.max_abs }));
  const worst = Math.max(...errors.map((e) => e.rel_l2 ?? 0));
  const row = {
    problem: problem.name,
    file: `problems/${f}`,
    variables: problem.variables.join(", "),
    errors,
    target: target(problem),
    pass: worst <= target(problem),
    seconds: result.train.seconds,
    iterations: result.train.epochs,
    network: `${[problem.variables.length, ...problem.network.hidden, problem.unknowns.length].join("-")} ${problem.network.activation}`,
    stages: problem.training.stages.map((s) => (s.optimizer === "adam" ? `Adam ${s.epochs}` : `L-BFGS ${s.iterations}`)).join(" + "),
    constraints: problem.trial.some((t) => t && !t.generated) ? "trial form" : problem.constraints,
  };
  rows.push(row);
  process.stderr.write(`${errors.map((e) => `${e.unknown} ${e.rel_l2?.toExponential(2)}`).join(", ")} in ${row.seconds.toFixed(1)} s\n`);
}

const fmt = (x) => (x === null || x === undefined ? "–" : x.toExponential(1));
const table = [
  "| problem | variables | rel. L2 error | target | max abs error | time (s) | iterations | network | optimizer | conditions |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) =>
    `| [${r.problem}](${r.file}) | ${r.variables} | ${r.errors.map((e) => (r.errors.length > 1 ? `${e.unknown}: ` : "") + fmt(e.rel_l2)).join(", ")} ${r.pass ? "✓" : "✗"} | ${fmt(r.target)} | ${r.errors.map((e) => fmt(e.max_abs)).join(", ")} | ${r.seconds.toFixed(1)} | ${r.iterations} | ${r.network} | ${r.stages} | ${r.constraints} |`,
  ),
].join("\n");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
mkdirSync("out/accuracy", { recursive: true });
writeFileSync("out/accuracy/accuracy.json", `${JSON.stringify({ machine, rows }, null, 2)}\n`);
const md = `${table}\n\nMeasured with \`npm run accuracy\` on ${machine}; one core, default settings plus what each file says.\n`;
writeFileSync("out/accuracy/accuracy.md", md);
process.stdout.write(md);

if (args.includes("--update-readme")) {
  const readme = readFileSync("README.md", "utf8");
  const start = "<!-- accuracy-table:start -->";
  const end = "<!-- accuracy-table:end -->";
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error("README.md has no accuracy markers");
  writeFileSync("README.md", `${readme.slice(0, a + start.length)}\n${md}${readme.slice(b)}`);
  process.stderr.write("README.md updated\n");
}
if (rows.some((r) => !r.pass)) process.exitCode = 1;
