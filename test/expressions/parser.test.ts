// Tokenizer and parser of the expression language: precedence and associativity (checked by
// evaluating the tree with a small evaluator written here), the spellings the parser accepts, and
// the position and wording of syntax errors.

import { describe, expect, it } from "vitest";
import { parseEquation, parseExpression, tokenize, type Ast, type Span } from "../../src/expressions/parser.js";
import { expressionError } from "../helpers/expressions.js";

/** Evaluate a tree of numbers and operators (no names): an independent reading of the tree. */
function evaluate(ast: Ast): number {
  switch (ast.kind) {
    case "number":
      return ast.value;
    case "unary":
      return ast.op === "-" ? -evaluate(ast.arg) : evaluate(ast.arg);
    case "binary": {
      const a = evaluate(ast.left);
      const b = evaluate(ast.right);
      return { "+": a + b, "-": a - b, "*": a * b, "/": a / b, "^": a ** b }[ast.op];
    }
    default:
      throw new Error(`cannot evaluate a ${ast.kind}`);
  }
}

/** The tree as a fully parenthesised string, to compare shapes at a glance. */
function shape(ast: Ast): string {
  switch (ast.kind) {
    case "number":
      return ast.text;
    case "name":
      return ast.name + "'".repeat(ast.primes);
    case "unary":
      return `(${ast.op}${shape(ast.arg)})`;
    case "binary":
      return `(${shape(ast.left)} ${ast.op} ${shape(ast.right)})`;
    case "call":
      return `${shape(ast.callee)}[${ast.args.map(shape).join(", ")}]`;
  }
}

const syntaxError = expressionError;

function spanOf(src: string, part: string, from = 0): Span {
  const start = src.indexOf(part, from);
  expect(start, `"${part}" in "${src}"`).toBeGreaterThanOrEqual(0);
  return { start, end: start + part.length };
}

describe("precedence and associativity", () => {
  it.each([
    ["-2^2", -4], // unary minus binds looser than ^: −(2²)
    ["-2**2", -4],
    ["(-2)^2", 4],
    ["2^3^2", 512], // right-associative: 2^(3^2)
    ["2**3**2", 512],
    ["(2^3)^2", 64],
    ["2^-1", 0.5], // a unary minus may start an exponent
    ["2^-1^2", 0.5], // 2^(−(1²))
    ["2*3^2", 18],
    ["-3*2", -6],
    ["8/4/2", 1], // left-associative
    ["8-4-2", 2],
    ["8-4+2", 6],
    ["1+2*3", 7],
    ["(1+2)*3", 9],
    ["2*3/4", 1.5],
    ["--2", 2],
    ["+2", 2],
    ["1 - -2", 3],
    ["10/-4", -2.5],
  ])("%s = %d", (src, value) => {
    expect(evaluate(parseExpression(src))).toBe(value);
  });

  it("gives the expected tree shapes", () => {
    expect(shape(parseExpression("-x^2"))).toBe("(-(x ^ 2))");
    expect(shape(parseExpression("a^b^c"))).toBe("(a ^ (b ^ c))");
    expect(shape(parseExpression("a - b - c"))).toBe("((a - b) - c)");
    expect(shape(parseExpression("a/b*c"))).toBe("((a / b) * c)");
    expect(shape(parseExpression("-u''*x + 1"))).toBe("(((-u'') * x) + 1)");
    // A call binds tighter than ^ and unary minus.
    expect(shape(parseExpression("-sin(x)^2"))).toBe("(-(sin[x] ^ 2))");
  });

  it("reads ** as ^", () => {
    const a = parseExpression("x**2");
    expect(a.kind === "binary" && a.op).toBe("^");
  });
});

describe("numbers, names, primes and calls", () => {
  it.each([
    ["2", 2],
    ["0.5", 0.5],
    [".5", 0.5],
    ["1e-3", 0.001],
    ["2.5E+2", 250],
    ["1.e5", 1e5],
  ])("number %s", (src, value) => {
    const a = parseExpression(src);
    expect(a).toMatchObject({ kind: "number", value, text: src });
  });

  it("counts primes on a name and keeps them in the span", () => {
    expect(parseExpression("u''")).toMatchObject({ kind: "name", name: "u", primes: 2, span: { start: 0, end: 3 } });
    expect(parseExpression("u'''")).toMatchObject({ kind: "name", name: "u", primes: 3 });
    expect(parseExpression("u_xy")).toMatchObject({ kind: "name", name: "u_xy", primes: 0 });
  });

  it("parses a primed call u'(0)", () => {
    const a = parseExpression("u'(0)");
    expect(a.kind).toBe("call");
    if (a.kind !== "call") return;
    expect(a.callee).toMatchObject({ kind: "name", name: "u", primes: 1 });
    expect(a.args).toHaveLength(1);
    expect(a.span).toEqual({ start: 0, end: 5 });
  });

  it("parses the chained call d(u, y)(x, 1)", () => {
    const src = "d(u, y)(x, 1)";
    const a = parseExpression(src);
    expect(shape(a)).toBe("d[u, y][x, 1]");
    if (a.kind !== "call" || a.callee.kind !== "call") throw new Error("expected a call of a call");
    expect(a.callee.span).toEqual(spanOf(src, "d(u, y)"));
    expect(a.span).toEqual({ start: 0, end: src.length });
  });

  it("parses calls with several arguments and nested calls", () => {
    expect(shape(parseExpression("d(u, x, 2)"))).toBe("d[u, x, 2]");
    expect(shape(parseExpression("sin(cos(x)*2)"))).toBe("sin[(cos[x] * 2)]");
    expect(shape(parseExpression("f()"))).toBe("f[]");
  });

  it("records source spans of sub-expressions", () => {
    const src = "1 + sin(x)";
    const a = parseExpression(src);
    if (a.kind !== "binary") throw new Error("expected a binary node");
    expect(a.right.span).toEqual(spanOf(src, "sin(x)"));
    expect(a.span).toEqual({ start: 0, end: src.length });
  });

  it("tokenizes ** as one power token and ends with an end token", () => {
    const tokens = tokenize("x ** 2");
    expect(tokens.map((t) => t.type)).toEqual(["name", "op", "number", "end"]);
    expect(tokens[1]).toMatchObject({ op: "^", span: { start: 2, end: 4 } });
  });
});

