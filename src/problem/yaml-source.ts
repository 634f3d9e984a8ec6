// Reading YAML while keeping positions: typed accessors over yaml's document nodes that report
// problems with the line and column of the offending node.

import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Node, type YAMLMap, type Pair } from "yaml";
import type { ProblemIssue, SourcePosition } from "./errors.js";
import { didYouMean } from "../util/suggest.js";

/** Bounds on the YAML structure of a problem file (README, "Limits"). */
export const YAML_LIMITS = {
  /** Nesting of maps and lists. */
  maxDepth: 50,
  /** Values reached through aliases (*name), counted with repetition. */
  maxAliasExpansion: 10_000,
} as const;

export class YamlSource {
  readonly lines = new LineCounter();
  readonly issues: ProblemIssue[] = [];
  readonly root: Node | null;
  private textLines?: string[];

  constructor(readonly file: string, readonly text: string) {
    // Duplicate keys are found by checkTree (in linear time; yaml's own check is quadratic).
    const doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: false });
    const seen = new Set<number>();
    for (const e of doc.errors) {
      const position = this.position(e.pos[0]);
      if (seen.has(position.line)) continue; // one report per line: the rest follow from the first
      seen.add(position.line);
      if (e.code === "MULTIPLE_DOCS") {
        this.issues.push({ message: "the file holds more than one YAML document (a line \"---\" or \"...\" starts another)", position, hint: "a problem file is one document: remove this line and what follows, or put the second problem in its own file" });
        continue;
      }
      if (e.code === "RESOURCE_EXHAUSTION") {
        this.issues.push({ message: "the file is nested too deeply for YAML to read", position, hint: `a problem file nests a few levels deep (at most ${YAML_LIMITS.maxDepth}); check the brackets and indentation here` });
        continue;
      }
      const indent = this.misindentedLineAfter(position.line);
      if (indent !== null) {
        this.issues.push(indent);
        continue;
      }
      const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      this.issues.push({ message: `YAML syntax: ${message}`, position, hint: yamlHint(e.code) });
    }
    this.root = doc.errors.length > 0 ? null : (doc.contents as Node | null);
    if (this.root !== null && !this.checkTree()) this.root = null;
  }

  /**
   * One walk over the document, without recursion: replaces each alias (*name) by the node its
   * anchor (&name) marks, with a bound on what aliases expand to (a "billion laughs" file stops
   * at the bound); reports duplicate keys and nesting deeper than YAML_LIMITS.maxDepth.
   * False when the tree cannot be used.
   */
  private checkTree(): boolean {
    const before = this.issues.length;
    let expanded = 0;
    const tooMany = (node: Node): false => {
      this.error(node, `aliases (*name) expand to more than ${YAML_LIMITS.maxAliasExpansion} values`, "write the repeated values out, or use fewer nested aliases");
      return false;
    };
    // Anchors seen so far, in document order (an alias names the latest anchor before it).
    const anchors = new Map<string, Node>();
    type Entry = { value: unknown; set: (n: Node) => void; depth: number; viaAlias: boolean };
    const stack: Entry[] = [{ value: this.root, set: () => undefined, depth: 0, viaAlias: false }];
    while (stack.length > 0) {
      const entry = stack.pop()!;
      const { depth } = entry;
      let { value, viaAlias } = entry;
      if (value === null || value === undefined) continue;
      if (isAlias(value)) {
        const resolved = anchors.get(value.source);
        if (resolved === undefined) {
          this.error(value as unknown as Node, `the alias *${value.source} names no anchor before it`, `define it first with &${value.source}, e.g. x: &${value.source} [0, 1]`);
          continue;
        }
        entry.set(resolved);
        value = resolved;
        viaAlias = true;
      }
      const node = value as Node;
      if (viaAlias && ++expanded > YAML_LIMITS.maxAliasExpansion) return tooMany(node);
      if (depth > YAML_LIMITS.maxDepth) {
        this.error(node, `the file is nested more than ${YAML_LIMITS.maxDepth} levels deep`, "a problem file nests a few levels deep; check the brackets and indentation here");
        return false;
      }
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor !== undefined && !viaAlias) anchors.set(anchor, node);
      const children: Entry[] = [];
      const child = (v: unknown, set: (n: Node) => void): void => void children.push({ value: v, set, depth: depth + 1, viaAlias });
      if (isMap(node)) {
        const keys = new Set<string>();
        for (const pair of node.items) {
          if (isAlias(pair.key)) {
            this.error(pair.key as unknown as Node, "an alias cannot be a key here", "write the key out");
            continue;
          }
          if (isScalar(pair.key)) {
            const k = String(pair.key.value);
            if (keys.has(k) && !viaAlias) this.error(pair.key, `the key "${k}" appears twice in this map`, yamlHint("DUPLICATE_KEY"));
            keys.add(k);
          } else if (pair.key !== null) child(pair.key, () => undefined);
          child(pair.value, (n) => (pair.value = n));
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => (isPair(item) ? child(item.value, (n) => (item.value = n)) : child(item, (n) => (node.items[i] = n))));
      }
      // In reverse, so that the stack visits them in document order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return this.issues.length === before;
  }

  /**
   * A "key: value" line followed by a line indented differently that is not a nested block (the
   * line above has a value) — the usual cause of YAML's "implicit key" errors.
   */
  private misindentedLineAfter(line: number): ProblemIssue | null {
    this.textLines ??= this.text.split(/\r?\n/);
    const lines = this.textLines;
    const here = lines[line - 1];
    let next = line;
    while (next < lines.length && lines[next]!.trim() === "") next++;
    const after = lines[next];
    if (here === undefined || after === undefined) return null;
    const indentOf = (l: string): number => l.length - l.trimStart().length;
    const keyWithValue = /^\s*(- )?[^\s:#][^:#]*:\s+\S/.test(here);
    if (!keyWithValue || indentOf(after) <= indentOf(here) || after.trimStart().startsWith("#")) return null;
    return {
      message: `this line is indented ${indentOf(after)} spaces, but the line above holds a value at ${indentOf(here)} spaces`,
      position: { line: next + 1, column: 1 },
      hint: `keys of one map start in the same column: indent it by ${indentOf(here)} spaces like the line above`,
    };
  }

  position(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  positionOf(node: Node | null | undefined): SourcePosition | undefined {
    return node?.range ? this.position(node.range[0]) : undefined;
  }

  error(node: Node | null | undefined, message: string, hint?: string): void {
    this.issues.push({ message, position: this.positionOf(node), hint });
  }

  errorAt(position: SourcePosition | undefined, message: string, hint?: string): void {
    this.issues.push({ message, position, hint });
  }

  /**
   * Map an offset inside a scalar's string value to a position in the file (so that expression
   * errors point at the right column, also inside quotes with escapes).
   */
  valuePosition(node: Scalar, offset: number): SourcePosition | undefined {
    if (!node.range) return undefined;
    const value = String(node.value);
    const type = node.type;
    let src = node.range[0];
    if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) src++;
    if (type === Scalar.BLOCK_FOLDED || type === Scalar.BLOCK_LITERAL) {
      // The content starts on the line after the block indicator.
      const eol = this.text.indexOf("\n", src);
      if (eol < 0) return this.position(node.range[0]);
      src = eol + 1;
    }
    // Walk the value and the source together: line breaks and indentation in the source fold
    // into spaces (or vanish) in the value; escapes take several source characters.
    for (let i = 0; i < offset && i < value.length && src < this.text.length; i++) {
      const c = this.text[src]!;
      if (type === Scalar.QUOTE_SINGLE && c === "'" && this.text[src + 1] === "'") src += 2;
      else if (type === Scalar.QUOTE_DOUBLE && c === "\\") src += escapeLength(this.text, src);
      else if (c === value[i]) src++;
      else if (/\s/.test(c)) {
        // A folded line break: skip it and the next line's indentation; it stands for value[i]
        // when that is a space or newline, otherwise re-align on the next character.
        while (src < this.text.length && /\s/.test(this.text[src]!)) src++;
        if (!/\s/.test(value[i]!)) i--;
      } else src++;
    }
    while (src < this.text.length && /[ \t\r\n]/.test(this.text[src]!) && !/\s/.test(value[offset] ?? "")) src++;
    return this.position(src);
  }
}

