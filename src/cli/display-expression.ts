// Expressions pinn generated (the trial forms of `constraints: hard`), written the way a person would:
// `x + 1` rather than `x - -1`, `t/3` rather than `0.3333333333333333*t`, `pi` rather than 3.141592653589793. The value is unchanged: a
// number becomes a fraction only when the fraction is that same float64.

import { show, type Sym } from "../expressions/symbolic.js";

/** p/q with the smallest q ≤ 1000 whose quotient is exactly v in float64, or null. */
export function fractionOf(v: number): [number, number] | null {
  if (!Number.isFinite(v) || Number.isInteger(v)) return null;
  for (let q = 2; q <= 1000; q++) {
    const p = Math.round(v * q);
    if (p / q === v && Math.abs(p) < 1e9) return [p, q];
  }
  return null;
}

// Display-only nodes: never interned, never evaluated; only show() reads them.
const node = (kind: "add" | "sub" | "mul" | "div", a: Sym, b: Sym): Sym => ({ kind, id: -1, a, b }) as Sym;
const constant = (value: number): Sym => ({ kind: "const", id: -1, value }) as Sym;
const negate = (a: Sym): Sym => ({ kind: "neg", id: -1, a }) as Sym;

function tidy(s: Sym): Sym {
  switch (s.kind) {
    case "const": {
      const f = fractionOf(Math.abs(s.value));
      if (f === null) return s;
      const frac = node("div", constant(f[0]), constant(f[1]));
      return s.value < 0 ? negate(frac) : frac;
    }
    case "neg":
    case "fn":
      return { ...s, a: tidy(s.a) } as Sym;
    case "add":
    case "sub": {
      const a = tidy(s.a);
      // x - -c → x + c; x + -c → x - c
      if (s.b.kind === "const" && s.b.value < 0) return node(s.kind === "add" ? "sub" : "add", a, tidy(constant(-s.b.value)));
      return node(s.kind, a, tidy(s.b));
    }
    case "mul":
      return tidyProduct(s);
    case "div":
    case "pow":
      return { ...s, a: tidy(s.a), b: tidy(s.b) } as Sym;
    default:
      return s;
  }
}

/** A constant factor kept as an exact fraction while possible (num/den integers), else as a float. */
interface Coefficient {
  num: number;
  den: number;
  /** Set once a factor is not a simple fraction. */
  float: number | null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

function times(c: Coefficient, v: number, divide = false): void {
  const f = Number.isInteger(v) ? ([v, 1] as [number, number]) : fractionOf(v);
  if (c.float === null && f !== null && Math.abs(c.num * f[0]) < 1e9 && Math.abs(c.den * f[1]) < 1e9 && f[0] !== 0) {
    const [p, q] = divide ? [f[1], f[0]] : f;
    c.num *= p;
    c.den *= q;
    const g = gcd(c.num, c.den) || 1;
    c.num /= g;
    c.den /= g;
    if (c.den < 0) [c.num, c.den] = [-c.num, -c.den];
    return;
  }
  const base = c.float ?? c.num / c.den;
  c.float = divide ? base / v : base * v;
}

/** A product with its constant factors gathered in front as one fraction: 4*(2 - x)*(x + 1)*t*N/27. */
function tidyProduct(s: Sym): Sym {
  const c: Coefficient = { num: 1, den: 1, float: null };
  const factors: Sym[] = [];
  const collect = (x: Sym): void => {
    if (x.kind === "mul") {
      collect(x.a);
      collect(x.b);
    } else if (x.kind === "div" && x.b.kind === "const" && x.b.value !== 0) {
      times(c, x.b.value, true);
      collect(x.a);
    } else if (x.kind === "const" && Math.abs(x.value) === Math.PI) {
      // π stays a factor of its own (shown as pi), not merged into the coefficient.
      if (x.value < 0) times(c, -1);
      factors.push(constant(Math.PI));
    } else if (x.kind === "const") times(c, x.value);
    else if (x.kind === "neg") {
      times(c, -1);
      collect(x.a);
    } else factors.push(tidy(x));
  };
  collect(s);
  // Left-nested (c*a)*b*…: a product needs no parentheses on the left.
  const chain = (first: Sym | null): Sym => factors.reduce<Sym | null>((a, b) => (a === null ? b : node("mul", a, b)), first) ?? constant(1);
  let out: Sym;
  let negative: boolean;
  if (c.float !== null) {
    negative = false;
    out = chain(constant(c.float));
  } else {
    negative = c.num < 0;
    const p = Math.abs(c.num);
    const top = chain(p === 1 && factors.length > 0 ? null : constant(p));
    out = c.den === 1 ? top : node("div", top, constant(c.den));
  }
  return negative ? negate(out) : out;
}

/** A generated expression as text, tidied for reading (the same value). */
export function displayExpression(s: Sym, names: { variables: readonly string[]; unknowns: readonly string[] }, netName: string | ((k: number) => string) = "N"): string {
  // π prints as the constant the problem language knows (no other float64 prints as these digits).
  return show(tidy(s), names, netName).replaceAll(String(Math.PI), "pi");
}
