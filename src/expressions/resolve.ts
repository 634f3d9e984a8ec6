// Name resolution: turn a parsed expression into a symbolic one, checking every name against the
// problem (domain variables, constants, unknowns and their derivatives, functions, N in trial
// forms) and, in conditions, working out where the unknowns are evaluated.
//
// Longer than 400 lines on purpose: it is one job, one recursive walk (the Resolver class) whose
// cases — names, the u_x / u' / d(u, x) spellings of derivatives, calls, locations — share its
// context and its record of which unknowns appear where; split across files they would need that
// private state passed around, for no reader's gain.

import { ExpressionError, EXPRESSION_LIMITS, type Ast, type Span } from "./parser.js";
import * as S from "./symbolic.js";
import { FUNCTIONS, type Sym } from "./symbolic.js";
import { functionRule } from "./functions.js";
import { closest, didYouMean } from "../util/suggest.js";

export interface Names {
  /** Domain variables in order, with their intervals. */
  variables: readonly string[];
  bounds: readonly (readonly [number, number])[];
  unknowns: readonly string[];
  /** User constants, already evaluated. */
  constants: ReadonlyMap<string, number>;
  /** Learned parameters: each name stands for its value as an expression of θ (problem/parameters.ts). */
  parameters?: ReadonlyMap<string, Sym>;
}

export const BUILTIN_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["pi", Math.PI],
  ["e", Math.E],
]);

/** What an expression may refer to, by where it appears in the problem file. */
export type Context =
  | { kind: "constant" } // numbers, constants, functions
  | { kind: "exact" } // + domain variables
  | { kind: "trial"; output: number } // + N, the network output for this unknown
  | { kind: "equation" } // + unknowns and derivatives at the collocation point
  | { kind: "condition" }; // + unknowns and derivatives evaluated at a location

/** Where a condition's unknowns are evaluated: per domain variable, free or a fixed value. */
export type Location = readonly ({ free: true } | { free: false; value: number })[];

export interface Resolved {
  sym: Sym;
  /** For conditions: the location shared by all unknown calls. */
  location?: Location;
  /** Span of the first unknown reference (for messages about the condition as a whole). */
  firstFieldSpan?: Span;
}

interface FieldRef {
  unknown: number;
  alpha: number[];
}

export function resolve(ast: Ast, names: Names, context: Context): Resolved {
  return new Resolver(names, context).run(ast);
}

/** Resolve both sides of an equation (or condition) and return LHS − RHS. */
export function resolveEquation(lhs: Ast, rhs: Ast, names: Names, context: Context): Resolved & { lhs: Sym; rhs: Sym } {
  const r = new Resolver(names, context);
  const left = r.run(lhs);
  const right = r.run(rhs);
  return { sym: S.sub(left.sym, right.sym), lhs: left.sym, rhs: right.sym, location: r.location, firstFieldSpan: r.firstFieldSpan };
}

class Resolver {
  location?: Location;
  firstFieldSpan?: Span;

  constructor(private readonly names: Names, private readonly context: Context) {}

  run(ast: Ast): Resolved {
    const sym = this.expr(ast);
    return { sym, location: this.location, firstFieldSpan: this.firstFieldSpan };
  }

  private get oneLetterVariables(): boolean {
    return this.names.variables.every((v) => v.length === 1);
  }

  private expr(ast: Ast): Sym {
    const sym = this.build(ast);
    if (sym.kind === "const" && !Number.isFinite(sym.value)) {
      throw new ExpressionError(
        `this evaluates to ${sym.value} (a division by zero, log of 0 or of a negative number, or an overflow)`,
        ast.span,
        "check the numbers and constants in this part of the expression",
      );
    }
    return sym;
  }

  private build(ast: Ast): Sym {
    switch (ast.kind) {
      case "number":
        return S.num(ast.value);
      case "unary": {
        const a = this.expr(ast.arg);
        return ast.op === "-" ? S.neg(a) : a;
      }
      case "binary": {
        const a = this.expr(ast.left);
        const b = this.expr(ast.right);
        return { "+": S.add, "-": S.sub, "*": S.mul, "/": S.div, "^": S.pow }[ast.op](a, b);
      }
      case "name":
        return this.name(ast);
      case "call":
        return this.call(ast);
    }
  }

