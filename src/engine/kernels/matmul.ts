// Dense matrix products C = op(A)·op(B) on row-major Float64Arrays, where op is the identity or the
// transpose. Transposed operands are read in place, never copied.
//
//   A is m×k (or k×m when transA), B is k×n (or n×k when transB), C is m×n.
// `accumulate` adds into C instead of overwriting it.

export function matmulInto(
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate = false,
): void {
  if (!accumulate) C.fill(0, 0, m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (!transA && !transB) mmNN(A, B, C, m, n, k);
  else if (!transA && transB) mmNT(A, B, C, m, n, k);
  else if (transA && !transB) mmTN(A, B, C, m, n, k);
  else mmTT(A, B, C, m, n, k);
}

// C[i,:] += Σ_p A[i,p]·B[p,:], four rows of B at a time.
function mmNN(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = A[ai + p]!, a1 = A[ai + p + 1]!, a2 = A[ai + p + 2]!, a3 = A[ai + p + 3]!;
      const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        C[ci + j] += a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
      }
    }
    for (; p < k; p++) {
      const a = A[ai + p]!;
      const b = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[b + j]!;
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
      C[i * n + j] += s00;
      C[i * n + j + 1] += s01;
      C[(i + 1) * n + j] += s10;
      C[(i + 1) * n + j + 1] += s11;
    }
    for (let j = n2; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += A[a0 + p]! * B[b0 + p]!;
        s1 += A[a1 + p]! * B[b0 + p]!;
      }
      C[i * n + j] += s0;
      C[(i + 1) * n + j] += s1;
    }
  }
  for (let i = m2; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p]! * B[b0 + p]!;
      C[i * n + j] += s;
    }
  }
}

// A is stored k×m: C[i,:] += Σ_p A[p,i]·B[p,:], four rows of B at a time.
function mmTN(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = A[p * m + i]!, a1 = A[(p + 1) * m + i]!, a2 = A[(p + 2) * m + i]!, a3 = A[(p + 3) * m + i]!;
      const b0 = p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        C[ci + j] += a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
      }
    }
    for (; p < k; p++) {
      const a = A[p * m + i]!;
      const b = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[b + j]!;
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
      C[i * n + j] += s;
    }
  }
}
