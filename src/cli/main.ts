// The `pinn` command line: solve and check problem files.
// Exit codes (exit-codes.ts): 0 ok, 1 failed, 2 bad input, 3 aborted (nothing written), 130 stopped
// by SIGINT/SIGTERM/SIGHUP (outputs written). Signals: signals.ts; closed or full stdout: streams.ts.

import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runSolve, type SolveCommandOptions } from "./solve-command.js";
import { runCheck } from "./check-command.js";
import { PINN_VERSION } from "../reports/outputs.js";
import { EXIT } from "./exit-codes.js";


function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number, e.g. 0.001");
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("expected a whole number");
  return n;
}

const EXAMPLES = `
Examples:
  $ pinn solve problems/ode1.yaml                 train, then write out/ode1/ (summary, CSV, plots)
  $ pinn solve problems/poisson2d.yaml --epochs 500 --out /tmp/p2d
  $ pinn solve my-problem.yaml --quiet --json     machine-readable summary on stdout
  $ pinn check my-problem.yaml                    validate; verify the exact solution if given

Exit codes: 0 ok; 1 failed (training failed or did nothing, the result does not solve the
problem by its residuals, or an output could not be written); 2 bad input; 3 aborted (nothing written); 130 stopped by Ctrl-C, SIGTERM or SIGHUP
(the outputs of the training so far are written; a second signal aborts).
The problem-file format is described in the README.`;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("pinn")
    .description("Solve ODEs and PDEs with physics-informed neural networks.")
    .version(PINN_VERSION)
    .showHelpAfterError("  hint: run pinn --help for usage")
    .addHelpText("after", EXAMPLES)
    .exitOverride();

  program
    .command("solve")
    .description("train a network on a problem file and write the solution, error metrics and plots")
    .argument("<file>", "problem file (YAML)")
    .option("--epochs <n>", "a quick run: Adam epochs (overrides training.epochs); L-BFGS stages are scaled by the same factor", positiveInt)
    .option("--lr <x>", "Adam learning rate (overrides training.learning_rate)", positiveNumber)
    .option("--points <n>", "interior collocation points per epoch (overrides training.points)", positiveInt)
    .option("--seed <s>", "random seed (overrides training.seed)", integer)
    .option("--threads <n>", "threads for training (overrides training.threads; default all cores where it pays)", positiveInt)
    .option("--out <dir>", "output folder (default out/<name>)")
    .option("--no-plots", "skip the PNG plots")
    .option("--no-escalate", "train once only: no retry with more points and RAR-D when a steady problem fits its points but not between them")
    .option("--no-identifiability", "skip the test of whether the data determine each learned parameter (a short continuation of training per parameter)")
    .option("--quiet", "no progress bar, no report and no warnings (errors are still printed on stderr)")
    .option("--json", "print summary.json to stdout")
    .option("--verbose", "also report which numeric kernels run (WebAssembly SIMD or the JavaScript fallback)")
    .addHelpText("after", "\nExample:\n  $ pinn solve problems/ode1.yaml --epochs 3000 --seed 1")
    .action(async (file: string, opts: SolveCommandOptions) => {
      process.exitCode = await runSolve(file, opts);
    });

  program
    .command("check")
    .description("validate a problem file; if it gives an exact solution, verify it satisfies every equation and condition")
    .argument("<file>", "problem file (YAML)")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExample:\n  $ pinn check problems/heat1d.yaml")
    .action((file: string, opts: { json?: boolean }) => {
      process.exitCode = runCheck(file, opts);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    process.stderr.write(`pinn: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.PINN_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write("  (set PINN_DEBUG=1 for a stack trace; please report this)\n");
    return EXIT.failed;
  }
  return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
}
