// Probe (README "Every core"): does this machine's second core deliver a whole core's work while the
// first one works? One CPU-bound loop timed in this process; run it alone, then two copies at once:
//   node dist-bench/bench/vcpu-pair-probe.js KIND [label]
//   (KIND: simd — the SIMD tanh kernel over a 32 KB block; scalar — a dependent float64 loop over
//    32 KB; mem — a strided pass over 64 MB)
// e.g. for k in simd scalar mem; do node … $k alone; node … $k A & node … $k B; wait; done
// Two copies taking longer each than one alone is time the threads lose to each other, whatever pinn does.
import { sharedHeap } from "../src/engine/kernels/f64-heap.js";

const kind = process.argv[2] ?? "simd";
let run: () => number;
if (kind === "simd") {
  const h = sharedHeap();
  const n = 4096;
  const a = h.alloc(n);
  const b = h.alloc(n);
  for (let i = 0; i < n; i++) h.f64[a + i] = Math.random();
  const k = h.activations!.tanh;
  run = () => {
    for (let i = 0; i < 30000; i++) k(8 * a, 8 * b, n / 2);
    return 0;
  };
} else if (kind === "scalar") {
  const x = new Float64Array(4096).map(() => Math.random());
  run = () => {
    let s = 0;
    for (let r = 0; r < 40000; r++) for (let i = 0; i < 4096; i++) s += x[i]! * 1.0000001 + s * 1e-9;
    return s;
  };
} else {
  const x = new Float64Array(8 * 1024 * 1024).map(() => Math.random());
  run = () => {
    let s = 0;
    for (let r = 0; r < 30; r++) for (let i = 0; i < x.length; i += 8) s += x[i]!;
    return s;
  };
}
run();
const t0 = performance.now();
run();
console.log(kind, process.argv[3] ?? "", (performance.now() - t0).toFixed(0), "ms");
