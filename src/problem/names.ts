// The naming sections of a problem file: name, domain (variables and intervals), unknowns and
// constants. Together they give the Names every expression is resolved against.

import { get, asMap, asList, asString, isScalar, type Node, type YAMLMap } from "./yaml-source.js";
import type { ReaderContext } from "./reader.js";
import { BUILTIN_CONSTANTS, type Names } from "../expressions/resolve.js";
import { FUNCTIONS } from "../expressions/symbolic.js";
import { LIMITS } from "./limits.js";

/** Names a file may not give to a variable, unknown or constant. */
export const RESERVED: ReadonlySet<string> = new Set([...FUNCTIONS, ...BUILTIN_CONSTANTS.keys(), "N", "d"]);
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A domain variable before its interval is evaluated (the interval may use constants). */
export interface VariableName {
  name: string;
  key: Node;
  interval: Node | undefined;
}

export function readName(ctx: ReaderContext, root: YAMLMap): string | null {
  const node = ctx.require(root, "name", "name: my-problem");
  if (node === undefined) return null;
  const name = asString(ctx.src, node, "name");
  if (name === null) return null;
  if (!/^[a-z0-9_-]+$/.test(name)) {
    const slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "my-problem";
    ctx.src.error(node, `name "${name}" may only contain lower-case letters, digits, "_" and "-" (it names the output folder)`, `e.g. name: ${slug}`);
    return null;
  }
  return name;
}

/** The domain's variable names (with their interval nodes), checked but not yet evaluated. */
export function readDomainNames(ctx: ReaderContext, root: YAMLMap): VariableName[] | null {
  const node = ctx.require(root, "domain", "domain:\n  x: [0, 1]");
  const map = asMap(ctx.src, node, "domain", "e.g.\ndomain:\n  x: [0, 1]\n  t: [0, 2]");
  if (map === null) return null;
  const out: VariableName[] = [];
  let ok = true;
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const v = isScalar(keyNode) ? String(keyNode.value) : "";
    if (!IDENTIFIER.test(v) || RESERVED.has(v)) {
      ctx.src.error(keyNode, `"${v}" cannot be a variable name${RESERVED.has(v) ? " (it is a built-in name)" : ""}`, "use a name such as x, y, z or t");
      ok = false;
      continue;
    }
    out.push({ name: v, key: keyNode, interval: pair.value as Node | undefined });
  }
  if (map.items.length === 0) {
    ctx.src.error(node, "the domain is empty: it needs at least one variable with an interval", "e.g.\ndomain:\n  x: [0, 1]");
    return null;
  }
  if (ok && out.length > 3) {
    ctx.src.error(node, `the domain has ${out.length} variables; pinn supports 1 to 3`);
    return null;
  }
  return ok ? out : null;
}

/** Each variable's [min, max]: numbers, or expressions of constants such as 2*pi or L. */
export function readIntervals(ctx: ReaderContext, variables: VariableName[], constants: ReadonlyMap<string, number>): { variables: string[]; bounds: [number, number][] } | null {
  const bounds = variables.map((v) => readInterval(ctx, v.interval, v.name, v.key, constants));
  if (bounds.some((b) => b === null)) return null;
  return { variables: variables.map((v) => v.name), bounds: bounds as [number, number][] };
}

function readInterval(ctx: ReaderContext, node: Node | undefined, v: string, keyNode: Node, constants: ReadonlyMap<string, number>): [number, number] | null {
  const hint = `write ${v}: [min, max] with min < max, e.g. ${v}: [0, 1]`;
  if (node === undefined || isScalar(node)) {
    ctx.src.error(node ?? keyNode, `variable ${v} needs an interval [min, max]`, hint);
    return null;
  }
  const items = asList(ctx.src, node, `the interval of ${v}`, hint);
  if (items === null) return null;
  if (items.length !== 2) {
    ctx.src.error(node, `the interval of ${v} must have two numbers [min, max], it has ${items.length}`, hint);
    return null;
  }
  const lo = ctx.numberOrConstant(items[0]!, `the lower end of ${v}`, constants);
  const hi = ctx.numberOrConstant(items[1]!, `the upper end of ${v}`, constants);
  if (lo === null || hi === null) return null;
  if (!(lo < hi)) {
    ctx.src.error(node, lo === hi ? `the interval of ${v} is empty (${lo} = ${hi})` : `the interval of ${v} is reversed (${lo} > ${hi})`, hint);
    return null;
  }
  const L = LIMITS;
  const scaleHint = `rescale the variable (e.g. measure it in other units) so that its interval lies within ±${L.maxMagnitude} and is at least ${L.minWidth} wide (README, "Limits")`;
  if (Math.max(Math.abs(lo), Math.abs(hi)) > L.maxMagnitude || hi - lo > L.maxMagnitude) {
    ctx.src.error(node, `the interval of ${v}, [${lo}, ${hi}], is too large: pinn supports ends within ±${L.maxMagnitude}`, scaleHint);
    return null;
  }
  if (hi - lo < L.minWidth || hi - lo < L.relWidth * Math.max(Math.abs(lo), Math.abs(hi))) {
    ctx.src.error(node, `the interval of ${v}, [${lo}, ${hi}], is too narrow to sample (width ${hi - lo})`, scaleHint);
    return null;
  }
  return [lo, hi];
}

