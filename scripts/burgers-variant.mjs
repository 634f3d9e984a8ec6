// Burgers u_t + u u_x = ν u_xx on [−1, 1] × [0, 1] with other viscosities and initial profiles, for
// trying pinn's defaults on "the same problem with other coefficients" (issue 11): writes a problem
// file with only the physics and its Cole–Hopf reference CSV.
//
//   node scripts/burgers-variant.mjs OUTDIR NAME NU_TIMES_PI B1 [B2 ...]
//
// u(x, 0) = Σ_k B_k sin(kπx) (odd and 2-periodic, so the whole-line solution is zero at x = ±1 and
// solves the boundary-value problem u(±1, t) = 0). NU_TIMES_PI is ν·π (0.01 for the classic case;
// B1 = −1 is −sin(πx)). E.g. `node scripts/burgers-variant.mjs /tmp/b b2 0.01 -1 0.5` for
// u(x, 0) = −sin(πx) + 0.5 sin(2πx).
//
// Cole–Hopf, as in scripts/burgers-reference.mjs: with Φ = ∫u₀ = −Σ B_k cos(kπy)/(kπ) and
// φ₀ = exp(−Φ/(2ν)), u = ∫u₀(x − η) φ₀(x − η) G(η, t) dη / ∫φ₀(x − η) G(η, t) dη, η = √(4νt)·z, by
// the trapezoidal rule in z (exponentially convergent for these entire integrands). The exponent's
// range over y is at most R = Σ|B_k|/(kπν); the rule's half-width Z is chosen so that e^{−Z²} is
// e^{−60} below e^{R} (Z² = R + 60, at least 13), step h = 0.01; both checked by halving h and
// widening Z (the script prints the largest change).

import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export function coleHopf(x, t, nu, b, rule) {
  const u0 = (y) => b.reduce((s, bk, k) => s + bk * Math.sin((k + 1) * Math.PI * y), 0);
  if (t === 0) return u0(x);
  const phi = (y) => -b.reduce((s, bk, k) => s - (bk * Math.cos((k + 1) * Math.PI * y)) / ((k + 1) * Math.PI), 0) / (2 * nu);
  const n = Math.round(rule.Z / rule.h);
  const s = Math.sqrt(4 * nu * t);
  const e = new Float64Array(2 * n + 1);
  let emax = -Infinity;
  for (let i = -n; i <= n; i++) {
    const z = i * rule.h;
    const v = phi(x - s * z) - z * z;
    e[i + n] = v;
    if (v > emax) emax = v;
  }
  let D = 0, N = 0;
  for (let i = -n; i <= n; i++) {
    const w = Math.exp(e[i + n] - emax);
    if (w === 0) continue;
    D += w;
    N += u0(x - s * i * rule.h) * w;
  }
  return N / D;
}

export function defaultRule(nu, b) {
  const range = b.reduce((s, bk, k) => s + Math.abs(bk) / ((k + 1) * Math.PI * nu), 0);
  return { h: 0.01, Z: Math.max(13, Math.ceil(Math.sqrt(range + 60))) };
}

function main() {
  const [out, name, nuPi, ...bs] = process.argv.slice(2);
  if (!out || !name || !nuPi || bs.length === 0) {
    process.stderr.write("usage: node scripts/burgers-variant.mjs OUTDIR NAME NU_TIMES_PI B1 [B2 ...]\n");
    process.exit(2);
  }
  const nu = Number(nuPi) / Math.PI;
  const b = bs.map(Number);
  const rule = defaultRule(nu, b);
  const fine = { h: rule.h / 2, Z: rule.Z + 4 };
  mkdirSync(out, { recursive: true });
  const rows = ["x,t,u"];
  let change = 0;
  for (let i = 0; i <= 200; i++) {
    for (let j = 0; j <= 20; j++) {
      const x = Number((-1 + i / 100).toFixed(12));
      const t = Number((j / 20).toFixed(12));
      const u = Math.abs(x) === 1 ? 0 : coleHopf(x, t, nu, b, rule);
      if (i % 10 === 5 && Math.abs(x) !== 1) change = Math.max(change, Math.abs(u - coleHopf(x, t, nu, b, fine)));
      rows.push(`${x},${t},${u.toPrecision(16)}`);
    }
  }
  writeFileSync(join(out, `${name}-reference.csv`), `${rows.join("\n")}\n`);
  const profile = b.map((bk, k) => `${bk} * sin(${k + 1}*pi*x)`).join(" + ");
  const yaml = `name: ${name}
title: "Burgers, nu = ${nuPi}/pi, u(x,0) = ${profile}"
domain:
  x: [-1, 1]
  t: [0, 1]
unknowns: [u]
constants:
  nu: ${nuPi}/pi
equations:
  - "u_t + u*u_x = nu*u_xx"
conditions:
  - "u(x, 0) = ${profile}"
  - "u(-1, t) = 0"
  - "u(1, t) = 0"
reference:
  file: ${name}-reference.csv
evaluate:
  points:
    x: 201
    t: 21
`;
  writeFileSync(join(out, `${name}.yaml`), yaml);
  process.stdout.write(`wrote ${join(out, name)}.yaml and its reference (rule h = ${rule.h}, Z = ${rule.Z}; largest change with h/2, Z + 4: ${change.toExponential(2)})\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) main();
