// Name resolution: the three derivative spellings give the same symbolic node, condition calls
// give the right location, and every misuse of a name is reported at its span with a hint.

import { describe, expect, it } from "vitest";
import { parseEquation, parseExpression, type Span } from "../../src/expressions/parser.js";
import { resolve, resolveEquation, type Context, type Names } from "../../src/expressions/resolve.js";
import * as S from "../../src/expressions/symbolic.js";
import { expressionError } from "../helpers/expressions.js";

const ONE_D: Names = { variables: ["x"], bounds: [[0, 1]], unknowns: ["u"], constants: new Map([["omega", 2], ["k", 0.25]]) };
const TWO_D: Names = { variables: ["x", "y"], bounds: [[0, 1], [-1, 2]], unknowns: ["u", "v"], constants: new Map([["h", 0.5]]) };
const LONG_NAMES: Names = { variables: ["xi", "eta"], bounds: [[0, 1], [0, 1]], unknowns: ["u"], constants: new Map() };

const EQUATION: Context = { kind: "equation" };
const CONDITION: Context = { kind: "condition" };

function sym(src: string, names: Names, context: Context = EQUATION): S.Sym {
  return resolve(parseExpression(src), names, context).sym;
}

function condition(src: string, names: Names) {
  const { lhs, rhs } = parseEquation(src);
  return resolveEquation(lhs, rhs, names, CONDITION);
}

const nameError = expressionError;

/** The span of `part` in `src` (its n-th occurrence, counting from 0). */
function spanOf(src: string, part: string, occurrence = 0): Span {
  let start = -1;
  for (let i = 0; i <= occurrence; i++) start = src.indexOf(part, start + 1);
  expect(start, `"${part}" in "${src}"`).toBeGreaterThanOrEqual(0);
  return { start, end: start + part.length };
}

describe("derivative spellings resolve to one node", () => {
  it("u'' ≡ u_xx ≡ d(u, x, 2) ≡ d(u, x, x) = ∂²u/∂x²", () => {
    const expected = S.field(0, [2]);
    for (const src of ["u''", "u_xx", "d(u, x, 2)", "d(u, x, x)", "d(u', x)", "d(u_x, x)"]) {
      expect(sym(src, ONE_D), src).toBe(expected);
    }
    expect(expected).toMatchObject({ kind: "field", unknown: 0, alpha: [2] });
  });

  it("first and third derivatives", () => {
    for (const src of ["u'", "u_x", "d(u, x)", "d(u, x, 1)"]) expect(sym(src, ONE_D), src).toBe(S.field(0, [1]));
    for (const src of ["u'''", "u_xxx", "d(u, x, 3)", "d(u, x, x, x)", "d(u'', x)"]) expect(sym(src, ONE_D), src).toBe(S.field(0, [3]));
    expect(sym("u", ONE_D)).toBe(S.field(0, []));
  });

  it("mixed: d(u, x, y) ≡ u_xy ≡ u_yx ≡ d(u, y, x) ≡ d(u_x, y)", () => {
    const expected = S.field(0, [1, 1]);
    for (const src of ["d(u, x, y)", "u_xy", "u_yx", "d(u, y, x)", "d(u_x, y)", "d(d(u, y), x)"]) {
      expect(sym(src, TWO_D), src).toBe(expected);
    }
  });

  it("orders per variable in two dimensions, and the second unknown", () => {
    expect(sym("u_y", TWO_D)).toBe(S.field(0, [0, 1]));
    expect(sym("d(u, y, 2)", TWO_D)).toBe(S.field(0, [0, 2]));
    expect(sym("u_yy", TWO_D)).toBe(S.field(0, [0, 2]));
    expect(sym("d(u, x, 2, y)", TWO_D)).toBe(S.field(0, [2, 1]));
    expect(sym("u_xyx", TWO_D)).toBe(S.field(0, [2, 1]));
    expect(sym("v_x", TWO_D)).toBe(S.field(1, [1]));
    expect(sym("d(v, y)", TWO_D)).toBe(S.field(1, [0, 1]));
  });

  it("d(...) works with multi-letter variable names", () => {
    expect(sym("d(u, xi)", LONG_NAMES)).toBe(S.field(0, [1]));
    expect(sym("d(u, eta, 2)", LONG_NAMES)).toBe(S.field(0, [0, 2]));
    expect(sym("d(u, xi, eta)", LONG_NAMES)).toBe(S.field(0, [1, 1]));
  });

  it("equations mix spellings into the same terms", () => {
    expect(sym("u'' - u_xx", ONE_D)).toBe(S.ZERO);
    expect(sym("u_xy - d(u, y, x)", TWO_D)).toBe(S.ZERO);
  });

  it("constants and built-in constants become numbers", () => {
    expect(sym("omega*k", ONE_D)).toBe(S.num(0.5));
    expect(sym("pi", ONE_D)).toBe(S.num(Math.PI));
    expect(sym("e", ONE_D)).toBe(S.num(Math.E));
    expect(sym("x", ONE_D, { kind: "exact" })).toBe(S.variable(0));
    expect(sym("y", TWO_D, { kind: "exact" })).toBe(S.variable(1));
  });

  it("N in a trial form is that unknown's network output", () => {
    expect(sym("N", TWO_D, { kind: "trial", output: 1 })).toBe(S.net(1, []));
    const t = sym("omega + x*N", ONE_D, { kind: "trial", output: 0 });
    expect(t).toBe(S.add(S.num(2), S.mul(S.variable(0), S.net(0, []))));
  });
});

