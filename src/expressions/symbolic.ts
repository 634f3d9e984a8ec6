// Symbolic expressions as a hash-consed DAG: equal subexpressions are one node, so derivatives of
// trial forms stay compact (common subexpressions are shared, then evaluated once per batch).
// Constructors fold constants and apply the identities 0+x = x, 1·x = x, 0·x = 0, x^1 = x, ...

import { functionRule, type FunctionName } from "./functions.js";
import { BoundedCache } from "../util/bounded-cache.js";

/** Functions users may call (the table is functions.ts, which also lists internal ones). */
export { USER_FUNCTIONS as FUNCTIONS, type FunctionName } from "./functions.js";

/** A multi-index: how many times to differentiate along each domain variable. */
export type MultiIndex = readonly number[];

export type Sym =
  | { readonly kind: "const"; readonly id: number; readonly value: number }
  | { readonly kind: "var"; readonly id: number; readonly index: number }
  /** ∂^α u_k, the k-th unknown (or its derivative) at the point. */
  | { readonly kind: "field"; readonly id: number; readonly unknown: number; readonly alpha: MultiIndex }
  /** ∂^α N_k, the k-th network output (or its derivative in physical coordinates). */
  | { readonly kind: "net"; readonly id: number; readonly output: number; readonly alpha: MultiIndex }
  /** θ_k, the raw (unbounded) value of the k-th learned parameter (problem/parameters.ts maps it into its bounds). */
  | { readonly kind: "param"; readonly id: number; readonly index: number }
  | { readonly kind: "add" | "sub" | "mul" | "div" | "pow"; readonly id: number; readonly a: Sym; readonly b: Sym }
  | { readonly kind: "neg"; readonly id: number; readonly a: Sym }
  /** A function of the table in functions.ts: one argument `a`, or two, `a` and `b`. */
  | { readonly kind: "fn"; readonly id: number; readonly name: FunctionName; readonly a: Sym }
  | { readonly kind: "fn"; readonly id: number; readonly name: FunctionName; readonly a: Sym; readonly b: Sym };

type Binary = Extract<Sym, { kind: "add" | "sub" | "mul" | "div" | "pow" }>;

const table = new Map<string, Sym>();
let nextId = 0;

function intern<T extends Sym>(key: string, make: (id: number) => T): T {
  const found = table.get(key);
  if (found !== undefined) return found as T;
  const node = make(nextId++);
  table.set(key, node);
  return node;
}

export function num(value: number): Sym {
  // -0 and 0 are the same constant; NaN keeps its own key.
  const v = Object.is(value, -0) ? 0 : value;
  return intern(`c${v}`, (id) => ({ kind: "const", id, value: v }));
}

export const ZERO = num(0);
export const ONE = num(1);

export function variable(index: number): Sym {
  return intern(`v${index}`, (id) => ({ kind: "var", id, index }));
}

/** A multi-index without trailing zeros, so that [1] and [1, 0] are the same derivative. */
export function trimIndex(alpha: MultiIndex): number[] {
  const out = [...alpha];
  while (out.length > 0 && (out[out.length - 1] ?? 0) === 0) out.pop();
  return out.map((c) => c ?? 0);
}

export function field(unknown: number, alpha: MultiIndex): Sym {
  const a = trimIndex(alpha);
  return intern(`f${unknown}:${a.join(",")}`, (id) => ({ kind: "field", id, unknown, alpha: a }));
}

export function net(output: number, alpha: MultiIndex): Sym {
  const a = trimIndex(alpha);
  return intern(`n${output}:${a.join(",")}`, (id) => ({ kind: "net", id, output, alpha: a }));
}

/** The raw value θ_k of learned parameter k: constant over the points, trained with the network. */
export function param(index: number): Sym {
  return intern(`p${index}`, (id) => ({ kind: "param", id, index }));
}

function binary(kind: Binary["kind"], a: Sym, b: Sym): Sym {
  return intern(`${kind}(${a.id},${b.id})`, (id) => ({ kind, id, a, b }) as Sym);
}

const isConst = (s: Sym, v?: number): boolean => s.kind === "const" && (v === undefined || s.value === v);
const valueOf = (s: Sym): number => (s as { value: number }).value;

export function add(a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b)) return num(valueOf(a) + valueOf(b));
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  if (b.kind === "neg") return sub(a, b.a);
  if (a.kind === "neg") return sub(b, a.a);
  // Commutative: a canonical order lets x+y and y+x share a node.
  return a.id <= b.id ? binary("add", a, b) : binary("add", b, a);
}

export function sub(a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b)) return num(valueOf(a) - valueOf(b));
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return neg(b);
  if (a === b) return ZERO;
  if (b.kind === "neg") return add(a, b.a);
  return binary("sub", a, b);
}

export function neg(a: Sym): Sym {
  if (isConst(a)) return num(-valueOf(a));
  if (a.kind === "neg") return a.a;
  if (a.kind === "sub") return sub(a.b, a.a);
  return intern(`neg(${a.id})`, (id) => ({ kind: "neg", id, a }));
}

