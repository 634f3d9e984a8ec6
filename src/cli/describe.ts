// Human-readable lines about a problem's loss terms and enforced conditions.

import { FIRST_WINDOW_LBFGS, timeWindowCount, windowStages } from "../training/time-marching.js";
import type { ResidualModel } from "../residual/model.js";
import type { Metrics } from "../reports/evaluation.js";
import type { Condition, Problem, Source } from "../problem/types.js";
import { formatIssue } from "../problem/errors.js";
import { REGION_HARD_SCOPE } from "../problem/region-trials.js";
import { describeInverse } from "../reports/parameters.js";
import { displayExpression } from "./display-expression.js";
import { OPTIMIZER_NAMES } from "../optim/refinement.js";
import { techniqueHooks } from "../training/techniques.js";
import { describeRegionDefaults } from "../training/region-defaults.js";
import type { RefinementBudget } from "../training/budget.js";
import { timeLine } from "../problem/time-variable.js";

function where(source: Source): string {
  return source.position ? ` (line ${source.position.line})` : "";
}

export function describeModel(model: ResidualModel): string[] {
  const p = model.problem;
  const lines = [
    `${p.name}: ${p.title}`,
    `  domain ${p.variables.map((v, i) => `${v} ∈ [${p.bounds[i]![0]}, ${p.bounds[i]![1]}]`).join(", ")}; ` +
      `network ${[p.variables.length, ...p.network.hidden, p.unknowns.length].join("-")} ${p.network.activation}; ` +
      `${model.network.parameters().reduce((s, t) => s + t.size, 0)} weights`,
  ];
  const time = timeLine(p);
  if (time !== null) lines.push(time);
  lines.push(...hardConstraintLines(p, (c) => model.enforced.includes(c)));
  for (const c of model.enforced) lines.push(`  enforced by the trial form: ${c.source.text}${where(c.source)}`);
  for (const t of model.terms.filter((t) => t.kind === "equation" && t.weight !== 1)) lines.push(`  equation (weight ${t.weight}): ${t.label}${where(t.source)}`);
  const penalties = model.terms.filter((t) => t.kind !== "equation");
  for (const t of penalties) lines.push(`  penalty term${t.weight !== 1 ? ` (weight ${t.weight})` : ""}: ${t.label}${where(t.source)}`);
  // Time-marching windows share the default refinement among them (time-marching.ts windowStages).
  const shown = timeWindowCount(p) > 0 ? windowStages(p.training.stages, 1, timeWindowCount(p), p.training.optimizerDefault) : p.training.stages;
  const stages = shown.map((s) =>
    s.optimizer === "adam" ? `Adam ${s.epochs} epochs (lr ${s.learningRate})` : `${OPTIMIZER_NAMES[s.optimizer]}${s.optimizer === "bfgs" ? ` (${s.update})` : ""} ${s.iterations} iterations`,
  );
  const rarD = techniqueHooks(p, model, { window: timeWindowCount(p) > 0 }).adaptiveSampling;
  lines.push(
    `  training: ${stages.join(", then ")}; ${model.pointCounts()[0]} points per epoch (${p.training.sampling})` +
      (model.causal() ? `; causal curriculum along ${p.variables[model.evolution()!.variable]}` : "") +
      (rarD > 0 && shown.some((s) => s.optimizer !== "adam") ? `; RAR-D: the equations' points redrawn where the residual is large every ${rarD} refinement iterations` : "") +
      (p.training.budget ? `; ${budgetChoices(p.training.budget)} chosen by the refinement budget for RAR-D (README, "Refinement")` : "") +
      (timeWindowCount(p) > 0 ? `; time-marching: ${timeWindowCount(p)} windows along ${p.variables[p.timeVariable!]}, each with these stages (the first window's refinement ×${FIRST_WINDOW_LBFGS})` : ""),
  );
  const region = describeRegionDefaults(p.training.regionDefaults);
  if (region !== null) lines.push(region);
  lines.push(...describeInverse(p));
  return lines;
}

/** Which settings the refinement budget (training/budget.ts) chose, in words (their values are in the lines above). */
function budgetChoices(b: RefinementBudget): string {
  const parts = [b.hidden ? "network" : null, b.points !== undefined ? "points" : null, b.iterations !== undefined ? "BFGS iterations" : null].filter((x) => x !== null);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts.join("");
}

export function formatMetric(m: Metrics): string {
  const rel = m.rel_l2 === null ? "n/a (exact solution is zero)" : m.rel_l2.toExponential(3);
  return `relative L2 error ${rel}, max abs error ${m.max_abs.toExponential(3)}${m.against === "reference" ? " (against the reference data)" : ""}`;
}

/** Warnings about the problem (valid, but probably not what was meant), on stderr. */
export function printWarnings(problem: Problem): void {
  for (const w of problem.warnings) process.stderr.write(`${formatIssue(problem.file, w, "warning")}\n`);
}

/**
 * For `constraints: hard`: the trial forms pinn built, and what it could not enforce (unknowns
 * none of whose conditions fit a trial form; conditions that stay penalty terms).
 */
export function hardConstraintLines(p: Problem, isEnforced: (c: Condition) => boolean): string[] {
  if (p.constraints !== "hard") return [];
  const lines: string[] = [];
  p.trial.forEach((t, k) => {
    if (t?.generated) lines.push(`  constraints: hard — trial form for ${p.unknowns[k]}: ${displayExpression(t.expr, p)}`);
    else if (t === null) lines.push(`  constraints: hard — no condition on ${p.unknowns[k]} fits a trial form: all stay penalty terms`);
  });
  // The reason once: PINNacle's Poisson 2d-C (a square and four holes with different data) repeated it five times.
  const left = p.conditions.filter((c) => !isEnforced(c));
  const why = p.domain?.region ? REGION_HARD_SCOPE : "per variable a trial form takes values at both ends, or a value and derivatives at one end";
  if (left.length === 1) lines.push(`  constraints: hard — cannot enforce ${left[0]!.source.text}${where(left[0]!.source)} (${why}): it stays a penalty term`);
  else if (left.length > 1) {
    lines.push(`  constraints: hard — cannot enforce these ${left.length} conditions (${why}): they stay penalty terms`);
    for (const c of left) lines.push(`    ${c.source.text}${where(c.source)}`);
  }
  return lines;
}
