/**
 * Turning numeric arrays into chart points: dropping what cannot be drawn and thinning very
 * long series so that rendering stays fast without changing the picture.
 */

export interface XY {
  x: number;
  y: number;
}

export interface PreparedPoints {
  points: XY[];
  /** How many points have finite coordinates (and positive y on a log axis). */
  drawable: number;
}

/**
 * Pair up x and y. Points with a non-finite x are dropped; a non-finite y is kept as NaN so
 * that a line shows a gap there; on a log axis (logY) points with y <= 0 are dropped.
 */
export function toPoints(x: ArrayLike<number>, y: ArrayLike<number>, logY = false): PreparedPoints {
  if (x.length !== y.length) {
    throw new Error(`series has ${x.length} x values but ${y.length} y values`);
  }
  const points: XY[] = [];
  let drawable = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi)) continue;
    if (!Number.isFinite(yi)) {
      points.push({ x: xi, y: NaN });
      continue;
    }
    if (logY && yi <= 0) continue;
    points.push({ x: xi, y: yi });
    drawable++;
  }
  return { points, drawable };
}

/** The points ordered by x (stable), so that a line through them is the graph of a function. */
export function sortByX(points: XY[]): XY[] {
  return sortedByX(points) ? points : [...points].sort((a, b) => a.x - b.x);
}

/** True when the x coordinates never decrease. */
function sortedByX(points: XY[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]!.x < points[i - 1]!.x) return false;
  return true;
}

/**
 * Min-max decimation for a series sorted by x: split the x range into `buckets` equal
 * slices (about one per pixel column) and keep, per slice, the first and last point, the
 * points with the smallest and largest y, and the first NaN (to keep gaps). A line through
 * the kept points covers the same pixels as the full line. Unsorted or short series are
 * returned unchanged.
 */
export function decimateMinMax(points: XY[], buckets: number): XY[] {
  const n = points.length;
  if (n <= 4 * buckets || buckets < 1 || !sortedByX(points)) return points;
  const x0 = points[0]!.x;
  const span = points[n - 1]!.x - x0;
  if (!(span > 0)) return points;
  const keep: number[] = [];
  let start = 0;
  while (start < n) {
    const b = Math.min(buckets - 1, Math.floor(((points[start]!.x - x0) / span) * buckets));
    let end = start;
    let iMin = -1;
    let iMax = -1;
    let iNaN = -1;
    while (end < n && Math.min(buckets - 1, Math.floor(((points[end]!.x - x0) / span) * buckets)) === b) {
      const y = points[end]!.y;
      if (Number.isNaN(y)) {
        if (iNaN < 0) iNaN = end;
      } else {
        if (iMin < 0 || y < points[iMin]!.y) iMin = end;
        if (iMax < 0 || y > points[iMax]!.y) iMax = end;
      }
      end++;
    }
    const picked = [start, end - 1, iMin, iMax, iNaN].filter((i) => i >= 0).sort((a, b2) => a - b2);
    for (let k = 0; k < picked.length; k++) if (k === 0 || picked[k] !== picked[k - 1]) keep.push(picked[k]!);
    start = end;
  }
  return keep.map((i) => points[i]!);
}

/** Smallest and largest finite y (positive only when `positiveOnly`), or undefined if none. */
export function yRange(series: XY[][], positiveOnly = false): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const pts of series) {
    for (const p of pts) {
      if (!Number.isFinite(p.y) || (positiveOnly && p.y <= 0)) continue;
      if (p.y < min) min = p.y;
      if (p.y > max) max = p.y;
    }
  }
  return min <= max ? { min, max } : undefined;
}
