// Generate the observations of the shipped inverse problems (problems/*-inverse.yaml and their CSVs).
//
//   node scripts/inverse-data.mjs [heat|lorenz|burgers ...]     (default: all)
//
// - heat-inverse.csv: 200 temperatures of u_t = k u_xx on [0, 1] × [0, 1], k = 0.1, with
//   u(x, 0) = sin(πx) + 0.5 sin(2πx), u(0, t) = u(1, t) = 0, whose exact solution is
//   u = e^(−kπ²t) sin(πx) + 0.5 e^(−4kπ²t) sin(2πx). Points: uniform in the square (seeded);
//   values: exact plus Gaussian noise of standard deviation 1% of the values' RMS.
// - lorenz-inverse.csv: DeepXDE's Lorenz example: x' = C1 (y − x), y' = x (C2 − z) − y,
//   z' = x y − C3 z with C1 = 10, C2 = 15, C3 = 8/3, (x, y, z)(0) = (−8, 7, 27), t in [0, 3];
//   x, y, z observed at 200 evenly spaced times (clean, as in DeepXDE), from classical RK4 with
//   step 1e-4 (its error, checked by halving the step, is below 1e-9).
// - burgers-inverse.csv, burgers-inverse-noisy.csv: Raissi, Perdikaris & Karniadakis (2019)'s
//   inverse Burgers problem, u_t + λ1 u u_x − λ2 u_xx = 0 (λ1 = 1, λ2 = 0.01/π), u(x, 0) = −sin(πx),
//   u(±1, t) = 0: 2,000 points uniform in [−1, 1] × [0, 0.99] (seeded), u from the Cole–Hopf
//   quadrature of scripts/burgers-reference.mjs (accurate to rounding); the noisy set adds
//   Gaussian noise of standard deviation 1% of the values' standard deviation, as Raissi et al. do.
//
// The random numbers come from a fixed-seed generator (mulberry32), so the files are reproducible.

import { writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { argv, env } from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "problems", "inverse");

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand) {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const fmt = (v) => Number(v.toPrecision(12)).toString();

function heat() {
  const k = 0.1;
  const rand = mulberry32(12);
  const exact = (x, t) => Math.exp(-k * Math.PI ** 2 * t) * Math.sin(Math.PI * x) + 0.5 * Math.exp(-4 * k * Math.PI ** 2 * t) * Math.sin(2 * Math.PI * x);
  const rows = Array.from({ length: 200 }, () => {
    const x = rand();
    const t = rand();
    return [x, t, exact(x, t)];
  });
  const rms = Math.sqrt(rows.reduce((a, r) => a + r[2] ** 2, 0) / rows.length);
  for (const r of rows) r[2] += 0.01 * rms * gaussian(rand);
  const lines = ["x,t,u", ...rows.map((r) => r.map(fmt).join(","))];
  writeFileSync(join(out, "heat-inverse.csv"), lines.join("\n") + "\n");
}

function lorenzRk4(T, dt, C = [10, 15, 8 / 3], y0 = [-8, 7, 27], samples = 200) {
  const f = ([x, y, z]) => [C[0] * (y - x), x * (C[1] - z) - y, x * y - C[2] * z];
  const steps = Math.round(T / dt);
  const every = steps / (samples - 1);
  const out = [];
  let s = [...y0];
  for (let i = 0; i <= steps; i++) {
    if (Math.abs(i / every - Math.round(i / every)) < 1e-9) out.push([i * dt, ...s]);
    if (i === steps) break;
    const k1 = f(s);
    const k2 = f(s.map((v, j) => v + (dt / 2) * k1[j]));
    const k3 = f(s.map((v, j) => v + (dt / 2) * k2[j]));
    const k4 = f(s.map((v, j) => v + dt * k3[j]));
    s = s.map((v, j) => v + (dt / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]));
  }
  return out;
}

function lorenz() {
  // 200 samples over 3 time units: a step that divides 3/199 exactly.
  const dt = 3 / 199 / 150;
  const rows = lorenzRk4(3, dt);
  const check = lorenzRk4(3, dt / 2);
  const diff = Math.max(...rows.flatMap((r, i) => r.slice(1).map((v, j) => Math.abs(v - check[i][j + 1]))));
  if (rows.length !== 200 || !(diff < 1e-9)) throw new Error(`Lorenz reference not converged (${rows.length} rows, step difference ${diff})`);
  const lines = ["t,x,y,z", ...rows.map((r) => r.map(fmt).join(","))];
  writeFileSync(join(out, "lorenz-inverse.csv"), lines.join("\n") + "\n");
  process.stderr.write(`lorenz: RK4 step-halving difference ${diff.toExponential(2)}\n`);
}

async function burgersData() {
  // The reference's evaluator (another module of this folder; PINN_BURGERS_REFERENCE overrides its path).
  const reference = env.PINN_BURGERS_REFERENCE ?? "./burgers-reference.mjs";
  const { burgers } = await import(reference.startsWith("/") ? reference : new URL(reference, import.meta.url).href);
  const rand = mulberry32(2019);
  const rows = Array.from({ length: 2000 }, () => {
    const x = -1 + 2 * rand();
    const t = 0.99 * rand();
    return [x, t, burgers(x, t)];
  });
  const write = (name, data) => writeFileSync(join(out, name), ["x,t,u", ...data.map((r) => r.map(fmt).join(","))].join("\n") + "\n");
  write("burgers-inverse.csv", rows);
  const mean = rows.reduce((a, r) => a + r[2], 0) / rows.length;
  const std = Math.sqrt(rows.reduce((a, r) => a + (r[2] - mean) ** 2, 0) / rows.length);
  write("burgers-inverse-noisy.csv", rows.map(([x, t, u]) => [x, t, u + 0.01 * std * gaussian(rand)]));
}

const wanted = argv.slice(2);
const run = (name) => wanted.length === 0 || wanted.includes(name);
if (run("heat")) heat();
if (run("lorenz")) lorenz();
if (run("burgers")) await burgersData();
