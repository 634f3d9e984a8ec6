// Learning-rate schedules against values computed by hand.

import { describe, expect, it } from "vitest";
import { learningRate, validateSchedule, type Schedule } from "../../src/optim/schedules.js";

describe("learningRate", () => {
  it("constant", () => {
    for (const t of [0, 1, 1000]) expect(learningRate({ type: "constant" }, 0.01, t)).toBe(0.01);
  });

  it("step: lr·γ^floor(t/every)", () => {
    const s: Schedule = { type: "step", every: 100, gamma: 0.5 };
    expect(learningRate(s, 0.1, 0)).toBe(0.1);
    expect(learningRate(s, 0.1, 99)).toBe(0.1);
    expect(learningRate(s, 0.1, 100)).toBe(0.05);
    expect(learningRate(s, 0.1, 199)).toBe(0.05);
    expect(learningRate(s, 0.1, 200)).toBe(0.025);
    expect(learningRate(s, 0.1, 1050)).toBeCloseTo(0.1 / 1024, 18);
    expect(learningRate({ type: "step", every: 1, gamma: 0.1 }, 1, 3)).toBeCloseTo(1e-3, 18);
  });

  it("exponential: lr·γ^t", () => {
    const s: Schedule = { type: "exponential", gamma: 0.99 };
    expect(learningRate(s, 1e-3, 0)).toBe(1e-3);
    expect(learningRate(s, 1e-3, 1)).toBeCloseTo(0.99e-3, 18);
    expect(learningRate(s, 1e-3, 2)).toBeCloseTo(0.9801e-3, 18);
    // 0.99^100 = 0.36603234127322950...
    expect(learningRate(s, 1e-3, 100)).toBeCloseTo(0.3660323412732295e-3, 15);
  });

  it("cosine: min + (lr−min)(1 + cos(πt/T))/2, flat after T", () => {
    const s: Schedule = { type: "cosine", total: 100 };
    expect(learningRate(s, 1, 0)).toBe(1);
    expect(learningRate(s, 1, 50)).toBeCloseTo(0.5, 15); // cos(π/2) = 0
    expect(learningRate(s, 1, 25)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 15); // cos(π/4) = √2/2
    expect(learningRate(s, 1, 100)).toBeCloseTo(0, 15);
    expect(learningRate(s, 1, 500)).toBeCloseTo(0, 15);
    const m: Schedule = { type: "cosine", total: 10, min: 1e-4 };
    expect(learningRate(m, 1e-2, 0)).toBeCloseTo(1e-2, 18);
    expect(learningRate(m, 1e-2, 5)).toBeCloseTo(1e-4 + 0.5 * (1e-2 - 1e-4), 18);
    expect(learningRate(m, 1e-2, 10)).toBeCloseTo(1e-4, 18);
    expect(learningRate(m, 1e-2, 11)).toBeCloseTo(1e-4, 18);
  });

  it("rejects invalid parameters with clear errors", () => {
    expect(() => learningRate({ type: "step", every: 0, gamma: 0.5 }, 1, 0)).toThrow(/every/);
    expect(() => learningRate({ type: "step", every: 1.5, gamma: 0.5 }, 1, 0)).toThrow(/every/);
    expect(() => learningRate({ type: "step", every: 10, gamma: 0 }, 1, 0)).toThrow(/gamma/);
    expect(() => learningRate({ type: "exponential", gamma: -0.9 }, 1, 0)).toThrow(/gamma/);
    expect(() => learningRate({ type: "cosine", total: 0 }, 1, 0)).toThrow(/total/);
    expect(() => learningRate({ type: "cosine", total: 10, min: -1 }, 1, 0)).toThrow(/min/);
    expect(() => learningRate({ type: "constant" }, 0, 0)).toThrow(/learning rate/);
    expect(() => learningRate({ type: "constant" }, 1, -1)).toThrow(/iteration/);
    expect(() => validateSchedule({ type: "linear" } as unknown as Schedule)).toThrow(/unknown/);
    expect(() => validateSchedule({ type: "cosine", total: 5, min: 0.1 })).not.toThrow();
  });
});
