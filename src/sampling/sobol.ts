// Sobol' low-discrepancy sequence (Bratley & Fox 1988, Algorithm 659; Joe & Kuo 2008), 32-bit.
//
// Dimension j has direction numbers v_k = m_k / 2^k (k = 1..32), stored as the 32-bit integers
// V_k = m_k << (32 - k). The first s values m_1..m_s are given (odd, m_k < 2^k); the rest follow the
// recurrence of the primitive polynomial x^s + a_1 x^(s-1) + … + a_(s-1) x + 1:
//   V_k = V_(k-s) ⊕ (V_(k-s) >> s) ⊕ a_1 V_(k-1) ⊕ a_2 V_(k-2) ⊕ … ⊕ a_(s-1) V_(k-s+1).
// Point n is the XOR of the V_k for the set bits k of its Gray code g(n) = n ⊕ (n >> 1)
// (Antonov & Saleev 1979), so consecutive points differ by one XOR: X_n = X_(n-1) ⊕ V_c with c the
// position (1-based) of the lowest set bit of n. Point 0 is the all-zeros point.

/**
 * Primitive polynomials and initial direction numbers for dimensions 2..8, from Joe & Kuo's table
 * "new-joe-kuo-6.21201" (https://web.maths.unsw.edu.au/~fkuo/sobol/): degree s, coefficient bits a
 * (a_1 is the most significant of the s - 1 bits), and m_1..m_s. Dimension 1 is the van der Corput
 * sequence (all m_k = 1).
 */
const JOE_KUO: readonly { s: number; a: number; m: readonly number[] }[] = [
  { s: 1, a: 0, m: [1] },
  { s: 2, a: 1, m: [1, 3] },
  { s: 3, a: 1, m: [1, 3, 1] },
  { s: 3, a: 2, m: [1, 1, 1] },
  { s: 4, a: 1, m: [1, 1, 3, 3] },
  { s: 4, a: 4, m: [1, 3, 5, 13] },
  { s: 5, a: 2, m: [1, 1, 5, 5, 17] },
];

/** Largest dimension the built-in direction-number table supports. */
export const SOBOL_MAX_DIM = JOE_KUO.length + 1;

const BITS = 32;
const TWO_POW_32 = 4294967296;
/** Number of points the 32-bit sequence has before it repeats. */
export const SOBOL_MAX_POINTS = TWO_POW_32;

/** The 32 direction integers V_1..V_32 of one dimension (index 0 holds V_1). */
function directionIntegers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 1; k <= BITS; k++) v[k - 1] = 2 ** (BITS - k);
    return v;
  }
  const { s, a, m } = JOE_KUO[dim - 1]!;
  for (let k = 1; k <= s; k++) v[k - 1] = m[k - 1]! * 2 ** (BITS - k);
  for (let k = s + 1; k <= BITS; k++) {
    let x = v[k - s - 1]! ^ (v[k - s - 1]! >>> s);
    for (let i = 1; i <= s - 1; i++) {
      if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i - 1]!;
    }
    v[k - 1] = x >>> 0;
  }
  return v;
}

/**
 * The Sobol' sequence in `dim` dimensions (1..SOBOL_MAX_DIM), optionally with a digital shift: every
 * point's 32-bit integer coordinates are XOR-ed with `shift[j]`. A digital shift maps each elementary
 * dyadic box onto another one, so the (t, m, s)-net structure, and with it the low discrepancy, is kept.
 */
export class SobolSequence {
  readonly dim: number;
  private readonly directions: Uint32Array[];
  private readonly shift: Uint32Array;
  private readonly state: Uint32Array;
  private nextIndex = 0;

  constructor(dim: number, shift?: ArrayLike<number>) {
    if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) {
      throw new Error(`SobolSequence: dimension must be an integer from 1 to ${SOBOL_MAX_DIM}, got ${dim}`);
    }
    if (shift !== undefined && shift.length !== dim) {
      throw new Error(`SobolSequence: shift has ${shift.length} entries, expected ${dim}`);
    }
    this.dim = dim;
    this.directions = Array.from({ length: dim }, (_, j) => directionIntegers(j));
    this.shift = new Uint32Array(dim);
    if (shift !== undefined) for (let j = 0; j < dim; j++) this.shift[j] = shift[j]! >>> 0;
    this.state = new Uint32Array(dim);
  }

  /** Index of the point the next call to `next` returns (starts at 0, the all-zeros point). */
  get index(): number {
    return this.nextIndex;
  }

  /** Jump to point `n` directly from its Gray code. */
  seek(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= SOBOL_MAX_POINTS) {
      throw new Error(`SobolSequence.seek: index must be an integer in [0, 2^32), got ${n}`);
    }
    const gray = (n ^ Math.floor(n / 2)) >>> 0;
    for (let j = 0; j < this.dim; j++) {
      const v = this.directions[j]!;
      let x = 0;
      for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) x ^= v[k]!;
      this.state[j] = x >>> 0;
    }
    this.nextIndex = n;
  }

  /** Write the current point (coordinates in [0, 1)) to out[offset .. offset + dim) and advance. */
  next(out: Float64Array | number[], offset = 0): void {
    const n = this.nextIndex;
    if (n >= SOBOL_MAX_POINTS) throw new Error(`SobolSequence: all 2^32 points of the sequence are used`);
    for (let j = 0; j < this.dim; j++) out[offset + j] = ((this.state[j]! ^ this.shift[j]!) >>> 0) / TWO_POW_32;
    // Advance by the Gray-code step: c = 1-based position of the lowest set bit of n + 1.
    const c = lowestSetBit(n + 1);
    if (c < BITS) for (let j = 0; j < this.dim; j++) this.state[j] = (this.state[j]! ^ this.directions[j]![c]!) >>> 0;
    this.nextIndex = n + 1;
  }
}

/** 0-based position of the lowest set bit of a positive integer below 2^53 (32 for n = 2^32). */
function lowestSetBit(n: number): number {
  let c = 0;
  while (n % 2 === 0) {
    n /= 2;
    c++;
  }
  return c;
}
