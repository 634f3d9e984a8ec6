// `pinn solve FILE`: load, train with a progress bar, write outputs, report.

import { relative, resolve } from "node:path";
import { loadProblem } from "../problem/load.js";
import { ProblemError } from "../problem/errors.js";
import { solve, type SolvePhase } from "../solve.js";
import { OutputFolderError } from "../reports/outputs.js";
import { activeKernels, kernelLine } from "../reports/kernels.js";
import { ensembleProgressDisplay, progressDisplay, type EnsembleProgressDisplay, type ProgressDisplay } from "./progress.js";
import { describeModel, formatMetric, printWarnings } from "./describe.js";
import { EXIT } from "./exit-codes.js";
import { beginRun } from "./signals.js";
import { parameterLines } from "../reports/parameters.js";
import { printDiagnostics } from "../diagnostics/index.js";
import { PreflightError } from "../residual/check.js";
import { escalationLine } from "../training/escalation.js";
import { identifiabilityLine } from "../diagnostics/identifiability.js";
import { memberVerdictWarnings } from "../diagnostics/ensemble-verdicts.js";

export interface SolveCommandOptions {
  epochs?: number;
  lr?: number;
  points?: number;
  seed?: number;
  threads?: number;
  out?: string;
  plots: boolean;
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
  /** false with --no-escalate (training/escalation.ts). */
  escalate?: boolean;
  /** false with --no-identifiability (diagnostics/identifiability.ts). */
  identifiability?: boolean;
}

/** A path as shown to the user: relative to the current folder when inside it, else absolute. */
function shownPath(path: string): string {
  const shown = relative(process.cwd(), resolve(path));
  return shown === "" ? "." : shown.startsWith("..") ? resolve(path) : shown;
}

