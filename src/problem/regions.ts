// The "Regions" part of a problem file (contract, version 2): `shapes`, `region`, and conditions
// "LHS = RHS on NAME" / "on boundary" with the outward normal derivative d(u, n) and the normal's
// components n_x, n_y, n_z.
//
// - shapes: a map of name to "kind(arg, ...)" (kinds and argument names in geometry/shapes.ts);
//   arguments are constant expressions.
// - region: shape names combined by + (union), - (difference), & (intersection) and parentheses;
//   & binds tighter than + and -, which associate to the left ("a - b + c" is "(a - b) + c").
//   Without region, the single shape is the region.
// - The region lies in the spatial variables (the domain's variables other than t, in order) and
//   must lie within their intervals.
// - Conditions on a boundary part, and located conditions in a region: part-conditions.ts.

import { ExpressionError, parseExpression, type Ast } from "../expressions/parser.js";
import { resolve, type Names } from "../expressions/resolve.js";
import { Rng } from "../engine/random.js";
import { Region, type RegionNode } from "../geometry/region.js";
import { SHAPES, ShapeError, type Shape } from "../geometry/shapes.js";
import { BoxDomain, RegionDomain } from "../geometry/domain.js";
import { didYouMean } from "../util/suggest.js";
import { asMap, asString, get, isScalar, type Node, type Scalar, type YAMLMap, type YamlSource } from "./yaml-source.js";
import type { ProblemIssue } from "./errors.js";
import type { Problem } from "./types.js";

/** The region read for a problem file (by its reader context), for the conditions and the problem. */
const regions = new WeakMap<object, RegionDomain>();

/** The region of the file being read, or null for a box (or when the region had errors). */
export function regionOf(ctx: object): RegionDomain | null {
  return regions.get(ctx) ?? null;
}

/** The section reader of `shapes` (phase "names"): reads shapes and region, before the conditions. */
export function readShapesSection(ctx: { src: YamlSource; warnings: ProblemIssue[] }, _node: Node | undefined, state: { root: YAMLMap; names: Names }): void {
  const domain = readRegion(ctx.src, state.root, state.names, ctx.warnings);
  if (domain !== null) regions.set(ctx, domain);
}

/** The section reader of `region` (phase "problem"): the problem's domain, a region or the box. */
export function attachDomain(ctx: { src: YamlSource }, _node: Node | undefined, state: { problem: Problem | null }): void {
  if (state.problem === null) return;
  const region = regionOf(ctx);
  state.problem.domain = region ?? new BoxDomain(state.problem.bounds);
  // Periodicity pairs the two ends of an interval, which a region's boundary is not made of.
  for (const c of state.problem.conditions) {
    if (region !== null && c.kind === "periodic" && region.spatial.includes(c.variable)) {
      ctx.src.errorAt(c.source.position, `${c.source.text}: periodic conditions need a box along ${state.problem.variables[c.variable]}, and this problem has a region`, "remove shapes:/region: (a box domain), or write boundary conditions on the region's parts");
    }
  }
}

/**
 * Indices of the spatial variables: all but t (when the domain has other variables too). By name, as
 * the contract's "Regions" says: shapes are read before the conditions that could mark another
 * variable as time, and problem/time-variable.ts takes only t as time in a problem with a region.
 */
export function spatialVariables(variables: readonly string[]): number[] {
  const all = variables.map((_, i) => i);
  return variables.length > 1 ? all.filter((i) => variables[i] !== "t") : all;
}

const OUTSIDE_TOLERANCE = 1e-9;
/** Monte-Carlo draws used to check that a region is not (nearly) empty. */
const AREA_DRAWS = 20000;
/** Smallest fraction of its bounding box a region may fill (rejection sampling draws 1/fraction points per kept one). */
const MIN_FILL = 1e-3;

/** Sources whose shapes or region had an error (their conditions on parts are not reported again). */
const failed = new WeakSet<YamlSource>();

/** Whether the region of this file had errors (conditions on its parts then add none of their own). */
export function regionFailed(src: YamlSource): boolean {
  return failed.has(src);
}

/** Read `shapes` and `region`; null when the file has neither (the domain is the box) or on an error (reported to src). */
export function readRegion(src: YamlSource, root: YAMLMap, names: Names, warnings: ProblemIssue[]): RegionDomain | null {
  const before = src.issues.length;
  const domain = readRegionKeys(src, root, names, warnings);
  if (domain === null && src.issues.length > before) failed.add(src);
  return domain;
}

