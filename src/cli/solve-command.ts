// `pinn solve FILE`: load, train with a progress bar, write outputs, report.

import { overfitWarning } from "../training/overfit.js";
import { relative } from "node:path";
import { loadProblem } from "../problem/load.js";
import { ProblemError } from "../problem/errors.js";
import { solve } from "../solve.js";
import { OutputFolderError } from "../reports/outputs.js";
import { progressDisplay } from "./progress.js";
import { describeModel, formatMetric, printWarnings } from "./describe.js";
import { EXIT } from "./exit-codes.js";

export interface SolveCommandOptions {
  epochs?: number;
  lr?: number;
  points?: number;
  seed?: number;
  out?: string;
  plots: boolean;
  quiet?: boolean;
  json?: boolean;
}

export async function runSolve(file: string, opts: SolveCommandOptions): Promise<number> {
  let problem;
  try {
    problem = loadProblem(file, { overrides: { epochs: opts.epochs, learningRate: opts.lr, points: opts.points, seed: opts.seed } });
  } catch (e) {
    if (e instanceof ProblemError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  const talk = !opts.quiet && !opts.json;
  if (!opts.quiet) printWarnings(problem);
  const say = (line: string): void => {
    if (talk) process.stdout.write(`${line}\n`);
  };

  // First Ctrl-C: finish the current iteration, then write the outputs. Second: leave at once.
  let stopRequested = false;
  const onSigint = (): void => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write("\nstopping: writing the outputs of the training so far (Ctrl-C again to abort)\n");
  };
  process.on("SIGINT", onSigint);

  let bar: ReturnType<typeof progressDisplay> | null = null;
  try {
    return await solveAndReport();
  } catch (e) {
    if (e instanceof ProblemError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.badInput;
    }
    if (e instanceof OutputFolderError) {
      process.stderr.write(`pinn: ${e.message}\n  hint: choose another folder with --out DIR\n`);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    // Also after an error: the bar hides the cursor while it runs.
    (bar as ReturnType<typeof progressDisplay> | null)?.stop();
    process.off("SIGINT", onSigint);
  }

  async function solveAndReport(): Promise<number> {
    const result = await solve(problem!, {
      outDir: opts.out,
      plots: opts.plots,
      shouldStop: () => stopRequested,
      onModel: (model) => {
        for (const line of describeModel(model)) say(line);
        bar = progressDisplay(problem!.training.stages, model.terms.map((t) => t.label), !talk);
      },
      onProgress: (p) => bar?.update(p),
    });
    (bar as ReturnType<typeof progressDisplay> | null)?.stop();
    const { train } = result;
    if (opts.json) process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    if (train.status === "non-finite") process.stderr.write(`pinn: ${train.message}\n`);
    const timing = `${train.epochs} iterations in ${train.seconds.toFixed(2)} s (${((1000 * train.seconds) / Math.max(train.epochs, 1)).toFixed(3)} ms per iteration)`;
    say(`${train.status === "completed" ? "trained" : train.status === "interrupted" ? "interrupted after" : "stopped after"} ${timing}, final loss ${train.finalLoss.toExponential(3)}`);
    const overfit = overfitWarning(train);
    if (overfit !== null) process.stderr.write(`pinn: warning: ${overfit}\n`);
    for (const [u, m] of Object.entries(result.evaluation.metrics)) say(`  ${u}: ${formatMetric(m)}`);
    const shown = relative(process.cwd(), result.outDir);
    say(`outputs in ${shown === "" ? "." : shown.startsWith("..") ? result.outDir : shown}/: ${result.files.join(", ")}`);
    return train.status === "completed" ? EXIT.ok : train.status === "interrupted" ? EXIT.interrupted : EXIT.failed;
  }
}
