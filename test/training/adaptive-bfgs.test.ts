// The bfgs stage and RAR-D adaptive sampling as settings: how a file names them, their errors on
// the line that asks, the L-BFGS fallback above the dense-matrix limit (reported with the stage),
// short reduced-settings solves that use them, and the sampler's density (points gather where the
// residual is large, measured against a residual written here in closed form).

import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { DEFAULTS } from "../../src/problem/defaults.js";
import { LIMITS, memoryEstimate } from "../../src/problem/limits.js";
import { buildModel } from "../../src/solve.js";
import { train } from "../../src/training/trainer.js";
import { AdaptiveSampler } from "../../src/training/adaptive-sampling.js";
import { ADAPTIVE_SAMPLING_EVERY } from "../../src/training/techniques.js";
import { createRefiner } from "../../src/optim/refinement.js";
import { BFGS } from "../../src/optim/bfgs.js";
import { LBFGS } from "../../src/optim/lbfgs.js";
import { Tensor } from "../../src/engine/tensor.js";
import { evaluateSolution } from "../../src/reports/evaluation.js";
import { issuesOf } from "../helpers/problems.js";

const ODE = `name: ode
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = cos(3*x)"
conditions:
  - "u(0) = 0"
exact:
  u: "sin(3*x)/3"
`;

describe("the bfgs stage", () => {
  it("is read from a stage list, alone, and with its update", () => {
    const p = parseProblem(`${ODE}training:\n  optimizer:\n    - adam: {epochs: 10}\n    - bfgs: {iterations: 7, update: ssbroyden}\n`, "case.yaml");
    expect(p.training.stages[1]).toEqual({ optimizer: "bfgs", iterations: 7, learningRate: 1, update: "ssbroyden", historySize: DEFAULTS.training.lbfgsHistory });
    const alone = parseProblem(`${ODE}training:\n  epochs: 30\n  optimizer: bfgs\n`, "case.yaml");
    expect(alone.training.stages).toEqual([{ optimizer: "bfgs", iterations: 30, learningRate: 1, update: DEFAULTS.training.bfgsUpdate, historySize: DEFAULTS.training.lbfgsHistory }]);
  });

  it("rejects an unknown update and an unknown key on their lines", () => {
    const issues = issuesOf(`${ODE}training:\n  optimizer:\n    - bfgs: {update: dfp}\n    - bfgs: {memory: 3}\n`);
    expect(issues.map((i) => i.position?.line)).toEqual([13, 14]);
    expect(issues[0]!.message).toMatch(/update/);
    expect(issues[0]!.message).toMatch(/ssbfgs/);
  });

  it("falls back to L-BFGS above the dense-matrix limit, and says so", () => {
    const small = [new Tensor(new Float64Array(10), [10]).requireGrad()];
    const big = [new Tensor(new Float64Array(LIMITS.maxDenseBfgsParameters + 1), [LIMITS.maxDenseBfgsParameters + 1]).requireGrad()];
    const stage = { optimizer: "bfgs" as const, iterations: 1, learningRate: 1, update: "ssbfgs" as const, historySize: 5 };
    const a = createRefiner(small, stage);
    expect(a.optimizer).toBeInstanceOf(BFGS);
    expect(a.note).toBeUndefined();
    const b = createRefiner(big, stage);
    expect(b.optimizer).toBeInstanceOf(LBFGS);
    expect(b.kind).toBe("lbfgs");
    expect(b.note).toMatch(/L-BFGS/);
    expect(b.note).toMatch(String(LIMITS.maxDenseBfgsParameters));
  });

  it("a training run above the limit records the L-BFGS fallback and its reason with the stage", async () => {
    // 1-64-64-1: (1 + 1)·64 + (64 + 1)·64 + 65 = 4,353 weights > 4,096.
    const p = parseProblem(`${ODE}network:\n  hidden: [64, 64]\ntraining:\n  points: 8\n  optimizer:\n    - adam: {epochs: 2}\n    - bfgs: {iterations: 2}\n`, "case.yaml");
    const r = await train(buildModel(p), p.training.stages, { threads: 1 });
    expect(r.stages[1]!.optimizer).toBe("lbfgs");
    expect(r.stages[1]!.note).toMatch(/4353 weights, above the limit of 4096 weights; this stage ran L-BFGS/);
  });

  it("counts the dense matrix in the memory estimate (8n² bytes)", () => {
    const p = parseProblem(`${ODE}training:\n  points: 1\n  optimizer: bfgs\nevaluate:\n  points: 2\n`, "case.yaml");
    const n = (1 + 1) * 32 + (32 + 1) * 32 * 2 + 33; // 1-32-32-32-1
    expect(memoryEstimate(p).bytes).toBeGreaterThanOrEqual(8 * n * n);
  });

  it("trains an ODE to a small error after a short Adam stage (reduced settings)", async () => {
    // u' = cos 3x, u(0) = 0 has u = sin(3x)/3; 300 Adam epochs leave ~1e-2, BFGS takes it far lower.
    const p = parseProblem(`${ODE}network:\n  hidden: [16, 16]\ntraining:\n  points: 64\n  optimizer:\n    - adam: {epochs: 300, learning_rate: 0.01}\n    - bfgs: {iterations: 300}\n`, "case.yaml");
    const model = buildModel(p);
    const r = await train(model, p.training.stages, { threads: 1 });
    expect(r.stages[1]!.optimizer).toBe("bfgs");
    expect(r.stages[1]!.note).toBeUndefined();
    expect(r.finalLoss).toBeLessThan(1e-8);
    // Against the closed form sin(3x)/3 of the file's exact: section.
    const err = evaluateSolution(p, model.network, model.outputScale).metrics.u!.rel_l2!;
    expect(err).toBeLessThan(1e-4);
  });
});

