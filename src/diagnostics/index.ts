// Diagnostics of a trained solve: raw residuals (residuals.ts) and the verdict (verdict.ts), their
// summary.json entries and the lines `pinn solve` prints.

import type { Problem } from "../problem/types.js";
import type { ResidualModel } from "../residual/model.js";
import type { TrainResult } from "../training/trainer.js";
import { formatResiduals, residualDiagnostics, residualSummary, type ResidualDiagnostics } from "./residuals.js";
import { verdict, type Diagnosis } from "./verdict.js";

export interface Diagnostics {
  residuals: ResidualDiagnostics;
  diagnosis: Diagnosis;
}

export function diagnose(problem: Problem, model: ResidualModel, train: TrainResult): Diagnostics {
  // By position: `problem` may be a copy with the learned parameters fixed (new condition objects).
  const enforced = model.problem.conditions.flatMap((c, i) => (model.enforced.includes(c) ? [problem.conditions[i]] : []));
  const residuals = residualDiagnostics(problem, model.network, model.outputScale, enforced);
  return { residuals, diagnosis: verdict({ residuals, train, terms: model.terms, termScale: model.termScale, evolution: model.evolution() !== null }) };
}

/** summary.json entries: `residuals` and `diagnosis`. */
export function diagnosticsSummary(d: Diagnostics | undefined): Record<string, unknown> {
  if (!d) return {};
  const { ok, warnings, reasons, notes, worst_equation_relative, worst_condition_relative, loss_still_falling } = d.diagnosis;
  return {
    residuals: residualSummary(d.residuals),
    diagnosis: {
      verdict: ok ? "solved" : "suspect",
      warnings,
      reasons,
      notes,
      worst_equation_relative_rms: worst_equation_relative,
      worst_condition_relative_rms: worst_condition_relative,
      loss_still_falling,
    },
  };
}

/**
 * Print the raw residuals (via `say`, stdout) and the verdict: each failed check as a `warning:` line
 * on stderr, also with --quiet (a wrong answer is never silent). Returns whether the result passed.
 */
export function printDiagnostics(d: Diagnostics | undefined, say: (line: string) => void): boolean {
  if (!d) return true;
  for (const line of formatResiduals(d.residuals)) say(line);
  for (const note of d.diagnosis.notes) say(`note: ${note}`);
  // Warnings go to stderr also with --quiet: a suspect result is never silent.
  for (const w of d.diagnosis.warnings) process.stderr.write(`warning: ${w}\n`);
  if (!d.diagnosis.ok) {
    process.stderr.write("warning: this result does not solve the problem (exit 1); summary.json has the figures under \"residuals\" and \"diagnosis\"\n");
  }
  if (d.diagnosis.ok) say("verdict: the residuals are small against the problem's own sizes (see \"Reading the diagnostics\" in the README)");
  return d.diagnosis.ok;
}