  private name(ast: Extract<Ast, { kind: "name" }>): Sym {
    const ref = this.fieldRef(ast);
    if (ref !== null) return this.fieldAtPoint(ref, ast.span);
    if (ast.primes > 0) {
      throw new ExpressionError(`"${ast.name}'" : a prime marks a derivative of an unknown, and "${ast.name}" is not one`, ast.span, this.unknownHint());
    }
    const { name } = ast;
    const varIndex = this.names.variables.indexOf(name);
    if (varIndex >= 0) {
      if (this.context.kind === "constant") {
        throw new ExpressionError(`"${name}" is a domain variable; a fixed value cannot depend on it`, ast.span);
      }
      return S.variable(varIndex);
    }
    const c = this.names.constants.get(name) ?? BUILTIN_CONSTANTS.get(name);
    if (c !== undefined) return S.num(c);
    const p = this.names.parameters?.get(name);
    if (p !== undefined) {
      if (this.context.kind === "equation" || this.context.kind === "condition" || this.context.kind === "trial") return p;
      throw new ExpressionError(
        `"${name}" is a learned parameter; it cannot appear here`,
        ast.span,
        this.context.kind === "constant" ? "domain intervals, shapes and condition locations need fixed values: use a number or a constant" : "write the exact solution with numbers and constants",
      );
    }
    if (name === "N" && this.context.kind === "trial") return S.net(this.context.output, []);
    if ((FUNCTIONS as readonly string[]).includes(name)) {
      throw new ExpressionError(`"${name}" is a function and needs an argument`, ast.span, `write ${name}(...)`);
    }
    if (name === "N") {
      throw new ExpressionError('"N" (the network) can only appear in a trial form', ast.span);
    }
    throw new ExpressionError(`"${name}" is not defined${didYouMean(name, this.knownNames())}`, ast.span, this.definedHint(), { kind: "undefined-name", name });
  }

  private knownNames(): string[] {
    const out = [...this.names.variables, ...this.names.constants.keys(), ...(this.names.parameters?.keys() ?? []), ...BUILTIN_CONSTANTS.keys()];
    if (this.context.kind === "equation" || this.context.kind === "condition") out.push(...this.names.unknowns);
    if (this.context.kind === "trial") out.push("N");
    return out;
  }

  private definedHint(): string {
    const parts = [`domain variables: ${this.names.variables.join(", ")}`];
    if (this.names.constants.size > 0) parts.push(`constants: ${[...this.names.constants.keys()].join(", ")}`);
    if (this.context.kind === "equation" || this.context.kind === "condition") parts.push(`unknowns: ${this.names.unknowns.join(", ")}`);
    if (this.context.kind === "trial") parts.push("N (the network output)");
    return `names available here — ${parts.join("; ")}; also pi and e. New constants go under "constants:".`;
  }

  private unknownHint(): string {
    return `unknowns: ${this.names.unknowns.join(", ")}`;
  }

  /** Recognise u, u', u_xy and d(u, x, 2) as a reference to an unknown or its derivative. */
  private fieldRef(ast: Ast): FieldRef | null {
    const ref = this.fieldRefUnchecked(ast);
    if (ref !== null) checkOrder(ref.alpha, ast.span);
    return ref;
  }