describe("adaptive sampling (RAR-D)", () => {
  it("reads training.adaptive_sampling: a period, true for the default period, false for off", () => {
    const at = (v: string): number | undefined => parseProblem(`${ODE}training:\n  adaptive_sampling: ${v}\n`, "case.yaml").training.adaptiveSampling;
    expect(at("200")).toBe(200);
    expect(at("true")).toBe(ADAPTIVE_SAMPLING_EVERY);
    expect(at("false")).toBe(0);
    expect(issuesOf(`${ODE}training:\n  adaptive_sampling: -3\n`)[0]!.position?.line).toBe(12);
  });

  it("gathers points where |r| is large: density ∝ |r|/E|r| + 1", () => {
    // With the network's weights zeroed, u ≡ 0 and the residual of u' = cos 3x is −cos 3x
    // (scaled by a constant), so |r| = |cos 3x|. The density |cos 3x|/E|cos 3x| + 1 on [0, 1]
    // puts a fraction P = ∫_A (|cos 3x|/m + 1) dx / 2 of the points in A = [0, 0.2]
    // (m = ∫_0^1 |cos 3x| dx = (2 − sin 3)/3, ∫_0^0.2 cos 3x dx = sin(0.6)/3).
    const p = parseProblem(`${ODE}training:\n  points: 2000\n`, "case.yaml");
    const model = buildModel(p);
    for (const w of model.network.parameters()) w.data.fill(0);
    const sampler = new AdaptiveSampler(model, 1);
    expect(sampler.adaptive).toEqual([0]);
    const batch = sampler.draw();
    const x = batch[0]!.x;
    const m = (2 - Math.sin(3)) / 3;
    const expected = (Math.sin(0.6) / 3 / m + 0.2) / 2;
    const inA = Array.from(x).filter((v) => v <= 0.2).length / x.length;
    // Sampling without replacement from 10 candidates per point flattens the density a little;
    // uniform sampling would give 0.2.
    // (m = 0.6196, sin(0.6)/3 = 0.1882: P = 0.2519.)
    expect(expected).toBeCloseTo(0.2519, 3);
    expect(inA).toBeGreaterThan(0.225);
    expect(inA).toBeLessThan(expected + 0.02);
    expect(batch[1]!.x.length).toBeGreaterThan(0); // the condition's point, as before
  });

  it("a refinement stage with adaptive sampling trains and keeps the loss finite (reduced settings)", async () => {
    const p = parseProblem(`${ODE}network:\n  hidden: [8]\ntraining:\n  points: 64\n  optimizer:\n    - adam: {epochs: 100, learning_rate: 0.01}\n    - bfgs: {iterations: 60}\n`, "case.yaml");
    const model = buildModel(p);
    const r = await train(model, p.training.stages, { threads: 1, adaptiveSampling: 20 });
    expect(r.status).toBe("completed");
    expect(r.stages[1]!.iterations).toBeGreaterThan(20);
    expect(Number.isFinite(r.finalLoss)).toBe(true);
  });
});
