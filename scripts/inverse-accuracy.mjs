// The inverse problems' accuracy run: solve every problems/inverse/*.yaml with its file's settings
// and pinn's defaults, compare each learned parameter with its exact value and its target, and
// write the table the README shows (estimate, error, ensemble interval, time).
//
//   npm run build && node scripts/inverse-accuracy.mjs [--update-readme] [--only NAME,...] [--table]
//
// --table solves nothing: it writes the table (and, with --update-readme, the README) from the rows
// in out/inverse-accuracy/accuracy.json.
//
// Writes out/inverse-accuracy/accuracy.json and accuracy.md; exit status 1 when a target is missed
// or an ensemble's 95% interval misses the exact value. With --only, the rows of the other problems
// are kept from an earlier accuracy.json, so the problems can be measured in separate processes
// (one at a time per process: each ensemble already uses every core) and tabulated together.
// Time: the CPU time of the process (user + system, every thread: the whole ensemble), which means
// something on a shared machine, and the wall-clock time beside it.

import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { loadProblem, solve } from "pinn";

const args = process.argv.slice(2);
const tableOnly = args.includes("--table");
const only = tableOnly ? [] : args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const DIR = join("problems", "inverse");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .filter((f) => !only || only.includes(f.replace(/\.yaml$/, "")));

// Relative-error targets (issue 12): 1% for the heat diffusivity and the Lorenz coefficients;
// for Burgers, better than Raissi, Perdikaris & Karniadakis (2019), Table 1 / section 4.1.1.
const TARGETS = {
  "burgers-inverse": { lambda1: 0.085e-2, lambda2: 0.12e-2 },
  "burgers-inverse-noisy": { lambda1: 0.04e-2, lambda2: 0.84e-2 },
};
const targetOf = (problem, name) => TARGETS[problem]?.[name] ?? 0.01;

const rows = [];
for (const f of files) {
  const problem = loadProblem(join(DIR, f));
  process.stderr.write(`${problem.name} ... `);
  const cpu0 = process.cpuUsage();
  const result = await solve(problem, { plots: true });
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const summary = result.summary;
  for (const p of problem.parameters ?? []) {
    const s = summary.parameters[p.name];
    const e = summary.ensemble?.parameters?.[p.name];
    const target = targetOf(problem.name, p.name);
    rows.push({
      problem: problem.name,
      file: `problems/inverse/${f}`,
      parameter: p.name,
      exact: p.exact,
      initial: p.initial,
      estimate: s.estimate,
      rel_error: s.rel_error,
      target,
      pass: s.rel_error <= target && (e === undefined || e.interval_covers_exact),
      ensemble: e === undefined ? null : { members: summary.ensemble.members, mean: e.mean, std: e.std, interval: e.interval95, covers: e.interval_covers_exact },
      seconds: result.train.seconds,
      ensembleSeconds: summary.ensemble?.seconds ?? null,
      status: result.train.status,
      cpuSeconds,
    });
    process.stderr.write(`${p.name} ${s.estimate.toPrecision(6)} (${(100 * s.rel_error).toFixed(3)}%) `);
  }
  process.stderr.write("\n");
}

// With --only, the other problems' rows from the last run (in file order).
const JSON_FILE = "out/inverse-accuracy/accuracy.json";
if (only && existsSync(JSON_FILE)) {
  const kept = JSON.parse(readFileSync(JSON_FILE, "utf8")).rows.filter((r) => !only.includes(r.problem));
  rows.push(...kept);
  const order = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort().map((f) => f.replace(/\.yaml$/, ""));
  rows.sort((a, b) => order.indexOf(a.problem) - order.indexOf(b.problem));
}

const g = (x) => Number(x.toPrecision(6)).toString();
const pct = (x) => `${(100 * x).toFixed(3)}%`;
const table = [
  "| problem | parameter | exact | estimate | rel. error | target | 95% interval (ensemble) | CPU time (s) | wall (s) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| [${r.problem}](${r.file}) | ${r.parameter} | ${g(r.exact)} | ${g(r.estimate)} | ${pct(r.rel_error)} ${r.pass ? "✓" : "✗"} | ${pct(r.target)} | ${
        r.ensemble ? `[${g(r.ensemble.interval[0])}, ${g(r.ensemble.interval[1])}] (${r.ensemble.members} members) ${r.ensemble.covers ? "covers" : "MISSES"}` : "–"
      } | ${r.cpuSeconds == null ? "–" : r.cpuSeconds.toFixed(0)} | ${(r.ensembleSeconds ?? r.seconds) == null ? "–" : (r.ensembleSeconds ?? r.seconds).toFixed(0)} |`,
  ),
].join("\n");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
mkdirSync("out/inverse-accuracy", { recursive: true });
writeFileSync(JSON_FILE, `${JSON.stringify({ machine, rows }, null, 2)}\n`);
const md = `${table}\n\nMeasured with \`node scripts/inverse-accuracy.mjs\` on ${machine}; default settings plus what each file says. CPU time: the process's user + system time for the whole solve (every member of an ensemble); wall: training time on the clock (the whole ensemble), which depends on the machine's load.\n`;
writeFileSync("out/inverse-accuracy/accuracy.md", md);
process.stdout.write(md);

if (args.includes("--update-readme")) {
  const readme = readFileSync("README.md", "utf8");
  const start = "<!-- inverse-table:start -->";
  const end = "<!-- inverse-table:end -->";
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error("README.md has no inverse-table markers");
  writeFileSync("README.md", `${readme.slice(0, a + start.length)}\n${md}${readme.slice(b)}`);
  process.stderr.write("README.md updated\n");
}
if (rows.some((r) => !r.pass)) process.exitCode = 1;