function readRegionKeys(src: YamlSource, root: YAMLMap, names: Names, warnings: ProblemIssue[]): RegionDomain | null {
  const shapesNode = get(root, "shapes");
  const regionNode = get(root, "region");
  if (shapesNode === undefined) {
    if (regionNode !== undefined) src.error(regionNode, "region combines shapes, but the file has no shapes", 'define them under shapes:, e.g.\nshapes:\n  plate: "rectangle(0, 0, 1, 1)"\n  hole: "disk(0.5, 0.5, 0.2)"\nregion: "plate - hole"');
    return null;
  }
  const map = asMap(src, shapesNode, "shapes", 'e.g.\nshapes:\n  plate: "rectangle(0, 0, 1, 1)"');
  if (map === null) return null;
  const spatial = spatialVariables(names.variables);
  const errorsBefore = src.issues.length;
  const shapes = new Map<string, { shape: Shape; node: Node }>();
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const name = isScalar(keyNode) ? String(keyNode.value) : "";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === "boundary" || names.variables.includes(name) || names.unknowns.includes(name)) {
      src.error(keyNode, `"${name}" cannot be a shape's name${name === "boundary" ? ' ("boundary" means the whole boundary in conditions)' : ""}`, "use a name such as plate, hole or inlet");
      continue;
    }
    const shape = readShape(src, pair.value as Node | undefined, keyNode, name, names, spatial.length);
    if (shape !== null) shapes.set(name, { shape, node: pair.value as Node });
  }
  if (map.items.length === 0) {
    src.error(shapesNode, "shapes is empty", 'e.g.\nshapes:\n  plate: "rectangle(0, 0, 1, 1)"');
    return null;
  }
  if (src.issues.length > errorsBefore) return null;

  let root2: RegionNode;
  let where: Node = regionNode ?? shapesNode;
  if (regionNode === undefined) {
    if (shapes.size !== 1) {
      src.error(shapesNode, `there are ${shapes.size} shapes but no region saying how to combine them`, `add e.g. region: "${[...shapes.keys()].join(" - ")}" (+ union, - difference, & intersection)`);
      return null;
    }
    const [name, { shape }] = [...shapes][0]!;
    root2 = { kind: "shape", name, shape };
  } else {
    const text = asString(src, regionNode, "region", 'e.g. region: "plate - hole"');
    if (text === null) return null;
    try {
      root2 = parseRegion(text, shapes);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      src.errorAt(src.valuePosition(regionNode as Scalar, e.span.start), e.message, e.hint ?? "combine shape names with + (union), - (difference), & (intersection) and parentheses");
      return null;
    }
    where = regionNode;
  }
  const region = new Region(root2);
  const unused = [...shapes.keys()].filter((n) => !region.shapes.has(n));
  for (const n of unused) warnings.push({ message: `shape ${n} is defined but not used in region`, position: src.positionOf(shapes.get(n)!.node), hint: "remove it, or combine it into region:" });

  // The region must lie within the spatial intervals (they are its bounding box).
  for (let j = 0; j < spatial.length; j++) {
    const v = names.variables[spatial[j]!]!;
    const [lo, hi] = names.bounds[spatial[j]!]!;
    const tol = OUTSIDE_TOLERANCE * Math.max(1, hi - lo);
    const [rlo, rhi] = [region.bbox.lo[j]!, region.bbox.hi[j]!];
    if (rlo < lo - tol || rhi > hi + tol) {
      src.error(where, `the region leaves the domain's interval ${v} ∈ [${lo}, ${hi}]: it reaches ${v} = ${rlo < lo - tol ? rlo : rhi}`, `the intervals under domain: must contain the region; widen ${v} to at least [${Math.min(lo, rlo)}, ${Math.max(hi, rhi)}]`);
      return null;
    }
  }
  const fill = fillFraction(region);
  if (fill === 0) {
    src.error(where, "the region is empty (no point of its bounding box lies in it)", "check the shapes and the operators: a - b removes b from a, a & b keeps what they share");
    return null;
  }
  if (fill < MIN_FILL) {
    src.error(where, `the region fills only ${(fill * 100).toPrecision(2)}% of its bounding box, too little to sample`, "check the shapes' sizes");
    return null;
  }
  return new RegionDomain(names.bounds, spatial, region);
}

function fillFraction(region: Region): number {
  const rng = new Rng(12345);
  const p = new Float64Array(region.dim);
  let inside = 0;
  for (let k = 0; k < AREA_DRAWS; k++) {
    for (let i = 0; i < region.dim; i++) p[i] = region.bbox.lo[i]! + rng.uniform() * (region.bbox.hi[i]! - region.bbox.lo[i]!);
    if (region.contains(p)) inside++;
  }
  return inside / AREA_DRAWS;
}

