// The learned parameters in summary.json: per parameter its estimate, its initial guess and, when
// the exact value is given, the relative error |estimate − exact| / |exact| (the absolute error
// when exact is 0). The ensemble's statistics are added by training/ensemble.ts.

import type { Problem } from "../problem/types.js";

export interface ParameterReport {
  estimate: number;
  initial: number;
  exact?: number;
  rel_error?: number;
  abs_error?: number;
}

export function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / Math.abs(exact);
}

/** `parameters: {name: {...}}` for summary.json (nothing when the problem has no parameters). */
export function parametersSummary(problem: Problem, estimates: readonly number[]): { parameters?: Record<string, ParameterReport> } {
  const params = problem.parameters ?? [];
  if (params.length === 0) return {};
  return {
    parameters: Object.fromEntries(
      params.map((p, k) => {
        const estimate = estimates[k]!;
        const entry: ParameterReport = { estimate, initial: p.initial };
        if (p.exact !== undefined) {
          entry.exact = p.exact;
          if (p.exact === 0) entry.abs_error = Math.abs(estimate);
          else entry.rel_error = relativeError(estimate, p.exact);
        }
        return [p.name, entry];
      }),
    ),
  };
}
