// Load a problem file: parse the YAML (keeping positions), check it against the contract in
// docs/problem-format (see README), resolve every expression, fill in the defaults.
// All problems found are reported together, each with its file, line, column and a fix.

import { readFileSync } from "node:fs";
import { YamlSource, checkKeys, get, getPair, asMap, asList, asString, asNumber, asPositiveInt, asBoolean, isScalar, isMap, Scalar, type Node, type YAMLMap } from "./yaml-source.js";
import { ProblemError, type ProblemIssue } from "./errors.js";
import type { Problem, Equation, Condition, Trial, StageSettings, TrainingSettings, NetworkSettings, Source, LossWeighting } from "./types.js";
import { DEFAULTS } from "./defaults.js";
import { buildHardTrials } from "./hard-constraints.js";
import { parseEquation, parseExpression, ExpressionError } from "../expressions/parser.js";
import { resolve, resolveEquation, BUILTIN_CONSTANTS, type Names, type Context } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import { FUNCTIONS, type Sym } from "../expressions/symbolic.js";
import { ACTIVATIONS, isActivation } from "../nn/activations.js";
import { INIT_SCHEMES, type InitScheme } from "../nn/init.js";
import { SAMPLING_METHODS, type SamplingMethod } from "../sampling/index.js";
import type { Schedule } from "../optim/schedules.js";
import { closest, didYouMean } from "../util/suggest.js";
import { NETWORK_TECHNIQUE_KEYS, TRAINING_TECHNIQUE_KEYS, readNetworkTechniques, readTrainingTechniques } from "../training/techniques.js";

