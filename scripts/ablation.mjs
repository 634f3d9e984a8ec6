// Ablation of the techniques pinn chooses from a problem's structure (README, "Hard problems"):
// each hard problem solved with the defaults, then with each technique removed, one at a time.
//
//   node scripts/ablation.mjs [--update-readme] [--only NAME,...] [--variants NAME,...] [--threads N]
//                             [--epochs N] [--lbfgs N] [--set section.key=value ...] [--out NAME]
//   node scripts/ablation.mjs --table NAME,... [--update-readme]   (one table from earlier runs)
//
// The default variants are the defaults and each default technique removed: time-marching off,
// the periodic embedding on (off by default since stop 17), BFGS → L-BFGS, RAR-D off (as a file with `optimizer: [adam, lbfgs]` gets it); the
// others (loss balancing, causal weights, RAR-D, …) are named with --variants. A variant that does
// not apply to a problem (no periodic variable, one window anyway) is skipped. --epochs / --lbfgs
// shorten the Adam and refinement stages (reduced-budget comparisons during development); --set
// changes a setting of every problem (e.g. --set training.causal_weights=10). Every solve runs on
// --threads threads (default 1: the issue's budget is one core). Writes out/ablation/NAME.json and
// .md; with --update-readme also the table between the ablation markers in README.md. Times are the
// training loop's wall time and the process's CPU time over the solve (the machine's load average is
// recorded with each row: on a shared machine the wall time is inflated, the CPU time much less so).
// Every solve trains once (`escalate: false`): a variant that leaves a steady problem suspect for the
// gap between its points would otherwise be trained again with 1,024 points and RAR-D
// (training/escalation.ts), and its row would measure that retry rather than the technique removed.
// (The hard problems here evolve in time and never retry; the option keeps it so for --only and --set.)

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { loadProblem, solve, buildModel } from "pinn";
import { techniqueHooks } from "../dist/training/techniques.js";
import { timeWindowCount } from "../dist/training/time-marching.js";
import { DEFAULTS } from "../dist/problem/defaults.js";
import { withRefinementBudget } from "../dist/training/budget.js";

const args = process.argv.slice(2);
const value = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : null);
const PROBLEMS = ["convection", "reaction", "wave-modes", "klein-gordon", "diffusion-reaction"];
const only = value("--only")?.split(",") ?? PROBLEMS;
const sets = args.flatMap((a, i) => (a === "--set" ? [args[i + 1]] : []));
const threads = Number(value("--threads") ?? 1);
const targets = JSON.parse(readFileSync("problems/targets.json", "utf8")).targets;

