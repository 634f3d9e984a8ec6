// The techniques for hard problems as settings: the keys and their errors, the periodic embedding
// that enforces {periodic: x} by construction (and only when it really does), the causal weights'
// formula (against values worked out here by hand), and a short reduced-settings solve of a
// periodic transport problem.
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { buildModel, solve } from "../../src/solve.js";
import { Tensor } from "../../src/engine/tensor.js";
import { CausalWeights, CAUSAL_TOLERANCE } from "../../src/training/causal.js";
import { CAUSAL_EPSILON, defaultCausalWeights } from "../../src/training/techniques.js";
import { train } from "../../src/training/trainer.js";
import { TRANSPORT } from "../helpers/problems.js";

function lineOfError(text: string): { line: number; message: string }[] {
  try {
    parseProblem(text, "case.yaml");
  } catch (e) {
    if (e instanceof ProblemError) return e.issues.map((i) => ({ line: i.position?.line ?? 0, message: i.message }));
    throw e;
  }
  return [];
}

describe("technique settings", () => {
  it("reads network.periodic_embedding and training.causal_weights", () => {
    const p = parseProblem(`${TRANSPORT}network:\n  periodic_embedding: 3\ntraining:\n  causal_weights: 10\n`, "case.yaml");
    expect(p.network.periodicEmbedding).toBe(3);
    expect(p.training.causalWeights).toBe(10);
    const off = parseProblem(`${TRANSPORT}network:\n  periodic_embedding: false\ntraining:\n  causal_weights: false\n`, "case.yaml");
    expect(off.network.periodicEmbedding).toBe(0);
    expect(off.training.causalWeights).toBe(0);
    const on = parseProblem(`${TRANSPORT}training:\n  causal_weights: true\n`, "case.yaml");
    expect(on.training.causalWeights).toBe(CAUSAL_EPSILON);
    // Left out: undefined, the default applies where the problem's structure calls for it.
    const r = parseProblem(`${TRANSPORT}network:\n  time_features: 4\ntraining:\n  lbfgs_resample: 500\n`, "case.yaml");
    expect(r.network.timeFeatures).toBe(4);
    expect(r.training.lbfgsResample).toBe(500);
    const plain = parseProblem(TRANSPORT, "case.yaml");
    expect(plain.network.periodicEmbedding).toBeUndefined();
    expect(plain.training.causalWeights).toBeUndefined();
  });

  it("bad values are errors on their line (the problem text has 12 lines before the sections)", () => {
    const bad = `${TRANSPORT}network:\n  periodic_embedding: 1.5\ntraining:\n  causal_weights: -2\n`;
    const issues = lineOfError(bad);
    expect(issues.map((i) => i.line)).toEqual([14, 16]);
    expect(issues[0]!.message).toMatch(/periodic_embedding must be a whole number/);
    expect(issues[1]!.message).toMatch(/causal_weights must be true, false or a number/);
    expect(lineOfError(`${TRANSPORT}network:\n  periodic_embeding: 2\n`)[0]!.message).toMatch(/did you mean "periodic_embedding"/);
  });
});

