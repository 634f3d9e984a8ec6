// Scales that keep training well-conditioned when the domain or the solution is far from unit
// size (a nondimensionalisation estimated from the problem itself, never from the exact solution):
//
//  - an output scale U_k per unknown, so that u_k = T_k(x, U_k·N_k): the network learns O(1)
//    values. U_k is the largest of the data given for u_k in conditions (values |g|, and
//    derivative data |g|·ℓ^j), and of each equation's source terms times ℓ^m, where m is the
//    order of the equation's highest derivative of u_k and ℓ_v = (hi − lo)/π is the length over
//    which a first sine mode varies by one radian (so that u'' = f gives U ≈ |f|·ℓ² for
//    f ∝ sin). Without data or sources U_k = 1.
//  - a magnitude per loss term, that its residual is divided by: LHS − RHS evaluated with
//    absolute-value arithmetic, every derivative ∂^α u_k taking its natural size U_k/Π ℓ^α.
//    Terms are then comparable whatever their units, as after nondimensionalising by hand.

import { Rng } from "../engine/random.js";
import * as S from "../expressions/symbolic.js";
import { functionRule } from "../expressions/functions.js";
import type { MultiIndex, Sym } from "../expressions/symbolic.js";
import { evaluatePoints } from "../expressions/evaluate.js";
import type { Problem } from "../problem/types.js";
import type { Location } from "../expressions/resolve.js";
import { simpleConditions } from "../problem/hard-constraints.js";
import { PointSet, interiorLocation } from "./point-sets.js";

const SAMPLE_POINTS = 64;

/** ℓ_v = (hi − lo)/π for each variable. */
function lengths(problem: Problem): number[] {
  return problem.bounds.map(([lo, hi]) => (hi - lo) / Math.PI);
}

/** The expression with every unknown set to zero (what remains are the sources). */
function sourcesOf(s: Sym): Sym {
  return S.substitute(s, (atom) => (atom.kind === "field" ? S.ZERO : undefined));
}

