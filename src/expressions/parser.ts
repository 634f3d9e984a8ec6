// Tokenizer and Pratt parser for the problem-file expression language:
//   numbers, names (optionally followed by primes, u''), + - * / ^ (also **), unary minus,
//   parentheses, calls f(a, b) — including chained calls such as d(u, y)(x, 1) — and one '='.
// The parser knows syntax only; names are resolved later (resolve.ts).

export interface Span {
  start: number;
  end: number;
}

/** What went wrong, for callers that act on the kind of error (never on its message text). */
export type ExpressionErrorReason = { kind: "undefined-name"; name: string };

export class ExpressionError extends Error {
  constructor(message: string, readonly span: Span, readonly hint?: string, readonly reason?: ExpressionErrorReason) {
    super(message);
  }
}

export type Ast =
  | { kind: "number"; value: number; text: string; span: Span }
  | { kind: "name"; name: string; primes: number; span: Span }
  | { kind: "unary"; op: "-" | "+"; arg: Ast; span: Span }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^"; left: Ast; right: Ast; span: Span }
  | { kind: "call"; callee: Ast; args: Ast[]; span: Span };

type Token =
  | { type: "number"; value: number; text: string; span: Span }
  | { type: "name"; name: string; primes: number; span: Span }
  | { type: "op"; op: string; span: Span }
  | { type: "end"; span: Span };

/**
 * What one expression may hold (README, "Limits"): longer or deeper ones are input errors, so
 * that parsing, resolution and everything after them (derivatives, generated code) stay within
 * the stack and in time linear in the text. Measured: a sum of 4,000 terms (≈ 30,000 tokens)
 * still builds and trains; 9,000 exceed the stack in the model.
 */
export const EXPRESSION_LIMITS = {
  /** Characters in one expression. */
  maxLength: 20_000,
  /** Tokens (numbers, names, operators) in one expression. */
  maxTokens: 5_000,
  /** Nesting of parentheses, function calls, unary signs and powers. */
  maxDepth: 100,
  /** Total order of a derivative (the cost of Taylor jets grows steeply with it: order 10 took 50 s). */
  maxDerivativeOrder: 6,
} as const;

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function match(re: RegExp, src: string, at: number): string | null {
  re.lastIndex = at;
  return re.exec(src)?.[0] ?? null;
}

export function tokenize(src: string): Token[] {
  const L = EXPRESSION_LIMITS;
  if (src.length > L.maxLength) {
    throw new ExpressionError(`this expression is ${src.length} characters long; the limit is ${L.maxLength}`, { start: 0, end: 0 }, "split it using constants, or simplify it (README, \"Limits\")");
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (tokens.length >= L.maxTokens) {
      throw new ExpressionError(`this expression has more than ${L.maxTokens} numbers, names and operators`, { start: i, end: i + 1 }, "split it using constants, or simplify it (README, \"Limits\")");
    }
    const text = match(NUMBER, src, i);
    if (text !== null) {
      const after = src[i + text.length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new ExpressionError(
          `"${text}${after}" is not a number or a name`,
          { start: i, end: i + text.length + 1 },
          `write the multiplication explicitly, e.g. ${text}*${after}`,
        );
      }
      tokens.push({ type: "number", value: numberValue(text, i), text, span: { start: i, end: i + text.length } });
      i += text.length;
      continue;
    }
    const name = match(NAME, src, i);
    if (name !== null) {
      let j = i + name.length;
      let primes = 0;
      while (src[j] === "'") {
        primes++;
        j++;
      }
      tokens.push({ type: "name", name, primes, span: { start: i, end: j } });
      i = j;
      continue;
    }
    if (src.startsWith("**", i)) {
      tokens.push({ type: "op", op: "^", span: { start: i, end: i + 2 } });
      i += 2;
      continue;
    }
    if (src.startsWith("==", i)) {
      throw new ExpressionError('"==" is not an operator here', { start: i, end: i + 2 }, 'write equations with a single "=", e.g. "u\' = 2*x"');
    }
    if ("+-*/^(),=".includes(c)) {
      tokens.push({ type: "op", op: c, span: { start: i, end: i + 1 } });
      i++;
      continue;
    }
    if (c === "'") {
      throw new ExpressionError("a prime (') must follow the name of an unknown, as in u'", { start: i, end: i + 1 });
    }
    throw new ExpressionError(`unexpected character "${c}"`, { start: i, end: i + 1 }, "expressions use numbers, names, + - * / ^, parentheses and function calls");
  }
  tokens.push({ type: "end", span: { start: src.length, end: src.length } });
  return tokens;
}

/** A literal's value; one that overflows to ±Infinity or underflows to 0 is an error. */
function numberValue(text: string, at: number): number {
  const value = Number(text);
  const span = { start: at, end: at + text.length };
  if (!Number.isFinite(value)) {
    throw new ExpressionError(`the number ${abbreviate(text)} is too large for a double (beyond 1.8e308)`, span, "write it in scientific notation with a smaller exponent, or rescale the problem");
  }
  const mantissa = text.split(/[eE]/)[0]!;
  if (value === 0 && /[1-9]/.test(mantissa)) {
    throw new ExpressionError(`the number ${abbreviate(text)} is too small for a double (it would be 0)`, span, "write 0 if you mean 0, or rescale the problem");
  }
  return value;
}

function abbreviate(text: string): string {
  return text.length <= 24 ? text : `${text.slice(0, 12)}…${text.slice(-6)} (${text.length} characters)`;
}

