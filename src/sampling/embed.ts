// Placing boundary points: full points built from coordinates over the free dimensions plus fixed
// coordinates, e.g. for u(x, 0) = f(x) in (x, t): dimension 0 from a sampler, dimension 1 fixed to 0.

/**
 * Build `count × totalDim` row-major points. `free` is `count × freeDims.length` row-major; column c
 * of `free` becomes dimension `freeDims[c]`, and each `fixed` entry sets dimension `dim` to `value` in
 * every point. Every dimension 0..totalDim-1 must be either free or fixed, exactly once. With no free
 * dimensions the result is the single point given by the fixed coordinates (count = 1).
 */
export function embedPoints(
  free: Float64Array,
  freeDims: number[],
  fixed: { dim: number; value: number }[],
  totalDim: number,
): Float64Array {
  if (!Number.isInteger(totalDim) || totalDim < 1) {
    throw new Error(`embedPoints: totalDim must be a positive integer, got ${totalDim}`);
  }
  const owner = new Array<string | undefined>(totalDim);
  const claim = (dim: number, what: string): void => {
    if (!Number.isInteger(dim) || dim < 0 || dim >= totalDim) {
      throw new Error(`embedPoints: ${what} dimension ${dim} is out of range 0..${totalDim - 1}`);
    }
    if (owner[dim] !== undefined) {
      throw new Error(`embedPoints: dimension ${dim} is given twice (as ${owner[dim]} and as ${what})`);
    }
    owner[dim] = what;
  };
  for (const d of freeDims) claim(d, "free");
  for (const f of fixed) {
    claim(f.dim, "fixed");
    if (typeof f.value !== "number" || !Number.isFinite(f.value)) {
      throw new Error(`embedPoints: fixed value for dimension ${f.dim} must be a finite number, got ${f.value}`);
    }
  }
  for (let d = 0; d < totalDim; d++) {
    if (owner[d] === undefined) throw new Error(`embedPoints: dimension ${d} is neither free nor fixed`);
  }

  const nFree = freeDims.length;
  let count: number;
  if (nFree === 0) {
    if (free.length !== 0) {
      throw new Error(`embedPoints: no free dimensions, but ${free.length} free coordinates were given`);
    }
    count = 1;
  } else {
    if (free.length % nFree !== 0) {
      throw new Error(`embedPoints: ${free.length} free coordinates are not a whole number of ${nFree}-dimensional points`);
    }
    count = free.length / nFree;
  }

  const out = new Float64Array(count * totalDim);
  for (let k = 0; k < count; k++) {
    const row = k * totalDim;
    for (let c = 0; c < nFree; c++) out[row + freeDims[c]!] = free[k * nFree + c]!;
    for (const f of fixed) out[row + f.dim] = f.value;
  }
  return out;
}
