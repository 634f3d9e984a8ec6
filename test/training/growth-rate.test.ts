// The growth rate of perturbations (src/training/growth-rate.ts) and its part in the default number of
// time-marching windows, against rates worked out by hand from each equation's linearisation.
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { initialGrowthRate } from "../../src/training/growth-rate.js";
import { defaultWindowCount, initialRate, WINDOW_SPAN } from "../../src/training/time-marching.js";

const evolution = (equation: string, initial: string[], T = 1, x: [number, number] = [0, 1]): string =>
  `name: g\ndomain:\n  x: [${x[0]}, ${x[1]}]\n  t: [0, ${T}]\nunknowns: [u]\nequations:\n  - "${equation}"\nconditions:\n${initial.map((c) => `  - "${c}"`).join("\n")}\n`;

describe("the growth rate of perturbations at the start", () => {
  it("logistic growth u_t = ρu(1 − u): λ = ρ(1 − 2u₀)", () => {
    // u₀ = 1/4 everywhere: λ = 4·(1 − 1/2) = 2 at every point.
    expect(initialGrowthRate(parseProblem(evolution("u_t = 4*u*(1 - u)", ["u(x, 0) = 0.25"]), "l.yaml"))).toBeCloseTo(2, 12);
    // u₀ = x/2 on [0, 1]: λ = 4(1 − x), largest near x = 0 — between 4·(1 − 0.05) and 4 on 256 random points
    // (the chance that none falls in [0, 0.05) is 0.95^256 < 1e-5).
    const r = initialGrowthRate(parseProblem(evolution("u_t = 4*u*(1 - u)", ["u(x, 0) = x/2"]), "l.yaml"))!;
    expect(r).toBeGreaterThan(3.8);
    expect(r).toBeLessThanOrEqual(4);
  });

  it("no growth for decay, transport, diffusion and a cubic restoring term", () => {
    // u_t = −3u: λ = −3.
    expect(initialGrowthRate(parseProblem(evolution("u_t + 3*u = 0", ["u(x, 0) = 1 + x^2"]), "d.yaml"))).toBe(0);
    // u_t + 2u_x = 0 and u_t = u_xx: F does not depend on u itself.
    expect(initialGrowthRate(parseProblem(evolution("u_t + 2*u_x = 0", ["u(x, 0) = sin(x)"]), "t.yaml"))).toBe(0);
    expect(initialGrowthRate(parseProblem(evolution("u_t = u_xx", ["u(x, 0) = sin(pi*x)"]), "h.yaml"))).toBe(0);
    // u_tt = u_xx − u³: λ = −3u₀² ≤ 0.
    expect(initialGrowthRate(parseProblem(evolution("u_tt = u_xx - u^3", ["u(x, 0) = x", "u_t(x, 0) = 0"]), "k.yaml"))).toBe(0);
  });

  it("second order in time: √λ (u_tt = u_xx + 9u grows like e^{3t})", () => {
    expect(initialGrowthRate(parseProblem(evolution("u_tt = u_xx + 9*u", ["u(x, 0) = sin(pi*x)", "u_t(x, 0) = 0"]), "w.yaml"))).toBeCloseTo(3, 12);
  });

  it("a coefficient of the top derivative divides: 2u_t = 6u(1 − u) is logistic growth at rate 3", () => {
    expect(initialGrowthRate(parseProblem(evolution("2*u_t = 6*u*(1 - u)", ["u(x, 0) = 0"]), "c.yaml"))).toBeCloseTo(3, 12);
  });

  it("Burgers u_t + u u_x = ν u_xx: λ = −u₀' (compression), here π cos(πx) from u₀ = −sin(πx)", () => {
    const r = initialGrowthRate(parseProblem(evolution("u_t + u*u_x = 0.01*u_xx", ["u(x, 0) = -sin(pi*x)"], 1, [-1, 1]), "b.yaml"))!;
    expect(r).toBeGreaterThan(0.98 * Math.PI);
    expect(r).toBeLessThanOrEqual(Math.PI + 1e-12);
  });

  it("null without initial data for the unknown", () => {
    expect(initialGrowthRate(parseProblem(evolution("u_t = u*(1 - u)", ["u(0, t) = 0"]), "n.yaml"))).toBeNull();
  });
});

describe("the default window count takes the larger of the two rates", () => {
  it("logistic growth from u₀ = 0.01 at ρ = 10 over T = 1: the change rate 9.9 against the growth rate 9.8", () => {
    // u₀ = 0.01: the solution changes at u_t/u = ρ(1 − u₀) = 9.9, perturbations grow at ρ(1 − 2u₀) = 9.8.
    const p = parseProblem(evolution("u_t = 10*u*(1 - u)", ["u(x, 0) = 0.01"]), "l.yaml");
    expect(initialRate(p)).toBeCloseTo(9.9, 12);
    expect(initialGrowthRate(p)).toBeCloseTo(9.8, 12);
    expect(defaultWindowCount(p)).toBe(Math.ceil(9.9 / WINDOW_SPAN));
  });

  it("the shipped reaction's Gaussian: its RMS change rate alone gives one window, its growth rate ρ = 5 gives two", () => {
    // h(x) = exp(−(x − π)²/(2(π/4)²)) on [0, 2π]: min h = e^{−8} at the ends, so λ = 5(1 − 2h) reaches
    // 5(1 − 2e^{−8}) ≈ 4.997 near them; ⌈4.997 / 4⌉ = 2.
    const p = parseProblem(
      evolution("u_t = 5*u*(1 - u)", ["u(x, 0) = exp(-(x - pi)^2/(2*(pi/4)^2))"], 1, [0, 2 * Math.PI]).replace("[0, 6.283185307179586]", "[0, 2*pi]"),
      "r.yaml",
    );
    expect(initialRate(p)!).toBeLessThan(WINDOW_SPAN);
    expect(initialGrowthRate(p)!).toBeGreaterThan(4.9);
    expect(initialGrowthRate(p)!).toBeLessThanOrEqual(5);
    expect(defaultWindowCount(p)).toBe(2);
  });
});
