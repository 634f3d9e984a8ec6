// Load a problem file: parse the YAML (keeping positions), check it against the contract in
// docs/problem-format (see README), resolve every expression, fill in the defaults.
// All problems found are reported together, each with its file, line, column and a fix.
// Each section has its own reader: names.ts (name, domain, unknowns, constants), equations.ts
// (equations, conditions, trial, exact), settings.ts (network, training, evaluate); further
// sections are listed in sections.ts. reader.ts holds the context they share.

import { readFileSync } from "node:fs";
import { YamlSource, checkKeys, get, asString, isMap } from "./yaml-source.js";
import { ProblemError, type ProblemIssue } from "./errors.js";
import type { Problem, Trial } from "./types.js";
import { buildHardTrials } from "./hard-constraints.js";
import type { Names } from "../expressions/resolve.js";
import { ReaderContext } from "./reader.js";
import { readName, readDomainNames, readUnknowns, readConstants, readIntervals } from "./names.js";
import { readEquations, readConditions, readPerUnknown, checkUnknownsUsed } from "./equations.js";
import { chooseTimeVariable } from "./time-variable.js";
import { readNetwork, readTraining, readEvaluate } from "./settings.js";
import { applyRegionDefaults } from "../training/region-defaults.js";
import { SECTIONS, TOP_KEYS, type ReadState } from "./sections.js";
import { checkProblemLimits } from "./limits.js";
import { warnShiftInvariant } from "./uniqueness.js";

export interface LoadOptions {
  /** Override settings from the command line. */
  overrides?: { epochs?: number; learningRate?: number; points?: number; seed?: number; threads?: number };
}

/** Read and validate a problem file; throws ProblemError listing every problem found. */
export function loadProblem(file: string, options: LoadOptions = {}): Problem {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProblemError(file, [{
      message: code === "ENOENT" ? "no such file" : code === "EISDIR" ? "this is a directory, not a problem file" : `cannot read the file (${code ?? String(e)})`,
      hint: "give the path of a problem file, e.g. problems/ode1.yaml",
    }]);
  }
  return parseProblem(text, file, options);
}

/** Validate problem text (the file name is used in messages only). */
export function parseProblem(text: string, file: string, options: LoadOptions = {}): Problem {
  const src = new YamlSource(file, text);
  if (src.root === null && src.issues.length > 0) throw new ProblemError(file, src.issues);
  const problem = readProblem(new ReaderContext(src, options));
  if (src.issues.length > 0 || problem === null) throw new ProblemError(file, sortByPosition(src.issues));
  return problem;
}

function readProblem(ctx: ReaderContext): Problem | null {
  const src = ctx.src;
  const root = src.root;
  if (root === null || !isMap(root)) {
    src.errorAt({ line: 1, column: 1 }, "a problem file is a YAML map of keys such as name, domain, unknowns, equations", "start from the example in the README (problems/ode1.yaml)");
    return null;
  }
  checkKeys(src, root, TOP_KEYS, "the problem file");

  const name = readName(ctx, root);
  const title = asString(src, get(root, "title"), "title") ?? undefined;
  const description = asString(src, get(root, "description"), "description") ?? undefined;
  // Variable names first, then unknowns and constants, then the intervals (which may use constants).
  const variableNames = readDomainNames(ctx, root);
  const unknowns = readUnknowns(ctx, root, variableNames?.map((v) => v.name) ?? []);
  if (variableNames === null || unknowns === null) {
    ctx.require(root, "equations", 'equations:\n  - "u\' = 2*x"');
    return null;
  }
  const constants = readConstants(ctx, root, variableNames.map((v) => v.name), unknowns);
  const domain = readIntervals(ctx, variableNames, constants);
  if (domain === null) return null;
  const state: ReadState = { root, names: { variables: domain.variables, bounds: domain.bounds, unknowns, constants } satisfies Names, problem: null };
  runSections(ctx, "names", state);
  const names = state.names;

  const equations = readEquations(ctx, root, names);
  const conditions = readConditions(ctx, root, names);
  const trial = readPerUnknown(ctx, root, "trial", names);
  const exact = readPerUnknown(ctx, root, "exact", names);
  const constraints = ctx.choice(get(root, "constraints"), "constraints", ["soft", "hard"] as const) ?? "soft";
  const network = readNetwork(ctx, root);
  const training = readTraining(ctx, root);
  const evaluate = readEvaluate(ctx, root, domain.variables);
  // Only meaningful when every equation was read (an equation with an error is missing here).
  if (equations !== null && src.issues.length === 0) checkUnknownsUsed(ctx, equations, names, get(root, "unknowns"), get(root, "data") !== undefined);

  if (name !== null && equations !== null && training !== null && network !== null) {
    const time = chooseTimeVariable({ ...domain, conditions, equations, region: get(root, "shapes") !== undefined });
    if (time.warning !== null) ctx.warnings.push(time.warning);
    state.problem = {
      file: src.file,
      name,
      title: title ?? name,
      description,
      variables: domain.variables,
      bounds: domain.bounds,
      timeVariable: time.variable,
      timeWhy: time.why ?? undefined,
      unknowns,
      constants,
      equations,
      conditions,
      trial: trial.map((t) => (t === null ? null : ({ source: t.source, expr: t.sym, generated: false }) satisfies Trial)),
      constraints,
      exact: exact.map((e) => (e === null ? null : { source: e.source, expr: e.sym })),
      network,
      training,
      evaluate,
      warnings: ctx.warnings,
    };
  }
  runSections(ctx, "problem", state);
  const problem = state.problem;
  if (problem === null) return null;
  const regionDefaults = src.issues.length === 0 ? applyRegionDefaults(problem) : null;
  if (regionDefaults !== null) problem.training.regionDefaults = regionDefaults;
  if (src.issues.length === 0) checkProblemLimits(ctx, problem, root);
  if (src.issues.length === 0) warnShiftInvariant(problem);
  if (constraints === "hard") problem.trial = buildHardTrials(problem);
  return problem;
}

function runSections(ctx: ReaderContext, phase: "names" | "problem", state: ReadState): void {
  for (const section of SECTIONS) {
    if (section.phase !== phase) continue;
    const node = get(state.root, section.key);
    try {
      section.read(ctx, node, state);
    } catch (e) {
      // A file the section reads (a CSV) that cannot be read at all: reported at the section, so
      // that the error is located in the problem file. Errors located in that file are listed with
      // its name, after the problem file's own, and the other sections are still read (their errors
      // reported too, not hidden behind the CSV's).
      if (!(e instanceof ProblemError)) throw e;
      if (e.issues.some((i) => i.position !== undefined)) for (const issue of e.issues) ctx.src.issues.push({ ...issue, file: issue.file ?? e.file });
      else for (const issue of e.issues) ctx.src.error(node, `${section.key}: ${e.file}: ${issue.message}`, issue.hint);
    }
  }
}

function sortByPosition(issues: ProblemIssue[]): ProblemIssue[] {
  // The problem file's issues by position, then those located in the files it names (a data CSV).
  const key = (i: ProblemIssue): number => (i.file !== undefined ? 1e15 : 0) + (i.position ? i.position.line * 1e6 + i.position.column : 0);
  return [...issues].sort((a, b) => key(a) - key(b));
}
