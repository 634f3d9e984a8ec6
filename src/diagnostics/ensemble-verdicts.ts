// The verdict of every ensemble member (training/ensemble.ts), not only member 0's.
//
// Member 0 is the ordinary run: its network gives the outputs and its verdict is the solve's. The
// other members train from other seeds on bootstrap resamples of the data, and the ensemble's
// intervals (parameters and solution) are computed over all of them; a member that bent through its
// resample's noise, or did not converge, widens or shifts those intervals with nothing to say so.
// Each member therefore gets the same checks as member 0 (diagnose: raw residuals against the
// problem's own sizes), on its own model — its seed, its data rows, its trained weights — and
// `pinn solve` names every member that fails them.

import type { Problem } from "../problem/types.js";
import type { EnsembleResult } from "../training/ensemble.js";
import { loadWeights, memberModel } from "../training/member.js";
import { withParameterValues } from "../problem/parameters.js";
import { noGrad } from "../engine/state.js";
import { diagnose, type Diagnostics } from "./index.js";

export interface MemberVerdict {
  index: number;
  seed: number;
  ok: boolean;
  warnings: string[];
  worst_equation_relative: number;
  worst_condition_relative: number;
}

function verdictOf(index: number, seed: number, d: Diagnostics): MemberVerdict {
  const { ok, warnings, worst_equation_relative, worst_condition_relative } = d.diagnosis;
  return { index, seed, ok, warnings: [...warnings], worst_equation_relative, worst_condition_relative };
}

/**
 * Each member's verdict, in member order: member 0's is `first` (the solve's own diagnostics); the
 * others are diagnosed on their own models, rebuilt from `problem` (the settings in effect) as the
 * member's worker built them (trainMember), with their trained weights.
 */
export function memberVerdicts(problem: Problem, e: EnsembleResult, first: Diagnostics): MemberVerdict[] {
  return e.members.map((m) => {
    if (m.index === 0) return verdictOf(0, m.seed, first);
    const model = memberModel(problem, m.index, m.seed);
    loadWeights(model, m.weights);
    const fitted = withParameterValues(problem, model.theta?.data ?? []);
    return verdictOf(m.index, m.seed, noGrad(() => diagnose(fitted, model, m.train)));
  });
}

/** summary.json's `ensemble.verdicts`: per member its verdict, and the warnings of those that failed. */
export function memberVerdictsSummary(v: readonly MemberVerdict[]): Record<string, unknown> {
  return {
    verdicts: v.map((m) => (m.ok ? "solved" : "suspect")),
    ...(v.some((m) => !m.ok)
      ? { suspect_members: v.filter((m) => !m.ok).map((m) => ({ index: m.index, seed: m.seed, warnings: m.warnings, worst_equation_relative_rms: m.worst_equation_relative, worst_condition_relative_rms: m.worst_condition_relative })) }
      : {}),
  };
}

/** The lines `pinn solve` prints on stderr for members other than member 0 that failed (member 0's verdict is printed as the solve's). */
export function memberVerdictWarnings(v: readonly MemberVerdict[]): string[] {
  const failed = v.filter((m) => m.index !== 0 && !m.ok);
  if (failed.length === 0) return [];
  return [
    ...failed.map((m) => `warning: ensemble member ${m.index} (seed ${m.seed}) does not solve the problem: ${m.warnings[0] ?? "its residuals are large"}`),
    `warning: the ensemble's intervals include ${failed.length === 1 ? "this member" : `these ${failed.length} members`} (of ${v.length}); summary.json lists them under ensemble.suspect_members`,
  ];
}
