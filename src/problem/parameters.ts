// Learned parameters (contract: "Unknown parameters and data"): the `parameters` section, and the
// reparametrisation that keeps each estimate inside its bounds.
//
// The optimisers move a raw, unbounded value θ per parameter (after the network's weights, in one
// flat vector). The parameter itself is a smooth function of θ, written as a symbolic expression
// so that every consumer (residuals, generated kernels, gradients) gets it from one place:
//
//   min and max:  p = min + (max − min)·sigmoid(θ)        (θ₀ = logit of the initial's position)
//   min only:     p = min + (initial − min)·exp(θ)         (θ₀ = 0: moves by factors, never reaches min)
//   max only:     p = max − (max − initial)·exp(θ)
//   no bounds:    p = initial + s·θ, s = |initial| (1 if 0) (θ₀ = 0: θ is in units of the initial guess)
//
// so θ is O(1) whatever the parameter's units, and a bound is approached but never crossed.

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { get, asNumber, checkKeys, isMap, isScalar, type Node, type YAMLMap, type YamlSource } from "./yaml-source.js";
import type { Parameter, Problem } from "./types.js";
import type { ReadState, Section } from "./sections.js";
import { RESERVED } from "./names.js";

const PARAMETER_KEYS = ["initial", "min", "max", "exact"];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names already taken, with the reason a parameter may not use them. */
export type TakenName = (name: string) => string | null;

/** The reparametrisation: p as an expression of θ_k, and θ at the initial value. */
export function reparametrise(index: number, initial: number, min?: number, max?: number): { value: Sym; raw: number } {
  const theta = S.param(index);
  if (min !== undefined && max !== undefined) {
    const r = (initial - min) / (max - min);
    return { value: S.add(S.num(min), S.mul(S.num(max - min), S.fn("sigmoid", theta))), raw: Math.log(r / (1 - r)) };
  }
  if (min !== undefined) return { value: S.add(S.num(min), S.mul(S.num(initial - min), S.fn("exp", theta))), raw: 0 };
  if (max !== undefined) return { value: S.sub(S.num(max), S.mul(S.num(max - initial), S.fn("exp", theta))), raw: 0 };
  const scale = initial === 0 ? 1 : Math.abs(initial);
  return { value: S.add(S.num(initial), S.mul(S.num(scale), theta)), raw: 0 };
}

/** Read `parameters:`; errors go to `src` (with line and column). */
export function readParameters(src: YamlSource, root: YAMLMap, taken: TakenName): Parameter[] {
  const node = get(root, "parameters");
  if (node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isMap(node)) {
    src.error(node, "parameters must be a map of names to initial guesses", "e.g.\nparameters:\n  k: 1\n  nu: {initial: 0.1, min: 0, max: 1, exact: 0.05}");
    return [];
  }
  const out: Parameter[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key as Node;
    const name = isScalar(keyNode) ? String(keyNode.value) : "";
    const why = IDENTIFIER.test(name) ? taken(name) : "it is not a name (letters, digits and _, starting with a letter)";
    if (why !== null) {
      src.error(keyNode, `"${name}" cannot be a parameter's name (${why})`, "choose another name; a name is either a constant or a parameter, not both");
      continue;
    }
    const value = pair.value as Node | undefined;
    const where = `parameter ${name}`;
    let initial: number | null = null;
    let min: number | undefined;
    let max: number | undefined;
    let exact: number | undefined;
    const before = src.issues.length;
    if (value !== undefined && isMap(value)) {
      checkKeys(src, value, PARAMETER_KEYS, where);
      initial = asNumber(src, get(value, "initial"), `the initial value of ${where}`);
      if (get(value, "initial") === undefined) src.error(value, `${where} needs an initial value`, `e.g. ${name}: {initial: 1, min: 0}`);
      min = asNumber(src, get(value, "min"), `the lower bound of ${where}`) ?? undefined;
      max = asNumber(src, get(value, "max"), `the upper bound of ${where}`) ?? undefined;
      exact = asNumber(src, get(value, "exact"), `the exact value of ${where}`) ?? undefined;
    } else {
      initial = asNumber(src, value ?? keyNode, `the initial value of ${where}`, `e.g. ${name}: 1 or ${name}: {initial: 1, min: 0, max: 10}`);
    }
    if (src.issues.length > before || initial === null) continue;
    if (min !== undefined && max !== undefined && !(min < max)) {
      src.error(value, `${where}: min (${min}) must be below max (${max})`, "swap or correct the bounds");
      continue;
    }
    if ((min !== undefined && !(initial > min)) || (max !== undefined && !(initial < max))) {
      src.error(get(value as YAMLMap, "initial") ?? value, `${where}: the initial value ${initial} must lie strictly inside its bounds [${min ?? "-inf"}, ${max ?? "inf"}]`, "the estimate stays inside the bounds, so it must start there");
      continue;
    }
    if (exact !== undefined && ((min !== undefined && exact < min) || (max !== undefined && exact > max))) {
      src.error(get(value as YAMLMap, "exact") ?? value, `${where}: the exact value ${exact} lies outside the bounds [${min ?? "-inf"}, ${max ?? "inf"}]`, "the estimate cannot reach it; widen the bounds");
      continue;
    }
    const { value: sym, raw } = reparametrise(out.length, initial, min, max);
    out.push({ name, source: { text: name, position: src.positionOf(keyNode) }, initial, min, max, exact, value: sym, raw });
  }
  return out;
}

