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
// - A condition on a boundary part is resolved like an equation (unknowns at the point), with the
//   normal's components as extra per-point values: in the condition's symbolic form n_<v> is the
//   attribute variable j of the j-th spatial variable v (residual/fields.ts: attributeVariable,
//   the resolver sees the names n_<v> after the domain's variables), and d(u, n) is expanded
//   to Σ_j n_j ∂u/∂v_j. The points of a boundary part carry those normals.

import { ExpressionError, parseEquation, parseExpression, type Ast } from "../expressions/parser.js";
import { resolve, resolveEquation, type Names } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import { Region, type RegionNode } from "../geometry/region.js";
import { SHAPES, ShapeError, type Shape } from "../geometry/shapes.js";
import { BoxDomain, RegionDomain, type Domain, type Placement } from "../geometry/domain.js";
import { didYouMean } from "../util/suggest.js";
import { asMap, asString, get, isScalar, type Node, type Scalar, type YAMLMap, type YamlSource } from "./yaml-source.js";
import type { ProblemIssue } from "./errors.js";
import type { PartCondition, Problem, Source } from "./types.js";

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

/** Indices of the spatial variables: all but t (when the domain has other variables too). */
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
    src.error(node, `${kind} is a ${spec.dim}-D shape, but the domain has ${spatialDims} spatial variable${spatialDims === 1 ? "" : "s"} (${spatialNames(names).join(", ")})`, others.length > 0 ? `${spatialDims}-D shapes: ${others.join(", ")}` : "regions need 2 or 3 spatial variables (besides t)");
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

const ON = /^(.*\S)\s+on\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/s;

/** The condition text and the part name of "LHS = RHS on NAME", or null for other conditions. */
export function splitOn(text: string): { equation: string; part: string } | null {
  const m = ON.exec(text);
  return m === null ? null : { equation: m[1]!, part: m[2]! };
}

/**
 * Read a condition "LHS = RHS on NAME" (the caller has split it with splitOn). Errors go to src,
 * located in the condition's text; null when the condition has an error.
 */
export function readPartCondition(
  src: YamlSource,
  node: Node,
  split: { equation: string; part: string },
  names: Names,
  domain: Domain | null,
  weight: number,
  points: number | undefined,
  source: Source,
): PartCondition | null {
  const scalar = node as Scalar;
  const partStart = String(scalar.value).lastIndexOf(split.part);
  const partPosition = src.valuePosition(scalar, partStart);
  if (domain === null || domain.region === null) {
    if (failed.has(src)) return null;
    src.errorAt(partPosition, `"on ${split.part}" needs a region, and this problem's domain is a box`, 'define shapes: (and region:) to use boundary parts; on a box, write the side as a location, e.g. u(0, y) = 0');
    return null;
  }
  const part = split.part === "boundary" ? null : split.part;
  if (part !== null && !domain.region.shapes.has(part)) {
    src.errorAt(partPosition, `"${part}" is not a shape of the region${didYouMean(part, [...domain.region.parts, "boundary"])}`, `boundary parts: ${[...domain.region.parts, "boundary"].join(", ")} ("boundary" is all of it)`);
    return null;
  }
  if (domain.region.acceptance(part, new Rng(7)) === 0) {
    src.errorAt(partPosition, `the boundary part "${split.part}" is empty: no point of ${part ?? "the shapes'"} boundary lies on the region's boundary`, "a shape entirely inside another that is added to it, or entirely outside one it is intersected with, has no boundary part; remove the condition or change the region");
    return null;
  }
  const dims = names.variables.length;
  const spatial = domain.spatial;
  const normalNames = spatial.map((v) => `n_${names.variables[v]}`);
  const extended: Names = { ...names, variables: [...names.variables, ...normalNames], bounds: [...names.bounds, ...spatial.map((): [number, number] => [-1, 1])] };
  try {
    const { lhs, rhs } = parseEquation(split.equation);
    const rewrite = (ast: Ast): Ast => rewritePartAst(ast, names, spatial);
    const r = resolveEquation(rewrite(lhs), rewrite(rhs), extended, { kind: "equation" });
    if (r.firstFieldSpan === undefined) throw new ExpressionError("this condition does not involve any unknown", { start: 0, end: split.equation.length }, `e.g. ${names.unknowns[0]} = 0 on ${split.part}`);
    for (const f of S.fieldAtoms(r.sym)) {
      if (f.alpha.length > dims) throw new ExpressionError("derivatives are taken with respect to domain variables or the normal n (d(u, n)), not a normal's component", { start: 0, end: split.equation.length });
    }
    return { kind: "part", source, residual: r.sym, lhs: r.lhs, rhs: r.rhs, part, weight, points };
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    src.errorAt(src.valuePosition(scalar, e.span.start), e.message, e.hint ?? "a condition on a boundary part is written like an equation (u, u_x, d(u, n), n_x, n_y), then: on NAME");
    return null;
  }
}

