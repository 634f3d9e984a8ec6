// A WebAssembly SIMD (f64x2) matrix-product kernel, assembled byte by byte here so that no
// toolchain is needed to build or install the project.
//
//   gemm(a, b, c, m4, n4, k, sai, sap, ldb, ldc, keep)
//     C[i, j] = (keep ? C[i, j] : 0) + Σ_p A(i, p) · B[p, j]   for i < m4, j < n4 (both multiples of 4), 0 < k,
//   where A(i, p) is the float64 at byte a + i·sai + p·sap (so A may be read transposed),
//   B[p, j] at b + p·ldb + 8j and C[i, j] at c + i·ldc + 8j. All addresses are byte offsets into
//   the imported memory "env.memory". `keep` is −1 to accumulate into C and 0 to overwrite it (C's old
//   values, whatever they are, are masked to +0: the sums start from +0 as they would from a zeroed C,
//   so the bits are the same and C needs no zeroing pass before the call).
//
// A 4×4 block of C stays in eight f64x2 registers while p runs over k: per step, two vector loads
// of B's row, four broadcast loads of A, eight multiplies and eight adds.

import { FunctionBuilder, instantiate, moduleBytes, op, type Code } from "./wasm-encoder.js";

/**
 * The kernel's function: with `fixed` null, the generic gemm (the strides are parameters; A's four rows
 * each have a pointer, C's rows are addressed at run time); with `fixed`, gemm(a, b, c, m4, n4, k, keep)
 * with those strides built in (every address a pointer plus an immediate offset: one pointer for A's
 * four rows). Both add the same sums in the same order (for each C[i, j], from +0 or C, p from 0 to
 * k − 1), so the same bits.
 */
function gemmFunction(fixed: GemmStrides | null = null): FunctionBuilder {
  const f = fixed === null
    ? new FunctionBuilder("gemm", ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"] as const)
    : new FunctionBuilder("gemm", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"] as const);
  const [A, B, C, M4, N4, K] = f.params;
  const KEEP = f.params[f.params.length - 1]!;
  // A stride: the parameter's value (generic: sai, sap, ldb, ldc after k), or the built-in constant.
  const stride = (name: keyof GemmStrides): Code =>
    fixed !== null ? op.i32(fixed[name]) : op.get(f.params[6 + ["sai", "sap", "ldb", "ldc"].indexOf(name)]!);
  const int = () => f.local("i32");
  const vec = () => f.local("v128");
  const I = int(), J = int(), P = int();
  const PA = Array.from({ length: fixed === null ? 4 : 1 }, int); // A(i + r, p): a pointer per row, or one for all four
  const PB = int(), PC = int(), AROW = int(), CROW = int();
  const PC2 = fixed === null ? int() : null; // generic: row r of the C block, pc + r·ldc
  const ACC = Array.from({ length: 8 }, vec); // the 4×4 block of C, two lanes per register
  const B0 = vec(), B1 = vec(), X = vec();
  const emit = f.emit.bind(f);
  /** The address (code) and immediate offset of A(i + r, p). */
  const aAt = (r: number): [Code, number] => (fixed === null ? [op.get(PA[r]!), 0] : [op.get(PA[0]!), r * fixed.sai]);
  /** The address (code) and immediate offset of half h of row r of the C block (generic: computed into pc2 at h = 0). */
  const cAt = (r: number, h: number): [Code, number] => {
    if (fixed !== null) return [op.get(PC), r * fixed.ldc + 16 * h];
    if (h === 1) return [op.get(PC2!), 16];
    const row = r === 0 ? op.get(PC) : [...op.get(PC), ...stride("ldc"), ...op.i32(r), ...op.mul, ...op.add];
    return [[...row, ...op.tee(PC2!)], 0];
  };
  emit(op.i32(0), op.set(I));
  f.emitCounted(I, op.get(M4), 4, () => {
    emit(op.get(A), op.get(I), stride("sai"), op.mul, op.add, op.set(AROW));
    emit(op.get(C), op.get(I), stride("ldc"), op.mul, op.add, op.set(CROW));
    emit(op.i32(0), op.set(J));
    f.emitCounted(J, op.get(N4), 4, () => {
      emit(op.get(CROW), op.get(J), op.i32(8), op.mul, op.add, op.set(PC));
      // The block of C (masked to +0 unless keep).
      const mask = f.hoist("keep", "v128", () => [...op.get(KEEP), ...op.i32x4Splat]);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) {
          const [at, offset] = cAt(r, h);
          emit(at, op.v128Load(offset), op.get(mask), op.v128And, op.set(ACC[2 * r + h]!));
        }
      }
      emit(op.get(AROW), op.set(PA[0]!));
      for (let r = 1; r < PA.length; r++) emit(op.get(PA[r - 1]!), stride("sai"), op.add, op.set(PA[r]!));
      emit(op.get(B), op.get(J), op.i32(8), op.mul, op.add, op.set(PB));
      emit(op.get(K), op.set(P));
      emit(op.loop); // p loop
      emit(op.get(PB), op.v128Load(0), op.set(B0));
      emit(op.get(PB), op.v128Load(16), op.set(B1));
      for (let r = 0; r < 4; r++) {
        const [lo, hi] = [ACC[2 * r]!, ACC[2 * r + 1]!];
        const [at, offset] = aAt(r);
        emit(at, op.load64Splat(offset), op.set(X));
        emit(op.get(lo), op.get(X), op.get(B0), op.f64x2Mul, op.f64x2Add, op.set(lo));
        emit(op.get(hi), op.get(X), op.get(B1), op.f64x2Mul, op.f64x2Add, op.set(hi));
      }
      for (const pa of PA) emit(op.get(pa), stride("sap"), op.add, op.set(pa));
      emit(op.get(PB), stride("ldb"), op.add, op.set(PB));
      emit(op.get(P), op.i32(1), op.sub, op.tee(P), op.brIf(0));
      emit(op.end); // p loop
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) {
          const [at, offset] = cAt(r, h);
          emit(at, op.get(ACC[2 * r + h]!), op.v128Store(offset));
        }
      }
    });
  });
  return f;
}

