// Every function of the table (src/expressions/functions.ts) and every activation of the registry
// (src/nn/activations.ts): the engine's derivatives (nested grad), the symbolic ones (S.diff,
// evaluated here by a small scalar interpreter independent of the engine) and the generated ones
// (the expression kernel's adjoint, the jet kernels' activation code) agree with each other and
// with central finite differences of the order below. A function or activation added without
// sample points here fails the "has sample points" checks.

import { describe, expect, it } from "vitest";
import { Tensor, grad, sum } from "../../src/index.js";
import { FUNCTION_RULES, USER_FUNCTIONS, type FunctionName } from "../../src/expressions/functions.js";
import * as S from "../../src/expressions/symbolic.js";
import type { Sym } from "../../src/expressions/symbolic.js";
import { meanSquareKernel } from "../../src/expressions/kernel.js";
import { ACTIVATION_RULES, type ActivationName } from "../../src/nn/activations.js";
import { activationDerivativeFunction } from "../../src/jets/jet-kernels.js";
import { parseExpression } from "../../src/expressions/parser.js";
import { resolve, type Names } from "../../src/expressions/resolve.js";
import { expressionError } from "../helpers/expressions.js";

/** A scalar interpreter for symbolic expressions (values from the table's `value`, no engine). */
function evalSym(s: Sym, vars: readonly number[]): number {
  switch (s.kind) {
    case "const":
      return s.value;
    case "var":
      return vars[s.index]!;
    case "neg":
      return -evalSym(s.a, vars);
    case "fn":
      return S.applyFunction(s.name, ...S.argsOf(s).map((a) => evalSym(a, vars)));
    case "add":
      return evalSym(s.a, vars) + evalSym(s.b, vars);
    case "sub":
      return evalSym(s.a, vars) - evalSym(s.b, vars);
    case "mul":
      return evalSym(s.a, vars) * evalSym(s.b, vars);
    case "div":
      return evalSym(s.a, vars) / evalSym(s.b, vars);
    case "pow":
      return Math.pow(evalSym(s.a, vars), evalSym(s.b, vars));
    default:
      throw new Error(`unexpected ${s.kind}`);
  }
}

/** Central difference of g along argument i. */
function fd(g: (x: number[]) => number, x: readonly number[], i: number, h = 1e-5): number {
  const p = [...x];
  const m = [...x];
  p[i]! += h;
  m[i]! -= h;
  return (g(p) - g(m)) / (2 * h);
}

function close(actual: number, expected: number, tol: number, what: string): void {
  const ok = Math.abs(actual - expected) <= tol * (1 + Math.abs(expected));
  expect(ok, `${what}: ${actual} vs ${expected}`).toBe(true);
}

// Sample points inside each function's domain, away from kinks, branch cuts and ties.
const SAMPLES: Record<FunctionName, number[][]> = {
  sin: [[-2.5], [0.3], [1.7]],
  cos: [[-2.5], [0.3], [1.7]],
  tan: [[-1.1], [0.2], [0.9]],
  exp: [[-1.5], [0.1], [2]],
  log: [[0.3], [1.1], [4]],
  sqrt: [[0.3], [1.1], [4]],
  abs: [[-1.3], [0.4], [2]],
  tanh: [[-2], [0.3], [1.2]],
  sinh: [[-1.5], [0.3], [2]],
  cosh: [[-1.5], [0.3], [2]],
  asin: [[-0.8], [0.1], [0.7]],
  acos: [[-0.8], [0.1], [0.7]],
  atan: [[-2], [0.3], [1.5]],
  sigmoid: [[-3], [0.2], [2.5]],
  sign: [[-1.3], [0.4], [2]],
  erf: [[-1.5], [0.5], [1]],
  atan2: [[1, 1], [1, -1], [-0.5, -2], [-1, 0.3], [2, 0.5]],
  min: [[0.3, 1.2], [1.2, 0.3], [-1, 0.5], [0.5, -1]],
  max: [[0.3, 1.2], [1.2, 0.3], [-1, 0.5], [0.5, -1]],
  softplus: [[-3], [0.2], [2.5]],
};

// Independent values for the functions that are not a Math method of the same name:
// python3 -c "import math; print(math.erf(0.5), math.erf(1), math.erf(-1.5))", σ(x) = 1/(1 + e^−x), softplus(x) = log(1 + e^x).
const REFERENCE: Partial<Record<FunctionName, (...x: number[]) => number>> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => Math.log(1 + Math.exp(x)),
  erf: (x) => ({ 0.5: 0.5204998778130465, 1: 0.8427007929497149, [-1.5]: -0.9661051464753108 })[x]!,
  min: (a, b) => (a < b ? a : b),
  max: (a, b) => (a > b ? a : b),
};

