// Elementwise numeric kernels over Float64Array, with NumPy broadcasting.
//
// Each kernel is generated once from a scalar expression (`x`, `y`, and a scalar parameter `p`)
// so that the inner loops are monomorphic and free of per-element closure calls. The expressions
// are the engine ops' own fixed source text (engine/ops/), never data; a scalar parameter is
// passed at run time as `p`.

import type { Shape } from "../shape.js";
import { compileKernel } from "./js-source.js";

export type UnaryKernel = (a: Float64Array, out: Float64Array, p: number) => void;
export type StridedBinaryKernel = (
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  shape: Shape,
  stridesA: readonly number[],
  stridesB: readonly number[],
) => void;

/** One expression's kernels: over a broadcast shape, and over operands of the same shape (no index bookkeeping). */
export interface BinaryKernel {
  /** The expression over x and y. */
  readonly expr: string;
  readonly strided: StridedBinaryKernel;
  readonly same: (a: Float64Array, b: Float64Array, out: Float64Array) => void;
  /** b (or a, with `aRepeated`) one row of n values repeated over every row of the other: a bias. */
  readonly rows: (a: Float64Array, b: Float64Array, out: Float64Array, n: number, aRepeated: boolean) => void;
}

/** Build `out[i] = expr(x = a[i], p)`. */
export function unaryKernel(expr: string, helpers: Record<string, unknown> = {}): UnaryKernel {
  const body = `
      const n = out.length;
      for (let i = 0; i < n; i++) { const x = a[i]; out[i] = ${expr}; }`;
  return compileKernel<UnaryKernel>("unary", ["a", "out", "p"], body, helpers);
}

/** Build `out[...] = expr(x = a[...], y = b[...])` over a broadcast shape, and over equal shapes. */
export function binaryKernel(expr: string): BinaryKernel {
  const body = `
      const r = shape.length;
      if (r === 0) { const x = a[0], y = b[0]; out[0] = ${expr}; return; }
      const n = shape[r - 1], da = sA[r - 1], db = sB[r - 1];
      const total = out.length;
      if (r === 1) {
        if (da === 1 && db === 1) { for (let i = 0; i < n; i++) { const x = a[i], y = b[i]; out[i] = ${expr}; } return; }
        if (da === 1 && db === 0) { const y = b[0]; for (let i = 0; i < n; i++) { const x = a[i]; out[i] = ${expr}; } return; }
        if (da === 0 && db === 1) { const x = a[0]; for (let i = 0; i < n; i++) { const y = b[i]; out[i] = ${expr}; } return; }
      }
      const idx = new Array(r).fill(0);
      let ia = 0, ib = 0;
      for (let o = 0; o < total; o += n) {
        let ja = ia, jb = ib;
        for (let i = 0; i < n; i++) { const x = a[ja], y = b[jb]; out[o + i] = ${expr}; ja += da; jb += db; }
        for (let k = r - 2; k >= 0; k--) {
          ia += sA[k]; ib += sB[k];
          if (++idx[k] < shape[k]) break;
          ia -= sA[k] * shape[k]; ib -= sB[k] * shape[k]; idx[k] = 0;
        }
      }`;
  const same = `
      const n = out.length;
      for (let i = 0; i < n; i++) { const x = a[i], y = b[i]; out[i] = ${expr}; }`;
  const rows = `
      const total = out.length;
      if (aRepeated) {
        for (let o = 0; o < total; o += n) for (let i = 0; i < n; i++) { const x = a[i], y = b[o + i]; out[o + i] = ${expr}; }
      } else {
        for (let o = 0; o < total; o += n) for (let i = 0; i < n; i++) { const x = a[o + i], y = b[i]; out[o + i] = ${expr}; }
      }`;
  return {
    expr,
    rows: compileKernel<BinaryKernel["rows"]>("binary-rows", ["a", "b", "out", "n", "aRepeated"], rows),
    strided: compileKernel<StridedBinaryKernel>("binary", ["a", "b", "out", "shape", "sA", "sB"], body),
    same: compileKernel<BinaryKernel["same"]>("binary-same", ["a", "b", "out"], same),
  };
}

/**
 * Merge adjacent axes that are contiguous for both operands, so that broadcasting loops run over
 * as few, as long, axes as possible (e.g. same-shape operands collapse to one axis).
 */
export function collapseAxes(
  shape: Shape,
  sa: readonly number[],
  sb: readonly number[],
): { shape: number[]; sa: number[]; sb: number[] } {
  const outShape: number[] = [];
  const outA: number[] = [];
  const outB: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue; // unit axes never move the index
    const last = outShape.length - 1;
    if (last >= 0 && outA[last] === sa[i]! * d && outB[last] === sb[i]! * d) {
      outShape[last]! *= d;
      outA[last] = sa[i]!;
      outB[last] = sb[i]!;
    } else {
      outShape.push(d);
      outA.push(sa[i]!);
      outB.push(sb[i]!);
    }
  }
  return { shape: outShape, sa: outA, sb: outB };
}

// Error function (Abramowitz–Stegun 7.1.26 is too coarse for float64 gradchecks); this is the
// W. J. Cody rational approximation, accurate to ~1e-16 relative.
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const num = (((0.1857777061846031526730 * t + 3.161123743870565596947) * t + 113.8641541510501556495) * t +
      377.4852376853020208137) * t + 3209.377589138469472562;
    const den = (((t + 23.60129095234412093499) * t + 244.0246379344441733056) * t + 1282.616526077372275645) * t +
      2844.236833439170622273;
    return (x * num) / den;
  }
  return x < 0 ? erfcPositive(ax) - 1 : 1 - erfcPositive(ax);
}

function erfcPositive(x: number): number {
  let r: number;
  if (x < 4) {
    const num = (((((((2.15311535474403846343e-8 * x + 0.564188496988670089180) * x + 8.88314979438837594118) * x +
      66.1191906371416294775) * x + 298.635138197400131132) * x + 881.952221241769090411) * x +
      1712.04761263407058314) * x + 2051.07837782607146532) * x + 1230.33935479799725272;
    const den = (((((((x + 15.7449261107098347253) * x + 117.693950891312499305) * x + 537.181101862009857509) * x +
      1621.38957456669018874) * x + 3290.79923573345962678) * x + 4362.61909014324715820) * x +
      3439.36767414372163696) * x + 1230.33935480374942043;
    r = num / den;
  } else {
    const z = 1 / (x * x);
    const num = ((((0.0163153871373020978498 * z + 0.305326634961232344035) * z + 0.360344899949804439429) * z +
      0.125781726111229246204) * z + 0.0160837851487422766278) * z + 0.000658749161529837803157;
    const den = ((((z + 2.56852019228982242072) * z + 1.87295284992346725209) * z + 0.527905102951428412248) * z +
      0.0605183413124413191178) * z + 0.00233520497626869185443;
    r = (0.564189583547756286948 - (z * num) / den) / x;
  }
  // erfc(x) = exp(-x^2) * r, with x^2 split to keep exp accurate for large x.
  const xsq = Math.trunc(x * 16) / 16;
  const del = (x - xsq) * (x + xsq);
  return Math.exp(-xsq * xsq) * Math.exp(-del) * r;
}
