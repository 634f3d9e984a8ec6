// The axis-aligned box: the one box type of the project (samplers draw from it, regions have one as
// their bounding box), the conversion from the problem's `bounds`, and the argument checks shared by
// every sampler.

/** Per-dimension bounds of an axis-aligned box; lo[i] < hi[i], dimension d = lo.length ≥ 1. */
export interface Box {
  lo: readonly number[];
  hi: readonly number[];
}

/** A problem's intervals, one [min, max] per variable. */
export type Bounds = readonly (readonly [number, number])[];

/** The box of some of the intervals (all of them when `dims` is omitted), in the order of `dims`. */
export function boxOf(bounds: Bounds, dims?: readonly number[]): Box {
  const pick = dims ?? bounds.map((_, i) => i);
  return { lo: pick.map((i) => bounds[i]![0]), hi: pick.map((i) => bounds[i]![1]) };
}

/** Throw unless `box` has matching, finite, non-empty bounds with lo[i] < hi[i]; returns the dimension. */
export function checkBox(box: Box, where: string): number {
  if (box === null || typeof box !== "object" || !Array.isArray(box.lo) || !Array.isArray(box.hi)) {
    throw new Error(`${where}: box must be an object { lo: number[], hi: number[] }`);
  }
  const d = box.lo.length;
  if (d < 1) throw new Error(`${where}: box must have at least one dimension (box.lo is empty)`);
  if (box.hi.length !== d) {
    throw new Error(`${where}: box.lo has ${d} entries but box.hi has ${box.hi.length}; they must match`);
  }
  for (let i = 0; i < d; i++) {
    const lo = box.lo[i]!;
    const hi = box.hi[i]!;
    if (typeof lo !== "number" || !Number.isFinite(lo) || typeof hi !== "number" || !Number.isFinite(hi)) {
      throw new Error(`${where}: box bounds must be finite numbers, got lo[${i}] = ${lo}, hi[${i}] = ${hi}`);
    }
    if (!(lo < hi)) {
      throw new Error(`${where}: empty box, need lo[${i}] < hi[${i}] but got lo[${i}] = ${lo}, hi[${i}] = ${hi}`);
    }
  }
  return d;
}

/** Throw unless `count` is a positive integer. */
export function checkCount(count: number, where: string): void {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
    throw new Error(`${where}: count must be a positive integer, got ${String(count)}`);
  }
}