/**
 * Spell a condition on a boundary part in terms the resolver knows when the normal's components are
 * extra variables: u_xy → d(u, x, y) (the u_x spelling needs one-letter variable names, which the
 * extra names n_x are not), and d(u, n) → n_x·d(u, x) + n_y·d(u, y) (+ n_z·d(u, z)).
 */
function rewritePartAst(ast: Ast, names: Names, spatial: readonly number[]): Ast {
  const rec = (a: Ast): Ast => rewritePartAst(a, names, spatial);
  switch (ast.kind) {
    case "number":
      return ast;
    case "unary":
      return { ...ast, arg: rec(ast.arg) };
    case "binary":
      return { ...ast, left: rec(ast.left), right: rec(ast.right) };
    case "name": {
      const oneLetter = names.variables.every((v) => v.length === 1);
      for (let at = ast.name.indexOf("_"); oneLetter && at > 0; at = ast.name.indexOf("_", at + 1)) {
        const base = ast.name.slice(0, at);
        const letters = ast.name.slice(at + 1);
        if (!names.unknowns.includes(base) || letters.length === 0 || ast.primes > 0) continue;
        const span = ast.span;
        return {
          kind: "call",
          callee: { kind: "name", name: "d", primes: 0, span },
          args: [{ kind: "name", name: base, primes: 0, span }, ...[...letters].map((ch): Ast => ({ kind: "name", name: ch, primes: 0, span }))],
          span,
        };
      }
      return ast;
    }
    case "call": {
      const { callee } = ast;
      const isD = callee.kind === "name" && callee.name === "d" && callee.primes === 0;
      if (isD && ast.args.some((a) => a.kind === "name" && a.name === "n")) {
        const [target, ...rest] = ast.args;
        if (target === undefined || rest.length !== 1) {
          throw new ExpressionError("only the first normal derivative d(u, n) is available", ast.span, "write d(u, n); for higher derivatives combine d(u, x, ...) with n_x, n_y");
        }
        const span = ast.span;
        const terms = spatial.map((v): Ast => ({
          kind: "binary",
          op: "*",
          left: { kind: "name", name: `n_${names.variables[v]}`, primes: 0, span },
          right: { kind: "call", callee, args: [rec(target), { kind: "name", name: names.variables[v]!, primes: 0, span }], span },
          span,
        }));
        return terms.reduce((a, b) => ({ kind: "binary", op: "+", left: a, right: b, span }));
      }
      return { ...ast, callee: isD ? callee : rec(callee), args: ast.args.map(rec) };
    }
  }
}

/**
 * A located condition in a region problem (u(0, y) = ..., u(x, y, 0) = ...) holds over the region at
 * that location, so its set must meet the region. Reports an error and returns false when it does not.
 */
export function checkLocatedCondition(src: YamlSource, node: Node, placement: Placement, names: Names, domain: Domain | null): boolean {
  if (domain === null || domain.region === null) return true;
  let meets: boolean;
  if (domain.spatial.some((i) => placement[i]!.free)) {
    try {
      domain.sampler(placement, 16, "random", new Rng(3)).next();
      meets = true;
    } catch {
      meets = false;
    }
  } else {
    const p = placement.map((l, i) => (l.free ? (names.bounds[i]![0] + names.bounds[i]![1]) / 2 : l.value));
    meets = domain.contains(p);
  }
  if (!meets) {
    const at = placement.map((l, i) => (l.free ? names.variables[i] : `${names.variables[i]} = ${l.value}`)).join(", ");
    src.error(node, `this condition's location (${at}) does not meet the region`, "a located condition holds over the region at that location; move the location into the region, or use a condition on a boundary part: \"... on NAME\"");
  }
  return meets;
}
