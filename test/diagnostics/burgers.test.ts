// The Burgers reference (scripts/burgers-reference.mjs) checked by means independent of its own
// quadrature: the published maximum slope, the PDE residual by finite differences, the initial and
// boundary data, convergence under a finer rule; and problems/burgers-reference.csv against it.

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { burgers as u, burgersSlope as ux, NU, GRID } from "../../scripts/burgers-reference.mjs";

describe("Cole-Hopf reference for viscous Burgers", () => {
  it("has the published maximum slope |u_x(0, 1.6037/pi)| = 152.00516 (Basdevant et al. 1986)", () => {
    const t = 1.6037 / Math.PI;
    // The published value has 8 significant digits.
    expect(Math.abs(ux(0, t))).toBeCloseTo(152.00516, 4);
    // And x = 0 is where the slope is largest (scan around it).
    for (const x of [-0.002, -0.0005, 0.0005, 0.002]) expect(Math.abs(ux(x, t))).toBeLessThan(152.00516);
  });

  it("satisfies u_t + u u_x = nu u_xx by centred finite differences away from the shock", () => {
    // Fourth-order differences with h = 1e-3: truncation ~h^4·u^(5) and rounding ~1e-16/h^2 = 1e-10.
    const h = 1e-3;
    for (const [x, t] of [[0.5, 0.3], [-0.4, 0.8], [0.8, 0.95], [-0.2, 0.1]] as const) {
      const d1 = (f: (s: number) => number, s: number): number => (-f(s + 2 * h) + 8 * f(s + h) - 8 * f(s - h) + f(s - 2 * h)) / (12 * h);
      const d2 = (f: (s: number) => number, s: number): number => (-f(s + 2 * h) + 16 * f(s + h) - 30 * f(s) + 16 * f(s - h) - f(s - 2 * h)) / (12 * h * h);
      const ut = d1((s) => u(x, s), t);
      const uxx = d2((s) => u(s, t), x);
      const residual = ut + u(x, t) * d1((s) => u(s, t), x) - NU * uxx;
      expect(Math.abs(residual)).toBeLessThan(1e-6);
      // The analytic slope agrees with the difference quotient.
      expect(ux(x, t)).toBeCloseTo(d1((s) => u(s, t), x), 7);
    }
  });

  it("meets the initial and boundary data, and a finer rule changes nothing", () => {
    for (const x of [-0.9, -0.3, 0.25, 0.7]) expect(u(x, 1e-9)).toBeCloseTo(-Math.sin(Math.PI * x), 6);
    for (const t of [0.2, 0.6, 1]) {
      expect(Math.abs(u(1, t))).toBeLessThan(1e-13);
      expect(Math.abs(u(-1, t))).toBeLessThan(1e-13);
    }
    for (const [x, t] of [[0.01, 1], [0.3, 0.5], [-0.05, 0.6]] as const) {
      expect(Math.abs(u(x, t) - u(x, t, { rule: { h: 0.004, Z: 17 } }))).toBeLessThan(1e-13);
    }
  });

  it("problems/burgers-reference.csv holds the reference on its grid, under 1 MB", () => {
    const text = readFileSync(new URL("../../problems/burgers-reference.csv", import.meta.url), "utf8");
    expect(text.length).toBeLessThan(1e6);
    const rows = text.trimEnd().split("\n");
    expect(rows[0]).toBe("x,t,u");
    expect(rows.length - 1).toBe(GRID.x.n * GRID.t.n);
    for (let i = 1; i < rows.length; i += 97) {
      const [x, t, v] = rows[i]!.split(",").map(Number) as [number, number, number];
      expect(Math.abs(v - (Math.abs(x) === 1 ? 0 : u(x, t)))).toBeLessThan(1e-14);
    }
  });
});
