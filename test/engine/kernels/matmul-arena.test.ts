// Matrix products on the kernels' arena (matmul.ts viaArena): inside tidy() the tensors live in the
// arena's memory, and the SIMD product reads A and writes C there in place (other operands copied
// into arena scratch). The reference is the same product outside tidy (ordinary arrays, copied through
// the shared heap): the same kernel on the same values, so the same bits. A C that overlaps an operand
// falls back to the copying path (checked against a plain triple loop over copies of the operands).

import { describe, expect, it } from "vitest";
import { rand, tidy, nn, laplacian, Rng, kernelUsage, resetKernelUsage, type Tensor } from "../../../src/index.js";
import { matmulInto } from "../../../src/engine/kernels/matmul.js";
import { theArena } from "../../../src/engine/kernels/arena.js";
import { wasmKernelsActive } from "../../../src/engine/kernels/f64-heap.js";

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${what} [${i}] ${a[i]}`).toBe(`${what} [${i}] ${b[i]}`);
}

describe.runIf(wasmKernelsActive() && theArena() !== null)("matrix products on the arena", () => {
  const rng = new Rng(31);

  it("every transpose form of a layer's products, in tidy (in place) and outside (copied): same bits, arena recorded", () => {
    const x = rand([1027, 32], { rng });
    const w = rand([24, 32], { rng });
    const g = rand([1027, 24], { rng });
    const products = (xx: Tensor, gg: Tensor): Tensor[] => [xx.matmul(w.transpose()), gg.matmul(w), xx.transpose().matmul(gg)];
    const outside = products(x, g).map((t) => Float64Array.from(t.data));
    resetKernelUsage();
    const inside = tidy(() => {
      // Copies made inside the scope live in the arena (the pool places tidy's buffers there).
      const xa = x.mul(1), ga = g.mul(1);
      expect(theArena()!.offsetOf(xa.data)).toBeGreaterThanOrEqual(0);
      return products(xa, ga).map((t) => Float64Array.from(t.data));
    });
    expect(kernelUsage()["matmul:arena"]).toBeGreaterThanOrEqual(3);
    inside.forEach((v, i) => sameBits(v, outside[i]!, `product ${i}`));
  });

  it("the Laplacian's weight gradient of a 2-32-32-1 network on 1,024 points: the same bits in tidy and outside", () => {
    const net = new nn.MLP([2, 32, 32, 1], "tanh", { seed: 6 });
    const params = net.parameters();
    const X = rand([1024, 2], { rng, requiresGrad: true });
    const grads = (inTidy: boolean): Float64Array[] => {
      for (const p of params) p.grad = null;
      const step = (): void => laplacian(net.forward(X), X).sub(1).square().mean().backward();
      if (inTidy) tidy(step);
      else step();
      return params.map((p) => Float64Array.from(p.grad?.data ?? []));
    };
    const plain = grads(false);
    resetKernelUsage();
    const tidied = grads(true);
    expect(kernelUsage()["matmul:arena"]).toBeGreaterThan(10);
    tidied.forEach((g, i) => sameBits(g, plain[i]!, `parameter ${i}`));
  });

  it("a C overlapping A in the arena is not written in place (the copying path; checked against a triple loop)", () => {
    const arena = theArena()!;
    const [m, n, k] = [128, 16, 16]; // 32,768 multiply-adds: the SIMD kernel
    const buf = arena.newBuffer(m * k + m * n)!;
    for (let i = 0; i < buf.length; i++) buf[i] = Math.sin(i);
    const A = buf.subarray(0, m * k);
    const B = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const A0 = Float64Array.from(A);
    const C = buf.subarray(m * k - 8 * n, m * k - 8 * n + m * n); // its first 8 rows are A's last values
    resetKernelUsage();
    matmulInto(A, B, C, m, n, k, false, false);
    expect(kernelUsage()["matmul:arena"]).toBeUndefined();
    expect(kernelUsage()["matmul:wasm-simd"]).toBe(1);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A0[i * k + p]! * B[p * n + j]!;
        expect(Math.abs(C[i * n + j]! - s)).toBeLessThan(1e-12);
      }
    }
  });
});