describe("errors about names", () => {
  it("an undefined name, with did-you-mean and the names available", () => {
    const src = "u' = 2*xx";
    const e = nameError(() => {
      const { lhs, rhs } = parseEquation(src);
      resolveEquation(lhs, rhs, ONE_D, EQUATION);
    });
    expect(e.message).toBe('"xx" is not defined (did you mean "x"?)');
    expect(e.span).toEqual(spanOf(src, "xx"));
    expect(e.hint).toContain("domain variables: x");
    expect(e.hint).toContain("constants: omega, k");
    expect(e.hint).toContain("unknowns: u");
    expect(e.hint).toContain('"constants:"');
  });

  it("a misspelt constant or unknown is suggested", () => {
    expect(nameError(() => sym("omgea*x", ONE_D)).message).toContain('did you mean "omega"?');
    expect(nameError(() => sym("uu + 1", ONE_D)).message).toContain('did you mean "u"?');
    expect(nameError(() => sym("pii*x", ONE_D)).message).toContain('did you mean "pi"?');
  });

  it("an unrelated name gets no suggestion", () => {
    const e = nameError(() => sym("1 + temperature", ONE_D));
    expect(e.message).toBe('"temperature" is not defined');
    expect(e.span).toEqual({ start: 4, end: 15 });
  });

  it("a derivative with respect to a variable not in the domain (d spelling)", () => {
    const src = "d(u, t) = u";
    const e = nameError(() => {
      const { lhs, rhs } = parseEquation(src);
      resolveEquation(lhs, rhs, ONE_D, EQUATION);
    });
    expect(e.message).toContain('"t"');
    expect(e.message).toContain("not a variable of the domain (x)");
    expect(e.span).toEqual(spanOf(src, "t"));
    expect(e.hint).toContain("domain:");
  });

  it("a derivative with respect to a variable not in the domain (subscript spelling)", () => {
    const e = nameError(() => sym("u_t + u_x", ONE_D));
    expect(e.message).toContain('"u_t"');
    expect(e.message).toContain('"t" is not a variable of the domain (x)');
    expect(e.span).toEqual({ start: 0, end: 3 });
    expect(e.hint).toContain("domain variable");
  });

  it("a misspelt variable in d(...) is suggested", () => {
    const e = nameError(() => sym("d(u, etta)", LONG_NAMES));
    expect(e.message).toContain('did you mean "eta"?');
    expect(e.span).toEqual(spanOf("d(u, etta)", "etta"));
  });

  it("primes in a two-variable domain", () => {
    const src = "u' + u_y";
    const e = nameError(() => sym(src, TWO_D));
    expect(e.message).toContain("primes are for one-variable domains");
    expect(e.message).toContain("(x, y)");
    expect(e.span).toEqual({ start: 0, end: 2 });
    expect(e.hint).toContain("d(u, x)");
    expect(e.hint).toContain("u_x");
  });

  // The hint for u'' (or u''') in a multi-variable domain suggests the derivative of the same order.
  it("primes in a two-variable domain: the hint keeps the order of the derivative", () => {
    const e = nameError(() => sym("u''", TWO_D));
    expect(e.hint).toMatch(/d\(u, x, 2\)|u_xx/);
    expect(e.hint).not.toMatch(/d\(u, x\)(?!,)|u_x\b/);
  });

  it("the u_x spelling with multi-letter variable names", () => {
    const e = nameError(() => sym("u_xi + 1", LONG_NAMES));
    expect(e.message).toContain('"u_xi"');
    expect(e.message).toContain("one-letter variable names");
    expect(e.message).toContain("xi, eta");
    expect(e.span).toEqual({ start: 0, end: 4 });
    expect(e.hint).toContain("d(u, xi)");
  });

  it("an unknown function, with did-you-mean and the list of functions", () => {
    const src = "sn(x) + u";
    const e = nameError(() => sym(src, ONE_D));
    expect(e.message).toBe('unknown function "sn" (did you mean "sin"?)');
    expect(e.span).toEqual({ start: 0, end: 2 });
    expect(e.hint).toContain("sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, asin, acos, atan, sigmoid");
    expect(nameError(() => sym("foo(x)", ONE_D)).message).toBe('unknown function "foo"');
  });

  it("a function without an argument or with two", () => {
    expect(nameError(() => sym("sin + 1", ONE_D)).hint).toBe("write sin(...)");
    expect(nameError(() => sym("atan(x, 1)", ONE_D)).message).toContain("takes one argument, got 2");
  });

  it("a variable or constant called like a function", () => {
    const e = nameError(() => sym("x(1 - x)", ONE_D, { kind: "exact" }));
    expect(e.message).toBe('"x" is not a function');
    expect(e.hint).toContain("x*(1 - x)");
  });

  it("N outside a trial form", () => {
    for (const context of [EQUATION, CONDITION, { kind: "exact" } as Context]) {
      const e = nameError(() => sym("1 + N", ONE_D, context));
      expect(e.message).toContain('"N"');
      expect(e.message).toContain("trial form");
      expect(e.span).toEqual({ start: 4, end: 5 });
    }
  });

  it("an unknown inside a trial form or an exact solution", () => {
    const trial = nameError(() => sym("1 + x*u", ONE_D, { kind: "trial", output: 0 }));
    expect(trial.message).toContain("written with N");
    expect(trial.span).toEqual({ start: 6, end: 7 });
    const exact = nameError(() => sym("x + u'", ONE_D, { kind: "exact" }));
    expect(exact.message).toContain('"u" cannot appear here');
    expect(exact.span).toEqual({ start: 4, end: 6 });
  });

  it("a domain variable where a fixed value is needed", () => {
    const e = nameError(() => sym("2*x", ONE_D, { kind: "constant" }));
    expect(e.message).toContain('"x" is a domain variable');
  });

  it("a prime on something that is not an unknown", () => {
    const e = nameError(() => sym("x'", ONE_D, { kind: "exact" }));
    expect(e.message).toContain("prime");
    expect(e.hint).toContain("unknowns: u");
  });

  it("d(...) of something that is not an unknown", () => {
    const e = nameError(() => sym("d(x, x)", ONE_D));
    expect(e.message).toContain("differentiates an unknown");
    expect(e.span).toEqual({ start: 2, end: 3 });
    expect(nameError(() => sym("d(u)", ONE_D)).hint).toContain("d(u, x)");
    expect(nameError(() => sym("d(u, x, 0)", ONE_D)).message).toContain("positive whole number");
    expect(nameError(() => sym("d(u, 2)", ONE_D)).message).toContain("must follow a variable");
  });
});

