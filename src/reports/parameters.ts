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

/**
 * A relative error as a percentage with three significant digits: 1.44e-6 is "0.000144%" (three
 * decimals printed it as "0.000%", which reads as an exact estimate), 0.0123 is "1.23%".
 */
export function percent(relError: number): string {
  return `${Number((100 * relError).toPrecision(3))}%`;
}

/** Lines for the command line: each parameter's estimate, and the ensemble's statistics if any. */
export function parameterLines(summary: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const params = (summary.parameters ?? {}) as Record<string, ParameterReport>;
  const ensemble = summary.ensemble as
    | { members: number; statuses: string[]; parameters: Record<string, { mean: number; std: number; interval95: [number, number]; interval_covers_exact?: boolean }> }
    | undefined;
  const g = (x: number): string => Number(x.toPrecision(6)).toString();
  for (const [name, p] of Object.entries(params)) {
    const exact = p.exact === undefined ? "" : ` (exact ${g(p.exact)}, relative error ${p.rel_error === undefined ? `absolute ${g(p.abs_error!)}` : percent(p.rel_error)})`;
    lines.push(`  ${name} = ${g(p.estimate)}${exact}`);
    const e = ensemble?.parameters[name];
    if (e) {
      const covers = e.interval_covers_exact === undefined ? "" : e.interval_covers_exact ? ", covers the exact value" : ", does NOT cover the exact value";
      lines.push(`    ensemble of ${ensemble.members}: mean ${g(e.mean)}, std ${g(e.std)}, 95% interval [${g(e.interval95[0])}, ${g(e.interval95[1])}]${covers}`);
    }
    const line = identifiabilityParameterLine(summary, name);
    if (line !== null) lines.push(line);
  }
  // One run gives an estimate without its uncertainty, and residuals cannot tell whether the data
  // determine a parameter at all (a diffusion coefficient from data at t = 0 only came out "solved"
  // near the exact value, by luck of smoothness; QA stop 21). An ensemble's spread can.
  if (!ensemble && Object.keys(params).length > 0) {
    lines.push("    (one run: no uncertainty; `training.ensemble: 4` gives each parameter a 95% interval, and a wide one says the data do not determine it)");
  }
  const failed = ensemble?.statuses.filter((s) => s !== "completed").length ?? 0;
  if (failed > 0) lines.push(`  warning: ${failed} of ${ensemble!.members} ensemble members did not complete training (see summary.json ensemble.statuses)`);
  return lines;
}

/** The identifiability test's finding for one parameter (diagnostics/identifiability.ts), or null when it did not run. */
function identifiabilityParameterLine(summary: Record<string, unknown>, name: string): string | null {
  const r = summary.identifiability as { delta: number; parameters?: Record<string, { estimate: number; fixed_at: number; remaining: number; determined: boolean }> } | undefined;
  const p = r?.parameters?.[name];
  if (p === undefined) return null;
  const change = `${p.fixed_at >= p.estimate ? "+" : "−"}${percent(Math.abs(p.fixed_at - p.estimate) / Math.abs(p.estimate || 1))}`;
  const left = percent(p.remaining);
  return p.determined
    ? `    determined by the data (a change of ${change} cannot be refitted: ${left} of the loss it adds remains)`
    : `    NOT determined by the data (a change of ${change} fits as well: ${left} of the loss it adds remains); add data that depend on ${name}, or run an ensemble`;
}

/** Lines describing the learned parameters and the ensemble before training. */
export function describeInverse(problem: Problem): string[] {
  const lines = (problem.parameters ?? []).map((p) => {
    const bounds = p.min !== undefined || p.max !== undefined ? `, in [${p.min ?? "-inf"}, ${p.max ?? "inf"}]` : "";
    return `  learned parameter: ${p.name} (initial ${p.initial}${bounds})`;
  });
  const k = problem.training.ensemble ?? 1;
  if (k > 1) lines.push(`  ensemble: ${k} members on worker threads (member 0 is this run; the others: own seeds, bootstrap resamples of the data)`);
  return lines;
}
