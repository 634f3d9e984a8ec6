// Strided copies: the numeric core of transpose, slicing, broadcasting, concatenation, padding and
// axis reductions. Each walks an index space `shape` with an odometer over all but the last axis.

import type { Shape } from "../shape.js";

/** Merge adjacent axes that are contiguous in `strides` (the other side is always contiguous). */
function collapse(shape: Shape, strides: readonly number[]): { shape: number[]; strides: number[] } {
  const s: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && st[last] === strides[i]! * d) {
      s[last]! *= d;
      st[last] = strides[i]!;
    } else {
      s.push(d);
      st.push(strides[i]!);
    }
  }
  return { shape: s, strides: st };
}

/** dst[i] = src[offset + Σ idx·strides] for the contiguous index space `shape` (dst is contiguous). */
export function gather(src: Float64Array, offset: number, strides: readonly number[], shape: Shape, dst: Float64Array): void {
  const c = collapse(shape, strides);
  const r = c.shape.length;
  if (r === 0) {
    if (dst.length > 0) dst[0] = src[offset]!;
    return;
  }
  const n = c.shape[r - 1]!;
  const d = c.strides[r - 1]!;
  const total = dst.length;
  if (r === 1 && d === 1) {
    dst.set(src.subarray(offset, offset + n));
    return;
  }
  const idx = new Array<number>(r).fill(0);
  let base = offset;
  for (let o = 0; o < total; o += n) {
    if (d === 1) dst.set(src.subarray(base, base + n), o);
    else for (let i = 0, j = base; i < n; i++, j += d) dst[o + i] = src[j]!;
    for (let k = r - 2; k >= 0; k--) {
      base += c.strides[k]!;
      if (++idx[k]! < c.shape[k]!) break;
      base -= c.strides[k]! * c.shape[k]!;
      idx[k] = 0;
    }
  }
}

/**
 * dst[offset + Σ idx·strides] (+)= src[i] for the contiguous index space `shape` (src is contiguous).
 * With `add`, repeated destinations accumulate (a stride of 0 sums over that axis).
 */
export function scatter(
  src: Float64Array,
  dst: Float64Array,
  offset: number,
  strides: readonly number[],
  shape: Shape,
  add: boolean,
): void {
  const c = collapse(shape, strides);
  const r = c.shape.length;
  if (r === 0) {
    if (src.length > 0) dst[offset] = add ? dst[offset]! + src[0]! : src[0]!;
    return;
  }
  const n = c.shape[r - 1]!;
  const d = c.strides[r - 1]!;
  const total = src.length;
  const idx = new Array<number>(r).fill(0);
  let base = offset;
  for (let o = 0; o < total; o += n) {
    if (add) {
      if (d === 0) {
        let s = 0;
        for (let i = 0; i < n; i++) s += src[o + i]!;
        dst[base]! += s;
      } else for (let i = 0, j = base; i < n; i++, j += d) dst[j]! += src[o + i]!;
    } else if (d === 1) dst.set(src.subarray(o, o + n), base);
    else for (let i = 0, j = base; i < n; i++, j += d) dst[j] = src[o + i]!;
    for (let k = r - 2; k >= 0; k--) {
      base += c.strides[k]!;
      if (++idx[k]! < c.shape[k]!) break;
      base -= c.strides[k]! * c.shape[k]!;
      idx[k] = 0;
    }
  }
}

/** Cache-blocked 2-D transpose: dst (cols×rows) = srcᵀ (rows×cols). */
export function transpose2d(src: Float64Array, dst: Float64Array, rows: number, cols: number): void {
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j]!;
      }
    }
  }
}
