// `pinn check FILE`: validate the file; verify the exact solution against every equation and
// condition; report which conditions the trial forms enforce.

import { loadProblem } from "../problem/load.js";
import { ProblemError } from "../problem/errors.js";
import { checkExactSolution, contradictionLines, findContradictions } from "../residual/check.js";
import { classifyCondition, impossibleIssue } from "../residual/enforced.js";
import { hardConstraintLines, printWarnings } from "./describe.js";
import { EXIT } from "./exit-codes.js";
import { timeLine } from "../problem/time-variable.js";

export function runCheck(file: string, opts: { json?: boolean }): number {
  let problem;
  try {
    problem = loadProblem(file);
  } catch (e) {
    if (e instanceof ProblemError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  const status = problem.conditions.map((c) => classifyCondition(problem, c));
  const impossible = problem.conditions.filter((_, i) => status[i] === "impossible");
  if (impossible.length > 0) {
    process.stderr.write(`${new ProblemError(file, impossible.map(impossibleIssue)).message}\n`);
    return EXIT.badInput;
  }
  printWarnings(problem);
  const contradictions = contradictionLines(problem, findContradictions(problem));
  if (contradictions.length > 0) return (process.stderr.write(`${contradictions.join("\n")}\n`), EXIT.failed);
  const enforced = problem.conditions.filter((_, i) => status[i] === "enforced").map((c) => c.source.text);
  const hasExact = problem.exact.some((e) => e !== null);
  const report = hasExact ? checkExactSolution(problem) : null;
  const ok = report?.ok ?? true;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ file, ok, time_variable: problem.timeVariable === null ? null : problem.variables[problem.timeVariable], enforced_by_trial: enforced, exact: report?.items.map((i) => ({ kind: i.kind, text: i.source.text, line: i.source.position?.line, max_residual: i.maxResidual, scale: i.scale, ok: i.ok, ...(i.skipped ? { skipped: i.skipped } : {}) })) ?? null }, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.failed;
  }
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(`${file}: valid (${problem.variables.length} variable${problem.variables.length > 1 ? "s" : ""}, ${problem.unknowns.length} unknown${problem.unknowns.length > 1 ? "s" : ""}, ${problem.equations.length} equation${problem.equations.length > 1 ? "s" : ""}, ${problem.conditions.length} condition${problem.conditions.length === 1 ? "" : "s"})`);
  const time = timeLine(problem);
  if (time !== null) out(time);
  for (const line of hardConstraintLines(problem, (c) => status[problem.conditions.indexOf(c)] === "enforced")) out(line);
  for (const text of enforced) out(`  enforced by the trial form: ${text}`);
  if (report === null) {
    out("  no exact solution given: nothing to verify beyond the file itself");
    return EXIT.ok;
  }
  for (const item of report.items) {
    const at = item.source.position ? `line ${item.source.position.line}: ` : "";
    if (item.skipped) out(`  skip  ${at}${item.source.text} (${item.skipped})`);
    else out(`  ${item.ok ? "ok  " : "FAIL"}  ${at}${item.source.text}   max |LHS − RHS| = ${item.maxResidual.toExponential(2)}${item.ok ? "" : ` (scale ${item.scale.toExponential(2)})`}`);
  }
  if (!ok) {
    out("the exact solution does not satisfy the lines marked FAIL: check them (and the exact solution) for typos");
    return EXIT.failed;
  }
  const skipped = report.items.filter((i) => i.skipped).length;
  out(skipped === 0 ? "the exact solution satisfies every equation and condition" : `the exact solution satisfies every equation and condition it could be checked against (${skipped} skipped)`);
  return EXIT.ok;
}
