// Probe (README "The engine op by op"): the bench's op cases with the fusion of functions (tanh, σ,
// exp, sin, cos: src/engine/fusion.ts) on and off, alternating in ONE process — 16 rounds of 15 timed
// calls each way after a warm-up — so that the machine's phases (which move a whole process's times
// by a quarter or more on this VM) affect both sides alike. Prints the medians and the median of the
// rounds' ratios.
//   node --expose-gc dist-bench/bench/function-fusion-probe.js [chain|mlp|laplacian|hessian] [tidy]
import { tidy } from "../src/index.js";
import { opCase } from "./op-cases.js";
import { setFunctionFusion } from "../src/engine/fusion.js";
import { median } from "./stats.js";

const which = process.argv[2] ?? "chain";
const inTidy = process.argv[3] === "tidy";
const f = opCase(which);
const call = inTidy ? (): void => tidy(f) : f;
const times: Record<"on" | "off", number[]> = { on: [], off: [] };
for (const on of [true, false]) {
  setFunctionFusion(on);
  for (let i = 0; i < 50; i++) call();
}
for (let round = 0; round < 16; round++) {
  for (const on of round % 2 === 1 ? [true, false] : [false, true]) {
    setFunctionFusion(on);
    for (let i = 0; i < 3; i++) call();
    const ts: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      call();
      ts.push(performance.now() - t0);
    }
    times[on ? "on" : "off"].push(median(ts));
  }
}
setFunctionFusion(true);
const ratios = times.on.map((v, i) => v / times.off[i]!);
console.log(`${which} ${inTidy ? "in tidy()" : "as written"}: fused ${median(times.on).toFixed(3)} ms, apart ${median(times.off).toFixed(3)} ms, median ratio ${median(ratios).toFixed(3)}`);