/** Check that a map only has known keys; report each unknown one with a suggestion. */
export function checkKeys(src: YamlSource, map: YAMLMap, allowed: readonly string[], where: string): void {
  for (const pair of map.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : null;
    if (key === null || !allowed.includes(key)) {
      const k = key ?? "(complex key)";
      src.error(pair.key, `unknown key "${k}" in ${where}${didYouMean(k, allowed)}`, `allowed keys in ${where}: ${allowed.join(", ")}`);
    }
  }
}

export function getPair(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return (map.items as Pair<Node, Node>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
}

/** The value node of `key`, or undefined (a key with an empty value gives a null scalar). */
export function get(map: YAMLMap, key: string): Node | undefined {
  return getPair(map, key)?.value ?? undefined;
}

export function asMap(src: YamlSource, node: Node | undefined, what: string, hint?: string): YAMLMap | null {
  if (node === undefined) return null;
  if (isMap(node)) return node;
  src.error(node, `${what} must be a map of keys to values`, hint);
  return null;
}

export function asList(src: YamlSource, node: Node | undefined, what: string, hint?: string): Node[] | null {
  if (node === undefined) return null;
  if (isSeq(node)) return node.items as Node[];
  src.error(node, `${what} must be a list`, hint);
  return null;
}

export function asString(src: YamlSource, node: Node | undefined, what: string, hint?: string): string | null {
  if (node === undefined) return null;
  if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) return String(node.value);
  src.error(node, `${what} must be a text value`, hint);
  return null;
}

