// The expression sections of a problem file: equations, conditions (located and periodic), trial
// forms and exact solutions, and the check that every unknown is determined by some equation.

import { checkKeys, get, asMap, asList, asString, asNumber, isScalar, isMap, Scalar, type Node, type YAMLMap } from "./yaml-source.js";
import type { ReaderContext } from "./reader.js";
import type { Equation, Condition, Source } from "./types.js";
import { ExpressionError, parseEquation } from "../expressions/parser.js";
import { unitRephrase } from "./units.js";
import { resolveEquation, type Names, type Context } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { didYouMean } from "../util/suggest.js";
import { regionOf } from "./regions.js";
import { splitOn, readPartCondition, checkLocatedCondition } from "./part-conditions.js";
import { LIMITS, atMost, boundedCount } from "./limits.js";

const EQUATION_ITEM_KEYS = ["equation", "weight"];
const CONDITION_ITEM_KEYS = ["equation", "weight", "points"];
const PERIODIC_ITEM_KEYS = ["periodic", "weight", "points"];

interface ItemSpec {
  node: Node;
  weight: number;
  points?: number;
  map?: YAMLMap;
}

/** An equation or condition item: a text "LHS = RHS", or a map {equation, weight, points}. */
function equationItem(ctx: ReaderContext, item: Node, allowed: string[], what: string): ItemSpec | null {
  if (isScalar(item)) return { node: item, weight: 1 };
  if (!isMap(item)) {
    ctx.src.error(item, `each ${what} must be a text "LHS = RHS" or a map with an "equation" key`);
    return null;
  }
  const node = get(item, "equation");
  const keys = item.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""));
  if (node === undefined && keys.length === 1 && keys[0]!.includes("=")) {
    ctx.src.error(item, `this ${what} contains ": ", so YAML read it as a key`, `put the ${what} in quotes, e.g. - "${keys[0]}: ..."`);
    return null;
  }
  checkKeys(ctx.src, item, allowed, `${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`);
  if (node === undefined) {
    ctx.src.error(item, `this ${what} has no "equation" key`, 'e.g. - {equation: "u(0) = 1", weight: 10}');
    return null;
  }
  const weight = readWeight(ctx, item);
  const points = allowed.includes("points") && get(item, "points") !== undefined ? boundedCount(ctx, get(item, "points"), "points", LIMITS.maxPoints) ?? undefined : undefined;
  return { node, weight, points, map: item };
}

function readWeight(ctx: ReaderContext, map: YAMLMap): number {
  const node = get(map, "weight");
  if (node === undefined) return 1;
  const w = asNumber(ctx.src, node, "weight", "a positive number such as 10");
  if (w === null) return 1;
  if (!(w > 0)) {
    ctx.src.error(node, `weight must be positive, not ${w}`);
    return 1;
  }
  return w;
}

function parseEquationText(ctx: ReaderContext, node: Node, names: Names, context: Context): ReturnType<typeof resolveEquation> | null {
  const text = ctx.scalarText(node, "an equation");
  if (text === null) return null;
  try {
    const { lhs, rhs } = parseEquation(text);
    return resolveEquation(lhs, rhs, names, context);
  } catch (e) {
    const unit = e instanceof ExpressionError ? unitRephrase(e, text, names) : null;
    ctx.reportExpressionError(unit ? new ExpressionError(unit.message, (e as ExpressionError).span, unit.hint, (e as ExpressionError).reason) : e, node as Scalar);
    return null;
  }
}

export function readEquations(ctx: ReaderContext, root: YAMLMap, names: Names): Equation[] | null {
  const node = ctx.require(root, "equations", 'equations:\n  - "u\' = 2*x"');
  if (node === undefined) return null;
  const items = asList(ctx.src, node, "equations", 'e.g.\nequations:\n  - "u\'\' + u = 0"');
  if (items === null) return null;
  if (items.length === 0) {
    ctx.src.error(node, "equations is empty", 'add at least one, e.g. - "u\' = 2*x"');
    return null;
  }
  if (!atMost(ctx, node, items.length, LIMITS.maxEquations, "the number of equations")) return null;
  const out: Equation[] = [];
  for (const item of items) {
    const spec = equationItem(ctx, item, EQUATION_ITEM_KEYS, "equation");
    if (spec === null) continue;
    const r = parseEquationText(ctx, spec.node, names, { kind: "equation" });
    if (r === null) continue;
    if (r.firstFieldSpan === undefined) {
      ctx.src.error(spec.node, "this equation does not involve any unknown", `unknowns: ${names.unknowns.join(", ")}`);
      continue;
    }
    out.push({ source: ctx.source(spec.node), residual: r.sym, lhs: r.lhs, rhs: r.rhs, weight: spec.weight });
  }
  return out;
}

