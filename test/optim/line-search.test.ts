// The strong-Wolfe line search on 1-D functions with hand-derived derivatives: the returned step
// must satisfy φ(α) ≤ φ(0) + c₁αφ'(0) and |φ'(α)| ≤ c₂|φ'(0)|, checked here from the formulas.

import { describe, expect, it } from "vitest";
import { cubicMinimizer, strongWolfe, type LinePoint } from "../../src/optim/line-search.js";

interface Case {
  name: string;
  f: (a: number) => number;
  df: (a: number) => number;
}

const cases: Case[] = [
  // minimum at α = 3
  { name: "quadratic (α−3)²/2", f: (a) => 0.5 * (a - 3) ** 2, df: (a) => a - 3 },
  // φ' = 4α³ − 2, minimum at α = 2^(−1/3)
  { name: "quartic α⁴ − 2α", f: (a) => a ** 4 - 2 * a, df: (a) => 4 * a ** 3 - 2 },
  // minimum at α = 50
  { name: "−α·exp(−α/50) (minimum far beyond 1)", f: (a) => -a * Math.exp(-a / 50), df: (a) => -Math.exp(-a / 50) * (1 - a / 50) },
  // minimum at α = 1e-3
  { name: "1e3·(α − 1e-3)² (minimum far below 1)", f: (a) => 1e3 * (a - 1e-3) ** 2, df: (a) => 2e3 * (a - 1e-3) },
  // Moré & Thuente (1994) test function 1 with β = 2: φ = −α/(α² + 2), minimum at √2
  { name: "−α/(α² + 2)", f: (a) => -a / (a * a + 2), df: (a) => (a * a - 2) / (a * a + 2) ** 2 },
];

const phiOf = (c: Case) => (a: number): LinePoint => ({ value: c.f(a), derivative: c.df(a) });