export function mul(a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b)) return num(valueOf(a) * valueOf(b));
  if (isConst(a, 0) || isConst(b, 0)) return ZERO;
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (isConst(a, -1)) return neg(b);
  if (isConst(b, -1)) return neg(a);
  if (a.kind === "neg") return neg(mul(a.a, b));
  if (b.kind === "neg") return neg(mul(a, b.a));
  // Constants to the left, then by id.
  if (isConst(b) || (!isConst(a) && b.id < a.id)) return binary("mul", b, a);
  return binary("mul", a, b);
}

export function div(a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b)) return num(valueOf(a) / valueOf(b));
  if (isConst(a, 0)) return ZERO;
  if (isConst(b, 1)) return a;
  if (isConst(b, -1)) return neg(a);
  if (a === b) return ONE;
  if (isConst(b)) return mul(num(1 / valueOf(b)), a);
  return binary("div", a, b);
}

export function pow(a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b)) return num(Math.pow(valueOf(a), valueOf(b)));
  if (isConst(b, 0)) return ONE;
  if (isConst(b, 1)) return a;
  if (isConst(a, 1)) return ONE;
  return binary("pow", a, b);
}

/** f(a) or f(a, b) for a function of the table (functions.ts); constant arguments are folded. */
export function fn(name: FunctionName, a: Sym, b?: Sym): Sym {
  const rule = functionRule(name);
  if ((b === undefined ? 1 : 2) !== rule.arity) throw new Error(`internal: ${name} takes ${rule.arity} argument(s)`);
  if (b === undefined) {
    if (isConst(a)) return num(rule.value(valueOf(a)));
    return intern(`${name}(${a.id})`, (id) => ({ kind: "fn", id, name, a }));
  }
  if (isConst(a) && isConst(b)) return num(rule.value(valueOf(a), valueOf(b)));
  return intern(`${name}(${a.id},${b.id})`, (id) => ({ kind: "fn", id, name, a, b }));
}

/** The arguments of a function node. */
export function argsOf(s: Extract<Sym, { kind: "fn" }>): Sym[] {
  return "b" in s ? [s.a, s.b] : [s.a];
}

/** The scalar value of a function (used for constant folding). */
export function applyFunction(name: FunctionName, ...x: number[]): number {
  return functionRule(name).value(...x);
}

const memo = new BoundedCache<string, Sym>("symbolic derivatives", 200_000);