export function readConditions(ctx: ReaderContext, root: YAMLMap, names: Names): Condition[] {
  const items = asList(ctx.src, get(root, "conditions"), "conditions", 'e.g.\nconditions:\n  - "u(0) = 1"');
  if (items === null) return [];
  if (!atMost(ctx, get(root, "conditions"), items.length, LIMITS.maxConditions, "the number of conditions")) return [];
  const out: Condition[] = [];
  for (const item of items) {
    if (isMap(item) && get(item, "periodic") !== undefined) {
      checkKeys(ctx.src, item, PERIODIC_ITEM_KEYS, "a periodic condition");
      const vNode = get(item, "periodic")!;
      const v = asString(ctx.src, vNode, "periodic");
      if (v === null) continue;
      const index = names.variables.indexOf(v);
      if (index < 0) {
        ctx.src.error(vNode, `periodic: "${v}" is not a domain variable${didYouMean(v, names.variables)}`, `domain variables: ${names.variables.join(", ")}`);
        continue;
      }
      const points = get(item, "points") !== undefined ? boundedCount(ctx, get(item, "points"), "points", LIMITS.maxPoints) ?? undefined : undefined;
      out.push({ kind: "periodic", source: { text: `periodic: ${v}`, position: ctx.src.positionOf(item) }, variable: index, weight: readWeight(ctx, item), points });
      continue;
    }
    const spec = equationItem(ctx, item, CONDITION_ITEM_KEYS, "condition");
    if (spec === null) continue;
    const on = isScalar(spec.node) && typeof spec.node.value === "string" ? splitOn(spec.node.value) : null;
    if (on !== null) {
      // "LHS = RHS on NAME": a condition on a boundary part of the region (regions.ts).
      const c = readPartCondition(ctx.src, spec.node, on, names, regionOf(ctx), spec.weight, spec.points, ctx.source(spec.node));
      if (c !== null) out.push(c);
      continue;
    }
    const r = parseEquationText(ctx, spec.node, names, { kind: "condition" });
    if (r === null) continue;
    if (r.location === undefined) {
      ctx.src.error(spec.node, "this condition does not involve any unknown", `a condition says where an unknown takes a value, e.g. ${names.unknowns[0]}(${names.variables.map((v, i) => (i === 0 ? "0" : v)).join(", ")}) = 0`);
      continue;
    }
    if (r.location.every((l) => l.free)) {
      const position = r.firstFieldSpan ? ctx.src.valuePosition(spec.node as Scalar, r.firstFieldSpan.start) : ctx.src.positionOf(spec.node);
      ctx.src.errorAt(position, "this condition has no fixed argument, so it would hold everywhere (that is an equation)", `fix at least one variable, e.g. ${names.unknowns[0]}(${names.variables.map((v, i) => (i === 0 ? String(names.bounds[0]![0]) : v)).join(", ")}); or move it to equations:`);
      continue;
    }
    if (!checkLocatedCondition(ctx.src, spec.node, r.location, names, regionOf(ctx))) continue;
    out.push({ kind: "point", source: ctx.source(spec.node), residual: r.sym, lhs: r.lhs, rhs: r.rhs, location: r.location, weight: spec.weight, points: spec.points });
  }
  return out;
}

/** trial: or exact: — one expression per unknown (null where the file gives none). */
export function readPerUnknown(ctx: ReaderContext, root: YAMLMap, key: "trial" | "exact", names: Names): ({ sym: Sym; source: Source } | null)[] {
  const context = (k: number): Context => (key === "trial" ? { kind: "trial", output: k } : { kind: "exact" });
  const out: ({ sym: Sym; source: Source } | null)[] = names.unknowns.map(() => null);
  const example = key === "trial" ? `e.g.\ntrial:\n  ${names.unknowns[0]}: "1 + x*N"` : `e.g.\nexact:\n  ${names.unknowns[0]}: "sin(pi*x)"`;
  const map = asMap(ctx.src, get(root, key), key, example);
  if (map === null) return out;
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const u = isScalar(keyNode) ? String(keyNode.value) : "";
    const k = names.unknowns.indexOf(u);
    if (k < 0) {
      ctx.src.error(keyNode, `"${u}" under ${key} is not an unknown${didYouMean(u, names.unknowns)}`, `unknowns: ${names.unknowns.join(", ")}`);
      continue;
    }
    const value = pair.value as Node | undefined;
    if (value === undefined || (isScalar(value) && value.value === null)) {
      ctx.src.error(keyNode, `${key} for ${u} is empty`, example);
      continue;
    }
    const sym = ctx.expression(value, names, context(k));
    if (sym === null) continue;
    if (key === "trial" && !S.mentionsNetwork(sym)) {
      ctx.src.error(value, `the trial form for ${u} does not use N, so the network could not change it`, `e.g. ${u}: "1 + x*N"`);
      continue;
    }
    out[k] = { sym, source: ctx.source(value) };
  }
  return out;
}

/**
 * Unknowns that no equation involves cannot be determined; fewer equations than unknowns is suspicious,
 * unless the file has data, which can determine an unknown field (DeepXDE's reaction rate k(x) from
 * values of u: one equation, two unknowns): then the warning says what must hold instead.
 */
export function checkUnknownsUsed(ctx: ReaderContext, equations: Equation[], names: Names, unknownsNode: Node | undefined, hasData = false): void {
  const used = new Set<number>();
  for (const e of equations) for (const k of S.unknownsOf(e.residual)) used.add(k);
  names.unknowns.forEach((u, k) => {
    if (!used.has(k)) {
      ctx.src.error(unknownsNode, `the unknown "${u}" appears in no equation, so nothing determines it`, `add an equation for ${u}, or remove it from unknowns`);
    }
  });
  if (used.size === names.unknowns.length && equations.length < names.unknowns.length) {
    const counts = `${names.unknowns.length} unknowns but ${equations.length} equation${equations.length === 1 ? "" : "s"}`;
    ctx.warnings.push(
      hasData
        ? {
            message: `${counts}: the equations alone do not determine the unknowns; only the data can`,
            position: ctx.src.positionOf(unknownsNode),
            hint: "this is an inverse problem for an unknown field: trust the result only where the data constrain it (an ensemble shows the spread)",
          }
        : {
            message: `${counts}: the problem is probably under-determined`,
            position: ctx.src.positionOf(unknownsNode),
            hint: "a system usually needs one equation per unknown",
          },
    );
  }
}
