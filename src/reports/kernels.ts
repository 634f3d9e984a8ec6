// Which numeric kernels a run uses: the WebAssembly SIMD ones, or the JavaScript fallbacks they fall
// back to when a module does not build (no SIMD in this runtime, or a module that fails to validate).
// Reported in summary.json ("kernels") and by `pinn solve --verbose`.

import { sharedHeap, wasmKernelsActive } from "../engine/kernels/f64-heap.js";
import { optimModule } from "../optim/optim-wasm.js";
import { wasmJetKernels } from "../jets/wasm-jet-kernels.js";
import { jetPlan } from "../jets/jet-plan.js";
import { downwardClosure } from "../jets/taylor.js";
import type { Problem } from "../problem/types.js";

export type KernelKind = "webassembly-simd" | "javascript" | "not used";

export interface KernelReport {
  /** Matrix products of the network and its jets. */
  matmul: KernelKind;
  /** tanh and sigmoid over whole blocks. */
  activations: KernelKind;
  /** The per-layer Taylor-jet kernels of the fused input derivatives (derivatives: taylor). */
  jets: KernelKind;
  /** The quasi-Newton step (BFGS's pass over H, L-BFGS's two-loop recursion; src/optim/optim-wasm.ts). */
  optimizer: KernelKind;
}

const SIMD_ACTIVATIONS = new Set(["tanh", "sigmoid"]);

/**
 * The kernels a problem's solve runs on. The jet kernels are built for the problem's activation
 * and a second-order plan in its variables (they are generated per plan; a module that fails to
 * build for one fails for all).
 */
export function activeKernels(problem: Pick<Problem, "variables" | "network" | "training">): KernelReport {
  const heap = sharedHeap();
  const matmul: KernelKind = heap.gemm !== null ? "webassembly-simd" : "javascript";
  const activation = problem.network.activation;
  const simdActivation = heap.activations !== null && SIMD_ACTIVATIONS.has(activation);
  const activations: KernelKind = simdActivation ? "webassembly-simd" : "javascript";
  let jets: KernelKind = "not used";
  if (problem.training.derivatives !== "reverse") {
    jets = "javascript";
    if (simdActivation) {
      const d = problem.variables.length;
      const requested = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 2 : 0)));
      try {
        if (wasmJetKernels(heap, activation, jetPlan(downwardClosure(requested, d), d)) !== null) jets = "webassembly-simd";
      } catch {
        /* the plan could not be built: report the fallback */
      }
    }
  }
  const optimizer: KernelKind = wasmKernelsActive() && optimModule(false) !== null ? "webassembly-simd" : "javascript";
  return { matmul, activations, jets, optimizer };
}

/** One line for the terminal. */
export function kernelLine(k: KernelReport): string {
  const name = (x: KernelKind): string => (x === "webassembly-simd" ? "WebAssembly SIMD" : x === "javascript" ? "JavaScript fallback" : "not used");
  return `  kernels: matrix products ${name(k.matmul)}; activations ${name(k.activations)}; Taylor jets ${name(k.jets)}; optimiser step ${name(k.optimizer)}`;
}
