// Dense matrix products in plain JavaScript, register-blocked for V8: a 2×4 block of C lives in
// local variables while the inner loop runs over k (8 multiply-adds per 6 loads). A transposed B is
// first copied into a scratch buffer (it is the small weight matrix in a network layer); a
// transposed A is walked in blocks of rows of k so that both operands stay in cache.
//
//   A is m×k (or k×m when transA), B is k×n (or n×k when transB), C is m×n; C += op(A)·op(B).

/** The pure-JavaScript kernels (C += op(A)·op(B)); exported for cross-checking. */
export function matmulJs(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  if (n <= 2 && (!transB || (n === 1 && !transA && m >= 4 && k <= SCRATCH_LIMIT))) {
    // One or two columns (a layer of one output, its weights' gradient, the gradient in two inputs):
    // four rows per sweep, with the sums of the general kernels. (A B of one column is laid out alike
    // read transposed or not; read transposed it went through mmNN, as here, where the scratch copy applied.)
    if (transA) mvT(A, B, C, m, n, k);
    else mv(A, B, C, m, n, k);
  } else if (!transA && !transB) mmNN(A, B, C, m, n, k);
  else if (!transA && transB) {
    if (n * k <= SCRATCH_LIMIT && m >= 4) {
      const Bt = scratch(n * k);
      transposeInto(B, Bt, n, k);
      mmNN(A, Bt, C, m, n, k);
    } else mmNT(A, B, C, m, n, k);
  } else if (transA && !transB) mmTN(A, B, C, m, n, k);
  else mmTT(A, B, C, m, n, k);
}

const SCRATCH_LIMIT = 1 << 16;
let scratchBuffer = new Float64Array(1024);

function scratch(size: number): Float64Array {
  if (scratchBuffer.length < size) scratchBuffer = new Float64Array(Math.max(size, 2 * scratchBuffer.length));
  return scratchBuffer;
}

/** dst (cols×rows) = srcᵀ for src rows×cols. */
function transposeInto(src: Float64Array, dst: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[base + j]!;
  }
}

// C[i,j] += Σ_p A[i,p]·B[p,j], 2 rows × 4 columns of C at a time.
function mmNN(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const m2 = m - (m % 2);
  const n4 = n - (n % 4);
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * k, a1 = a0 + k, c0 = i * n, c1 = c0 + n;
    for (let j = 0; j < n4; j += 4) {
      let s00 = C[c0 + j]!, s01 = C[c0 + j + 1]!, s02 = C[c0 + j + 2]!, s03 = C[c0 + j + 3]!;
      let s10 = C[c1 + j]!, s11 = C[c1 + j + 1]!, s12 = C[c1 + j + 2]!, s13 = C[c1 + j + 3]!;
      for (let p = 0, b = j; p < k; p++, b += n) {
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!;
        const y0 = B[b]!, y1 = B[b + 1]!, y2 = B[b + 2]!, y3 = B[b + 3]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
      C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
    }
    for (let j = n4; j < n; j++) {
      let s0 = C[c0 + j]!, s1 = C[c1 + j]!;
      for (let p = 0, b = j; p < k; p++, b += n) {
        const y = B[b]!;
        s0 += A[a0 + p]! * y;
        s1 += A[a1 + p]! * y;
      }
      C[c0 + j] = s0;
      C[c1 + j] = s1;
    }
  }
  if (m2 < m) {
    const ai = m2 * k, ci = m2 * n;
    for (let p = 0; p < k; p++) {
      const a = A[ai + p]!;
      const b = p * n;
      for (let j = 0; j < n; j++) C[ci + j]! += a * B[b + j]!;
    }
  }
}