describe("strongWolfe", () => {
  for (const c of cases) {
    for (const [c1, c2] of [[1e-4, 0.9], [1e-4, 0.1], [0.1, 0.2]] as const) {
      for (const alpha0 of [1, 1e-3, 1e3]) {
        it(`${c.name}: c1=${c1}, c2=${c2}, alpha0=${alpha0}`, () => {
          const r = strongWolfe(phiOf(c), c.f(0), c.df(0), alpha0, { c1, c2 });
          expect(r.ok).toBe(true);
          expect(r.alpha).toBeGreaterThan(0);
          expect(r.value).toBe(c.f(r.alpha));
          expect(r.derivative).toBe(c.df(r.alpha));
          expect(c.f(r.alpha)).toBeLessThanOrEqual(c.f(0) + c1 * r.alpha * c.df(0));
          expect(Math.abs(c.df(r.alpha))).toBeLessThanOrEqual(c2 * Math.abs(c.df(0)));
          expect(r.evaluations).toBeLessThanOrEqual(25);
        });
      }
    }
  }

  it("accepts the initial step when it already satisfies both conditions (one evaluation)", () => {
    // (α−1)²: α = 1 is the exact minimizer
    const r = strongWolfe((a) => ({ value: (a - 1) ** 2, derivative: 2 * (a - 1) }), 1, -2, 1);
    expect(r).toEqual({ alpha: 1, value: 0, derivative: 0, evaluations: 1, ok: true });
  });

  it("finds the exact minimizer of a quadratic by interpolation when c2 is tiny", () => {
    // (α − 0.37)²: one cubic (= quadratic) interpolation between 0 and 1 lands on 0.37
    const r = strongWolfe((a) => ({ value: (a - 0.37) ** 2, derivative: 2 * (a - 0.37) }), 0.37 ** 2, -0.74, 1, { c1: 1e-8, c2: 1e-6 });
    expect(r.ok).toBe(true);
    expect(r.alpha).toBeCloseTo(0.37, 12);
  });

  it("treats non-finite values as failed trials and backs off to a finite Wolfe point", () => {
    // (α − 2)², undefined beyond α = 0.5; Wolfe points in [0, 0.5] are α ∈ [0.2, 0.5] for c2 = 0.9
    const calls: number[] = [];
    const phi = (a: number): LinePoint => {
      calls.push(a);
      return a > 0.5 ? { value: NaN, derivative: NaN } : { value: (a - 2) ** 2, derivative: 2 * (a - 2) };
    };
    const r = strongWolfe(phi, 4, -4, 1);
    expect(r.ok).toBe(true);
    expect(r.alpha).toBeLessThanOrEqual(0.5);
    expect(r.alpha).toBeGreaterThanOrEqual(0.2);
    expect(Number.isFinite(r.value)).toBe(true);
    expect(calls[0]).toBe(1);
  });

  it("treats an infinite value like NaN", () => {
    const phi = (a: number): LinePoint => (a > 0.01 ? { value: Infinity, derivative: 0 } : { value: -a, derivative: -1 });
    const r = strongWolfe(phi, 0, -1, 1);
    expect(r.alpha).toBeGreaterThan(0);
    expect(r.alpha).toBeLessThanOrEqual(0.01);
    expect(r.value).toBe(-r.alpha);
  });

  it("returns α = 0 and φ(0) when every trial is non-finite", () => {
    const r = strongWolfe(() => ({ value: NaN, derivative: NaN }), 1, -1, 1, { maxEvals: 10 });
    expect(r).toEqual({ alpha: 0, value: 1, derivative: -1, evaluations: 10, ok: false });
  });

  it("returns the lowest point seen when the budget runs out before a Wolfe point", () => {
    // φ = −α is unbounded below: no Wolfe point; extrapolation keeps lowering φ
    const seen: number[] = [];
    const r = strongWolfe((a) => (seen.push(a), { value: -a, derivative: -1 }), 0, -1, 1, { maxEvals: 5 });
    expect(r.ok).toBe(false);
    expect(r.evaluations).toBe(5);
    expect(r.alpha).toBe(Math.max(...seen));
    expect(r.value).toBe(-r.alpha);
    // each extrapolation grows the step by at least 2.1× the previous increment
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeGreaterThanOrEqual(1.1 * (seen[i - 1]! - (seen[i - 2] ?? 0)));
  });

  it("stops at alphaMax", () => {
    const r = strongWolfe((a) => ({ value: -a, derivative: -1 }), 0, -1, 1, { alphaMax: 3 });
    expect(r.ok).toBe(false);
    expect(r.alpha).toBe(3);
  });

  it("rejects invalid arguments", () => {
    const phi = (a: number): LinePoint => ({ value: a * a, derivative: 2 * a });
    expect(() => strongWolfe(phi, 0, 0, 1)).toThrow(/descent direction/);
    expect(() => strongWolfe(phi, 0, 1, 1)).toThrow(/descent direction/);
    expect(() => strongWolfe(phi, 0, -1, 0)).toThrow(/alpha0/);
    expect(() => strongWolfe(phi, NaN, -1, 1)).toThrow(/phi\(0\)/);
    expect(() => strongWolfe(phi, 0, -1, 1, { c1: 0.5, c2: 0.4 })).toThrow(/c1 < c2/);
  });
});

describe("cubicMinimizer", () => {
  it("is exact on a cubic: φ = α³ − 3α has its local minimum at α = 1", () => {
    const f = (a: number): number => a ** 3 - 3 * a;
    const df = (a: number): number => 3 * a * a - 3;
    expect(cubicMinimizer(0, f(0), df(0), 2, f(2), df(2))).toBeCloseTo(1, 14);
    expect(cubicMinimizer(2, f(2), df(2), -0.5, f(-0.5), df(-0.5))).toBeCloseTo(1, 14);
  });

  it("is exact on a quadratic: (α − c)² from 0 and 1 gives c", () => {
    for (const c of [-2, 0.25, 0.5, 7]) {
      const f = (a: number): number => (a - c) ** 2;
      const df = (a: number): number => 2 * (a - c);
      expect(cubicMinimizer(0, f(0), df(0), 1, f(1), df(1))).toBeCloseTo(c, 12);
    }
  });

  it("is NaN when the cubic has no local minimizer", () => {
    // φ = −α³ − α is strictly decreasing
    const f = (a: number): number => -(a ** 3) - a;
    const df = (a: number): number => -3 * a * a - 1;
    expect(cubicMinimizer(0, f(0), df(0), 1, f(1), df(1))).toBeNaN();
  });
});