export async function runSolve(file: string, opts: SolveCommandOptions): Promise<number> {
  // Errors always reach stderr, also with --quiet (which silences the report and the progress bar).
  const error = (text: string): void => void process.stderr.write(`${text}\n`);
  let problem;
  try {
    // --epochs is applied by solve() (run-overrides.ts), which scales the L-BFGS stages with it.
    problem = loadProblem(file, { overrides: { learningRate: opts.lr, points: opts.points, seed: opts.seed, threads: opts.threads } });
  } catch (e) {
    if (e instanceof ProblemError) {
      error(e.message);
      return EXIT.badInput;
    }
    throw e;
  }
  const talk = !opts.quiet && !opts.json;
  if (!opts.quiet) printWarnings(problem);
  const say = (line: string): void => {
    if (talk) process.stdout.write(`${line}\n`);
  };

  // SIGINT, SIGTERM, SIGHUP: the first stops training after the current iteration (or skips the
  // remaining plots) and writes the outputs; a second aborts (signals.ts).
  let phase: SolvePhase | "starting" = "starting";
  let target = "";
  const run = beginRun({
    onStop: (signal) => {
      const key = signal === "SIGINT" ? "Ctrl-C" : signal;
      const what =
        phase === "writing" || phase === "evaluating"
          ? "training is done: skipping the plots not yet drawn, writing the other outputs"
          : (problem!.training.ensemble ?? 1) > 1
            ? "stopping the ensemble's members after their current iteration (members not started are skipped), then writing the outputs of the training so far"
            : "stopping after the current iteration, then writing the outputs of the training so far";
      process.stderr.write(`\npinn: ${signal}: ${what} (${key} again to abort)\n`);
    },
    abortNote: () => (target === "" ? "nothing was written" : `nothing was written; ${target} keeps what it held before`),
  });

  // The training bar, or for an ensemble the members' bar (solve() reports one or the other).
  let bar: ProgressDisplay | EnsembleProgressDisplay | null = null;
  try {
    return await solveAndReport();
  } catch (e) {
    if (e instanceof ProblemError) {
      error(e.message);
      return EXIT.badInput;
    }
    if (e instanceof PreflightError) {
      error(e.message);
      return EXIT.failed;
    }
    if (e instanceof OutputFolderError) {
      error(`pinn: ${e.message}\n  hint: choose another folder with --out DIR`);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    // Also after an error: the bar hides the cursor while it runs.
    (bar as { stop(): void } | null)?.stop();
    run.end();
  }

  async function solveAndReport(): Promise<number> {
    const result = await solve(problem!, {
      out: opts.out,
      epochs: opts.epochs,
      plots: opts.plots,
      shouldStop: () => run.stopSignal() !== null,
      onModel: (model) => {
        for (const line of describeModel(model)) say(line);
        if (opts.verbose) say(kernelLine(activeKernels(problem!)));
        target = shownPath(opts.out ?? `out/${problem!.name}`);
        // An ensemble trains on worker threads: one bar for all its members instead.
        bar = (problem!.training.ensemble ?? 1) > 1 ? ensembleProgressDisplay(!talk) : progressDisplay(model.problem.training.stages, model.terms.map((t) => t.label), !talk);
      },
      onPhase: (p) => {
        phase = p;
        if (p !== "training") (bar as { stop(): void } | null)?.stop();
      },
      escalate: opts.escalate,
      identifiability: opts.identifiability,
      // The retry of training/escalation.ts: what it does, and a new bar for its stages.
      onRetry: (line, model) => {
        (bar as { stop(): void } | null)?.stop();
        say(line);
        bar = progressDisplay(model.problem.training.stages, model.terms.map((t) => t.label), !talk);
      },
      onProgress: (p) => (bar as ProgressDisplay | null)?.update(p),
      onEnsembleProgress: (p) => (bar as EnsembleProgressDisplay | null)?.update(p),
    });
    (bar as { stop(): void } | null)?.stop();
    const { train } = result;
    if (result.aborted) {
      error(`pinn: stopped by ${run.stopSignal() ?? "request"} before training began: nothing was written (${target} keeps what it held before)`);
      return EXIT.aborted;
    }
    const e = result.ensemble;
    if (e?.stopped) {
      const completed = e.members.filter((m) => m.train.status === "completed").length;
      error(
        completed >= 2
          ? `pinn: the ensemble was stopped: ${completed} of ${e.planned} members completed; its statistics are over those ${completed}`
          : `pinn: the ensemble was stopped: ${completed} of ${e.planned} members completed, too few for statistics: no ensemble in the outputs`,
      );
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    if (train.status === "non-finite" || train.status === "no-progress" || (train.status === "interrupted" && train.message)) error(`pinn: ${train.message}`);
    for (const s of train.stages) if (s.note) error(`pinn: warning: ${s.note}`);
    const timing = `${train.epochs} iteration${train.epochs === 1 ? "" : "s"} in ${train.seconds.toFixed(2)} s (${((1000 * train.seconds) / Math.max(train.epochs, 1)).toFixed(3)} ms per iteration)`;
    const verb = { completed: "trained", interrupted: "interrupted after", "non-finite": "stopped after", "no-progress": "FAILED after" }[train.status];
    say(`${verb} ${timing}, final training loss ${train.finalLoss.toExponential(3)} (normalised and weighted; raw residuals below)`);
    if (result.escalation) say(escalationLine(result.escalation));
    const identifiability = identifiabilityLine(result.identifiability);
    if (identifiability !== null) say(identifiability);
    for (const [u, m] of Object.entries(result.evaluation.metrics)) say(`  ${u}: ${formatMetric(m)}`);
    const solved = printDiagnostics(result.diagnostics, say);
    // Members other than member 0 that fail their own checks: on stderr, also with --quiet.
    for (const line of memberVerdictWarnings(result.memberVerdicts ?? [])) process.stderr.write(`${line}\n`);
    for (const line of parameterLines(result.summary)) say(line);
    const where = shownPath(result.outDir);
    const written = result.written!;
    say(`outputs in ${where}/: ${written.files.join(", ")}`);
    // What could not be written, and where the rest went: on stderr, also with --quiet.
    for (const f of written.failed) error(`pinn: could not write ${f.file}: ${f.reason}`);
    if (written.rescuedModel) error(`pinn: the trained model was saved to ${written.rescuedModel} instead`);
    else if (written.failed.some((f) => f.file === "model.json")) error("pinn: the trained model could not be saved anywhere");
    if (written.failed.length > 0 && written.files.length > 0) error(`pinn: the other outputs are in ${where}/: ${written.files.join(", ")}`);
    if (written.skipped.length > 0) error(`pinn: plots skipped on request: ${written.skipped.join(", ")}`);
    if (written.failed.length > 0) return EXIT.failed;
    if (train.status === "completed") return run.stopSignal() !== null ? EXIT.interrupted : solved ? EXIT.ok : EXIT.failed;
    return train.status === "interrupted" ? EXIT.interrupted : EXIT.failed;
  }
}
