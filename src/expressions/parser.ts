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

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const numberMatch = NUMBER.exec(rest);
    if (numberMatch) {
      const text = numberMatch[0];
      const after = rest[text.length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new ExpressionError(
          `"${text}${after}" is not a number or a name`,
          { start: i, end: i + text.length + 1 },
          `write the multiplication explicitly, e.g. ${text}*${after}`,
        );
      }
      tokens.push({ type: "number", value: Number(text), text, span: { start: i, end: i + text.length } });
      i += text.length;
      continue;
    }
    const nameMatch = NAME.exec(rest);
    if (nameMatch) {
      const name = nameMatch[0];
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
    if (rest.startsWith("**")) {
      tokens.push({ type: "op", op: "^", span: { start: i, end: i + 2 } });
      i += 2;
      continue;
    }
    if (rest.startsWith("==")) {
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
  constructor(private readonly tokens: Token[]) {}

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
