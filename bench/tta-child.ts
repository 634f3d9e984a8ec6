// Time to accuracy, pinn side, in its own process: runs a shipped problem file through the normal
// solve() path with its default pipeline (Adam, then self-scaled BFGS), evaluates the relative L2 error of
// the first unknown on the problem's evaluation grid every `every` iterations, and records the
// training time at which the error first reaches each target. The error checks are timed and
// subtracted (they are not part of training). Training stops once the last target is reached.
// Prints one JSON line, including the settings the PyTorch peer (bench/peers/torch_tta.py) needs to
// run the same pipeline: output and term scales, term weights, point counts, stages, causal window
// (a BFGS stage becomes the L-BFGS stage pinn runs with `optimizer: lbfgs`: torch has no dense BFGS).
//
//   node dist-bench/bench/tta-child.js PROBLEM.yaml [--every K] [--targets 1e-3,1e-5] [--threads N] [--max-seconds S]

import { loadProblem } from "../src/problem/load.js";
import { tuneV8 } from "../src/cli/v8-flags.js";
import { solve } from "../src/solve.js";
import type { ResidualModel } from "../src/residual/model.js";
import { predictUnknowns } from "../src/residual/predict.js";
import { errorMetrics, makeGrid } from "../src/reports/evaluation.js";
import { evaluatePoints } from "../src/expressions/evaluate.js";
import { parallelThreads } from "../src/training/parallel.js";
import { DEFAULTS } from "../src/problem/defaults.js";

interface Args {
  problem: string;
  every: number;
  targets: number[];
  threads?: number;
  /** Training-time budget in seconds (checks excluded); training stops there. */
  maxSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { problem: "", every: 10, targets: [1e-3, 1e-5], maxSeconds: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--every") args.every = Number(argv[++i]);
    else if (a === "--targets") args.targets = argv[++i]!.split(",").map(Number);
    else if (a === "--threads") args.threads = Number(argv[++i]);
    else if (a === "--max-seconds") args.maxSeconds = Number(argv[++i]);
    else args.problem = a;
  }
  if (args.problem === "") throw new Error("usage: tta-child PROBLEM.yaml [--every K] [--targets 1e-3,1e-5] [--threads N]");
  return args;
}

export interface TargetHit {
  target: number;
  /** Training seconds (error checks excluded) when the error first reached the target, or null. */
  seconds: number | null;
  /** Process CPU seconds (all threads) at that point, checks excluded. */
  cpu_seconds: number | null;
  /** Global iteration (Adam epochs and refinement iterations counted together) of that check. */
  iteration: number | null;
  optimizer: "adam" | "lbfgs" | "bfgs" | null;
}

async function main(): Promise<void> {
  // As the `pinn` command runs (src/cli/v8-flags.ts); PINN_INTERRUPT_BUDGET=0 keeps V8's own.
  tuneV8();
  const args = parseArgs(process.argv.slice(2));
  const problem = loadProblem(args.problem);
  if (args.threads !== undefined) (problem.training as { threads?: number }).threads = args.threads;
  const grid = makeGrid(problem.bounds, problem.evaluate.points);
  const exactExpr = problem.exact[0];
  if (!exactExpr) throw new Error(`${args.problem}: time to accuracy needs an exact solution for the first unknown`);
  const exact = evaluatePoints(exactExpr.expr, grid.points, problem.variables.length);

  let model: ResidualModel | null = null;
  let start = 0;
  let cpuStart = 0;
  let excluded = 0;
  let excludedCpu = 0;
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let checks = 0;
  let best = Infinity;
  const hits: TargetHit[] = args.targets.map((target) => ({ target, seconds: null, cpu_seconds: null, iteration: null, optimizer: null }));
  const trace: [number, number, number][] = [];
  let done = false;
  let outOfTime = false;
  const result = await solve(problem, {
    write: false,
    plots: false,
    onModel: (m) => (model = m),
    onPhase: (phase) => {
      if (phase === "training") {
        start = performance.now();
        cpuStart = cpuNow();
      }
    },
    onProgress: (p) => {
      if ((p.iteration + 1) % args.every !== 0 && !(p.optimizer !== "adam" && p.stageIteration + 1 === p.stageIterations)) return;
      const t0 = performance.now();
      const c0 = cpuNow();
      const m = model!;
      const predicted = predictUnknowns(problem, m.network, grid.points, m.outputScale)[0]!;
      const err = errorMetrics(predicted, exact).rel_l2 ?? NaN;
      const t1 = performance.now();
      const seconds = (t0 - start - excluded) / 1000;
      const cpu = c0 - cpuStart - excludedCpu;
      excluded += t1 - t0;
      excludedCpu += cpuNow() - c0;
      checks++;
      best = Math.min(best, err);
      trace.push([p.iteration + 1, seconds, err]);
      for (const h of hits) {
        if (h.seconds === null && err <= h.target) Object.assign(h, { seconds, cpu_seconds: cpu, iteration: p.iteration + 1, optimizer: p.optimizer });
      }
      if (seconds > args.maxSeconds) outOfTime = true;
      done = hits.every((h) => h.seconds !== null) || outOfTime;
    },
    shouldStop: () => done,
  });
  const m = model! as ResidualModel;
  const training = result.problem.training;
  console.log(
    JSON.stringify({
      impl: "pinn",
      problem: problem.name,
      every: args.every,
      hits,
      best_rel_l2: best,
      budget_seconds: Number.isFinite(args.maxSeconds) ? args.maxSeconds : null,
      out_of_budget: outOfTime,
      iterations: result.train.epochs,
      // The threads training used (data-parallel where it pays: training/parallel.ts).
      threads: parallelThreads(m, training.threads, false),
      train_seconds: (result.train.seconds * 1000 - excluded) / 1000,
      check_seconds: excluded / 1000,
      checks,
      stages: result.train.stages.map((s) => ({ optimizer: s.optimizer, iterations: s.iterations, stopped: s.stoppedEarly ?? null })),
      trace,
      // What the PyTorch peer needs to run the same pipeline.
      spec: {
        sizes: [problem.variables.length, ...problem.network.hidden, problem.unknowns.length],
        activation: problem.network.activation,
        init: problem.network.init,
        bounds: problem.bounds,
        output_scale: m.outputScale,
        terms: m.terms.map((t, i) => ({ label: t.label, kind: t.kind, weight: t.weight, scale: m.termScale[i], points: m.pointCounts()[i] })),
        causal: m.causal() ? m.evolution() : null,
        stages: training.stages.map((s) =>
          s.optimizer === "bfgs" ? { optimizer: "lbfgs", iterations: DEFAULTS.training.lbfgsIterations, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory, pinn: "bfgs" } : s,
        ),
        grid: problem.evaluate.points,
      },
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