  private fieldRefUnchecked(ast: Ast): FieldRef | null {
    const d = this.names.variables.length;
    if (ast.kind === "name") {
      const k = this.names.unknowns.indexOf(ast.name);
      if (k >= 0) {
        const alpha = new Array<number>(d).fill(0);
        if (ast.primes > 0) {
          if (d !== 1) {
            const v = this.names.variables[0];
            throw new ExpressionError(
              `"${ast.name}${"'".repeat(ast.primes)}": primes are for one-variable domains, this one has ${d} (${this.names.variables.join(", ")})`,
              ast.span,
              `write ${ast.primes === 1 ? `d(${ast.name}, ${v})` : `d(${ast.name}, ${v}, ${ast.primes})`}${this.oneLetterVariables ? ` or ${ast.name}_${v!.repeat(ast.primes)}` : ""}`,
            );
          }
          alpha[0] = ast.primes;
        }
        return { unknown: k, alpha };
      }
      if (this.isKnownName(ast.name)) return null;
      // u_xy: letters after the underscore are variable names.
      for (let at = ast.name.indexOf("_"); at > 0; at = ast.name.indexOf("_", at + 1)) {
        const base = ast.name.slice(0, at);
        const unknown = this.names.unknowns.indexOf(base);
        if (unknown < 0) continue;
        const letters = ast.name.slice(at + 1);
        if (!this.oneLetterVariables) {
          const meant = this.names.variables.includes(letters) ? letters : this.names.variables[0];
          throw new ExpressionError(
            `"${ast.name}": the u_x spelling needs one-letter variable names, and this domain has ${this.names.variables.join(", ")}`,
            ast.span,
            `write d(${base}, ${meant})`,
          );
        }
        const alpha = new Array<number>(d).fill(0);
        for (const ch of letters) {
          const i = this.names.variables.indexOf(ch);
          if (i < 0) {
            const meant = this.names.variables.map((v) => `${base}_${letters.split(ch).join(v)}`);
            throw new ExpressionError(
              `"${ast.name}": "${ch}" is not a variable of the domain (${this.names.variables.join(", ")}) (did you mean ${meant.map((m) => `"${m}"`).join(" or ")}?)`,
              ast.span,
              `a derivative can only be taken with respect to a domain variable: ${this.names.variables.join(", ")}`,
            );
          }
          alpha[i]! += 1;
        }
        if (letters.length === 0) throw new ExpressionError(`"${ast.name}": nothing after "_"`, ast.span);
        if (ast.primes > 0) throw new ExpressionError(`"${ast.name}'": mix of primes and subscripts`, ast.span);
        return { unknown, alpha };
      }
      return null;
    }
    if (ast.kind === "call" && ast.callee.kind === "name" && ast.callee.name === "d" && ast.callee.primes === 0 && !this.isKnownName("d")) {
      return this.derivativeCall(ast);
    }
    return null;
  }

  private isKnownName(name: string): boolean {
    return this.names.variables.includes(name) || this.names.constants.has(name) || BUILTIN_CONSTANTS.has(name);
  }

  /** d(u, x), d(u, x, 2), d(u, x, y), d(u_x, y): orders are integers after a variable. */
  private derivativeCall(ast: Extract<Ast, { kind: "call" }>): FieldRef {
    const [target, ...rest] = ast.args;
    const example = `d(${this.names.unknowns[0]}, ${this.names.variables[0]})`;
    if (target === undefined || rest.length === 0) {
      throw new ExpressionError("d(...) needs an unknown and at least one variable", ast.span, `e.g. ${example} or d(${this.names.unknowns[0]}, ${this.names.variables[0]}, 2)`);
    }
    const base = this.fieldRef(target);
    if (base === null) {
      const what = target.kind === "name" ? `"${target.name}"` : "this expression";
      throw new ExpressionError(
        `d(...) differentiates an unknown, and ${what} is not one${target.kind === "name" ? didYouMean(target.name, this.names.unknowns) : ""}`,
        target.span,
        this.unknownHint(),
      );
    }
    const alpha = [...base.alpha];
    let last = -1;
    for (const arg of rest) {
      if (arg.kind === "number") {
        if (last < 0 || !Number.isInteger(arg.value) || arg.value < 1) {
          throw new ExpressionError(
            last < 0 ? "an order must follow a variable, as in d(u, x, 2)" : `the order ${arg.text} must be a positive whole number`,
            arg.span,
          );
        }
        if (arg.value > EXPRESSION_LIMITS.maxDerivativeOrder) checkOrder([arg.value], arg.span);
        alpha[last]! += arg.value - 1;
        last = -1;
        continue;
      }
      if (arg.kind !== "name" || arg.primes > 0) {
        throw new ExpressionError("d(...) takes variable names (each optionally followed by an order)", arg.span, `e.g. ${example}`);
      }
      const i = this.names.variables.indexOf(arg.name);
      if (i < 0) {
        throw new ExpressionError(
          `derivative with respect to "${arg.name}", which is not a variable of the domain (${this.names.variables.join(", ")})${didYouMean(arg.name, this.names.variables)}`,
          arg.span,
          "derivatives are taken with respect to the variables listed under domain:",
        );
      }
      alpha[i]! += 1;
      last = i;
    }
    return { unknown: base.unknown, alpha };
  }