// Each technique: how to remove it from a loaded problem (or, for those off by default, add it),
// and whether it applies to the problem.
const VARIANTS = {
  defaults: { label: "defaults", remove: () => {}, applies: () => true },
  "no-periodic-embedding": {
    label: "periodic embedding off (`network.periodic_embedding: false`)",
    remove: (p) => (p.network.periodicEmbedding = 0),
    applies: (p) => p.conditions.some((c) => c.kind === "periodic"),
  },
  "periodic-embedding": {
    label: "with the periodic embedding (`network.periodic_embedding: true`; the default until stop 17)",
    remove: (p) => (p.network.periodicEmbedding = 1),
    applies: (p) => p.conditions.some((c) => c.kind === "periodic") && !p.network.periodicEmbedding,
  },
  "causal-weights": {
    label: "with causal weights (`training.causal_weights: true`)",
    remove: (p) => (p.training.causalWeights = 1),
    applies: (p) => p.timeVariable !== null && p.variables.length >= 2,
  },
  "no-time-windows": {
    label: "time-marching off (`training.time_windows: false`: one network)",
    remove: (p) => (p.training.timeWindows = 0),
    applies: (p) => timeWindowCount(p) > 1,
  },
  "lbfgs-resample": {
    label: "with L-BFGS on fresh points every 500 iterations (`training.lbfgs_resample: 500`)",
    remove: (p) => (p.training.lbfgsResample = 500),
    applies: () => true,
  },
  "lbfgs-refinement": {
    label: "BFGS → L-BFGS (`optimizer: [adam, lbfgs]`: 5,000 iterations per window)",
    remove: (p) => {
      p.training.stages = p.training.stages.map((s) => (s.optimizer === "bfgs" ? { optimizer: "lbfgs", iterations: DEFAULTS.training.lbfgsIterations, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory } : s));
      delete p.training.optimizerDefault;
    },
    applies: (p) => p.training.stages.some((s) => s.optimizer === "bfgs"),
  },
  "bfgs-refinement": {
    label: "self-scaled BFGS as the refinement (`optimizer: [adam, bfgs]`)",
    remove: (p) => (p.training.stages = p.training.stages.map((s) => (s.optimizer === "lbfgs" ? { optimizer: "bfgs", iterations: s.iterations, learningRate: s.learningRate, update: "ssbfgs", historySize: s.historySize } : s))),
    applies: (p) => p.training.stages.some((s) => s.optimizer === "lbfgs"),
  },
  "adaptive-sampling": {
    label: "with RAR-D adaptive sampling every 500 refinement iterations (`training.adaptive_sampling: 500`)",
    remove: (p) => (p.training.adaptiveSampling = 500),
    applies: (p) => !p.training.adaptiveSampling && !rarByDefault(p),
  },
  "no-adaptive-sampling": {
    label: "without RAR-D (`training.adaptive_sampling: false`: fixed refinement points; its refinement budget goes with it)",
    remove: (p) => (p.training.adaptiveSampling = 0),
    applies: (p) => p.training.adaptiveSampling === undefined && rarByDefault(p),
  },
  "no-adaptive-sampling-same-budget": {
    label: "without RAR-D, keeping its refinement budget (network, points, iterations of training/budget.ts)",
    remove: (p) => {
      Object.assign(p, withRefinementBudget(p));
      p.training.adaptiveSampling = 0;
    },
    applies: (p) => p.training.adaptiveSampling === undefined && rarByDefault(p),
  },
  annealing: {
    label: "with `training.loss_weighting: annealing`",
    remove: (p) => (p.training.lossWeighting = "annealing"),
    applies: () => true,
  },
  gradnorm: {
    label: "with `training.loss_weighting: gradnorm`",
    remove: (p) => (p.training.lossWeighting = "gradnorm"),
    applies: () => true,
  },
  "no-causal": {
    label: "without the causal window (`training.causal: false`)",
    remove: (p) => (p.training.causal = false),
    applies: (p) => p.timeVariable !== null,
  },
};
/** RAR-D is on by default (techniques.ts defaultAdaptiveSampling): an evolution problem trained as one network. */
function rarByDefault(p) {
  return techniqueHooks(p, buildModel(p), { window: timeWindowCount(p) > 0 }).adaptiveSampling > 0;
}
const variants = value("--variants")?.split(",") ?? ["defaults", "no-time-windows", "periodic-embedding", "lbfgs-refinement", "no-adaptive-sampling"];

function applySet(problem, assignment) {
  const [path, raw] = assignment.split("=");
  const [section, key] = path.split(".");
  const camel = key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const v = raw === "false" ? 0 : raw === "true" ? true : Number.isNaN(Number(raw)) ? raw : Number(raw);
  problem[section][camel] = v;
  // A value set here is the file's, not left to the refinement budget (training/budget.ts).
  const left = problem.training.leftOut;
  if (left && ((section === "training" && camel === "points") || (section === "network" && camel === "hidden"))) problem.training.leftOut = { ...left, [camel]: false };
}

