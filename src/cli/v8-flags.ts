// The V8 setting the `pinn` command runs with: a tier-up budget 4× V8's default.
//
// V8 optimises a JavaScript function (TurboFan, on a helper thread) once it has run enough bytecode
// (the interrupt budget, 67,584 in Node 20's V8, times a few ticks). A training epoch calls ~30
// orchestration functions once or twice (the fused passes' drivers, the gradient walk, the blocks'
// hand-out); each becomes "hot" only after hundreds of epochs and then costs 5–70 ms of compiling,
// once per JavaScript thread, while its own running time is a few microseconds per epoch (the work
// is in WebAssembly). On one thread the compiler uses the idle core; with a training thread on every
// core it takes time from them. Measured (bench-poisson2d, 600 epochs, `--trace-opt` and per-thread
// CPU from /proc, stop 23): compiling took 0.9–1.5 ms of CPU per epoch on two threads in epochs
// 20–600 with V8's budget, 0.1–0.45 with 4× it, and the whole one-thread run used 5–15% less CPU.
// The functions that matter (hot loops, the per-element code) still reach TurboFan, a few epochs
// later.
//
// Set before training (V8 reads the budget each time it resets a function's counter, so functions
// loaded already follow it) and process-wide (worker threads made later inherit it). Only where pinn
// owns the process — the `pinn` command and the bench's children — never by the library's import.
// PINN_INTERRUPT_BUDGET=n sets another budget (0: V8's own); a `--interrupt-budget` given to node
// wins.

import { setFlagsFromString } from "node:v8";

/** The budget pinn runs with (4× V8's default of 67,584 in Node 20). */
export const PINN_INTERRUPT_BUDGET = 4 * 67_584;

/** The interrupt budget now set by pinn (null: V8's own, or one given to node), for reports. */
let applied: number | null = null;

/** Set the tier-up budget for this process (see above); returns the budget set, or null when V8's or node's own stays. */
export function tuneV8(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number | null {
  if (execArgv.some((a) => a.startsWith("--interrupt-budget=") || a === "--interrupt-budget")) return (applied = null);
  const text = env["PINN_INTERRUPT_BUDGET"];
  let budget = PINN_INTERRUPT_BUDGET;
  if (text !== undefined && text.trim() !== "") {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 30) throw new Error(`PINN_INTERRUPT_BUDGET=${text} is not a whole number from 0 to 2^30 (0: V8's own budget)`);
    if (n === 0) return (applied = null);
    budget = n;
  }
  setFlagsFromString(`--interrupt-budget=${budget}`);
  return (applied = budget);
}

/** The budget tuneV8 set in this process, or null. */
export function appliedInterruptBudget(): number | null {
  return applied;
}