function readShape(src: YamlSource, node: Node | undefined, keyNode: Node, name: string, names: Names, spatialDims: number): Shape | null {
  const kinds = Object.keys(SHAPES);
  const example = `e.g. ${name}: "disk(0, 0, 1)"; shapes: ${kinds.map((k) => `${k}(${SHAPES[k]!.args.join(", ")})`).join(", ")}`;
  if (node === undefined || !isScalar(node) || typeof node.value !== "string") {
    src.error(node ?? keyNode, `shape ${name} must be written as text "kind(arguments)"`, example);
    return null;
  }
  const text = node.value;
  let ast: Ast;
  try {
    ast = parseExpression(text);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    src.errorAt(src.valuePosition(node as Scalar, e.span.start), e.message, e.hint ?? example);
    return null;
  }
  if (ast.kind !== "call" || ast.callee.kind !== "name") {
    src.error(node, `shape ${name} must be a shape kind with its arguments, like "disk(0, 0, 1)"`, example);
    return null;
  }
  const kind = ast.callee.name;
  const spec = SHAPES[kind];
  if (spec === undefined) {
    src.errorAt(src.valuePosition(node as Scalar, ast.callee.span.start), `"${kind}" is not a shape${didYouMean(kind, kinds)}`, `shapes: ${kinds.join(", ")}`);
    return null;
  }
  if (spec.dim !== spatialDims) {
    const others = kinds.filter((k) => SHAPES[k]!.dim === spatialDims);
    const spatial = spatialNames(names);
    // One variable too many and none named t: most likely a time variable under another name (time, tau, s).
    const timeHint = spec.dim === spatialDims - 1 && !names.variables.includes("t") ? `; or, if one of ${spatial.join(", ")} is time, name it t (a region lies in the domain's variables other than t)` : "";
    src.error(node, `${kind} is a ${spec.dim}-D shape, but the domain has ${spatialDims} spatial variable${spatialDims === 1 ? "" : "s"} (${spatial.join(", ")})`, (others.length > 0 ? `${spatialDims}-D shapes: ${others.join(", ")}` : "regions need 2 or 3 spatial variables (besides t)") + timeHint);
    return null;
  }
  const n = ast.args.length;
  const expected = spec.minArgs === undefined ? `${spec.args.length}` : `at least ${spec.minArgs}`;
  if (spec.minArgs === undefined ? n !== spec.args.length : n < spec.minArgs) {
    src.error(node, `${kind}(...) takes ${expected} arguments (${spec.args.join(", ")}), got ${n}`, `e.g. ${kind}(${spec.args.join(", ")})`);
    return null;
  }
  const values: number[] = [];
  const constants: Names = { variables: [], bounds: [], unknowns: [], constants: names.constants };
  for (const arg of ast.args) {
    try {
      const sym = resolve(arg, constants, { kind: "constant" }).sym;
      if (sym.kind !== "const") throw new ExpressionError("a shape's arguments must be numbers or constant expressions", arg.span);
      values.push(sym.value);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      src.errorAt(src.valuePosition(node as Scalar, e.span.start), e.message, e.hint ?? "shape arguments are numbers or expressions of constants");
      return null;
    }
  }
  try {
    return spec.make(values);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    src.error(node, `shape ${name}: ${e.message}`, e.hint);
    return null;
  }
}

function spatialNames(names: Names): string[] {
  return spatialVariables(names.variables).map((i) => names.variables[i]!);
}

/** Parse "a - (b + c) & d" over the defined shape names; errors carry the offending span. */
export function parseRegion(text: string, shapes: ReadonlyMap<string, { shape: Shape }>): RegionNode {
  const tokens: { t: string; start: number; end: number }[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([-+&()]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) {
      const start = at + (text.slice(at).length - text.slice(at).trimStart().length);
      throw new ExpressionError(`unexpected "${text[start]}" in region`, { start, end: start + 1 }, "a region combines shape names with + (union), - (difference), & (intersection) and parentheses");
    }
    const t = m[1] ?? m[2]!;
    tokens.push({ t, start: re.lastIndex - t.length, end: re.lastIndex });
    at = re.lastIndex;
  }
  let i = 0;
  const end = { t: "", start: text.length, end: text.length };
  const peek = (): { t: string; start: number; end: number } => tokens[i] ?? end;
  const expr = (): RegionNode => {
    let left = term();
    while (peek().t === "+" || peek().t === "-") {
      const op = tokens[i++]!.t;
      left = { kind: op === "+" ? "union" : "difference", left, right: term() };
    }
    return left;
  };
  const term = (): RegionNode => {
    let left = atom();
    while (peek().t === "&") {
      i++;
      left = { kind: "intersection", left, right: atom() };
    }
    return left;
  };
  const atom = (): RegionNode => {
    const tok = peek();
    if (tok.t === "(") {
      i++;
      const inner = expr();
      if (peek().t !== ")") throw new ExpressionError('missing ")"', { start: peek().start, end: peek().end }, "close every ( with a )");
      i++;
      return inner;
    }
    if (/^[A-Za-z_]/.test(tok.t)) {
      i++;
      const found = shapes.get(tok.t);
      if (found === undefined) {
        throw new ExpressionError(`"${tok.t}" is not a shape${didYouMean(tok.t, [...shapes.keys()])}`, { start: tok.start, end: tok.end }, `shapes: ${[...shapes.keys()].join(", ")}`);
      }
      return { kind: "shape", name: tok.t, shape: found.shape };
    }
    throw new ExpressionError(tok.t === "" ? "the region ends too early: a shape name is missing" : `expected a shape name, found "${tok.t}"`, { start: tok.start, end: Math.max(tok.end, tok.start + 1) }, `shapes: ${[...shapes.keys()].join(", ")}`);
  };
  const node = expr();
  if (i < tokens.length) {
    const tok = tokens[i]!;
    throw new ExpressionError(`unexpected "${tok.t}" in region`, { start: tok.start, end: tok.end }, "combine shapes with +, - or &");
  }
  return node;
}
