// Adaptive loss weights: the factors follow the published rules on losses with known gradients.
import { describe, expect, it } from "vitest";
import { tensor, sum, mul } from "../../src/index.js";
import { AdaptiveWeights } from "../../src/loss/adaptive-weights.js";

describe("adaptive loss weights", () => {
  // θ = (a, b); L_0 = 3a² (equation), L_1 = (b/2)² (condition) at a = 1, b = 2:
  // ∇L_0 = (6a, 0) = (6, 0), ∇L_1 = (0, b/2) = (0, 1).
  const setup = () => {
    const theta = tensor([1, 2], { requiresGrad: true });
    const a = theta.slice([0, 1]);
    const b = theta.slice([1, 2]);
    const L0 = sum(mul(a.square(), 3));
    const L1 = sum(b.mul(0.5).square());
    return { theta, losses: [L0, L1] };
  };

  it("gradnorm: λ̂_i = Σ_j ‖∇L_j‖ / ‖∇L_i‖, averaged with α = 0.9", () => {
    const { theta, losses } = setup();
    const w = new AdaptiveWeights("gradnorm", [true, false]);
    w.update((t) => losses[t]!, [theta], [1, 1]);
    // λ̂ = (7/6, 7/1); λ = 0.9·1 + 0.1·λ̂
    expect(w.factors[0]).toBeCloseTo(0.9 + 0.1 * (7 / 6), 12);
    expect(w.factors[1]).toBeCloseTo(0.9 + 0.1 * 7, 12);
  });

  it("annealing: λ̂_i = max|∇L_r| / mean|∇L_i| for conditions only", () => {
    const { theta, losses } = setup();
    const w = new AdaptiveWeights("annealing", [true, false]);
    w.update((t) => losses[t]!, [theta], [1, 1]);
    // max|∇L_0| = 6; mean|∇L_1| = (0 + 1)/2 = 0.5 → λ̂_1 = 12; the equation keeps 1.
    expect(w.factors[0]).toBe(1);
    expect(w.factors[1]).toBeCloseTo(0.9 + 0.1 * 12, 12);
  });

  it("updates on schedule and only with more than one term", () => {
    expect(new AdaptiveWeights("gradnorm", [true, false]).due(0)).toBe(true);
    expect(new AdaptiveWeights("gradnorm", [true, false]).due(50)).toBe(false);
    expect(new AdaptiveWeights("gradnorm", [true]).due(0)).toBe(false);
  });
});