// Binding powers: + − < * / < unary − < ^ (right-associative) < call.
const INFIX: Record<string, [number, number]> = {
  "+": [10, 11],
  "-": [10, 11],
  "*": [20, 21],
  "/": [20, 21],
  "^": [41, 40],
};
const PREFIX_POWER = 30;

class Parser {
  private pos = 0;
  /** Current nesting (parentheses, calls, unary signs, right operands): bounded, so recursion is. */
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private enter(at: Span): void {
    if (++this.depth > EXPRESSION_LIMITS.maxDepth) {
      throw new ExpressionError(`this expression is nested more than ${EXPRESSION_LIMITS.maxDepth} levels deep`, at, "split it using constants, or simplify it (README, \"Limits\")");
    }
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.type === "op" && t.op === op;
  }

  private expect(op: string, context: string): Token {
    const t = this.peek();
    if (t.type === "op" && t.op === op) return this.next();
    throw new ExpressionError(`expected "${op}" ${context}, found ${describe(t)}`, t.span);
  }

  expression(minPower = 0): Ast {
    this.enter(this.peek().span);
    const ast = this.operand(minPower);
    this.depth--;
    return ast;
  }

  private operand(minPower: number): Ast {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.type === "op" && t.op === "(") {
        left = this.call(left);
        continue;
      }
      if (t.type !== "op" || !(t.op in INFIX)) {
        if (t.type === "number" || t.type === "name") {
          throw new ExpressionError(`missing operator before ${describe(t)}`, t.span, "write multiplication explicitly with *");
        }
        break;
      }
      const [lp, rp] = INFIX[t.op]!;
      if (lp < minPower) break;
      this.next();
      const right = this.expression(rp);
      left = { kind: "binary", op: t.op as "+", left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private prefix(): Ast {
    const t = this.next();
    if (t.type === "number") return { kind: "number", value: t.value, text: t.text, span: t.span };
    if (t.type === "name") return { kind: "name", name: t.name, primes: t.primes, span: t.span };
    if (t.type === "op" && (t.op === "-" || t.op === "+")) {
      const arg = this.expression(PREFIX_POWER);
      return { kind: "unary", op: t.op, arg, span: { start: t.span.start, end: arg.span.end } };
    }
    if (t.type === "op" && t.op === "(") {
      const inner = this.expression();
      const close = this.expect(")", "to close the parenthesis");
      return { ...inner, span: { start: t.span.start, end: close.span.end } };
    }
    if (t.type === "end") throw new ExpressionError("the expression ends too early", t.span, "something is missing after the last operator");
    throw new ExpressionError(`unexpected ${describe(t)}`, t.span);
  }

  private call(callee: Ast): Ast {
    this.expect("(", "");
    const args: Ast[] = [];
    if (!this.isOp(")")) {
      for (;;) {
        args.push(this.expression());
        if (this.isOp(",")) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.expect(")", "to close the argument list");
    return { kind: "call", callee, args, span: { start: callee.span.start, end: close.span.end } };
  }

  atEnd(): Token {
    return this.peek();
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case "number":
      return `the number ${t.text}`;
    case "name":
      return `"${t.name}${"'".repeat(t.primes)}"`;
    case "op":
      return `"${t.op}"`;
    case "end":
      return "the end of the expression";
  }
}

/** Parse a whole expression (no '='). */
export function parseExpression(src: string): Ast {
  const tokens = tokenize(src);
  const p = new Parser(tokens);
  const ast = p.expression();
  const t = p.atEnd();
  if (t.type !== "end") {
    if (t.type === "op" && t.op === "=") throw new ExpressionError('"=" is not allowed here', t.span, "this field takes an expression, not an equation");
    if (t.type === "op" && t.op === ")") throw new ExpressionError('unmatched ")"', t.span);
    throw new ExpressionError(`unexpected ${describe(t)}`, t.span);
  }
  return ast;
}

/** Parse "LHS = RHS". */
export function parseEquation(src: string): { lhs: Ast; rhs: Ast } {
  const tokens = tokenize(src);
  const eqs = tokens.filter((t) => t.type === "op" && t.op === "=");
  if (eqs.length === 0) {
    throw new ExpressionError('an equation needs "=" between its two sides', { start: 0, end: src.length }, 'write it as "LHS = RHS", e.g. "u\'\' + u = 0"');
  }
  if (eqs.length > 1) throw new ExpressionError('an equation has exactly one "="', eqs[1]!.span);
  const at = tokens.indexOf(eqs[0]!);
  const left = tokens.slice(0, at);
  const right = tokens.slice(at + 1);
  if (left.length === 0) throw new ExpressionError('nothing on the left of "="', eqs[0]!.span);
  if (right.length === 0 || right[0]!.type === "end") throw new ExpressionError('nothing on the right of "="', eqs[0]!.span);
  const lhsParser = new Parser([...left, { type: "end", span: eqs[0]!.span }]);
  const lhs = lhsParser.expression();
  const lhsEnd = lhsParser.atEnd();
  if (lhsEnd.type !== "end") throw new ExpressionError(`unexpected ${describe(lhsEnd)}`, lhsEnd.span);
  const rhsParser = new Parser(right);
  const rhs = rhsParser.expression();
  const rhsEnd = rhsParser.atEnd();
  if (rhsEnd.type !== "end") throw new ExpressionError(`unexpected ${describe(rhsEnd)}`, rhsEnd.span);
  return { lhs, rhs };
}