  private noteField(span: Span): void {
    this.firstFieldSpan ??= span;
  }

  /** A bare unknown (or derivative): the value at the collocation point. */
  private fieldAtPoint(ref: FieldRef, span: Span): Sym {
    const u = this.names.unknowns[ref.unknown]!;
    switch (this.context.kind) {
      case "equation":
        this.noteField(span);
        return S.field(ref.unknown, ref.alpha);
      case "condition": {
        const args = this.names.variables.map((v, i) => (i === 0 ? (this.names.bounds[0]![0] === 0 ? "0" : String(this.names.bounds[0]![0])) : v));
        throw new ExpressionError(
          `in a condition, say where "${u}" is evaluated`,
          span,
          `call it at a location, e.g. ${u}(${args.join(", ")}); arguments follow the order of domain (${this.names.variables.join(", ")})`,
        );
      }
      case "trial":
        throw new ExpressionError(`a trial form is written with N (the network output), not with the unknown "${u}"`, span, `e.g. ${u}: "u0 + x*N"`);
      default:
        throw new ExpressionError(`the unknown "${u}" cannot appear here`, span, "exact solutions and constants are written in the domain variables only");
    }
  }

  private call(ast: Extract<Ast, { kind: "call" }>): Sym {
    const { callee } = ast;
    if (callee.kind === "name" && callee.primes === 0 && (FUNCTIONS as readonly string[]).includes(callee.name)) {
      const { arity } = functionRule(callee.name);
      if (ast.args.length !== arity) {
        throw new ExpressionError(`${callee.name}() takes ${arity === 1 ? "one argument" : "two arguments"}, got ${ast.args.length}`, ast.span);
      }
      const args = ast.args.map((arg) => this.expr(arg));
      return S.fn(callee.name as S.FunctionName, args[0]!, args[1]);
    }
    const derivative = this.fieldRef(ast);
    if (derivative !== null) return this.fieldAtPoint(derivative, ast.span); // d(u, x) used bare
    const ref = this.fieldRef(callee);
    if (ref !== null) return this.fieldAtLocation(ref, ast);
    if (callee.kind === "name") {
      if (this.isKnownName(callee.name)) {
        throw new ExpressionError(`"${callee.name}" is not a function`, callee.span, "write multiplication explicitly with *, e.g. x*(1 - x)");
      }
      const all = [...FUNCTIONS, ...(this.context.kind === "equation" || this.context.kind === "condition" ? this.names.unknowns : [])];
      if (DERIVATIVE_SPELLINGS.has(callee.name.toLowerCase())) {
        const args = ast.args.map((a) => (a.kind === "name" ? a.name : "…"));
        const example = `d(${args[0] ?? this.names.unknowns[0]}, ${args.slice(1).join(", ") || this.names.variables[0]})`;
        throw new ExpressionError(`unknown function "${callee.name}": derivatives are written d(unknown, variable)`, callee.span, `write ${example}, or d(u, x, 2) for a second derivative`);
      }
      const suggestion = closest(callee.name, all);
      throw new ExpressionError(
        `unknown function "${callee.name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
        callee.span,
        `functions: ${FUNCTIONS.join(", ")}`,
      );
    }
    throw new ExpressionError("this cannot be called like a function", ast.span);
  }

  /** u(0), u'(1), u_y(x, 1), d(u, y)(x, 1): an unknown evaluated at a location. */
  private fieldAtLocation(ref: FieldRef, ast: Extract<Ast, { kind: "call" }>): Sym {
    const u = this.names.unknowns[ref.unknown]!;
    const vars = this.names.variables;
    if (this.context.kind !== "equation" && this.context.kind !== "condition") return this.fieldAtPoint(ref, ast.span);
    if (ast.args.length !== vars.length) {
      throw new ExpressionError(
        `${u}(...) has ${ast.args.length} argument${ast.args.length === 1 ? "" : "s"}, but the domain has ${vars.length} variable${vars.length === 1 ? "" : "s"} (${vars.join(", ")})`,
        ast.span,
        `give one argument per variable in the order of domain, e.g. ${u}(${vars.map((v, i) => (i === vars.length - 1 ? "0" : v)).join(", ")})`,
      );
    }
    const location = ast.args.map((arg, i) => this.locationArgument(arg, i, u));
    if (this.context.kind === "equation") {
      if (location.every((l) => l.free)) {
        this.noteField(ast.span);
        return S.field(ref.unknown, ref.alpha);
      }
      throw new ExpressionError(
        `equations hold at every point of the domain; ${u} at a fixed location belongs in conditions`,
        ast.span,
        `write ${u} (evaluated at the collocation point) here, and move the fixed-location term to conditions:`,
      );
    }
    if (this.location === undefined) {
      this.location = location;
    } else if (!sameLocation(this.location, location)) {
      throw new ExpressionError(
        `all unknowns in one condition must be evaluated at the same location; this one differs from the first (${formatLocation(this.location, vars)})`,
        ast.span,
        "split it into separate conditions, or use {periodic: x} for equal values at both ends",
      );
    }
    this.noteField(ast.span);
    return S.field(ref.unknown, ref.alpha);
  }

  private locationArgument(arg: Ast, i: number, u: string): Location[number] {
    const vars = this.names.variables;
    const own = vars[i]!;
    if (arg.kind === "name" && arg.primes === 0 && arg.name === own) return { free: true };
    if (arg.kind === "name" && vars.includes(arg.name)) {
      throw new ExpressionError(
        `argument ${i + 1} of ${u}(...) is "${arg.name}", but arguments follow the order of domain (${vars.join(", ")})`,
        arg.span,
        `argument ${i + 1} must be "${own}" (free) or a fixed value`,
      );
    }
    const value = resolve(arg, this.names, { kind: "constant" }).sym;
    if (value.kind !== "const") throw new ExpressionError("a location must be a variable's own name or a fixed value", arg.span);
    const [lo, hi] = this.names.bounds[i]!;
    const tol = 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi));
    if (!(value.value >= lo - tol && value.value <= hi + tol)) {
      throw new ExpressionError(
        `${own} = ${value.value} is outside the domain ${own} ∈ [${lo}, ${hi}]`,
        arg.span,
        `conditions are imposed inside or on the boundary of the domain; check the value or the interval under domain:`,
      );
    }
    return { free: false, value: Math.min(Math.max(value.value, lo), hi) };
  }
}

/** Names other tools use for a derivative, answered with a hint toward d(u, x). */
const DERIVATIVE_SPELLINGS: ReadonlySet<string> = new Set(["diff", "deriv", "derivative", "grad", "partial", "dx", "dd", "dt", "pd"]);

function checkOrder(alpha: readonly number[], span: Span): void {
  const order = alpha.reduce((a, b) => a + b, 0);
  const max = EXPRESSION_LIMITS.maxDerivativeOrder;
  if (order > max) {
    throw new ExpressionError(`a derivative of order ${order}: pinn supports derivatives up to order ${max}`, span, `rewrite the problem as a system of lower order (e.g. v = d(u, x, 2)), see README, "Limits"`);
  }
}

function sameLocation(a: Location, b: Location): boolean {
  return a.every((l, i) => {
    const m = b[i]!;
    return l.free ? m.free : !m.free && m.value === l.value;
  });
}

function formatLocation(location: Location, variables: readonly string[]): string {
  return location.map((l, i) => (l.free ? variables[i] : `${variables[i]} = ${l.value}`)).join(", ");
}