// n = 1 or 2: C[i,j] += Σ_p A[i,p]·B[p,j] with the sums of mmNN (from C[i,j], p in order), four
// independent rows at a time.
function mv(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  let i = 0;
  if (n === 1) {
    for (; i + 4 <= m; i += 4) {
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      let s0 = C[i]!, s1 = C[i + 1]!, s2 = C[i + 2]!, s3 = C[i + 3]!;
      for (let p = 0; p < k; p++) {
        const y = B[p]!;
        s0 += A[a0 + p]! * y; s1 += A[a1 + p]! * y; s2 += A[a2 + p]! * y; s3 += A[a3 + p]! * y;
      }
      C[i] = s0; C[i + 1] = s1; C[i + 2] = s2; C[i + 3] = s3;
    }
  } else {
    for (; i + 4 <= m; i += 4) {
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k, c = 2 * i;
      let s00 = C[c]!, s01 = C[c + 1]!, s10 = C[c + 2]!, s11 = C[c + 3]!, s20 = C[c + 4]!, s21 = C[c + 5]!, s30 = C[c + 6]!, s31 = C[c + 7]!;
      for (let p = 0; p < k; p++) {
        const y0 = B[2 * p]!, y1 = B[2 * p + 1]!;
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!, x2 = A[a2 + p]!, x3 = A[a3 + p]!;
        s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
        s20 += x2 * y0; s21 += x2 * y1; s30 += x3 * y0; s31 += x3 * y1;
      }
      C[c] = s00; C[c + 1] = s01; C[c + 2] = s10; C[c + 3] = s11; C[c + 4] = s20; C[c + 5] = s21; C[c + 6] = s30; C[c + 7] = s31;
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      let s = C[i * n + j]!;
      for (let p = 0; p < k; p++) s += A[a0 + p]! * B[p * n + j]!;
      C[i * n + j] = s;
    }
  }
}

// A stored k×m, n = 1 or 2: C[i,j] += Σ_p A[p,i]·B[p,j] with mmTN's sums (per block of P rows of A,
// each row pair's block sum added to C; an odd last row accumulated term by term), four rows at a time.
function mvT(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const m2 = m - (m % 2);
  const P = Math.max(16, Math.min(256, Math.floor(16384 / (m + n))));
  for (let p0 = 0; p0 < k; p0 += P) {
    const p1 = Math.min(k, p0 + P);
    let i = 0;
    if (n === 1) {
      for (; i + 4 <= m2; i += 4) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = p0, a = p0 * m + i; p < p1; p++, a += m) {
          const y = B[p]!;
          s0 += A[a]! * y; s1 += A[a + 1]! * y; s2 += A[a + 2]! * y; s3 += A[a + 3]! * y;
        }
        C[i]! += s0; C[i + 1]! += s1; C[i + 2]! += s2; C[i + 3]! += s3;
      }
    } else {
      for (; i + 4 <= m2; i += 4) {
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let p = p0, a = p0 * m + i; p < p1; p++, a += m) {
          const y0 = B[2 * p]!, y1 = B[2 * p + 1]!;
          const x0 = A[a]!, x1 = A[a + 1]!, x2 = A[a + 2]!, x3 = A[a + 3]!;
          s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
          s20 += x2 * y0; s21 += x2 * y1; s30 += x3 * y0; s31 += x3 * y1;
        }
        const c = 2 * i;
        C[c]! += s00; C[c + 1]! += s01; C[c + 2]! += s10; C[c + 3]! += s11; C[c + 4]! += s20; C[c + 5]! += s21; C[c + 6]! += s30; C[c + 7]! += s31;
      }
    }
    for (; i < m2; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = p0, a = p0 * m + i; p < p1; p++, a += m) s += A[a]! * B[p * n + j]!;
        C[i * n + j]! += s;
      }
    }
    if (m2 < m) {
      for (let j = 0; j < n; j++) {
        let s = C[m2 * n + j]!;
        for (let p = p0; p < p1; p++) s += A[p * m + m2]! * B[p * n + j]!;
        C[m2 * n + j] = s;
      }
    }
  }
}