export function asNumber(src: YamlSource, node: Node | undefined, what: string, hint?: string): number | null {
  if (node === undefined) return null;
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "number") {
      src.error(node, `${what} must be a finite number, not ${v}`, hint ?? "write a finite number such as 1 or 2.5e-3");
      return null;
    }
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) && node.type !== Scalar.PLAIN) {
      // Quoted, it is text: "100" and "0x10" are not taken as numbers (README, "Problem files").
      src.error(node, `${what} must be a number, not the text ${JSON.stringify(v)} (it is in quotes)`, `write it without quotes, e.g. ${v.trim()}`);
      return null;
    }
  }
  src.error(node, `${what} must be a number`, hint ?? "write a number such as 1 or 2.5e-3");
  return null;
}

export function asPositiveInt(src: YamlSource, node: Node | undefined, what: string): number | null {
  const v = asNumber(src, node, what, "write a whole number such as 1000");
  if (v === null) return null;
  if (!Number.isInteger(v) || v < 1) {
    src.error(node, `${what} must be a whole number ≥ 1, not ${v}`);
    return null;
  }
  return v;
}

export function asBoolean(src: YamlSource, node: Node | undefined, what: string): boolean | null {
  if (node === undefined) return null;
  if (isScalar(node) && typeof node.value === "boolean") return node.value;
  src.error(node, `${what} must be true or false`);
  return null;
}

export { isMap, isScalar, isSeq, Scalar };
export type { Node, YAMLMap, Pair };

/** Source length of a double-quoted escape starting at `at` (a backslash). */
function escapeLength(text: string, at: number): number {
  switch (text[at + 1]) {
    case "x":
      return 4;
    case "u":
      return 6;
    case "U":
      return 10;
    default:
      return 2;
  }
}

/** What to write instead, for the YAML library's error codes. */
function yamlHint(code: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return "each key may appear once; remove or rename the repeated one";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
    case "MULTILINE_IMPLICIT_KEY":
    case "BLOCK_AS_IMPLICIT_KEY":
      return "check the indentation: keys of one map must start in the same column, and a value on the next line must be indented more than its key; also look for a missing ':' or an unquoted ': ' inside a value";
    default:
      return "check the indentation, colons and quotes on this line and the next one; text containing ': ' or starting with a special character (such as [ { * & ! |) must be quoted";
  }
}