/** A parameter that no equation, condition or trial form uses cannot be learned: an error at its name. */
export function checkParametersUsed(src: YamlSource, problem: Problem): void {
  const params = problem.parameters ?? [];
  if (params.length === 0) return;
  const roots: Sym[] = [
    ...problem.equations.map((e) => e.residual),
    ...problem.conditions.flatMap((c) => (c.kind === "point" ? [c.residual] : [])),
    ...problem.trial.flatMap((t) => (t === null ? [] : [t.expr])),
  ];
  const used = new Set(S.topologicalNodes(roots).flatMap((n) => (n.kind === "param" ? [n.index] : [])));
  params.forEach((p, k) => {
    if (!used.has(k)) src.errorAt(p.source.position, `parameter ${p.name} appears in no equation, condition or trial form, so nothing can determine it`, `use ${p.name} in an equation, or remove it`);
  });
}

/** The names of parameters, for name resolution (each stands for its reparametrised value). */
export function parameterSymbols(parameters: readonly Parameter[]): Map<string, Sym> {
  return new Map(parameters.map((p) => [p.name, p.value]));
}

/** Replace every θ_k by a number. */
export function fixParameters(s: Sym, theta: ArrayLike<number>): Sym {
  return S.substitute(s, (atom) => (atom.kind === "param" ? S.num(theta[atom.index]!) : undefined));
}

/** The parameter's value for raw θ. */
export function parameterValue(p: Parameter, theta: ArrayLike<number>): number {
  const v = fixParameters(p.value, theta);
  if (v.kind !== "const") throw new Error(`internal: parameter ${p.name} did not reduce to a number`);
  return v.value;
}

/** The raw θ at which the parameter takes `value` (the inverse of the reparametrisation). */
export function rawFor(p: Pick<Parameter, "initial" | "min" | "max">, value: number): number {
  const { initial, min, max } = p;
  if (min !== undefined && max !== undefined) {
    const r = (value - min) / (max - min);
    return Math.log(r / (1 - r));
  }
  if (min !== undefined) return Math.log((value - min) / (initial - min));
  if (max !== undefined) return Math.log((max - value) / (max - initial));
  return (value - initial) / (initial === 0 ? 1 : Math.abs(initial));
}

/**
 * The problem with each parameter that has an exact value fixed at it (for checking an exact
 * solution); parameters without one stay learned, and `unfixed` names those an expression uses.
 */
