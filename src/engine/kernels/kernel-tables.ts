// The constant tables of the SIMD exp and sin/cos kernels (wasm-activations.ts), computed from their
// definitions in fixed-point BigInt arithmetic (P = 200 fraction bits, far more than float64's 53), so
// that each entry is the correctly rounded float64 of the exact value (but for a value within 2^−190
// of a rounding tie):
//   exp: 2^(j/N) for j = 0..N−1 (N = EXP_TABLE_SIZE) as a scale and a relative tail, the layout of
//        the ARM optimized-routines / musl / glibc exp (exp_data.c): 2^(j/N) = scale_j·(1 + tail_j);
//   sin/cos: sin(jπ/M) and cos(jπ/M) for j = 0..2M−1 (M = TRIG_TABLE_SIZE / 2, a whole period).
// Each table entry is 16 bytes (two float64 lanes, loaded as one v128).

/** Fraction bits of the fixed-point arithmetic. */
const P = 200n;
const ONE = 1n << P;

/** ln 2 = Σ_{k≥1} 1/(k·2^k), in fixed point. */
function ln2(): bigint {
  let sum = 0n;
  for (let k = 1n; k < P + 8n; k++) sum += ONE / (k << k);
  return sum;
}

/** atan(1/n) = Σ (−1)^i / ((2i+1)·n^(2i+1)), in fixed point. */
function atanInverse(n: bigint): bigint {
  let sum = 0n;
  let power = ONE / n;
  for (let i = 0n; power !== 0n; i++) {
    sum += (i % 2n === 0n ? 1n : -1n) * (power / (2n * i + 1n));
    power /= n * n;
  }
  return sum;
}

/** π by Machin's formula, 16·atan(1/5) − 4·atan(1/239). */
function pi(): bigint {
  return 16n * atanInverse(5n) - 4n * atanInverse(239n);
}

/**
 * A Taylor series at y in fixed point, from its first term: e^y = Σ y^n/n! (first ONE, n from 0), or
 * with `alternate` every other term with alternating signs: sin y (first y, n from 1), cos y (ONE, 0).
 */
function series(y: bigint, first: bigint, firstN: bigint, alternate: boolean): bigint {
  let term = first;
  let sum = 0n;
  for (let n = firstN; term !== 0n; n += alternate ? 2n : 1n) {
    sum += term;
    term = alternate ? -((((term * y) >> P) * y) >> P) / ((n + 1n) * (n + 2n)) : ((term * y) >> P) / (n + 1n);
  }
  return sum;
}

/** The float64 nearest to the fixed-point value v (Number of a BigInt rounds to nearest, ties to even; the division by 2^P is exact). */
function toDouble(v: bigint): number {
  return Number(v) / 2 ** Number(P);
}

/** exp table entries (N of them, a power of two). */
export const EXP_TABLE_SIZE = 128;
/** sin/cos table entries: jπ/64 for j = 0..127, one period. */
export const TRIG_TABLE_SIZE = 128;

/** Float64 bits of x. */
function bitsOf(x: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return v.getBigUint64(0, true);
}

/**
 * The exp table, 2·N u64 words: word 2j is the bits of tail_j and word 2j+1 is bits(scale_j) − j·2^45,
 * where scale_j = 2^(j/N) rounded and tail_j = 2^(j/N)/scale_j − 1; adding k·2^52 + j·2^45 (the
 * integer k·N + j shifted left by 45) then gives the bits of 2^k·scale_j.
 */
export function expTable(): BigUint64Array {
  // 2^(j/N) = (2^(1/N))^j, by repeated fixed-point multiplication (the rounding errors, N·2^−P, stay far below float64's).
  const step = series(ln2() / BigInt(EXP_TABLE_SIZE), ONE, 0n, false);
  const out = new BigUint64Array(2 * EXP_TABLE_SIZE);
  let exact = ONE;
  for (let j = 0; j < EXP_TABLE_SIZE; j++, exact = (exact * step) >> P) {
    const scale = toDouble(exact);
    // tail = (exact − scale)/scale, in float64 (its own error is far below float64's at scale).
    const tail = toDouble(((exact - toFixed(scale)) << P) / exact);
    out[2 * j] = bitsOf(tail);
    out[2 * j + 1] = bitsOf(scale) - (BigInt(j) << 45n);
  }
  return out;
}

/** The sin/cos table: 2·TRIG_TABLE_SIZE float64s, entry j = [sin(jπ/64), cos(jπ/64)] (j = 0..127). */
export function trigTable(): Float64Array {
  const half = TRIG_TABLE_SIZE / 2;
  const quarter = half / 2;
  const p = pi();
  // sin and cos on the first quadrant, then the others by symmetry (exact: sign changes and swaps).
  const s: number[] = [];
  const c: number[] = [];
  for (let j = 0; j <= quarter; j++) {
    const y = (p * BigInt(j)) / BigInt(half);
    s.push(toDouble(series(y, y, 1n, true)));
    c.push(toDouble(series(y, ONE, 0n, true)));
  }
  const out = new Float64Array(2 * TRIG_TABLE_SIZE);
  for (let j = 0; j < TRIG_TABLE_SIZE; j++) {
    // jπ/64 = q·π/2 + i·π/64 with i ≤ 32
    const q = Math.floor(j / quarter);
    const i = j % quarter;
    const [sin, cos] = [[s[i]!, c[i]!], [c[i]!, -s[i]!], [-s[i]!, -c[i]!], [-c[i]!, s[i]!]][q]!;
    out[2 * j] = sin! + 0; // (+0 for −0: sin 0 and sin π are +0)
    out[2 * j + 1] = cos! + 0;
  }
  return out;
}

/** The exact fixed-point value of a float64 (normal or zero; exact while its lowest bit is ≥ 2^−P). */
function toFixed(x: number): bigint {
  const bits = bitsOf(x);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  if (exponent === 0) return 0n; // ±0 (the parts and tables hold no subnormals)
  const mantissa = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  const shift = BigInt(exponent - 1075) + P;
  const magnitude = shift >= 0n ? mantissa << shift : mantissa >> -shift;
  return bits >> 63n === 1n ? -magnitude : magnitude;
}

/**
 * π/divisor as a sum of float64 parts for Cody–Waite reduction: each but the last has at most `bits`
 * significant bits (so that k·part is exact for |k| < 2^(53 − bits)), the last is the rest rounded.
 */
export function piParts(divisor: number, bits: number, parts: number): number[] {
  let rest = pi() / BigInt(divisor);
  const out: number[] = [];
  for (let i = 0; i < parts; i++) {
    const v = toDouble(rest);
    const unit = 2 ** (Math.floor(Math.log2(Math.abs(v))) - bits + 1);
    // The leading `bits` bits (truncated: an exact float64), or the rounded rest for the last part.
    const part = i === parts - 1 ? v : Math.trunc(v / unit) * unit;
    out.push(part);
    rest -= toFixed(part);
  }
  return out;
}