describe("periodic embedding", () => {
  it("is off by default: the periodic condition is a penalty term on the plain inputs", () => {
    const model = buildModel(parseProblem(TRANSPORT, "case.yaml"));
    expect(model.terms.map((t) => t.kind)).toEqual(["equation", "condition", "periodic"]);
    expect(model.network.mlp.sizes[0]).toBe(2);
  });

  it("periodic_embedding: true (one mode) enforces {periodic: x} by construction: the condition leaves the loss", () => {
    const model = buildModel(parseProblem(`${TRANSPORT}network:\n  periodic_embedding: true\n`, "case.yaml"));
    expect(model.terms.map((t) => t.kind)).toEqual(["equation", "condition"]);
    expect(model.enforced.map((c) => c.kind)).toEqual(["periodic"]);
    // Inputs: cos x, sin x, t̂.
    expect(model.network.mlp.sizes[0]).toBe(3);
  });

  it("periodic_embedding: false keeps the penalty term; K modes give 2K + 1 inputs", () => {
    const off = buildModel(parseProblem(`${TRANSPORT}network:\n  periodic_embedding: false\n`, "case.yaml"));
    expect(off.terms.map((t) => t.kind)).toEqual(["equation", "condition", "periodic"]);
    expect(off.network.mlp.sizes[0]).toBe(2);
    const three = buildModel(parseProblem(`${TRANSPORT}network:\n  periodic_embedding: 3\n`, "case.yaml"));
    expect(three.network.mlp.sizes[0]).toBe(7);
  });

  it("a trial form that breaks periodicity leaves the condition a penalty term (checked, not assumed)", () => {
    // u = x·N: u(0, t) = 0 but u(2π, t) = 2π·N(2π, t), not equal for a general network.
    const model = buildModel(parseProblem(`${TRANSPORT}trial:\n  u: "x*N"\n`.replace('  - "u(x, 0) = sin(x)"\n', ""), "case.yaml"));
    expect(model.terms.map((t) => t.kind)).toEqual(["equation", "periodic"]);
    expect(model.enforced).toEqual([]);
  });
});

describe("time features", () => {
  it("network.time_features: F adds cos, sin of 2πf(t − lo)/L, f = 1..F, to the inputs", () => {
    const model = buildModel(parseProblem(`${TRANSPORT}network:\n  time_features: 2\n  periodic_embedding: 1\n`, "case.yaml"));
    // cos x, sin x, t̂, then cos/sin of 2πt and 4πt.
    expect(model.network.mlp.sizes[0]).toBe(7);
    const f = model.network.features!.features;
    expect(f.slice(3).map((g) => [g.kind, g.coef[1]! / (2 * Math.PI)])).toEqual([["cos", 1], ["sin", 1], ["cos", 2], ["sin", 2]]);
  });
});

describe("L-BFGS resampling", () => {
  it("draws fresh points every R iterations (R = 3, 10 iterations: at the start and at 3, 6, 9)", async () => {
    const p = parseProblem(`${TRANSPORT}network:\n  hidden: [6]\n  periodic_embedding: 1\ntraining:\n  optimizer: lbfgs\n  epochs: 10\n  points: 16\n`, "case.yaml");
    const model = buildModel(p);
    let draws = 0;
    const original = model.drawFresh.bind(model);
    model.drawFresh = () => {
      draws++;
      return original();
    };
    const r = await train(model, p.training.stages, { lbfgsResample: 3 });
    expect(r.stages[0]!.iterations).toBe(10);
    expect(draws).toBe(4);
  });
});