const TOP_KEYS = ["name", "title", "description", "domain", "unknowns", "constants", "equations", "conditions", "trial", "constraints", "exact", "network", "training", "evaluate"];
const NETWORK_KEYS = ["hidden", "activation", "init", ...NETWORK_TECHNIQUE_KEYS];
const TRAINING_KEYS = ["epochs", "learning_rate", "points", "boundary_points", "sampling", "resample", "seed", "optimizer", "schedule", "lbfgs_iterations", "loss_weighting", "derivatives", "causal", "scaling", ...TRAINING_TECHNIQUE_KEYS];
const EVALUATE_KEYS = ["points"];
const EQUATION_ITEM_KEYS = ["equation", "weight"];
const CONDITION_ITEM_KEYS = ["equation", "weight", "points"];
const PERIODIC_ITEM_KEYS = ["periodic", "weight", "points"];
const ADAM_KEYS = ["epochs", "learning_rate", "schedule"];
const LBFGS_KEYS = ["iterations", "epochs", "learning_rate", "history"];
const RESERVED = new Set([...FUNCTIONS, ...BUILTIN_CONSTANTS.keys(), "N", "d"]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface LoadOptions {
  /** Override settings from the command line. */
  overrides?: { epochs?: number; learningRate?: number; points?: number; seed?: number };
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
  const problem = new ProblemReader(src, options).read();
  if (src.issues.length > 0 || problem === null) throw new ProblemError(file, sortByPosition(src.issues));
  return problem;
}

class ProblemReader {
  readonly warnings: ProblemIssue[] = [];
  /** Constants whose definition had an error (their later uses are not reported again). */
  private readonly failedConstants = new Set<string>();

  constructor(private readonly src: YamlSource, private readonly options: LoadOptions) {}

  read(): Problem | null {
    const src = this.src;
    const root = src.root;
    if (root === null || !isMap(root)) {
      src.errorAt({ line: 1, column: 1 }, "a problem file is a YAML map of keys such as name, domain, unknowns, equations", "start from the example in the README (problems/ode1.yaml)");
      return null;
    }
    checkKeys(src, root, TOP_KEYS, "the problem file");

    const name = this.readName(root);
    const title = asString(src, get(root, "title"), "title") ?? undefined;
    const description = asString(src, get(root, "description"), "description") ?? undefined;
    // Variable names first, then unknowns and constants, then the intervals (which may use constants).
    const variableNames = this.readDomainNames(root);
    const unknowns = this.readUnknowns(root, variableNames?.map((v) => v.name) ?? []);
    if (variableNames === null || unknowns === null) {
      this.require(root, "equations", 'equations:\n  - "u\' = 2*x"');
      return null;
    }
    const constants = this.readConstants(root, variableNames.map((v) => v.name), unknowns);
    const domain = this.readIntervals(variableNames, constants);
    if (domain === null) return null;
    const names: Names = { variables: domain.variables, bounds: domain.bounds, unknowns, constants };

    const equations = this.readEquations(root, names);
    const conditions = this.readConditions(root, names);
    const trial = this.readPerUnknown(root, "trial", names, (k) => ({ kind: "trial", output: k }));
    const exact = this.readPerUnknown(root, "exact", names, () => ({ kind: "exact" }));
    const constraints = this.readChoice(get(root, "constraints"), "constraints", ["soft", "hard"] as const) ?? "soft";
    const network = this.readNetwork(root);
    const training = this.readTraining(root);
    const evaluate = this.readEvaluate(root, domain.variables);
    // Only meaningful when every equation was read (an equation with an error is missing here).
    if (equations !== null && this.src.issues.length === 0) this.checkUnknownsUsed(equations, names, get(root, "unknowns"));

    if (name === null || equations === null || training === null || network === null) return null;
    const t = domain.variables.indexOf("t");
    const problem: Problem = {
      file: src.file,
      name,
      title: title ?? name,
      description,
      variables: domain.variables,
      bounds: domain.bounds,
      timeVariable: t >= 0 && domain.variables.length > 1 ? t : null,
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
      warnings: this.warnings,
    };
    if (constraints === "hard") problem.trial = buildHardTrials(problem);
    return problem;
  }

  private require(map: YAMLMap, key: string, example: string): Node | undefined {
    const node = get(map, key);
    if (getPair(map, key) === undefined) {
      this.src.errorAt({ line: 1, column: 1 }, `the required key "${key}" is missing`, `add it, e.g.\n${example}`);
    } else if (node === undefined || (isScalar(node) && node.value === null)) {
      this.src.error(getPair(map, key)!.key as Node, `"${key}" is empty`, `give it a value, e.g.\n${example}`);
      return undefined;
    }
    return node;
  }

  private readName(root: YAMLMap): string | null {
    const node = this.require(root, "name", "name: my-problem");
    if (node === undefined) return null;
    const name = asString(this.src, node, "name");
    if (name === null) return null;
    if (!/^[a-z0-9_-]+$/.test(name)) {
      const slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "my-problem";
      this.src.error(node, `name "${name}" may only contain lower-case letters, digits, "_" and "-" (it names the output folder)`, `e.g. name: ${slug}`);
      return null;
    }
    return name;
  }

  /** The domain's variable names (with their interval nodes), checked but not yet evaluated. */
  private readDomainNames(root: YAMLMap): { name: string; key: Node; interval: Node | undefined }[] | null {
    const node = this.require(root, "domain", "domain:\n  x: [0, 1]");
    const map = asMap(this.src, node, "domain", "e.g.\ndomain:\n  x: [0, 1]\n  t: [0, 2]");
    if (map === null) return null;
    const out: { name: string; key: Node; interval: Node | undefined }[] = [];
    let ok = true;
    for (const pair of map.items) {
      const keyNode = pair.key as Node;
      const v = isScalar(keyNode) ? String(keyNode.value) : "";
      if (!IDENTIFIER.test(v) || RESERVED.has(v)) {
        this.src.error(keyNode, `"${v}" cannot be a variable name${RESERVED.has(v) ? " (it is a built-in name)" : ""}`, "use a name such as x, y, z or t");
        ok = false;
        continue;
      }
      out.push({ name: v, key: keyNode, interval: pair.value as Node | undefined });
    }
    if (map.items.length === 0) {
      this.src.error(node, "the domain is empty: it needs at least one variable with an interval", "e.g.\ndomain:\n  x: [0, 1]");
      return null;
    }
    if (ok && out.length > 3) {
      this.src.error(node, `the domain has ${out.length} variables; pinn supports 1 to 3`);
      return null;
    }
    return ok ? out : null;
  }

  /** Each variable's [min, max]: numbers, or expressions of constants such as 2*pi or L. */
  private readIntervals(variables: { name: string; key: Node; interval: Node | undefined }[], constants: Map<string, number>): { variables: string[]; bounds: [number, number][] } | null {
    const bounds = variables.map((v) => this.readInterval(v.interval, v.name, v.key, constants));
    if (bounds.some((b) => b === null)) return null;
    return { variables: variables.map((v) => v.name), bounds: bounds as [number, number][] };
  }

  private readInterval(node: Node | undefined, v: string, keyNode: Node, constants: Map<string, number>): [number, number] | null {
    const hint = `write ${v}: [min, max] with min < max, e.g. ${v}: [0, 1]`;
    if (node === undefined || isScalar(node)) {
      this.src.error(node ?? keyNode, `variable ${v} needs an interval [min, max]`, hint);
      return null;
    }
    const items = asList(this.src, node, `the interval of ${v}`, hint);
    if (items === null) return null;
    if (items.length !== 2) {
      this.src.error(node, `the interval of ${v} must have two numbers [min, max], it has ${items.length}`, hint);
      return null;
    }
    const lo = this.numberOrConstant(items[0]!, `the lower end of ${v}`, constants);
    const hi = this.numberOrConstant(items[1]!, `the upper end of ${v}`, constants);
    if (lo === null || hi === null) return null;
    if (!(lo < hi)) {
      this.src.error(node, lo === hi ? `the interval of ${v} is empty (${lo} = ${hi})` : `the interval of ${v} is reversed (${lo} > ${hi})`, hint);
      return null;
    }
    return [lo, hi];
  }

  /** A number, or an expression of constants such as 2*pi. */
  private numberOrConstant(node: Node, what: string, constants: Map<string, number>): number | null {
    if (isScalar(node) && typeof node.value === "number") return node.value;
    if (isScalar(node) && typeof node.value === "string") {
      const names: Names = { variables: [], bounds: [], unknowns: [], constants };
      const sym = this.expression(node, names, { kind: "constant" });
      if (sym !== null && sym.kind === "const" && Number.isFinite(sym.value)) return sym.value;
      if (sym !== null) this.src.error(node, `${what} must be a finite number`);
      return null;
    }
    this.src.error(node, `${what} must be a number`);
    return null;
  }

  private readUnknowns(root: YAMLMap, variables: string[]): string[] | null {
    const node = this.require(root, "unknowns", "unknowns: [u]");
    if (node === undefined) return null;
    const items = isScalar(node) ? [node] : asList(this.src, node, "unknowns", "e.g. unknowns: [u] or unknowns: [u, v]");
    if (items === null) return null;
    const unknowns: string[] = [];
    for (const item of items) {
      const u = asString(this.src, item, "an unknown's name");
      if (u === null) return null;
      if (!IDENTIFIER.test(u) || RESERVED.has(u)) {
        this.src.error(item, `"${u}" cannot be an unknown's name${RESERVED.has(u) ? " (it is a built-in name)" : ""}`, "use a name such as u, v or p");
        return null;
      }
      if (variables.includes(u)) {
        this.src.error(item, `"${u}" is already a domain variable`, "give the unknown a different name");
        return null;
      }
      if (unknowns.includes(u)) {
        this.src.error(item, `the unknown "${u}" is listed twice`);
        return null;
      }
      unknowns.push(u);
    }
    if (unknowns.length === 0) {
      this.src.error(node, "unknowns is empty", "e.g. unknowns: [u]");
      return null;
    }
    return unknowns;
  }

  private readConstants(root: YAMLMap, variables: string[], unknowns: string[]): Map<string, number> {
    const constants = new Map<string, number>();
    const map = asMap(this.src, get(root, "constants"), "constants", "e.g.\nconstants:\n  k: 2.5");
    if (map === null) return constants;
    for (const pair of map.items) {
      const keyNode = pair.key as Node;
      const c = isScalar(keyNode) ? String(keyNode.value) : "";
      if (!IDENTIFIER.test(c) || RESERVED.has(c) || variables.includes(c) || unknowns.includes(c)) {
        const why = RESERVED.has(c) ? " (it is a built-in name)" : variables.includes(c) ? " (it is a domain variable)" : unknowns.includes(c) ? " (it is an unknown)" : "";
        this.src.error(keyNode, `"${c}" cannot be a constant's name${why}`, "choose another name");
        continue;
      }
      const value = pair.value as Node | undefined;
      if (value !== undefined && isScalar(value) && typeof value.value === "number") {
        constants.set(c, value.value);
        continue;
      }
      if (value !== undefined && isScalar(value) && typeof value.value === "string") {
        const names: Names = { variables: [], bounds: [], unknowns: [], constants };
        const later = map.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "")).filter((k) => !constants.has(k) && k !== c);
        const before = this.src.issues.length;
        const sym = this.expression(value, names, { kind: "constant" }, (e) => {
          const name = /^"(\w+)" is not defined/.exec(e.message)?.[1];
          if (name !== undefined && later.includes(name)) {
            return { message: `constant ${c} uses ${name}, which is defined below it`, hint: `constants are defined in order: move ${name} above ${c}` };
          }
          return null;
        });
        if (this.src.issues.length > before) this.failedConstants.add(c);
        if (sym !== null && sym.kind === "const") {
          if (!Number.isFinite(sym.value)) this.src.error(value, `constant ${c} evaluates to ${sym.value}`, "constants must be finite numbers");
          else constants.set(c, sym.value);
        }
        continue;
      }
      this.src.error(value ?? keyNode, `constant ${c} must be a number or an expression of earlier constants`, `e.g. ${c}: 2.5 or ${c}: "2*pi"`);
    }
    return constants;
  }

  /**
   * Parse and resolve one expression scalar; reports errors at the exact column. `rephrase` may
   * replace an error's message and hint.
   */
  private expression(node: Node, names: Names, context: Context, rephrase?: (e: ExpressionError) => { message: string; hint: string } | null): Sym | null {
    const text = this.scalarText(node, "an expression");
    if (text === null) return null;
    try {
      return resolve(parseExpression(text), names, context).sym;
    } catch (e) {
      const better = e instanceof ExpressionError ? rephrase?.(e) : null;
      this.reportExpressionError(better ? new ExpressionError(better.message, (e as ExpressionError).span, better.hint) : e, node as Scalar);
      return null;
    }
  }

  private scalarText(node: Node, what: string): string | null {
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) return String(node.value);
    this.src.error(node, `${what} must be written as text`, 'quote it if in doubt, e.g. "u\' = 2*x"');
    return null;
  }

  private reportExpressionError(e: unknown, node: Scalar): void {
    if (!(e instanceof ExpressionError)) throw e;
    // A constant that already failed is reported once, not again where it is used.
    const name = /^"(\w+)" is not defined/.exec(e.message)?.[1];
    if (name !== undefined && this.failedConstants.has(name)) return;
    const position = this.src.valuePosition(node, e.span.start);
    this.src.errorAt(position, e.message, e.hint);
  }

  private source(node: Node): Source {
    return { text: isScalar(node) ? String(node.value) : "", position: this.src.positionOf(node) };
  }

  private equationNode(item: Node, allowed: string[], what: string): { node: Node; weight: number; points?: number; map?: YAMLMap } | null {
    if (isScalar(item)) return { node: item, weight: 1 };
    if (!isMap(item)) {
      this.src.error(item, `each ${what} must be a text "LHS = RHS" or a map with an "equation" key`);
      return null;
    }
    const node = get(item, "equation");
    const keys = item.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""));
    if (node === undefined && keys.length === 1 && keys[0]!.includes("=")) {
      this.src.error(item, `this ${what} contains ": ", so YAML read it as a key`, `put the ${what} in quotes, e.g. - "${keys[0]}: ..."`);
      return null;
    }
    checkKeys(this.src, item, allowed, `${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`);
    if (node === undefined) {
      this.src.error(item, `this ${what} has no "equation" key`, 'e.g. - {equation: "u(0) = 1", weight: 10}');
      return null;
    }
    const weight = this.readWeight(item);
    const points = allowed.includes("points") && get(item, "points") !== undefined ? asPositiveInt(this.src, get(item, "points"), "points") ?? undefined : undefined;
    return { node, weight, points, map: item };
  }

  private readWeight(map: YAMLMap): number {
    const node = get(map, "weight");
    if (node === undefined) return 1;
    const w = asNumber(this.src, node, "weight", "a positive number such as 10");
    if (w === null) return 1;
    if (!(w > 0)) {
      this.src.error(node, `weight must be positive, not ${w}`);
      return 1;
    }
    return w;
  }

  private parseEquationText(node: Node, names: Names, context: Context): ReturnType<typeof resolveEquation> | null {
    const text = this.scalarText(node, "an equation");
    if (text === null) return null;
    try {
      const { lhs, rhs } = parseEquation(text);
      return resolveEquation(lhs, rhs, names, context);
    } catch (e) {
      this.reportExpressionError(e, node as Scalar);
      return null;
    }
  }

  private readEquations(root: YAMLMap, names: Names): Equation[] | null {
    const node = this.require(root, "equations", 'equations:\n  - "u\' = 2*x"');
    if (node === undefined) return null;
    const items = asList(this.src, node, "equations", 'e.g.\nequations:\n  - "u\'\' + u = 0"');
    if (items === null) return null;
    if (items.length === 0) {
      this.src.error(node, "equations is empty", 'add at least one, e.g. - "u\' = 2*x"');
      return null;
    }
    const out: Equation[] = [];
    for (const item of items) {
      const spec = this.equationNode(item, EQUATION_ITEM_KEYS, "equation");
      if (spec === null) continue;
      const r = this.parseEquationText(spec.node, names, { kind: "equation" });
      if (r === null) continue;
      if (r.firstFieldSpan === undefined) {
        this.src.error(spec.node, "this equation does not involve any unknown", `unknowns: ${names.unknowns.join(", ")}`);
        continue;
      }
      out.push({ source: this.source(spec.node), residual: r.sym, lhs: r.lhs, rhs: r.rhs, weight: spec.weight });
    }
    return out;
  }

  private readConditions(root: YAMLMap, names: Names): Condition[] {
    const items = asList(this.src, get(root, "conditions"), "conditions", 'e.g.\nconditions:\n  - "u(0) = 1"');
    if (items === null) return [];
    const out: Condition[] = [];
    for (const item of items) {
      if (isMap(item) && get(item, "periodic") !== undefined) {
        checkKeys(this.src, item, PERIODIC_ITEM_KEYS, "a periodic condition");
        const vNode = get(item, "periodic")!;
        const v = asString(this.src, vNode, "periodic");
        if (v === null) continue;
        const index = names.variables.indexOf(v);
        if (index < 0) {
          this.src.error(vNode, `periodic: "${v}" is not a domain variable${didYouMean(v, names.variables)}`, `domain variables: ${names.variables.join(", ")}`);
          continue;
        }
        const points = get(item, "points") !== undefined ? asPositiveInt(this.src, get(item, "points"), "points") ?? undefined : undefined;
        out.push({ kind: "periodic", source: { text: `periodic: ${v}`, position: this.src.positionOf(item) }, variable: index, weight: this.readWeight(item), points });
        continue;
      }
      const spec = this.equationNode(item, CONDITION_ITEM_KEYS, "condition");
      if (spec === null) continue;
      const r = this.parseEquationText(spec.node, names, { kind: "condition" });
      if (r === null) continue;
      if (r.location === undefined) {
        this.src.error(spec.node, "this condition does not involve any unknown", `a condition says where an unknown takes a value, e.g. ${names.unknowns[0]}(${names.variables.map((v, i) => (i === 0 ? "0" : v)).join(", ")}) = 0`);
        continue;
      }
      if (r.location.every((l) => l.free)) {
        const position = r.firstFieldSpan ? this.src.valuePosition(spec.node as Scalar, r.firstFieldSpan.start) : this.src.positionOf(spec.node);
        this.src.errorAt(position, "this condition has no fixed argument, so it would hold everywhere (that is an equation)", `fix at least one variable, e.g. ${names.unknowns[0]}(${names.variables.map((v, i) => (i === 0 ? String(names.bounds[0]![0]) : v)).join(", ")}); or move it to equations:`);
        continue;
      }
      out.push({ kind: "point", source: this.source(spec.node), residual: r.sym, lhs: r.lhs, rhs: r.rhs, location: r.location, weight: spec.weight, points: spec.points });
    }
    return out;
  }

  private readPerUnknown(root: YAMLMap, key: "trial" | "exact", names: Names, context: (k: number) => Context): ({ sym: Sym; source: Source } | null)[] {
    const out: ({ sym: Sym; source: Source } | null)[] = names.unknowns.map(() => null);
    const example = key === "trial" ? `e.g.\ntrial:\n  ${names.unknowns[0]}: "1 + x*N"` : `e.g.\nexact:\n  ${names.unknowns[0]}: "sin(pi*x)"`;
    const map = asMap(this.src, get(root, key), key, example);
    if (map === null) return out;
    for (const pair of map.items) {
      const keyNode = pair.key as Node;
      const u = isScalar(keyNode) ? String(keyNode.value) : "";
      const k = names.unknowns.indexOf(u);
      if (k < 0) {
        this.src.error(keyNode, `"${u}" under ${key} is not an unknown${didYouMean(u, names.unknowns)}`, `unknowns: ${names.unknowns.join(", ")}`);
        continue;
      }
      const value = pair.value as Node | undefined;
      if (value === undefined || (isScalar(value) && value.value === null)) {
        this.src.error(keyNode, `${key} for ${u} is empty`, example);
        continue;
      }
      const sym = this.expression(value, names, context(k));
      if (sym === null) continue;
      if (key === "trial" && !S.mentionsNetwork(sym)) {
        this.src.error(value, `the trial form for ${u} does not use N, so the network could not change it`, `e.g. ${u}: "1 + x*N"`);
        continue;
      }
      out[k] = { sym, source: this.source(value) };
    }
    return out;
  }

  private readChoice<T extends string>(node: Node | undefined, what: string, choices: readonly T[]): T | null {
    if (node === undefined) return null;
    const v = asString(this.src, node, what);
    if (v === null) return null;
    if (!(choices as readonly string[]).includes(v)) {
      const suggestion = closest(v, choices) ?? choices[0]!;
      this.src.error(node, `${what}: "${v}" is not one of ${choices.join(", ")}${didYouMean(v, choices)}`, `write e.g. ${what.split(".").pop()}: ${suggestion}`);
      return null;
    }
    return v as T;
  }

  private readNetwork(root: YAMLMap): NetworkSettings | null {
    const d = DEFAULTS.network;
    const map = asMap(this.src, get(root, "network"), "network", "e.g.\nnetwork:\n  hidden: [32, 32]\n  activation: tanh");
    if (map === null) return { hidden: [...d.hidden], activation: d.activation, init: d.init };
    checkKeys(this.src, map, NETWORK_KEYS, "network");
    let hidden = [...d.hidden];
    const hNode = get(map, "hidden");
    if (hNode !== undefined) {
      const items = isScalar(hNode) ? [hNode] : asList(this.src, hNode, "network.hidden", "e.g. hidden: [32, 32]");
      if (items !== null) {
        const widths = items.map((n) => asPositiveInt(this.src, n, "a hidden layer width"));
        if (widths.every((w): w is number => w !== null)) hidden = widths;
        if (items.length === 0) this.src.error(hNode, "network.hidden is empty", "give at least one hidden layer, e.g. hidden: [32, 32]");
      }
    }
    const activation = this.readChoice(get(map, "activation"), "network.activation", Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[]) ?? d.activation;
    if (!isActivation(activation)) return null;
    const init = this.readChoice<InitScheme>(get(map, "init"), "network.init", INIT_SCHEMES) ?? d.init;
    return { hidden, activation, init, ...readNetworkTechniques(this.src, (k) => get(map, k)) };
  }

  private readTraining(root: YAMLMap): TrainingSettings | null {
    const d = DEFAULTS.training;
    const o = this.options.overrides ?? {};
    const map = asMap(this.src, get(root, "training"), "training", "e.g.\ntraining:\n  epochs: 2000\n  learning_rate: 0.001");
    if (map !== null) checkKeys(this.src, map, TRAINING_KEYS, "training");
    const field = (key: string): Node | undefined => (map === null ? undefined : get(map, key));
    // The file's values are checked even when the command line overrides them.
    const fileEpochs = asPositiveInt(this.src, field("epochs"), "training.epochs");
    const fileRate = this.positiveNumber(field("learning_rate"), "training.learning_rate");
    const filePoints = asPositiveInt(this.src, field("points"), "training.points");
    const epochs = o.epochs ?? fileEpochs ?? d.epochs;
    const learningRate = o.learningRate ?? fileRate ?? d.learningRate;
    const points = o.points ?? filePoints ?? d.points;
    const boundaryPoints = asPositiveInt(this.src, field("boundary_points"), "training.boundary_points") ?? d.boundaryPoints;
    const sampling = this.readChoice<SamplingMethod>(field("sampling"), "training.sampling", SAMPLING_METHODS) ?? d.sampling;
    const resample = asBoolean(this.src, field("resample"), "training.resample") ?? d.resample;
    const fileSeed = asNumber(this.src, field("seed"), "training.seed");
    if (fileSeed !== null && !Number.isInteger(fileSeed)) this.src.error(field("seed"), "training.seed must be a whole number");
    const seedValue = o.seed ?? fileSeed;
    const seed = seedValue ?? d.seed;
    const lossWeighting = this.readChoice<LossWeighting>(field("loss_weighting"), "training.loss_weighting", ["fixed", "annealing", "gradnorm"]) ?? "fixed";
    const derivatives = this.readChoice(field("derivatives"), "training.derivatives", ["taylor", "reverse"] as const) ?? "taylor";
    const causal = asBoolean(this.src, field("causal"), "training.causal");
    const scaling = asBoolean(this.src, field("scaling"), "training.scaling") ?? true;
    const lbfgsIterations = asPositiveInt(this.src, field("lbfgs_iterations"), "training.lbfgs_iterations") ?? d.lbfgsIterations;
    const schedule = this.readSchedule(field("schedule")) ?? { type: "constant" as const };
    const adam = (): StageSettings => ({ optimizer: "adam", epochs, learningRate, schedule });
    const lbfgs = (iterations = lbfgsIterations): StageSettings => ({ optimizer: "lbfgs", iterations, learningRate: 1, historySize: d.lbfgsHistory });
    const read = this.readStages(field("optimizer"), adam, lbfgs, epochs);
    if (read === null) return null;
    // Command-line --epochs and --lr win over the file, also inside an explicit list of stages.
    const stages = read.map((s) =>
      s.optimizer === "adam" ? { ...s, epochs: o.epochs ?? s.epochs, learningRate: o.learningRate ?? s.learningRate } : s,
    );
    return { stages, points, boundaryPoints, sampling, resample, seed, lossWeighting, derivatives, causal, scaling, ...readTrainingTechniques(this.src, field) };
  }

  private positiveNumber(node: Node | undefined, what: string): number | null {
    const v = asNumber(this.src, node, what);
    if (v === null) return null;
    if (!(v > 0)) {
      this.src.error(node, `${what} must be positive, not ${v}`);
      return null;
    }
    return v;
  }

  /**
   * optimizer: adam | lbfgs | [adam, lbfgs] | a list of stages, each `adam: {epochs, learning_rate,
   * schedule}` or `lbfgs: {iterations}` (also `{name: adam, ...}`). Default: Adam then L-BFGS.
   */
  private readStages(node: Node | undefined, adam: () => StageSettings, lbfgs: (n?: number) => StageSettings, epochs: number): StageSettings[] | null {
    if (node === undefined) return [adam(), lbfgs()];
    const hint = "optimizer: adam, lbfgs, or a list of stages such as\n  optimizer:\n    - adam: {epochs: 2000, learning_rate: 0.001}\n    - lbfgs: {iterations: 500}";
    if (isScalar(node)) {
      const v = this.readChoice(node, "training.optimizer", ["adam", "lbfgs"] as const);
      if (v === null) return null;
      return v === "adam" ? [adam()] : [lbfgs(epochs)];
    }
    const items = asList(this.src, node, "training.optimizer", hint);
    if (items === null) return null;
    const stages: StageSettings[] = [];
    for (const item of items) {
      if (isScalar(item)) {
        const v = this.readChoice(item, "an optimizer stage", ["adam", "lbfgs"] as const);
        if (v !== null) stages.push(v === "adam" ? adam() : lbfgs());
        continue;
      }
      if (!isMap(item)) {
        this.src.error(item, "each optimizer stage must be adam, lbfgs, or a map such as adam: {epochs: 1000}", hint);
        continue;
      }
      let kind: string | null;
      let settings: YAMLMap | null;
      const named = get(item, "name");
      if (named !== undefined) {
        kind = asString(this.src, named, "stage name");
        settings = item;
      } else if (item.items.length === 1) {
        const pair = item.items[0]!;
        kind = isScalar(pair.key) ? String(pair.key.value) : null;
        const v = pair.value as Node | undefined;
        settings = v === undefined || (isScalar(v) && v.value === null) ? null : asMap(this.src, v, `the ${kind} stage`, hint);
      } else {
        this.src.error(item, "an optimizer stage names one optimizer", hint);
        continue;
      }
      if (kind !== "adam" && kind !== "lbfgs") {
        this.src.error(item, `unknown optimizer "${kind}"${didYouMean(kind ?? "", ["adam", "lbfgs"])}`, "use adam or lbfgs");
        continue;
      }
      const keys = kind === "adam" ? ADAM_KEYS : LBFGS_KEYS;
      if (settings !== null) checkKeys(this.src, settings, named !== undefined ? ["name", ...keys] : keys, `the ${kind} stage`);
      const field = (k: string): Node | undefined => (settings === null ? undefined : get(settings, k));
      const base = kind === "adam" ? adam() : lbfgs();
      if (base.optimizer === "adam") {
        stages.push({
          optimizer: "adam",
          epochs: asPositiveInt(this.src, field("epochs"), "epochs") ?? base.epochs,
          learningRate: this.positiveNumber(field("learning_rate"), "learning_rate") ?? base.learningRate,
          schedule: this.readSchedule(field("schedule")) ?? base.schedule,
        });
      } else {
        stages.push({
          optimizer: "lbfgs",
          iterations: asPositiveInt(this.src, field("iterations") ?? field("epochs"), "iterations") ?? base.iterations,
          learningRate: this.positiveNumber(field("learning_rate"), "learning_rate") ?? base.learningRate,
          historySize: asPositiveInt(this.src, field("history"), "history") ?? base.historySize,
        });
      }
    }
    if (stages.length === 0) {
      if (stages.length === items.length) this.src.error(node, "training.optimizer lists no stages", hint);
      return null;
    }
    return stages;
  }

  /** schedule: constant | step | exponential | cosine, or a map {type, every, gamma, min}. */
  private readSchedule(node: Node | undefined): Schedule | null {
    if (node === undefined) return null;
    const types = ["constant", "step", "exponential", "cosine"] as const;
    const hint = "e.g. schedule: cosine, or schedule: {type: step, every: 1000, gamma: 0.5}, or {type: exponential, gamma: 0.999}";
    let type: (typeof types)[number] | null;
    let map: YAMLMap | null = null;
    if (isScalar(node)) type = this.readChoice(node, "schedule", types);
    else {
      map = asMap(this.src, node, "schedule", hint);
      if (map === null) return null;
      checkKeys(this.src, map, ["type", "every", "gamma", "min"], "schedule");
      type = this.readChoice(get(map, "type"), "schedule.type", types);
      if (get(map, "type") === undefined) this.src.error(node, "schedule needs a type", hint);
    }
    if (type === null) return null;
    const num = (k: string): number | null => (map === null ? null : asNumber(this.src, get(map, k), `schedule.${k}`));
    switch (type) {
      case "constant":
        return { type };
      case "step": {
        const every = (map === null ? null : asPositiveInt(this.src, get(map, "every"), "schedule.every")) ?? 1000;
        const gamma = num("gamma") ?? 0.5;
        return every >= 1 && gamma > 0 ? { type, every, gamma } : this.badSchedule(node, hint);
      }
      case "exponential": {
        const gamma = num("gamma") ?? 0.999;
        return gamma > 0 ? { type, gamma } : this.badSchedule(node, hint);
      }
      case "cosine": {
        // `total` is filled in with the stage's epochs by the trainer.
        const min = num("min") ?? 0;
        return min >= 0 ? { type, total: 0, min } : this.badSchedule(node, hint);
      }
    }
  }

  private badSchedule(node: Node, hint: string): null {
    this.src.error(node, "schedule settings out of range (every ≥ 1, gamma > 0, min ≥ 0)", hint);
    return null;
  }

  /** evaluate.points: one number for every variable, or a map of variable to number. */
  private readEvaluate(root: YAMLMap, variables: string[]): { points: number[] } {
    const fallback: number = DEFAULTS.evaluatePoints[variables.length - 1] ?? 41;
    const points = variables.map(() => fallback);
    const map = asMap(this.src, get(root, "evaluate"), "evaluate", "e.g.\nevaluate:\n  points: 101");
    if (map === null) return { points };
    checkKeys(this.src, map, EVALUATE_KEYS, "evaluate");
    const node = get(map, "points");
    const count = (n: Node | undefined, what: string): number | null => {
      const p = asPositiveInt(this.src, n, what);
      if (p !== null && p < 2) {
        this.src.error(n, `${what} must be at least 2`);
        return null;
      }
      return p;
    };
    if (node !== undefined && isMap(node)) {
      checkKeys(this.src, node, variables, "evaluate.points");
      variables.forEach((v, i) => (points[i] = count(get(node, v), `evaluate.points.${v}`) ?? fallback));
      return { points };
    }
    const p = count(node, "evaluate.points");
    return { points: points.map(() => p ?? fallback) };
  }

  /** Unknowns that no equation involves cannot be determined; fewer equations than unknowns is suspicious. */
  private checkUnknownsUsed(equations: Equation[], names: Names, unknownsNode: Node | undefined): void {
    const used = new Set(equations.flatMap((e) => [...S.unknownsOf(e.residual)]));
    names.unknowns.forEach((u, k) => {
      if (!used.has(k)) {
        this.src.error(unknownsNode, `the unknown "${u}" appears in no equation, so nothing determines it`, `add an equation for ${u}, or remove it from unknowns`);
      }
    });
    if (used.size === names.unknowns.length && equations.length < names.unknowns.length) {
      this.warnings.push({
        message: `${names.unknowns.length} unknowns but ${equations.length} equation${equations.length === 1 ? "" : "s"}: the problem is probably under-determined`,
        position: this.src.positionOf(unknownsNode),
        hint: "a system usually needs one equation per unknown",
      });
    }
  }
}

function sortByPosition(issues: ProblemIssue[]): ProblemIssue[] {
  const key = (i: ProblemIssue): number => (i.position ? i.position.line * 1e6 + i.position.column : 0);
  return [...issues].sort((a, b) => key(a) - key(b));
}

