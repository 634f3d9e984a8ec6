// The fast kernels are active: the WebAssembly SIMD matrix product, activations and Taylor-jet
// kernels all build here (Node ≥ 20 has WebAssembly SIMD), so a module that fails to build — and
// would silently fall back to JavaScript — fails this test. summary.json reports which are in use.
import { afterEach, describe, expect, it } from "vitest";
import { activeKernels } from "../../src/reports/kernels.js";
import { setWasmKernels, sharedHeap } from "../../src/engine/kernels/f64-heap.js";
import { setWasmJetKernels, wasmJetKernels } from "../../src/jets/wasm-jet-kernels.js";
import { jetPlan } from "../../src/jets/jet-plan.js";
import { downwardClosure } from "../../src/jets/taylor.js";
import { parseProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";

const problem = (activation = "tanh", derivatives = "taylor") =>
  parseProblem(
    `name: k\ndomain: {x: [0, 1], y: [0, 1]}\nunknowns: [u]\nequations: ["u_xx + u_yy = 0"]\nconditions: ["u(0, y) = 0"]\nnetwork: {hidden: [8], activation: ${activation}}\ntraining: {optimizer: adam, epochs: 2, points: 16, derivatives: ${derivatives}}\nevaluate: {points: 5}\n`,
    "k.yaml",
  );

afterEach(() => {
  setWasmKernels(true);
  setWasmJetKernels(true);
});

// (not where the JavaScript fallback was asked for: PINN_NO_WASM=1 turns the kernels off on purpose)
const fallbackAsked = process.env["PINN_NO_WASM"] !== undefined && process.env["PINN_NO_WASM"] !== "0";

describe.skipIf(fallbackAsked)("kernels", () => {
  it("every WebAssembly kernel builds: matrix product, activations, and jets for orders 1–3 in 1–3 variables", () => {
    const heap = sharedHeap();
    expect(heap.gemm).not.toBeNull();
    expect(heap.activations).not.toBeNull();
    for (const activation of ["tanh", "sigmoid"]) {
      for (let d = 1; d <= 3; d++) {
        for (let order = 1; order <= 3; order++) {
          const requested = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? order : 0)));
          expect(wasmJetKernels(heap, activation, jetPlan(downwardClosure(requested, d), d)), `${activation}, ${d} variables, order ${order}`).not.toBeNull();
        }
      }
    }
  });

  it("activeKernels reports them, and reports each fallback when it is in use", () => {
    expect(activeKernels(problem())).toEqual({ matmul: "webassembly-simd", activations: "webassembly-simd", jets: "webassembly-simd", optimizer: "webassembly-simd" });
    expect(activeKernels(problem("sin"))).toEqual({ matmul: "webassembly-simd", activations: "javascript", jets: "javascript", optimizer: "webassembly-simd" });
    expect(activeKernels(problem("tanh", "reverse")).jets).toBe("not used");
    setWasmJetKernels(false);
    expect(activeKernels(problem()).jets).toBe("javascript");
    setWasmKernels(false);
    expect(activeKernels(problem())).toEqual({ matmul: "javascript", activations: "javascript", jets: "javascript", optimizer: "javascript" });
  });

  it("summary.json names the kernels of the run", async () => {
    const r = await solve(problem(), { write: false });
    expect(r.summary["kernels"]).toEqual({ matmul: "webassembly-simd", activations: "webassembly-simd", jets: "webassembly-simd", optimizer: "webassembly-simd" });
  });
});
