// The one way generated JavaScript is written and compiled. Every `new Function` in the project
// goes through compileKernel, and every identifier and number in generated source is written by
// jsName / jsIndex / jsNumber, which accept only what they can prove harmless: identifiers made of
// a fixed ASCII prefix and a non-negative integer, and numbers as JavaScript numbers (never
// strings). Nothing from a problem file — names, strings, numbers — can therefore reach the
// generated source as code: names are replaced by numbered identifiers before generation, and a
// number can only become a numeric literal. test/engine/kernels/js-source.test.ts checks this.
//
// Each kernel ends with `//# sourceURL=pinn-kernel-<label>-<hash>.js`, so stack traces and
// profiles name the kernel (and the same source always gets the same name).

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "export",
  "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return",
  "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let",
  "static", "await", "enum", "implements", "interface", "package", "private", "protected", "public", "arguments", "eval",
]);

/** A fixed identifier of the generator (a prefix, a parameter or helper name); anything else throws. */
export function jsName(name: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name) || RESERVED.has(name)) throw new Error(`internal: ${JSON.stringify(name)} is not a plain identifier`);
  return name;
}

/** A non-negative integer (an index or a count) as a literal. */
export function jsIndex(n: number): string {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new Error(`internal: ${String(n)} is not an index`);
  return String(n);
}

/** The identifier `prefix` + `index`, e.g. jsId("v", 12) = "v12". */
export function jsId(prefix: string, index: number): string {
  // (A word followed by digits is never a reserved word, so the prefix may be one, like `in`.)
  if (typeof prefix !== "string" || !IDENTIFIER.test(prefix)) throw new Error(`internal: ${JSON.stringify(prefix)} is not an identifier prefix`);
  return `${prefix}${jsIndex(index)}`;
}

const NUMBER = /^(?:\d+(?:\.\d+)?(?:e[+-]\d+)?|Infinity|NaN)$/;

/**
 * A number as a self-delimiting literal that evaluates to exactly the same float64 (String(x) is
 * the shortest round-tripping decimal; negatives, −0 included, are parenthesised).
 */
export function jsNumber(x: number): string {
  if (typeof x !== "number") throw new Error(`internal: ${String(x)} is not a number`);
  const magnitude = String(Math.abs(x));
  if (!NUMBER.test(magnitude)) throw new Error(`internal: unexpected number text ${magnitude}`);
  return x < 0 || Object.is(x, -0) ? `(-${magnitude})` : magnitude;
}

/** FNV-1a of a string, as 8 hex digits (names a kernel by its source). */
function sourceHash(src: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < src.length; i++) {
    h ^= src.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * Compile `function <label>(params) { body }`, with the given helpers in scope by name. `label`
 * is a name for traces (letters, digits and dashes), e.g. "mean-square-forward".
 */
export function compileKernel<F>(label: string, params: readonly string[], body: string, helpers: Readonly<Record<string, unknown>> = {}): F {
  if (!/^[a-z][a-z0-9-]*$/.test(label)) throw new Error(`internal: kernel label ${JSON.stringify(label)}`);
  const names = Object.keys(helpers).map(jsName);
  const fn = jsName(`pinn_${label.replace(/-/g, "_")}`);
  const src = `return function ${fn}(${params.map(jsName).join(", ")}) {\n${body}\n};`;
  return new Function(...names, `${src}\n//# sourceURL=pinn-kernel-${label}-${sourceHash(src)}.js`)(...names.map((h) => helpers[h])) as F;
}
