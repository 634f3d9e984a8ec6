import { describe, expect, it } from "vitest";
import { PINN_INTERRUPT_BUDGET, appliedInterruptBudget, tuneV8 } from "../../src/cli/v8-flags.js";

describe("tuneV8: the tier-up budget the pinn command runs with", () => {
  it("is 4× Node 20's V8 default (67,584, from `node --v8-options`)", () => {
    expect(PINN_INTERRUPT_BUDGET).toBe(270_336);
    expect(tuneV8({}, [])).toBe(270_336);
    expect(appliedInterruptBudget()).toBe(270_336);
  });

  it("takes PINN_INTERRUPT_BUDGET; 0 keeps V8's own", () => {
    expect(tuneV8({ PINN_INTERRUPT_BUDGET: "135168" }, [])).toBe(135_168);
    expect(tuneV8({ PINN_INTERRUPT_BUDGET: "0" }, [])).toBeNull();
    expect(appliedInterruptBudget()).toBeNull();
    expect(tuneV8({ PINN_INTERRUPT_BUDGET: " " }, [])).toBe(270_336);
  });

  it("leaves a budget given to node alone", () => {
    expect(tuneV8({ PINN_INTERRUPT_BUDGET: "135168" }, ["--interrupt-budget=1000"])).toBeNull();
  });

  it("refuses a budget that is not a whole number in range, naming the variable and the fix", () => {
    for (const bad of ["abc", "-1", "1.5", "1e12"]) expect(() => tuneV8({ PINN_INTERRUPT_BUDGET: bad }, [])).toThrow(/PINN_INTERRUPT_BUDGET=.* is not a whole number from 0 to 2\^30 \(0: V8's own budget\)/);
  });
});
