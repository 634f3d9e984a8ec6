// Expressions pinn generated (the trial forms of `constraints: hard`), written the way a person would:
// `x + 1` rather than `x - -1`, `t/3` rather than `0.3333333333333333*t`. The value is unchanged: a
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
    case "mul": {
      // (p/q)*x → p*x/q
      const [c, x] = s.a.kind === "const" ? [s.a, s.b] : s.b.kind === "const" ? [s.b, s.a] : [null, null];
      if (c !== null && c.kind === "const") {
        const f = fractionOf(Math.abs(c.value));
        if (f !== null) {
          const top = f[0] === 1 ? tidy(x!) : node("mul", constant(f[0]), tidy(x!));
          const q = node("div", top, constant(f[1]));
          return c.value < 0 ? negate(q) : q;
        }
      }
      return node("mul", tidy(s.a), tidy(s.b));
    }
    case "div":
    case "pow":
      return { ...s, a: tidy(s.a), b: tidy(s.b) } as Sym;
    default:
      return s;
  }
}

/** A generated expression as text, tidied for reading (the same value). */
export function displayExpression(s: Sym, names: { variables: readonly string[]; unknowns: readonly string[] }, netName: string | ((k: number) => string) = "N"): string {
  return show(tidy(s), names, netName);
}
