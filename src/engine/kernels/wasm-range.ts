// The range check of the SIMD activation kernels in one SIMD pass (vector-unary.ts asks it, for each
// block, whether every input lies in the kernel's range, where the kernel's values are copied out whole):
//
//   within(src, pairs, bounds)
//     bounds (a byte offset) holds lo, lo, hi, hi (float64s); writes at bounds + 32 two float64s,
//     lane l = 1 when lo ≤ x ≤ hi for every float64 x of lane l of the 2·pairs at byte src, else 0
//     (NaN is not within, as in JavaScript's lo <= x && x <= hi).
//
// A module of its own on the kernels' memory (the activation module's bytes stay as they are).

import { FunctionBuilder, code, countedLoop, instantiate, moduleBytes, op } from "./wasm-encoder.js";

function withinFunction(): FunctionBuilder {
  const f = new FunctionBuilder("within", ["i32", "i32", "i32"] as const);
  const [SRC, PAIRS, BOUNDS] = f.params;
  const I = f.local("i32");
  const P = f.local("i32");
  const LO = f.local("v128");
  const HI = f.local("v128");
  const ALL = f.local("v128");
  const X = f.local("v128");
  f.emit(
    op.get(BOUNDS), op.v128Load(0), op.set(LO),
    op.get(BOUNDS), op.v128Load(16), op.set(HI),
    op.i64x2(-1n), op.set(ALL),
    op.get(SRC), op.set(P),
    op.i32(0), op.set(I),
    countedLoop(I, op.get(PAIRS), 1, code(
      // ALL &= (lo ≤ x) & (x ≤ hi)
      op.get(P), op.v128Load(0), op.set(X),
      op.get(ALL), op.get(LO), op.get(X), op.f64x2Le, op.v128And, op.get(X), op.get(HI), op.f64x2Le, op.v128And, op.set(ALL),
      op.get(P), op.i32(16), op.add, op.set(P),
    )),
    // 1.0 in each lane that stayed all ones, else +0
    op.get(BOUNDS), op.get(ALL), op.f64x2(1), op.v128And, op.v128Store(32),
  );
  return f;
}

/** The module's bytes: imports env.memory, exports within. */
export function rangeModuleBytes(): Uint8Array {
  return moduleBytes([withinFunction().finish()]);
}

/** (srcByteOffset, pairs, boundsByteOffset): see the file comment. */
export type WithinFunction = (src: number, pairs: number, bounds: number) => void;

export function instantiateRange(memory: WebAssembly.Memory): WithinFunction | null {
  const exports = instantiate(rangeModuleBytes(), memory);
  return exports === null ? null : (exports["within"] as WithinFunction);
}