const out = value("--out") ?? "ablation";
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z`;
const budget = [value("--epochs") && `Adam ${value("--epochs")} epochs`, value("--lbfgs") && `L-BFGS ${value("--lbfgs")} iterations`, ...sets].filter(Boolean);
mkdirSync("out/ablation", { recursive: true });
const rows = [];
// --table: rows of earlier runs (out/ablation/NAME.json), in the order given.
for (const name of value("--table")?.split(",") ?? []) rows.push(...JSON.parse(readFileSync(`out/ablation/${name}.json`, "utf8")).rows);
for (const name of value("--table") ? [] : only) {
  for (const variant of variants) {
    const problem = loadProblem(`problems/${name}.yaml`);
    const v = VARIANTS[variant];
    // --set first, so a variant's test sees it (e.g. --set training.time_windows=false
    // --variants no-adaptive-sampling: RAR-D is on by default only for one network).
    for (const s of sets) applySet(problem, s);
    if (!v.applies(problem)) continue;
    v.remove(problem);
    const epochs = value("--epochs");
    const lbfgs = value("--lbfgs");
    problem.training.stages = problem.training.stages.map((s) =>
      s.optimizer === "adam" ? { ...s, epochs: epochs ? Number(epochs) : s.epochs } : { ...s, iterations: lbfgs ? Number(lbfgs) : s.iterations },
    );
    if (lbfgs && problem.training.leftOut) problem.training.leftOut = { ...problem.training.leftOut, refinement: false };
    const load = loadavg()[0];
    const cpu0 = process.cpuUsage();
    const result = await solve(problem, { write: false, threads, escalate: false });
    const cpu = process.cpuUsage(cpu0);
    const rel = Math.max(...Object.values(result.evaluation.metrics).map((m) => m.rel_l2 ?? 0));
    const row = {
      problem: name,
      variant,
      rel_l2: rel,
      seconds: result.train.seconds,
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      iterations: result.train.epochs,
      windows: result.train.windows?.length ?? 1,
      status: result.train.status,
      load: Number(load.toFixed(1)),
      seed: problem.training.seed,
    };
    rows.push(row);
    writeFileSync(`out/ablation/${out}.json`, `${JSON.stringify({ machine, budget, rows }, null, 2)}\n`);
    process.stderr.write(`${name} ${variant}: ${rel.toExponential(2)} in ${row.seconds.toFixed(1)} s (cpu ${row.cpu_seconds.toFixed(1)} s, load ${row.load})\n`);
  }
}

const fmt = (x) => x.toExponential(1);
const seeds = [...new Set(rows.map((r) => r.seed ?? 0))];
const target = (name) => targets[name] ?? 1e-3;
const loads = rows.map((r) => r.load);
const table = [
  "| problem | variant | rel. L2 error | target met | windows | CPU time (s) | time (s) | load |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) => `| [${r.problem}](problems/${r.problem}.yaml) | ${VARIANTS[r.variant].label} | ${fmt(r.rel_l2)} | ${r.rel_l2 <= target(r.problem) ? "✓" : "✗"} (${fmt(target(r.problem))}) | ${r.windows ?? "–"} | ${r.cpu_seconds.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.load} |`),
].join("\n");
const command = `node scripts/ablation.mjs ${args.filter((a) => a !== "--update-readme").join(" ")}`.trim();
const md = `${table}\n\nMeasured with \`${command}\` on ${machine}, one thread per solve${budget.length ? `; ${budget.join(", ")}` : "; default settings except the variant"}, seed ${seeds.join(", ")}, one process for all rows. CPU time: the process's user + system time over the solve; time: the training loop's wall time; load: the 1-minute load average at the start of the row (${Math.min(...loads)}–${Math.max(...loads)}: a machine shared with other sessions, so the wall times are inflated and the CPU time is the better guide).\n`;
writeFileSync(`out/ablation/${out}.md`, md);
process.stdout.write(md);
if (args.includes("--update-readme")) {
  const readme = readFileSync("README.md", "utf8");
  const start = "<!-- ablation-table:start -->";
  const end = "<!-- ablation-table:end -->";
  if (!readme.includes(start)) throw new Error("README.md has no ablation markers");
  writeFileSync("README.md", readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${md}${end}`));
}
