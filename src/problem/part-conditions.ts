// Conditions in a region problem (contract, version 2, "Regions"): "LHS = RHS on NAME" / "on
// boundary" with the outward normal derivative d(u, n) and the normal's components n_x, n_y, n_z,
// and the check that a located condition (u(0, y) = …) meets the region. The region itself is read
// in regions.ts.
//
// A condition on a boundary part is resolved like an equation (unknowns at the point), with the
// normal's components as extra per-point values: in the condition's symbolic form n_<v> is the
// attribute variable j of the j-th spatial variable v (residual/fields.ts: attributeVariable, the
// resolver sees the names n_<v> after the domain's variables), and d(u, n) is expanded to
// Σ_j n_j ∂u/∂v_j. The points of a boundary part carry those normals.

import { ExpressionError, parseEquation, type Ast } from "../expressions/parser.js";
import { resolveEquation, type Names } from "../expressions/resolve.js";
import * as S from "../expressions/symbolic.js";
import { Rng } from "../engine/random.js";
import type { Domain, Placement } from "../geometry/domain.js";
import { didYouMean } from "../util/suggest.js";
import type { Node, Scalar, YamlSource } from "./yaml-source.js";
import type { PartCondition, Source } from "./types.js";
import { regionFailed } from "./regions.js";

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
    if (regionFailed(src)) return null;
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