const NAMES = Object.keys(FUNCTION_RULES) as FunctionName[];

describe("the function table", () => {
  it("has sample points for every function, and lists erf, atan2, min, max among the callable ones", () => {
    for (const name of NAMES) expect(SAMPLES[name], name).toBeDefined();
    expect(USER_FUNCTIONS).toEqual(expect.arrayContaining(["sin", "sigmoid", "sign", "erf", "atan2", "min", "max"]));
    expect(USER_FUNCTIONS).not.toContain("softplus");
  });

  describe.each(NAMES)("%s", (name) => {
    const rule = FUNCTION_RULES[name];
    const vars = Array.from({ length: rule.arity }, (_, i) => S.variable(i));
    const f = rule.arity === 1 ? S.fn(name, vars[0]!) : S.fn(name, vars[0]!, vars[1]!);
    // The generated kernel differentiates with respect to fields (the unknowns), so its arguments
    // are fields 0 and 1 read from one input; root f + 100, so that its mean square (n = 1) gives f back.
    const generatedKernel = () => {
      const args = vars.map((_, k) => S.field(k, []));
      const root = S.add(args.length === 1 ? S.fn(name, args[0]!) : S.fn(name, args[0]!, args[1]!), S.num(100));
      return meanSquareKernel([root], 1, (atom) => ({ input: 0, block: 0, stride: rule.arity, offset: (atom as { unknown: number }).unknown }));
    };

    it("value: table, reference, engine and generated code agree", () => {
      const reference = REFERENCE[name] ?? ((...x: number[]) => (Math as unknown as Record<string, (...a: number[]) => number>)[name]!(...x));
      const kernel = generatedKernel();
      for (const x of SAMPLES[name]) {
        const v = rule.value(...x);
        close(v, reference(...x), 1e-15, `${name}(${x}) table vs reference`);
        close(rule.engine(...x.map((c) => new Tensor(Float64Array.of(c), []))).item(), v, 1e-15, `${name}(${x}) engine`);
        const out = new Float64Array(1);
        kernel.forward([Float64Array.from(x)], 1, out);
        close(Math.sqrt(out[0]!) - 100, v, 1e-12, `${name}(${x}) generated`);
      }
    });

    it("first derivatives: symbolic, engine and generated adjoint agree with finite differences", () => {
      const kernel = generatedKernel();
      for (const x of SAMPLES[name]) {
        const v = rule.value(...x);
        const gradInput = new Float64Array(rule.arity);
        kernel.backward([Float64Array.from(x)], 1, Float64Array.of(1), [gradInput]);
        for (let i = 0; i < rule.arity; i++) {
          const numeric = fd((p) => rule.value(...p), x, i);
          const symbolic = evalSym(S.diff(f, i), x);
          const engine = grad((t) => sum(rule.engine(...x.map((c, k) => (k === i ? t : new Tensor(Float64Array.of(c), []))))))(new Tensor(Float64Array.of(x[i]!), [])).item();
          // d/dx_i of (f + 100)² = 2(f + 100)·∂f/∂x_i.
          const generated = gradInput[i]! / (2 * (v + 100));
          close(symbolic, numeric, 1e-7, `∂${name}/∂x${i} at (${x}) symbolic`);
          close(engine, symbolic, 1e-13, `∂${name}/∂x${i} at (${x}) engine`);
          close(generated, symbolic, 1e-12, `∂${name}/∂x${i} at (${x}) generated`);
        }
      }
    });

    it("second derivatives: symbolic and engine agree with finite differences of the first", () => {
      for (const x of SAMPLES[name]) {
        for (let i = 0; i < rule.arity; i++) {
          const first = S.diff(f, i);
          const numeric = fd((p) => evalSym(first, p), x, i);
          const symbolic = evalSym(S.diff(first, i), x);
          const g1 = (t: Tensor): Tensor => grad((u) => sum(rule.engine(...x.map((c, k) => (k === i ? u : new Tensor(Float64Array.of(c), []))))))(t);
          const engine = grad((t) => sum(g1(t)))(new Tensor(Float64Array.of(x[i]!), [])).item();
          close(symbolic, numeric, 1e-6, `∂²${name}/∂x${i}² at (${x}) symbolic`);
          close(engine, symbolic, 1e-12, `∂²${name}/∂x${i}² at (${x}) engine`);
        }
      }
    });
  });
});

