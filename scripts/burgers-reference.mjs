// Viscous Burgers u_t + u u_x = ν u_xx on [−1, 1] × [0, 1], ν = 0.01/π, u(x, 0) = −sin(πx),
// u(±1, t) = 0, by the Cole–Hopf transformation: an independent reference for problems/burgers.yaml.
//
//   node scripts/burgers-reference.mjs            writes problems/burgers-reference.csv
//   import { burgers, burgersSlope } from "./burgers-reference.mjs"   evaluates it anywhere
//
// With φ(x, t) = ∫ φ₀(x − η) G(η, t) dη, φ₀(y) = exp(−cos(πy)/(2πν)), G the heat kernel of ν,
// u = −2ν φ_x/φ, that is (η = √(4νt)·z)
//
//   u(x, t) = ∫ −sin(π(x − η)) φ₀(x − η) e^{−z²} dz  /  ∫ φ₀(x − η) e^{−z²} dz.
//
// The −sin(πx) data is odd and 2-periodic, so the whole-line solution is zero at x = ±1 for all t and
// solves the boundary-value problem. Both integrands are entire functions of z decaying like e^{−z²},
// so the trapezoidal rule on z ∈ [−Z, Z] converges exponentially (Trefethen & Weideman 2014); the
// exponent −cos(π(x − η))/(2πν) − z² is shifted by its maximum before exp (no overflow). With
// Z = 13 (e^{−169} against a dynamic range e^{2/(2πν)} = e^{100}) and step h = 0.01 the quadrature
// error is below rounding: doubling the nodes changes u by < 1e-14 (test/diagnostics/burgers.test.ts).
// Checked against the published maximum slope |u_x(0, 1.6037/π)| = 152.00516 (Basdevant et al. 1986).

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const NU = 0.01 / Math.PI;

/** Nodes z_i and trapezoid weights of the rule on [−Z, Z] with step h. */
function nodes(h, Z) {
  const n = Math.round(Z / h);
  const z = new Float64Array(2 * n + 1);
  for (let i = -n; i <= n; i++) z[i + n] = i * h;
  return z;
}

const DEFAULT_RULE = { h: 0.01, Z: 13 };
let cached = { key: "", z: new Float64Array(0) };
function zNodes(rule) {
  const key = `${rule.h}:${rule.Z}`;
  if (cached.key !== key) cached = { key, z: nodes(rule.h, rule.Z) };
  return cached.z;
}

/**
 * u(x, t) and u_x(x, t) by the Cole–Hopf quadrature. `rule` ({h, Z}) is for convergence tests;
 * `nu` for other viscosities (the data stays −sin(πx)).
 */
export function burgersWithSlope(x, t, { nu = NU, rule = DEFAULT_RULE } = {}) {
  if (t === 0) return { u: -Math.sin(Math.PI * x), ux: -Math.PI * Math.cos(Math.PI * x) };
  const z = zNodes(rule);
  const s = Math.sqrt(4 * nu * t);
  const a = 1 / (2 * Math.PI * nu);
  let emax = -Infinity;
  const e = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    e[i] = -a * Math.cos(Math.PI * (x - s * z[i])) - z[i] * z[i];
    if (e[i] > emax) emax = e[i];
  }
  // D = ∫φ₀G, N = ∫u₀φ₀G, and their x-derivatives: φ₀' = π a sin(πy) φ₀, u₀' = −π cos(πy).
  let D = 0, N = 0, Dx = 0, Nx = 0;
  for (let i = 0; i < z.length; i++) {
    const w = Math.exp(e[i] - emax);
    if (w === 0) continue;
    const y = Math.PI * (x - s * z[i]);
    const sn = Math.sin(y);
    const cs = Math.cos(y);
    D += w;
    N += -sn * w;
    Dx += Math.PI * a * sn * w;
    Nx += (-Math.PI * cs - Math.PI * a * sn * sn) * w;
  }
  return { u: N / D, ux: (Nx * D - N * Dx) / (D * D) };
}

/** The reference solution u(x, t). */
export function burgers(x, t, options) {
  return burgersWithSlope(x, t, options).u;
}

/** u_x(x, t). */
export function burgersSlope(x, t, options) {
  return burgersWithSlope(x, t, options).ux;
}

/** The grid written to problems/burgers-reference.csv: x in steps of 0.01, t in steps of 0.05. */
export const GRID = { x: { lo: -1, hi: 1, n: 201 }, t: { lo: 0, hi: 1, n: 21 } };

/** The CSV text (header x,t,u; t varying fastest, as pinn's evaluation grid orders (x, t)). */
export function referenceCsv(grid = GRID) {
  const at = (g, i) => (i === g.n - 1 ? g.hi : g.lo + ((g.hi - g.lo) * i) / (g.n - 1));
  const rows = ["x,t,u"];
  for (let i = 0; i < grid.x.n; i++) {
    for (let j = 0; j < grid.t.n; j++) {
      const x = Number(at(grid.x, i).toFixed(12));
      const t = Number(at(grid.t, j).toFixed(12));
      // u(±1, t) is zero to rounding; write the boundary data exactly.
      const u = Math.abs(x) === 1 ? 0 : burgers(x, t);
      rows.push(`${x},${t},${u.toPrecision(16)}`);
    }
  }
  return `${rows.join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = new URL("../problems/burgers-reference.csv", import.meta.url);
  writeFileSync(file, referenceCsv());
  const t = 1.6037 / Math.PI;
  process.stdout.write(`wrote ${fileURLToPath(file)}; |u_x(0, 1.6037/π)| = ${Math.abs(burgersSlope(0, t)).toFixed(8)} (published 152.00516)\n`);
}