describe("equations", () => {
  it("splits at the single =", () => {
    const { lhs, rhs } = parseEquation("u'' + u = -sin(x)");
    expect(shape(lhs)).toBe("(u'' + u)");
    expect(shape(rhs)).toBe("(-sin[x])");
  });

  it("keeps spans relative to the whole equation on both sides", () => {
    const src = "u' = 2*x";
    const { rhs } = parseEquation(src);
    expect(rhs.span).toEqual(spanOf(src, "2*x"));
  });
});

describe("syntax errors: message, span and hint", () => {
  it('"2x" (implicit multiplication)', () => {
    const e = syntaxError(() => parseExpression("1 + 2x"));
    expect(e.message).toContain('"2x"');
    expect(e.span).toEqual({ start: 4, end: 6 });
    expect(e.hint).toContain("2*x");
  });

  it("an unclosed parenthesis points at the end", () => {
    const e = syntaxError(() => parseExpression("(1 + 2"));
    expect(e.message).toMatch(/expected "\)"/);
    expect(e.message).toContain("end of the expression");
    expect(e.span).toEqual({ start: 6, end: 6 });
  });

  it("an unclosed argument list", () => {
    const e = syntaxError(() => parseExpression("sin(x"));
    expect(e.message).toMatch(/expected "\)" to close the argument list/);
    expect(e.span.start).toBe(5);
  });

  it("an unmatched closing parenthesis", () => {
    const e = syntaxError(() => parseExpression("1 + 2)"));
    expect(e.message).toBe('unmatched ")"');
    expect(e.span).toEqual({ start: 5, end: 6 });
  });

  it("an unmatched closing parenthesis on one side of an equation", () => {
    const src = "u) = 1";
    const e = syntaxError(() => parseEquation(src));
    expect(e.message).toContain('")"');
    expect(e.span).toEqual(spanOf(src, ")"));
  });

  it('"==" in an equation', () => {
    const e = syntaxError(() => parseEquation("u == 1"));
    expect(e.message).toContain('"=="');
    expect(e.span).toEqual({ start: 2, end: 4 });
    expect(e.hint).toMatch(/single "="/);
  });

  it("nothing on the left of =", () => {
    const e = syntaxError(() => parseEquation(" = 1"));
    expect(e.message).toBe('nothing on the left of "="');
    expect(e.span).toEqual({ start: 1, end: 2 });
  });

  it("nothing on the right of =", () => {
    const e = syntaxError(() => parseEquation("u' =  "));
    expect(e.message).toBe('nothing on the right of "="');
    expect(e.span).toEqual({ start: 3, end: 4 });
  });

  it("no = in an equation", () => {
    const e = syntaxError(() => parseEquation("u' - 2*x"));
    expect(e.message).toContain('needs "="');
    expect(e.hint).toContain("LHS = RHS");
  });

  it("two = in an equation points at the second", () => {
    const src = "u = 1 = 2";
    const e = syntaxError(() => parseEquation(src));
    expect(e.message).toContain('exactly one "="');
    expect(e.span).toEqual({ start: 6, end: 7 });
  });

  it("= where an expression is expected", () => {
    const e = syntaxError(() => parseExpression("x = 1"));
    expect(e.message).toContain('"="');
    expect(e.span).toEqual({ start: 2, end: 3 });
    expect(e.hint).toContain("not an equation");
  });

  it("an operator at the end", () => {
    const e = syntaxError(() => parseExpression("x +"));
    expect(e.message).toContain("ends too early");
    expect(e.span.start).toBe(3);
  });

  it("an empty expression", () => {
    const e = syntaxError(() => parseExpression("   "));
    expect(e.message).toContain("ends too early");
  });

  it("two operands without an operator", () => {
    const src = "x y";
    const e = syntaxError(() => parseExpression(src));
    expect(e.message).toContain('missing operator before "y"');
    expect(e.span).toEqual(spanOf(src, "y"));
    expect(e.hint).toContain("*");
  });

  it("a stray character", () => {
    const e = syntaxError(() => parseExpression("x $ 2"));
    expect(e.message).toContain('"$"');
    expect(e.span).toEqual({ start: 2, end: 3 });
  });

  it("a prime that follows no name", () => {
    const e = syntaxError(() => parseExpression("(u)'"));
    expect(e.message).toContain("prime");
    expect(e.span).toEqual({ start: 3, end: 4 });
  });

  it("an empty argument", () => {
    const e = syntaxError(() => parseExpression("f(x, )"));
    expect(e.span).toEqual({ start: 5, end: 6 });
  });
});