// C[i,j] += A[i,:]·B[j,:] (both rows contiguous), a 2×2 block of dot products at a time.
function mmNT(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const m2 = m - (m % 2);
  const n2 = n - (n % 2);
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * k, a1 = a0 + k;
    for (let j = 0; j < n2; j += 2) {
      const b0 = j * k, b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!, y0 = B[b0 + p]!, y1 = B[b1 + p]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      C[i * n + j]! += s00;
      C[i * n + j + 1]! += s01;
      C[(i + 1) * n + j]! += s10;
      C[(i + 1) * n + j + 1]! += s11;
    }
    for (let j = n2; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += A[a0 + p]! * B[b0 + p]!;
        s1 += A[a1 + p]! * B[b0 + p]!;
      }
      C[i * n + j]! += s0;
      C[(i + 1) * n + j]! += s1;
    }
  }
  for (let i = m2; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p]! * B[b0 + p]!;
      C[i * n + j]! += s;
    }
  }
}

// A is stored k×m: C[i,j] += Σ_p A[p,i]·B[p,j]. Blocks of P rows of A and B (which stay in cache)
// are swept with a 2×4 block of C in registers.
function mmTN(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const m2 = m - (m % 2);
  const n4 = n - (n % 4);
  const P = Math.max(16, Math.min(256, Math.floor(16384 / (m + n))));
  for (let p0 = 0; p0 < k; p0 += P) {
    const p1 = Math.min(k, p0 + P);
    for (let i = 0; i < m2; i += 2) {
      const c0 = i * n, c1 = c0 + n;
      for (let j = 0; j < n4; j += 4) {
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let p = p0, a = p0 * m + i, b = p0 * n + j; p < p1; p++, a += m, b += n) {
          const x0 = A[a]!, x1 = A[a + 1]!;
          const y0 = B[b]!, y1 = B[b + 1]!, y2 = B[b + 2]!, y3 = B[b + 3]!;
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        C[c0 + j]! += s00; C[c0 + j + 1]! += s01; C[c0 + j + 2]! += s02; C[c0 + j + 3]! += s03;
        C[c1 + j]! += s10; C[c1 + j + 1]! += s11; C[c1 + j + 2]! += s12; C[c1 + j + 3]! += s13;
      }
      for (let j = n4; j < n; j++) {
        let s0 = 0, s1 = 0;
        for (let p = p0, a = p0 * m + i, b = p0 * n + j; p < p1; p++, a += m, b += n) {
          const y = B[b]!;
          s0 += A[a]! * y;
          s1 += A[a + 1]! * y;
        }
        C[c0 + j]! += s0;
        C[c1 + j]! += s1;
      }
    }
    if (m2 < m) {
      // The odd last row, term by term from C (four columns held across the block).
      const ci = m2 * n;
      let j = 0;
      for (; j < n4; j += 4) {
        let s0 = C[ci + j]!, s1 = C[ci + j + 1]!, s2 = C[ci + j + 2]!, s3 = C[ci + j + 3]!;
        for (let p = p0, b = p0 * n + j; p < p1; p++, b += n) {
          const a = A[p * m + m2]!;
          s0 += a * B[b]!; s1 += a * B[b + 1]!; s2 += a * B[b + 2]!; s3 += a * B[b + 3]!;
        }
        C[ci + j] = s0; C[ci + j + 1] = s1; C[ci + j + 2] = s2; C[ci + j + 3] = s3;
      }
      for (; j < n; j++) {
        let s = C[ci + j]!;
        for (let p = p0; p < p1; p++) s += A[p * m + m2]! * B[p * n + j]!;
        C[ci + j] = s;
      }
    }
  }
}

// A is stored k×m and B n×k: C[i,j] += Σ_p A[p,i]·B[j,p].
function mmTT(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[p * m + i]! * B[bj + p]!;
      C[i * n + j]! += s;
    }
  }
}