describe("condition locations", () => {
  it("fixed and free arguments in the order of domain", () => {
    expect(condition("u(x, 0) = sin(pi*x)", TWO_D).location).toEqual([{ free: true }, { free: false, value: 0 }]);
    expect(condition("u(1, y) = 0", TWO_D).location).toEqual([{ free: false, value: 1 }, { free: true }]);
    expect(condition("u(0) = 1", ONE_D).location).toEqual([{ free: false, value: 0 }]);
    expect(condition("u(h, 2*h) = 1", TWO_D).location).toEqual([{ free: false, value: 0.5 }, { free: false, value: 1 }]);
    expect(condition("u(pi/4) = 1", ONE_D).location).toEqual([{ free: false, value: Math.PI / 4 }]);
  });

  it("derivatives at a location in every spelling", () => {
    const neumann = [{ free: true }, { free: false, value: 2 }];
    for (const src of ["d(u, y)(x, 2) = 2*sin(pi*x)", "u_y(x, 2) = 2*sin(pi*x)"]) {
      const r = condition(src, TWO_D);
      expect(r.location, src).toEqual(neumann);
      expect(r.lhs, src).toBe(S.field(0, [0, 1]));
    }
    const r = condition("u'(1) = 0", ONE_D);
    expect(r.lhs).toBe(S.field(0, [1]));
    expect(r.location).toEqual([{ free: false, value: 1 }]);
    expect(condition("d(u, x, 2)(0) = 1", ONE_D).lhs).toBe(S.field(0, [2]));
  });

  it("a Robin condition and two unknowns at one location", () => {
    const robin = condition("u(0) + u'(0) = 2", ONE_D);
    expect(robin.location).toEqual([{ free: false, value: 0 }]);
    expect(robin.lhs).toBe(S.add(S.field(0, []), S.field(0, [1])));
    expect(condition("u(x, -1) - v(x, -1) = 0", TWO_D).location).toEqual([{ free: true }, { free: false, value: -1 }]);
  });

  it("a condition with every argument free has an all-free location (the loader rejects it)", () => {
    expect(condition("u(x) = 1", ONE_D).location).toEqual([{ free: true }]);
  });

  it("arguments in the wrong order", () => {
    const src = "u(y, 0) = 1";
    const e = nameError(() => condition(src, TWO_D));
    expect(e.message).toBe('argument 1 of u(...) is "y", but arguments follow the order of domain (x, y)');
    expect(e.span).toEqual(spanOf(src, "y"));
    expect(e.hint).toContain('"x"');
  });

  it("a fixed value outside the domain", () => {
    const src = "u(x, 3) = 0";
    const e = nameError(() => condition(src, TWO_D));
    expect(e.message).toBe("y = 3 is outside the domain y ∈ [-1, 2]");
    expect(e.span).toEqual(spanOf(src, "3"));
    expect(e.hint).toContain("domain:");
    // Through a constant: omega = 2 is outside [0, 1].
    expect(nameError(() => condition("u(omega) = 0", ONE_D)).message).toBe("x = 2 is outside the domain x ∈ [0, 1]");
  });

  it("a value on the boundary up to rounding is accepted and snapped to it", () => {
    expect(condition("u(1 + 1e-14) = 0", ONE_D).location).toEqual([{ free: false, value: 1 }]);
    expect(condition("u(-1e-14) = 0", ONE_D).location).toEqual([{ free: false, value: 0 }]);
    expect(nameError(() => condition("u(1 + 1e-6) = 0", ONE_D)).message).toContain("outside the domain");
  });

  it("different locations in one condition", () => {
    const src = "u(0) + u(1) = 0";
    const e = nameError(() => condition(src, ONE_D));
    expect(e.message).toContain("same location");
    expect(e.message).toContain("(x = 0)");
    expect(e.span).toEqual(spanOf(src, "u(1)"));
    expect(e.hint).toContain("periodic");
  });

  it("a bare unknown in a condition", () => {
    const e = nameError(() => condition("u = 1", ONE_D));
    expect(e.message).toBe('in a condition, say where "u" is evaluated');
    expect(e.span).toEqual({ start: 0, end: 1 });
    expect(e.hint).toContain("u(0)");
    const e2 = nameError(() => condition("u_y = 0", TWO_D));
    expect(e2.hint).toContain("u(0, y)");
  });

  it("a wrong number of arguments", () => {
    const src = "u(0) = 1";
    const e = nameError(() => condition(src, TWO_D));
    expect(e.message).toBe("u(...) has 1 argument, but the domain has 2 variables (x, y)");
    expect(e.span).toEqual(spanOf(src, "u(0)"));
    expect(e.hint).toContain("u(x, 0)");
    expect(nameError(() => condition("u(0, 1) = 1", ONE_D)).message).toContain("has 2 arguments, but the domain has 1 variable (x)");
  });

  it("a location that depends on a variable", () => {
    const e = nameError(() => condition("u(x/2, 0) = 1", TWO_D));
    expect(e.message).toContain('"x" is a domain variable');
  });

  it("an unknown at a fixed location inside an equation", () => {
    const e = nameError(() => sym("u'' + u(0)", ONE_D));
    expect(e.message).toContain("belongs in conditions");
    expect(e.span).toEqual({ start: 6, end: 10 });
  });
});
