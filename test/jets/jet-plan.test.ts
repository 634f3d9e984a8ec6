// The plan's term lists, which the JavaScript and the WebAssembly emitters both read, against
// Faà di Bruno's formula worked by hand, and the plan cache's bound.

import { describe, expect, it } from "vitest";
import { jetPlan, planFor } from "../../src/jets/jet-plan.js";
import { downwardClosure } from "../../src/jets/taylor.js";
import { cacheSizes } from "../../src/util/bounded-cache.js";

describe("jet plan", () => {
  // One variable, streams 0 = value, 1 = ∂x, 2 = ∂xx. By hand: h_x = σ'·z_x, h_xx = σ''·z_x² + σ'·z_xx.
  const plan = jetPlan(downwardClosure([[2]], 1), 1);
  const sorted = <T extends { order: number; coefficient: number }>(terms: T[]): T[] =>
    [...terms].sort((a, b) => a.order - b.order || a.coefficient - b.coefficient);

  it("hidden layer: every term of Faà di Bruno's formula", () => {
    expect(plan.streams).toEqual([[0], [1], [2]]);
    expect(plan.hidden.forward[1]).toEqual([{ coefficient: 1, order: 1, factors: [1] }]);
    expect(sorted(plan.hidden.forward[2]!)).toEqual([
      { coefficient: 1, order: 1, factors: [2] },
      { coefficient: 1, order: 2, factors: [1, 1] },
    ]);
    expect(plan.hidden.factors).toEqual([1, 2]);
    expect(plan.hidden.grads).toEqual([0, 1, 2]);
  });

  it("first layer: z_xx = 0, so only σ''·z_x² survives in h_xx", () => {
    expect(plan.first.forward[2]).toEqual([{ coefficient: 1, order: 2, factors: [1, 1] }]);
    expect(plan.first.factors).toEqual([1]);
  });

  it("backward contributions are the derivatives of h_s by z_0 and z_t", () => {
    // L = Σ_s g_s h_s. By hand, ∂L/∂z_0 = g_0 σ' + g_1 σ'' z_x + g_2 (σ''' z_x² + σ'' z_xx),
    // ∂L/∂z_x = g_1 σ' + 2 g_2 σ'' z_x, ∂L/∂z_xx = g_2 σ'.
    const key = (t: { coefficient: number; grad: number; order: number; factors: number[] }): string => `${t.coefficient}·g${t.grad}·d${t.order}·[${t.factors}]`;
    const b = plan.hidden.backward.map((terms) => terms.map(key).sort());
    expect(b[0]).toEqual(["1·g0·d1·[]", "1·g1·d2·[1]", "1·g2·d2·[2]", "1·g2·d3·[1,1]"].sort());
    expect(b[1]).toEqual(["1·g1·d1·[]", "2·g2·d2·[1]"].sort());
    expect(b[2]).toEqual(["1·g2·d1·[]"]);
  });

  it("the plan cache returns the same plan for the same request and is bounded", () => {
    expect(planFor([[2, 0], [0, 1]], 2)).toBe(planFor([[2, 0], [0, 1]], 2));
    // 300 distinct requests (first derivatives in 1 … 300 variables: cheap plans).
    for (let dims = 1; dims <= 300; dims++) planFor([[1]], dims);
    expect(cacheSizes()["jet plans"]).toBeLessThanOrEqual(256);
  });
});
