// The reader context shared by every section of a problem file: the YAML source (which collects
// the errors with their positions), the command-line overrides, warnings, and the helpers that
// turn nodes into expressions, numbers and choices. Each section (names.ts, equations.ts,
// settings.ts, …) is a function taking this context.

import { get, getPair, asNumber, asString, isScalar, Scalar, type Node, type YAMLMap, type YamlSource } from "./yaml-source.js";
import type { ProblemIssue } from "./errors.js";
import type { Source } from "./types.js";
import type { LoadOptions } from "./load.js";
import { parseExpression, ExpressionError } from "../expressions/parser.js";
import { resolve, type Names, type Context } from "../expressions/resolve.js";
import type { Sym } from "../expressions/symbolic.js";
import { closest, didYouMean } from "../util/suggest.js";
import { unitRephrase } from "./units.js";

/** Replaces an expression error's message and hint (null: keep it). */
export type Rephrase = (e: ExpressionError) => { message: string; hint: string } | null;

export class ReaderContext {
  readonly warnings: ProblemIssue[] = [];
  /** Constants whose definition had an error (their later uses are not reported again). */
  readonly failedConstants = new Set<string>();

  constructor(readonly src: YamlSource, readonly options: LoadOptions) {}

  /** A required key's value; reports a missing or empty key (with an example) and gives undefined. */
  require(map: YAMLMap, key: string, example: string): Node | undefined {
    const node = get(map, key);
    if (getPair(map, key) === undefined) {
      this.src.errorAt({ line: 1, column: 1 }, `the required key "${key}" is missing`, `add it, e.g.\n${example}`);
    } else if (node === undefined || (isScalar(node) && node.value === null)) {
      this.src.error(getPair(map, key)!.key as Node, `"${key}" is empty`, `give it a value, e.g.\n${example}`);
      return undefined;
    }
    return node;
  }

  /** One of a fixed set of words, with a suggestion for a misspelling. */
  choice<T extends string>(node: Node | undefined, what: string, choices: readonly T[]): T | null {
    if (node === undefined) return null;
    const v = asString(this.src, node, what);
    if (v === null) return null;
    if (!(choices as readonly string[]).includes(v)) {
      const suggestion = closest(v, choices) ?? choices[0]!;
      this.src.error(node, `${what}: "${v}" is not one of ${choices.join(", ")}${didYouMean(v, choices)}`, `write e.g. ${what.split(".").pop()}: ${suggestion}`);
      return null;
    }
    return v as T;
  }

  positiveNumber(node: Node | undefined, what: string): number | null {
    const v = asNumber(this.src, node, what);
    if (v === null) return null;
    if (!(v > 0)) {
      this.src.error(node, `${what} must be positive, not ${v}`);
      return null;
    }
    return v;
  }

  /** A number, or an expression of constants such as 2*pi. */
  numberOrConstant(node: Node, what: string, constants: ReadonlyMap<string, number>): number | null {
    if (isScalar(node) && typeof node.value === "number") return this.finite(node, node.value, what);
    if (isScalar(node) && typeof node.value === "string") {
      const names: Names = { variables: [], bounds: [], unknowns: [], constants };
      const sym = this.expression(node, names, { kind: "constant" });
      if (sym !== null && sym.kind === "const" && Number.isFinite(sym.value)) return sym.value;
      if (sym !== null) this.src.error(node, `${what} must be a finite number`);
      return null;
    }
    this.src.error(node, `${what} must be a number`);
    return null;
  }

  /** `value` when finite; otherwise reports it (.inf, .nan, a literal beyond ±1.8e308) and gives null. */
  finite(node: Node, value: number, what: string): number | null {
    if (Number.isFinite(value)) return value;
    this.src.error(node, `${what} must be a finite number, not ${this.written(node)}${this.written(node) === String(value) ? "" : ` (${value})`}`, "write a finite number such as 1 or 2.5e-3");
    return null;
  }

  /** The node's text as written in the file (shortened when long). */
  written(node: Node): string {
    const text = node.range ? this.src.text.slice(node.range[0], node.range[1]).trim() : String((node as Scalar).value);
    return text.length <= 24 ? text : `${text.slice(0, 12)}…${text.slice(-6)} (${text.length} characters)`;
  }

  /**
   * Parse and resolve one expression scalar; reports errors at the exact column. `rephrase` may
   * replace an error's message and hint.
   */
  expression(node: Node, names: Names, context: Context, rephrase?: Rephrase): Sym | null {
    const text = this.scalarText(node, "an expression");
    if (text === null) return null;
    try {
      return resolve(parseExpression(text), names, context).sym;
    } catch (e) {
      const better = e instanceof ExpressionError ? (rephrase?.(e) ?? unitRephrase(e, text, names)) : null;
      this.reportExpressionError(better ? new ExpressionError(better.message, (e as ExpressionError).span, better.hint, (e as ExpressionError).reason) : e, node as Scalar);
      return null;
    }
  }

  scalarText(node: Node, what: string): string | null {
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) return String(node.value);
    this.src.error(node, `${what} must be written as text`, 'quote it if in doubt, e.g. "u\' = 2*x"');
    return null;
  }

  reportExpressionError(e: unknown, node: Scalar): void {
    if (!(e instanceof ExpressionError)) throw e;
    // A constant that already failed is reported once, not again where it is used.
    if (e.reason?.kind === "undefined-name" && this.failedConstants.has(e.reason.name)) return;
    const position = this.src.valuePosition(node, e.span.start);
    this.src.errorAt(position, e.message, e.hint);
  }

  source(node: Node): Source {
    return { text: isScalar(node) ? String(node.value) : "", position: this.src.positionOf(node) };
  }
}