const ACTIVATION_SAMPLES = [-2.2, -0.7, 0.4, 1.9]; // away from relu's kink at 0
const ORDER = 3;

describe("the activation registry", () => {
  describe.each(Object.keys(ACTIVATION_RULES) as ActivationName[])("%s", (name) => {
    const rule = ACTIVATION_RULES[name];
    const z = S.variable(0);
    const derivatives: Sym[] = [rule.sym(z)];
    for (let j = 1; j <= ORDER; j++) derivatives.push(S.diff(derivatives[j - 1]!, 0));

    it(`σ … σ^(${ORDER}): symbolic, engine (nested grad) and generated jet code agree, each order with finite differences of the one below`, () => {
      const generated = activationDerivativeFunction(name, ORDER, false);
      const fromValue = rule.derivativesFromValue ? activationDerivativeFunction(name, ORDER, true) : null;
      for (const x of ACTIVATION_SAMPLES) {
        let engineFn: (t: Tensor) => Tensor = (t) => rule.engine(t);
        const gen = generated(x, NaN);
        const y = rule.jetScalar ? rule.jetScalar(x) : evalSym(derivatives[0]!, [x]);
        const genFromValue = fromValue?.(x, y);
        for (let j = 0; j <= ORDER; j++) {
          const symbolic = evalSym(derivatives[j]!, [x]);
          if (j > 0) close(symbolic, fd((p) => evalSym(derivatives[j - 1]!, p), [x], 0), 1e-6, `${name}^(${j})(${x}) symbolic vs finite differences`);
          close(engineFn(new Tensor(Float64Array.of(x), [])).item(), symbolic, 1e-12, `${name}^(${j})(${x}) engine`);
          close(gen[j]!, symbolic, 1e-12, `${name}^(${j})(${x}) generated`);
          if (genFromValue) close(genFromValue[j]!, symbolic, 1e-12, `${name}^(${j})(${x}) generated from the value`);
          const inner = engineFn;
          engineFn = (t) => grad((u) => sum(inner(u)))(t);
        }
        if (rule.jetScalar) close(rule.jetScalar(x), evalSym(derivatives[0]!, [x]), 1e-15, `${name}(${x}) jet formula`);
      }
    });
  });
});

describe("two-argument functions in the expression language", () => {
  const names: Names = { variables: ["x", "y"], bounds: [[-1, 1], [-1, 1]], unknowns: ["u"], constants: new Map() };
  const sym = (src: string): Sym => resolve(parseExpression(src), names, { kind: "equation" }).sym;

  it("atan2(y, x), min(a, b), max(a, b) and erf(x) resolve to the table's functions", () => {
    const [x, y] = [S.variable(0), S.variable(1)];
    expect(sym("atan2(y, x)")).toBe(S.fn("atan2", y, x));
    expect(sym("max(u, 0)")).toBe(S.fn("max", S.field(0, []), S.ZERO));
    expect(sym("min(x*y, 1)")).toBe(S.fn("min", S.mul(x, y), S.ONE));
    expect(sym("erf(x)")).toBe(S.fn("erf", x));
    // Constant arguments fold: atan2(1, -1) = 3π/4, max(2, 3) = 3.
    expect(sym("atan2(1, -1)")).toBe(S.num((3 * Math.PI) / 4));
    expect(sym("max(2, 3) + min(2, 3)")).toBe(S.num(5));
  });

  it("prints back as it is written, and differentiates: d/dx max(u, x) = step(u − x)·u_x + step(x − u)", () => {
    const s = sym("max(u, x)");
    expect(S.show(s, { variables: ["x", "y"], unknowns: ["u"] })).toBe("max(u, x)");
    // At u = 2, x = 1 (u selected): 1·u_x + 0; evaluate with u_x = 5.
    const d = S.diff(s, 0);
    const at = (u: number, ux: number, xv: number): number =>
      evalSym(S.substitute(d, (atom) => (atom.kind === "field" ? S.num(atom.alpha.length === 0 ? u : ux) : undefined)), [xv, 0]);
    expect(at(2, 5, 1)).toBe(5);
    expect(at(0, 5, 1)).toBe(1);
    expect(at(1, 5, 1)).toBe(3); // a tie splits: (5 + 1)/2
  });

  it("wrong argument counts are located errors", () => {
    expect(expressionError(() => sym("atan2(y)")).message).toContain("atan2() takes two arguments, got 1");
    expect(expressionError(() => sym("max(1, 2, 3)")).message).toContain("max() takes two arguments, got 3");
    expect(expressionError(() => sym("erf(x, y)")).message).toContain("erf() takes one argument, got 2");
  });
});