describe("causal weights", () => {
  it("are off by default (the causal window is used), on where the file asks", () => {
    expect(defaultCausalWeights(parseProblem(TRANSPORT, "case.yaml"))).toBe(0);
    expect(defaultCausalWeights(parseProblem(`${TRANSPORT}training:\n  causal_weights: true\n`, "case.yaml"))).toBe(CAUSAL_EPSILON);
    expect(defaultCausalWeights(parseProblem(`${TRANSPORT}training:\n  causal_weights: false\n`, "case.yaml"))).toBe(0);
    const ivp = `name: ivp\ndomain:\n  t: [0, 5]\nunknowns: [u]\nequations:\n  - "u_t = 2*u*(1 - u)"\nconditions:\n  - "u(0) = 0.1"\n`;
    expect(defaultCausalWeights(parseProblem(ivp, "case.yaml"))).toBe(0);
  });

  it("w_i = exp(−ε Σ_{k<i} L_k) over stratified slices, loss (1/M) Σ w_i L_i", () => {
    const c = new CausalWeights(1, 0, 2, 50, 4);
    c.epsilon = 0.5;
    // 8 points (x, t) with t = 0, 0.25, …, 1.75 on t ∈ [0, 2]; point p goes to slice p mod 4 of
    // width 0.5, its t mapped to 0.5·(slice + t/2).
    const x = new Float64Array(16);
    for (let p = 0; p < 8; p++) x[2 * p + 1] = 0.25 * p;
    const seen: number[][] = [];
    // A stand-in for the mean squares: the mean of t' in the slice, as a [1] tensor.
    const fake = (b: { x: Float64Array }): Tensor => {
      const ts = [b.x[1]!, b.x[3]!];
      seen.push(ts);
      return new Tensor(Float64Array.of((ts[0]! + ts[1]!) / 2), [1]);
    };
    const out = c.weightedMeanSquares(fake, { x, attrs: null }, 2);
    // Slice i: points p = i, i + 4 with t = 0.25 i and 0.25 i + 1, i.e. t/2 = 0.125 i and 0.125 i + 0.5
    // of the interval → t' = 0.5 (i + t/2) = 0.5625 i and 0.5625 i + 0.25.
    const L = [0, 1, 2, 3].map((i) => 0.5625 * i + 0.125);
    seen.forEach((ts, i) => {
      expect(ts[0]).toBeCloseTo(0.5625 * i, 14);
      expect(ts[1]).toBeCloseTo(0.5625 * i + 0.25, 14);
    });
    const w = [1, Math.exp(-0.5 * L[0]!), Math.exp(-0.5 * (L[0]! + L[1]!)), Math.exp(-0.5 * (L[0]! + L[1]! + L[2]!))];
    w.forEach((wi, i) => expect(c.weights[i]).toBeCloseTo(wi, 14));
    expect(out.data[0]).toBeCloseTo(L.reduce((s, l, i) => s + w[i]! * l, 0) / 4, 14);
  });

  it("ε starts at ε_max/100 and grows tenfold once every weight exceeds the tolerance", () => {
    const c = new CausalWeights(0, 0, 1, 10);
    expect(c.epsilon).toBeCloseTo(0.1, 15);
    c.weights = [1, CAUSAL_TOLERANCE - 0.01];
    c.anneal();
    expect(c.epsilon).toBeCloseTo(0.1, 15);
    c.weights = [1, CAUSAL_TOLERANCE + 0.001];
    c.anneal();
    expect(c.epsilon).toBeCloseTo(1, 15);
    c.anneal();
    c.anneal();
    expect(c.epsilon).toBe(10);
  });
});

describe("a periodic transport problem at reduced settings", () => {
  it("solves to 1e-2 with the default techniques (periodic penalty, causal window)", async () => {
    const p = parseProblem(`${TRANSPORT}network:\n  hidden: [16, 16]\ntraining:\n  epochs: 300\n  learning_rate: 0.01\n  lbfgs_iterations: 300\n  points: 128\nevaluate:\n  points: 21\n`, "case.yaml");
    const r = await solve(p, { write: false });
    expect(r.train.status).toBe("completed");
    // The exact solution sin(x − 2t), evaluated by the solver on a 21×21 grid.
    expect(r.evaluation.metrics.u!.rel_l2!).toBeLessThan(1e-2);
  }, 120_000);
});

describe("model.json with a periodic embedding", () => {
  it("reloads the features: loadModel evaluates the same values as the trained network", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { loadModel } = await import("../../src/reports/model-file.js");
    const p = parseProblem(`${TRANSPORT}network:\n  hidden: [6]\n  periodic_embedding: 1\ntraining:\n  optimizer: lbfgs\n  epochs: 3\n  points: 16\n`, "case.yaml");
    const dir = mkdtempSync(join(tmpdir(), "pinn-features-"));
    try {
      const r = await solve(p, { outDir: dir, plots: false });
      const model = loadModel(join(dir, "model.json"));
      expect(model.file.network!.features?.features.map((f) => f.kind)).toEqual(["cos", "sin", "id"]);
      // At x = 0 and x = 2π the reloaded network agrees with itself (periodic) and with the solver's CSV.
      const u = model.evaluate([[0, 0.3], [2 * Math.PI, 0.3], [1.1, 0.7]]).u!;
      expect(Math.abs(u[0]! - u[1]!)).toBeLessThan(1e-12);
      const { predictUnknowns } = await import("../../src/residual/predict.js");
      const direct = predictUnknowns(p, r.network, Float64Array.of(1.1, 0.7), r.model.outputScale)[0]!;
      expect(u[2]).toBeCloseTo(direct[0]!, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