/** The module's bytes: imports env.memory, exports gemm. */
export function gemmModuleBytes(): Uint8Array {
  return moduleBytes([gemmFunction().finish()]);
}

export type GemmFunction = (a: number, b: number, c: number, m4: number, n4: number, k: number, sai: number, sap: number, ldb: number, ldc: number, keep: number) => void;

/** Instantiate the kernel on a memory, or null where WebAssembly SIMD is not available. */
export function instantiateGemm(memory: WebAssembly.Memory): GemmFunction | null {
  const exports = instantiate(gemmModuleBytes(), memory);
  return exports === null ? null : (exports["gemm"] as GemmFunction);
}

/**
 * The strides of a product, fixed when a kernel is specialised for them (byte strides, as gemm's).
 * Every address is then a pointer plus a constant (an immediate offset of the load): per step of p,
 * one pointer add for A's four rows and one for B instead of five adds. (Unrolling the p loop two or
 * four steps on top made it 1.3–1.5× slower under V8, measured; so it is not unrolled.)
 */
export interface GemmStrides {
  readonly sai: number;
  readonly sap: number;
  readonly ldb: number;
  readonly ldc: number;
}

/** Whether the strides fit the immediate offsets (else the generic kernel runs). */
export function specialisable({ sai, sap, ldb, ldc }: GemmStrides): boolean {
  return [sai, sap, ldb, ldc].every((s) => Number.isInteger(s) && s > 0 && s < 2 ** 28);
}

/** The specialised module's bytes (imports env.memory, exports gemm). */
export function gemmSpecialisedModuleBytes(s: GemmStrides): Uint8Array {
  return moduleBytes([gemmFunction(s).finish()]);
}

export type SpecialisedGemm = (a: number, b: number, c: number, m4: number, n4: number, k: number, keep: number) => void;

/** Instantiate a specialised kernel on a memory, or null. */
export function instantiateSpecialisedGemm(s: GemmStrides, memory: WebAssembly.Memory): SpecialisedGemm | null {
  if (!specialisable(s)) return null;
  const exports = instantiate(gemmSpecialisedModuleBytes(s), memory);
  return exports === null ? null : (exports["gemm"] as SpecialisedGemm);
}