function rms(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v * v;
      n++;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

function maxAbs(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

function samplePoints(problem: Problem, location: Location, rng: Rng): Float64Array {
  return new PointSet(problem.variables.length, problem.domain ?? problem.bounds, location, SAMPLE_POINTS, "sobol", true, rng).next();
}

/** Π_v ℓ_v^{α_v} */
function lengthPower(alpha: MultiIndex, ell: number[]): number {
  return alpha.reduce((p, c, v) => p * ell[v]! ** (c ?? 0), 1);
}

/** U_k for every unknown. */
export function outputScales(problem: Problem): number[] {
  const ell = lengths(problem);
  const dims = problem.variables.length;
  const rng = new Rng(7);
  const scales = problem.unknowns.map(() => 0);
  for (const simple of simpleConditions(problem)) {
    const data = maxAbs(evaluatePoints(simple.data, samplePoints(problem, simple.location, rng.fork()), dims));
    scales[simple.unknown] = Math.max(scales[simple.unknown]!, data * ell[simple.variable]! ** simple.order);
  }
  for (const eq of problem.equations) {
    const source = maxAbs(evaluatePoints(sourcesOf(eq.residual), samplePoints(problem, interiorLocation(dims), rng.fork()), dims));
    if (source === 0) continue;
    const fromSource = scales.map(() => 0);
    for (const k of S.unknownsOf(eq.residual)) {
      const highest = S.fieldAtoms(eq.residual)
        .filter((f) => f.unknown === k)
        .reduce((best, f) => (f.alpha.reduce((a, c) => a + (c ?? 0), 0) > best.alpha.reduce((a, c) => a + (c ?? 0), 0) ? f : best));
      fromSource[k] = source * lengthPower(highest.alpha, ell);
    }
    const revised = balancedBySource(problem, eq.residual, scales, fromSource, source);
    revised.forEach((u, k) => (scales[k] = Math.max(scales[k]!, u)));
  }
  return scales.map((u) => (u > 0 && Number.isFinite(u) ? u : 1));
}

/** Above this ratio of the equation's natural size to its largest source, a source estimate is revised. */
export const SOURCE_BALANCE_LIMIT = 10;

/**
 * The estimate U ≈ |source|·ℓ^m assumes the highest derivative balances the source. When another term
 * grows faster with U (u³ in u_tt − u_xx + u³ = f), the equation's natural size at that U can exceed
 * the source many times over, and dividing the residual by it would hide the equation (issue 10:
 * Klein–Gordon, U = 22.8, size 12,456 for |f| ≈ 250). Then U is scaled down (bisection on a common
 * factor) until the terms' size is twice the largest source: the size of terms that balance it.
 */
function balancedBySource(problem: Problem, residual: Sym, current: readonly number[], fromSource: readonly number[], source: number): number[] {
  const interior = interiorLocation(problem.variables.length);
  const sizeAt = (f: number): number => {
    const output = current.map((u, k) => (fromSource[k]! > 0 ? Math.max(u, f * fromSource[k]!) : u > 0 ? u : 1));
    return termScales(problem, [{ residual, location: interior }], output)[0]!;
  };
  if (!(sizeAt(1) > SOURCE_BALANCE_LIMIT * source)) return [...fromSource];
  let lo = 1e-8;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = Math.sqrt(lo * hi);
    if (sizeAt(mid) > 2 * source) hi = mid;
    else lo = mid;
  }
  return fromSource.map((u) => u * hi);
}

/**
 * The magnitude of each residual (LHS − RHS) on its location: the expression evaluated with
 * absolute-value arithmetic (|a ± b| → |a| + |b|, |a·b| → |a|·|b|, …) and every ∂^α u_k replaced
 * by its natural size U_k / Π_v ℓ_v^{α_v}, then the RMS over sample points. Parts without an
 * unknown (data, sources, coefficients) count with their actual absolute values. No part can
 * cancel another, and the trial forms play no part: this is the size the term has in physical
 * units.
 */
export function termScales(problem: Problem, terms: { residual: Sym; location: Location }[], output: number[]): number[] {
  const ell = lengths(problem);
  const dims = problem.variables.length;
  const rng = new Rng(11);
  return terms.map(({ residual, location }) => {
    const points = samplePoints(problem, location, rng.fork());
    const count = points.length / dims;
    const cache = new Map<number, Float64Array>();
    const mag = (x: Sym): Float64Array => {
      const hit = cache.get(x.id);
      if (hit) return hit;
      let out = new Float64Array(count);
      // A part with no unknown in it is data: its size is its actual value, not a bound.
      if (S.fieldAtoms(x).length === 0) {
        out = evaluatePoints(x, points, dims).map(Math.abs);
        cache.set(x.id, out);
        return out;
      }
      switch (x.kind) {
        case "const":
          out.fill(Math.abs(x.value));
          break;
        case "var":
          for (let n = 0; n < count; n++) out[n] = Math.abs(points[n * dims + x.index]!);
          break;
        case "field":
          out.fill(output[x.unknown]! / lengthPower(x.alpha, ell));
          break;
        case "net":
          out.fill(1);
          break;
        case "param":
          throw new Error("internal: learned parameters are replaced by their values before scaling");
        case "neg":
          out.set(mag(x.a));
          break;
        case "fn": {
          // The magnitude bound of the function table (expressions/functions.ts).
          const args = S.argsOf(x).map(mag);
          const { magnitude } = functionRule(x.name);
          for (let n = 0; n < count; n++) out[n] = magnitude(...args.map((a) => a[n]!));
          break;
        }
        default: {
          const a = mag(x.a);
          const b = mag(x.b);
          for (let n = 0; n < count; n++) {
            const [p, q] = [a[n]!, b[n]!];
            out[n] = x.kind === "add" || x.kind === "sub" ? p + q : x.kind === "mul" ? p * q : x.kind === "div" ? p / q : Math.pow(p, q);
          }
        }
      }
      cache.set(x.id, out);
      return out;
    };
    const size = rms(mag(residual));
    return size > 0 && Number.isFinite(size) ? size : 1;
  });
}