export function readUnknowns(ctx: ReaderContext, root: YAMLMap, variables: string[]): string[] | null {
  const node = ctx.require(root, "unknowns", "unknowns: [u]");
  if (node === undefined) return null;
  const items = isScalar(node) ? [node] : asList(ctx.src, node, "unknowns", "e.g. unknowns: [u] or unknowns: [u, v]");
  if (items === null) return null;
  const unknowns: string[] = [];
  for (const item of items) {
    const u = asString(ctx.src, item, "an unknown's name");
    if (u === null) return null;
    if (!IDENTIFIER.test(u) || RESERVED.has(u)) {
      ctx.src.error(item, `"${u}" cannot be an unknown's name${RESERVED.has(u) ? " (it is a built-in name)" : ""}`, "use a name such as u, v or p");
      return null;
    }
    if (variables.includes(u)) {
      ctx.src.error(item, `"${u}" is already a domain variable`, "give the unknown a different name");
      return null;
    }
    if (unknowns.includes(u)) {
      ctx.src.error(item, `the unknown "${u}" is listed twice`);
      return null;
    }
    unknowns.push(u);
  }
  if (unknowns.length === 0) {
    ctx.src.error(node, "unknowns is empty", "e.g. unknowns: [u]");
    return null;
  }
  return unknowns;
}

/** constants: name → number or an expression of earlier constants (in file order). */
export function readConstants(ctx: ReaderContext, root: YAMLMap, variables: string[], unknowns: string[]): Map<string, number> {
  const constants = new Map<string, number>();
  const map = asMap(ctx.src, get(root, "constants"), "constants", "e.g.\nconstants:\n  k: 2.5");
  if (map === null) return constants;
  const keyName = (n: unknown): string => (isScalar(n) ? String(n.value) : "");
  const allKeys = new Set(map.items.map((p) => keyName(p.key)));
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const c = keyName(keyNode);
    if (!IDENTIFIER.test(c) || RESERVED.has(c) || variables.includes(c) || unknowns.includes(c)) {
      const why = c === "d" ? " (it is a built-in name: d(u, x) is a derivative)" : c === "N" ? " (it is a built-in name: N is the network's output in trial forms)" : RESERVED.has(c) ? " (it is a built-in name)" : variables.includes(c) ? " (it is a domain variable)" : unknowns.includes(c) ? " (it is an unknown)" : "";
      ctx.src.error(keyNode, `"${c}" cannot be a constant's name${why}`, "choose another name");
      // Its uses are not reported again as undefined ("d" is not defined … go under constants:).
      ctx.failedConstants.add(c);
      continue;
    }
    const value = pair.value as Node | undefined;
    if (value !== undefined && isScalar(value) && typeof value.value === "number") {
      if (ctx.finite(value, value.value, `constant ${c}`) !== null) constants.set(c, value.value);
      else ctx.failedConstants.add(c);
      continue;
    }
    if (value !== undefined && isScalar(value) && typeof value.value === "string") {
      const names: Names = { variables: [], bounds: [], unknowns: [], constants };
      const before = ctx.src.issues.length;
      const sym = ctx.expression(value, names, { kind: "constant" }, (e) => {
        if (e.reason?.kind === "undefined-name" && allKeys.has(e.reason.name) && !constants.has(e.reason.name) && e.reason.name !== c) {
          const name = e.reason.name;
          return { message: `constant ${c} uses ${name}, which is defined below it`, hint: `constants are defined in order: move ${name} above ${c}` };
        }
        return null;
      });
      if (ctx.src.issues.length > before) ctx.failedConstants.add(c);
      if (sym !== null && sym.kind === "const") {
        if (!Number.isFinite(sym.value)) ctx.src.error(value, `constant ${c} evaluates to ${sym.value}`, "constants must be finite numbers");
        else constants.set(c, sym.value);
      }
      continue;
    }
    ctx.src.error(value ?? keyNode, `constant ${c} must be a number or an expression of earlier constants`, `e.g. ${c}: 2.5 or ${c}: "2*pi"`);
  }
  return constants;
}