/** ∂s/∂x_i, by the usual rules; fields and network outputs gain one order along i. */
export function diff(s: Sym, i: number): Sym {
  const key = `${s.id}/${i}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const d = derivative(s, i);
  memo.set(key, d);
  return d;
}

function raise(alpha: MultiIndex, i: number): number[] {
  const out = Array.from({ length: Math.max(alpha.length, i + 1) }, (_, j) => alpha[j] ?? 0);
  out[i]! += 1;
  return out;
}

function derivative(s: Sym, i: number): Sym {
  switch (s.kind) {
    case "const":
      return ZERO;
    case "var":
      return s.index === i ? ONE : ZERO;
    case "param":
      return ZERO;
    case "field":
      return field(s.unknown, raise(s.alpha, i));
    case "net":
      return net(s.output, raise(s.alpha, i));
    case "add":
      return add(diff(s.a, i), diff(s.b, i));
    case "sub":
      return sub(diff(s.a, i), diff(s.b, i));
    case "neg":
      return neg(diff(s.a, i));
    case "mul":
      return add(mul(diff(s.a, i), s.b), mul(s.a, diff(s.b, i)));
    case "div": {
      // (a/b)' = (a' − (a/b)·b') / b
      return div(sub(diff(s.a, i), mul(s, diff(s.b, i))), s.b);
    }
    case "pow": {
      const da = diff(s.a, i);
      const db = diff(s.b, i);
      // (a^c)' = c·a^(c−1)·a' for a constant exponent; otherwise a^b·(b'·log a + b·a'/a).
      if (s.b.kind === "const") return mul(mul(s.b, pow(s.a, num(s.b.value - 1))), da);
      return mul(s, add(mul(db, fn("log", s.a)), div(mul(s.b, da), s.a)));
    }
    case "fn": {
      // Chain rule over the arguments, with the partials of the function table.
      const args = argsOf(s);
      const partials = functionRule(s.name).partials(args, s);
      return args.reduce<Sym>((total, arg, k) => add(total, mul(partials[k]!, diff(arg, i))), ZERO);
    }
  }
}

/** The partial derivatives of a function node s = f(args), as expressions (functions.ts). */
export function partialsOf(s: Extract<Sym, { kind: "fn" }>): Sym[] {
  return functionRule(s.name).partials(argsOf(s), s);
}

/** f'(a) for a one-argument function, as an expression of a (and of f(a) itself, where that is simpler). */
export function derivativeOf(name: FunctionName, a: Sym): Sym {
  return partialsOf(fn(name, a) as Extract<Sym, { kind: "fn" }>)[0]!;
}

/** Differentiate along each axis of α in turn. */
export function diffMulti(s: Sym, alpha: MultiIndex): Sym {
  let out = s;
  alpha.forEach((count, i) => {
    for (let c = 0; c < count; c++) out = diff(out, i);
  });
  return out;
}

/** Replace atoms: each field / net / var node is mapped by `f` (returning undefined keeps it). */
export function substitute(s: Sym, f: (atom: Sym) => Sym | undefined, cache = new Map<number, Sym>()): Sym {
  const hit = cache.get(s.id);
  if (hit !== undefined) return hit;
  let out: Sym;
  switch (s.kind) {
    case "const":
      out = s;
      break;
    case "var":
    case "field":
    case "net":
    case "param":
      out = f(s) ?? s;
      break;
    case "neg":
      out = neg(substitute(s.a, f, cache));
      break;
    case "fn":
      out = "b" in s ? fn(s.name, substitute(s.a, f, cache), substitute(s.b, f, cache)) : fn(s.name, substitute(s.a, f, cache));
      break;
    default: {
      const a = substitute(s.a, f, cache);
      const b = substitute(s.b, f, cache);
      out = { add, sub, mul, div, pow }[s.kind](a, b);
    }
  }
  cache.set(s.id, out);
  return out;
}

/** The distinct field atoms (∂^α u_k) an expression contains. */
export function fieldAtoms(s: Sym): Extract<Sym, { kind: "field" }>[] {
  return topologicalNodes([s]).filter((n): n is Extract<Sym, { kind: "field" }> => n.kind === "field");
}

/** The indices of the unknowns an expression involves. */
export function unknownsOf(s: Sym): Set<number> {
  return new Set(fieldAtoms(s).map((f) => f.unknown));
}

/** Whether an expression contains a network output (N). */
export function mentionsNetwork(s: Sym): boolean {
  return topologicalNodes([s]).some((n) => n.kind === "net");
}

/** Every node reachable from the roots, each after its operands. */
export function topologicalNodes(roots: readonly Sym[]): Sym[] {
  const seen = new Set<number>();
  const order: Sym[] = [];
  const visit = (s: Sym): void => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    if ("a" in s) visit(s.a);
    if ("b" in s) visit(s.b);
    order.push(s);
  };
  roots.forEach(visit);
  return order;
}

/**
 * Infix text in the problem-file expression language (parseable again): fields as u_xx or
 * d(u, x, 2), network outputs as `netName` (default "N") for output 0 and N<k> otherwise.
 */
export function show(
  s: Sym,
  names: { variables: readonly string[]; unknowns: readonly string[]; parameterNames?: readonly string[] },
  netName: string | ((output: number) => string) = "N",
): string {
  const netOf = (k: number): string => (typeof netName === "function" ? netName(k) : k === 0 ? netName : `${netName}${k}`);
  const oneLetter = names.variables.every((v) => v.length === 1);
  const derivative = (base: string, alpha: MultiIndex): string => {
    if (alpha.every((c) => (c ?? 0) === 0)) return base;
    if (oneLetter) return `${base}_${alpha.map((c, i) => names.variables[i]!.repeat(c ?? 0)).join("")}`;
    return `d(${base}, ${alpha.flatMap((c, i) => ((c ?? 0) === 0 ? [] : [c === 1 ? names.variables[i] : `${names.variables[i]}, ${c}`])).join(", ")})`;
  };
  // Binding strength: + − 1, * / 2, unary − 3, ^ 4, atoms and calls 5. Parentheses only where needed.
  const strength = (x: Sym): number =>
    x.kind === "add" || x.kind === "sub" ? 1 : x.kind === "mul" || x.kind === "div" ? 2 : x.kind === "neg" || (x.kind === "const" && x.value < 0) ? 3 : x.kind === "pow" ? 4 : 5;
  const wrap = (x: Sym, min: number): string => (strength(x) < min ? `(${go(x)})` : go(x));
  const go = (x: Sym): string => {
    switch (x.kind) {
      case "const":
        return String(x.value);
      case "var":
        return names.variables[x.index]!;
      case "param":
        return names.parameterNames?.[x.index] ?? `theta${x.index}`;
      case "field":
        return derivative(names.unknowns[x.unknown]!, x.alpha);
      case "net":
        return derivative(netOf(x.output), x.alpha);
      case "neg":
        return `-${wrap(x.a, 4)}`;
      case "fn":
        return `${x.name}(${argsOf(x).map(go).join(", ")})`;
      case "add":
        return `${wrap(x.a, 1)} + ${wrap(x.b, 2)}`;
      case "sub":
        return `${wrap(x.a, 1)} - ${wrap(x.b, 2)}`;
      case "mul":
        return `${wrap(x.a, 2)}*${wrap(x.b, 3)}`;
      case "div":
        return `${wrap(x.a, 2)}/${wrap(x.b, 3)}`;
      case "pow":
        // Right-associative: a^(b^c) needs no parentheses on the right, (a^b)^c does on the left.
        return `${wrap(x.a, 5)}^${wrap(x.b, 4)}`;
    }
  };
  return go(s);
}
