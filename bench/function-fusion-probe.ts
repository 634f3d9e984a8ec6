// Probe (README "The engine op by op"): the bench's op cases with one switch of src/engine/fusion.ts
// on and off — the fusion of functions (tanh, σ, exp, sin, cos: setFunctionFusion), the values kept
// apart for the backward pass outside any scope (setKeptValues), or those values in the kernels' arena
// (src/engine/pool.ts setUnscopedArena) — alternating in ONE process (16
// rounds of 15 timed calls each way after a warm-up), so that the machine's phases (which move a whole
// process's times by a quarter or more on this VM) affect both sides alike. Prints the medians and the
// median of the rounds' ratios.
//   node --expose-gc dist-bench/bench/function-fusion-probe.js [chain|mlp|laplacian|hessian] [tidy] [--kept | --unscoped-arena]
import { tidy } from "../src/index.js";
import { opCase } from "./op-cases.js";
import { setFunctionFusion, setKeptValues } from "../src/engine/fusion.js";
import { setUnscopedArena } from "../src/engine/pool.js";
import { median } from "./stats.js";

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith("-") && a !== "tidy") ?? "chain";
const inTidy = args.includes("tidy");
const kept = args.includes("--kept");
const arena = args.includes("--unscoped-arena");
const setSwitch = kept ? setKeptValues : arena ? setUnscopedArena : setFunctionFusion;
const f = opCase(which);
const call = inTidy ? (): void => tidy(f) : f;
const times: Record<"on" | "off", number[]> = { on: [], off: [] };
for (const on of [true, false]) {
  setSwitch(on);
  for (let i = 0; i < 50; i++) call();
}
for (let round = 0; round < 16; round++) {
  for (const on of round % 2 === 1 ? [true, false] : [false, true]) {
    setSwitch(on);
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
setSwitch(true);
const ratios = times.on.map((v, i) => v / times.off[i]!);
const [onName, offName] = kept ? ["kept apart", "in their tensors"] : arena ? ["kept in the arena", "in ordinary arrays"] : ["fused", "apart"];
console.log(`${which} ${inTidy ? "in tidy()" : "as written"}: ${onName} ${median(times.on).toFixed(3)} ms, ${offName} ${median(times.off).toFixed(3)} ms, median ratio ${median(ratios).toFixed(3)}`);