export function withExactParameters(problem: Problem): { problem: Problem; unfixed: (s: Sym) => string | undefined } {
  const params = problem.parameters ?? [];
  const fixedIndex = new Set(params.flatMap((p, k) => (p.exact === undefined ? [] : [k])));
  const fix = (s: Sym): Sym =>
    S.substitute(s, (atom) => (atom.kind === "param" && fixedIndex.has(atom.index) ? S.num(rawFor(params[atom.index]!, params[atom.index]!.exact!)) : undefined));
  const fixedProblem: Problem =
    fixedIndex.size === 0
      ? problem
      : {
          ...problem,
          equations: problem.equations.map((e) => ({ ...e, residual: fix(e.residual), lhs: fix(e.lhs), rhs: fix(e.rhs) })),
          conditions: problem.conditions.map((c) => (c.kind === "point" ? { ...c, residual: fix(c.residual), lhs: fix(c.lhs), rhs: fix(c.rhs) } : c)),
        };
  const unfixed = (s: Sym): string | undefined => {
    const names = [...new Set(S.topologicalNodes([s]).flatMap((n) => (n.kind === "param" ? [params[n.index]!.name] : [])))];
    return names.length > 0 ? `no exact value for parameter ${names.join(", ")}` : undefined;
  };
  return { problem: fixedProblem, unfixed };
}

/** θ at the initial values. */
export function initialRaw(problem: Problem): Float64Array {
  return Float64Array.from((problem.parameters ?? []).map((p) => p.raw));
}

/**
 * The problem with every parameter fixed at the values for θ (its expressions free of θ): for
 * what reads a problem's expressions without training them (scales, checks).
 */
export function withParameterValues(problem: Problem, theta: ArrayLike<number>): Problem {
  if ((problem.parameters ?? []).length === 0) return problem;
  const fix = (s: Sym): Sym => fixParameters(s, theta);
  return {
    ...problem,
    equations: problem.equations.map((e) => ({ ...e, residual: fix(e.residual), lhs: fix(e.lhs), rhs: fix(e.rhs) })),
    conditions: problem.conditions.map((c) => (c.kind === "point" ? { ...c, residual: fix(c.residual), lhs: fix(c.lhs), rhs: fix(c.rhs) } : c)),
    trial: problem.trial.map((t) => (t === null ? null : { ...t, expr: fix(t.expr) })),
  };
}

/** The parameters read in the names phase, for the problem phase (one entry per file being read). */
const read = new WeakMap<ReadState, Parameter[]>();

/** `parameters`, names phase: read them and make their names resolvable in expressions. */
export const PARAMETERS_NAMES: Section = {
  key: "parameters",
  phase: "names",
  read(ctx, _node, state) {
    const { variables, unknowns, constants } = state.names;
    const parameters = readParameters(ctx.src, state.root, (p) =>
      RESERVED.has(p) ? "it is a built-in name" : variables.includes(p) ? "it is a domain variable" : unknowns.includes(p) ? "it is an unknown" : constants.has(p) ? "it is already a constant" : null,
    );
    read.set(state, parameters);
    // A parameter rejected above (its name, its bounds) is reported once, not again where it is used.
    const node = get(state.root, "parameters");
    if (node !== undefined && isMap(node)) {
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!parameters.some((q) => q.name === name) && !constants.has(name)) ctx.failedConstants.add(name);
      }
    }
    if (parameters.length > 0) state.names = { ...state.names, parameters: parameterSymbols(parameters) };
  },
};

/** `parameters`, problem phase: attach them to the problem; one that nothing uses is an error. */
export const PARAMETERS_PROBLEM: Section = {
  key: "parameters",
  phase: "problem",
  read(ctx, _node, state) {
    const parameters = read.get(state) ?? [];
    if (state.problem === null) return;
    state.problem.parameters = parameters;
    checkParametersUsed(ctx.src, state.problem);
  },
};
