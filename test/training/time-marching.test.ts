// Time-marching (src/training/time-marching*.ts): the windows and the problem each one trains, the
// initial data handed on from one window to the next (against values worked out independently: by
// hand for a linear network, by central differences of the network's plain forward pass), the
// piecewise network's evaluation (each point through its own window's network), model.json's
// `windows` round trip and validation, and a short reduced-settings solve.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { solve } from "../../src/solve.js";
import { Rng } from "../../src/engine/random.js";
import { Tensor } from "../../src/engine/tensor.js";
import { PinnNetwork, networkFeatures } from "../../src/residual/network.js";
import type { PointCondition } from "../../src/problem/types.js";
import { defaultWindowCount, FIRST_WINDOW_LBFGS,
  WINDOW_REFINEMENT_SHARE, windowStages, handedOnQuantity, handedOnValues, initialRate, marchingObstacle, timeWindowCount, WINDOW_SPAN, windowCuts, windowProblem } from "../../src/training/time-marching.js";
import { PiecewiseNetwork } from "../../src/training/time-marching-network.js";
import { loadModel, modelFile, readModelFile } from "../../src/reports/model-file.js";
import { TRANSPORT } from "../helpers/problems.js";

const WAVE = `name: string
domain:
  x: [0, 1]
  t: [0, 2]
unknowns: [u]
equations:
  - "u_tt = u_xx"
conditions:
  - "u(x, 0) = sin(pi*x)"
  - "u_t(x, 0) = 0"
  - "u(0, t) = 0"
  - "u(1, t) = 0"
exact:
  u: "sin(pi*x)*cos(pi*t)"
`;

describe("windows", () => {
  it("cuts the interval into equal windows, ending exactly at T", () => {
    expect(windowCuts(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const c = windowCuts(0, 0.3, 3);
    expect(c[3]).toBe(0.3);
    expect(c[1]).toBeCloseTo(0.1, 15);
  });

  it("a window's problem: t restricted, the initial conditions moved to its start, the rest unchanged", () => {
    const p = parseProblem(WAVE, "wave.yaml");
    const w = windowProblem(p, 0.5, 1);
    expect(w.problem.bounds).toEqual([[0, 1], [0.5, 1]]);
    expect(p.bounds).toEqual([[0, 1], [0, 2]]);
    expect(w.initial.map((i) => i.original.source.text)).toEqual(["u(x, 0) = sin(pi*x)", "u_t(x, 0) = 0"]);
    for (const { condition } of w.initial) expect(condition.location[1]).toEqual({ free: false, value: 0.5 });
    // The boundary conditions (t free) are the same objects: their points follow the window's bounds.
    expect(w.problem.conditions[2]).toBe(p.conditions[2]);
    // The quantity handed on is the side with the unknown: u, then u_t.
    expect(w.initial.map((i) => i.original.lhs)).toEqual(w.initial.map((i) => handedOnQuantity(i.original)));
  });

  it("applies to evolution problems only, with the reason otherwise", () => {
    expect(marchingObstacle(parseProblem(WAVE, "wave.yaml"))).toBeNull();
    expect(marchingObstacle(parseProblem(WAVE.replace("exact:", 'trial:\n  u: "sin(pi*x) + t*N"\nexact:'), "w.yaml"))).toMatch(/trial form/);
    expect(marchingObstacle(parseProblem(WAVE.replace('"u(1, t) = 0"', '"u(x, 2) = 0"'), "w.yaml"))).toMatch(/later time/);
    const ode = parseProblem("name: ode\ndomain:\n  t: [0, 1]\nunknowns: [u]\nequations:\n  - \"u_t = -u\"\nconditions:\n  - \"u(0) = 1\"\n", "ode.yaml");
    expect(marchingObstacle(ode)).toMatch(/space variable/);
    // The setting: a count, false (off), and errors on their line.
    expect(timeWindowCount(parseProblem(`${WAVE}training:\n  time_windows: 4\n`, "w.yaml"))).toBe(4);
    expect(timeWindowCount(parseProblem(`${WAVE}training:\n  time_windows: false\n`, "w.yaml"))).toBe(0);
    // true: the default (here ⌈2π/4⌉ = 2 windows, see below).
    expect(timeWindowCount(parseProblem(`${WAVE}training:\n  time_windows: true\n`, "w.yaml"))).toBe(2);
    expect(() => parseProblem(`${WAVE}training:\n  time_windows: 2.5\n`, "w.yaml")).toThrow(ProblemError);
    try {
      parseProblem(`${WAVE}training:\n  time_windows: -1\n`, "w.yaml");
    } catch (e) {
      expect((e as ProblemError).issues[0]!.position?.line).toBe(16);
      expect((e as ProblemError).issues[0]!.message).toMatch(/time_windows must be a whole number/);
    }
  });
});

describe("each window's stages", () => {
  it("the file's stages, the first window's refinement (L-BFGS or BFGS) longer (it starts from random weights)", () => {
    const p = parseProblem(`${WAVE}training:\n  optimizer: [adam, lbfgs]\n`, "wave.yaml");
    const [adam, lbfgs] = p.training.stages;
    expect(windowStages(p.training.stages, 0, 4, p.training.optimizerDefault)).toEqual([adam, { ...lbfgs, iterations: (lbfgs as { iterations: number }).iterations * FIRST_WINDOW_LBFGS }]);
    expect(windowStages(p.training.stages, 3, 4, p.training.optimizerDefault)).toEqual(p.training.stages);
  });

  it("a default BFGS refinement is shared among the windows; one the file chose is kept whole", () => {
    const p = parseProblem(WAVE, "wave.yaml");
    // No optimizer in the file: the default refinement is BFGS with the documented default length
    // 2500 (README, "Settings and defaults"); 8 windows share 6 × 2500 = 15000 iterations, 1875 each,
    // doubled in the first window; 2 windows would get 2500 each: never more than the whole stage.
    expect(p.training.stages[1]).toMatchObject({ optimizer: "bfgs", iterations: 2500 });
    expect(p.training.optimizerDefault).toBe(true);
    expect(windowStages(p.training.stages, 0, 8, true)[1]).toMatchObject({ optimizer: "bfgs", iterations: 1875 * FIRST_WINDOW_LBFGS });
    expect(windowStages(p.training.stages, 5, 8, true)[1]).toMatchObject({ optimizer: "bfgs", iterations: 1875 });
    expect(windowStages(p.training.stages, 1, 2, true)[1]).toMatchObject({ iterations: 2500 });
    expect(WINDOW_REFINEMENT_SHARE).toBe(6);
    const chosen = parseProblem(`${WAVE}training:\n  optimizer: [adam, bfgs]\n`, "wave.yaml");
    expect(chosen.training.optimizerDefault).toBeUndefined();
    expect(windowStages(chosen.training.stages, 2, 8, chosen.training.optimizerDefault)[1]).toMatchObject({ optimizer: "bfgs", iterations: 2500 });
  });
});

describe("the default count: the initial rate of change", () => {
  it("a wave's angular frequency, a transport's speed, a decay's rate, from the equation and the initial data", () => {
    // u_tt = u_xx with u(x, 0) = sin(πx): u_tt(x, 0) = −π² sin(πx) at every point, so the rate is π.
    const wave = parseProblem(WAVE, "wave.yaml");
    expect(initialRate(wave)).toBeCloseTo(Math.PI, 12);
    // T·rate / WINDOW_SPAN = 2π/4, rounded up.
    expect(defaultWindowCount(wave)).toBe(Math.ceil((2 * Math.PI) / WINDOW_SPAN));
    // u_t = −3u from u(x, 0) = 1 + x²: u_t/u = −3 at every point.
    const decay = parseProblem("name: d\ndomain:\n  x: [0, 1]\n  t: [0, 1]\nunknowns: [u]\nequations:\n  - \"u_t + 3*u = 0\"\nconditions:\n  - \"u(x, 0) = 1 + x^2\"\n", "d.yaml");
    expect(initialRate(decay)).toBeCloseTo(3, 12);
    expect(defaultWindowCount(decay)).toBe(1);
    // Transport at speed 2 of sin x: |u_t| = 2|cos x|, the RMS ratio ≈ 2 on random points.
    expect(initialRate(parseProblem(TRANSPORT, "t.yaml"))!).toBeGreaterThan(1.7);
    expect(initialRate(parseProblem(TRANSPORT, "t.yaml"))!).toBeLessThan(2.3);
    // No initial value of u: no estimate.
    expect(initialRate(parseProblem(WAVE.replace('  - "u(x, 0) = sin(pi*x)"\n', ""), "w.yaml"))).toBeNull();
  });
});

describe("initial data handed on", () => {
  it("a linear network's u and u_t at t = t_k, against the values worked out by hand", () => {
    const p = parseProblem(WAVE, "wave.yaml");
    // N(x, t) = w_x·x̂ + w_t·t̂ + b with x̂ = 2x − 1 (x ∈ [0, 1]) and t̂ = t − 1 (t ∈ [0, 2]); u = U·N.
    const net = new PinnNetwork(p.bounds, 1, { hidden: [], activation: "tanh", init: "uniform" }, new Rng(1));
    net.mlp.layers[0]!.weight.data.set([0.3, -0.7]);
    net.mlp.layers[0]!.bias!.data.set([0.2]);
    const U = 1.5;
    const points = Float64Array.from([0.25, 0.5, 0.8, 0.5]);
    const [u, ut] = p.conditions.slice(0, 2).map((c) => handedOnValues(net, p, [U], handedOnQuantity(c as PointCondition), points));
    const byHand = (x: number, t: number): number => U * (0.3 * (2 * x - 1) - 0.7 * (t - 1) + 0.2);
    expect(u![0]).toBeCloseTo(byHand(0.25, 0.5), 14);
    expect(u![1]).toBeCloseTo(byHand(0.8, 0.5), 14);
    // u_t = U·w_t·(dt̂/dt) = 1.5·(−0.7)·1.
    expect(ut![0]).toBeCloseTo(-1.05, 14);
    expect(ut![1]).toBeCloseTo(-1.05, 14);
  });

  it("through a tanh network: u_t against central differences of the plain forward pass", () => {
    const p = parseProblem(WAVE, "wave.yaml");
    const net = new PinnNetwork([[0, 1], [0.5, 1]], 1, { hidden: [8, 8], activation: "tanh", init: "uniform" }, new Rng(7));
    const points = Float64Array.from([0.1, 0.5, 0.4, 0.5, 0.9, 0.5]);
    const ut = handedOnValues(net, p, [2], handedOnQuantity(p.conditions[1] as PointCondition), points);
    const h = 1e-5;
    const f = (x: number, t: number): number => 2 * net.forward(new Tensor(Float64Array.from([x, t]), [1, 2])).data[0]!;
    for (let i = 0; i < 3; i++) {
      const x = points[2 * i]!;
      expect(ut[i]).toBeCloseTo((f(x, 0.5 + h) - f(x, 0.5 - h)) / (2 * h), 8);
    }
  });
});

describe("piecewise network", () => {
  const bounds: [number, number][] = [[0, 1], [0, 1]];
  const settings = { hidden: [6], activation: "tanh" as const, init: "uniform" as const };
  const piece = (from: number, to: number, seed: number): { from: number; to: number; network: PinnNetwork } => ({ from, to, network: new PinnNetwork([[0, 1], [from, to]], 1, settings, new Rng(seed)) });
  const pieces = [piece(0, 0.25, 1), piece(0.25, 0.5, 2), piece(0.5, 1, 3)];
  const glued = new PiecewiseNetwork(bounds, 1, pieces);
  // Points in every window, out of order, one on a cut (it belongs to the later window) and t = T.
  const pts = [[0.3, 0.7], [0.1, 0.1], [0.5, 0.25], [0.9, 1], [0.2, 0.3], [0.6, 0.0]];
  const owner = [2, 0, 1, 2, 1, 0];
  const flat = Float64Array.from(pts.flat());

  it("each point through its own window's network, in the order given", () => {
    const out = glued.forward(new Tensor(flat, [pts.length, 2])).data;
    pts.forEach((p, i) => {
      const alone = pieces[owner[i]!]!.network.forward(new Tensor(Float64Array.from(p), [1, 2])).data[0]!;
      expect(out[i]).toBe(alone);
    });
  });

  it("derivatives and the fused stacked form agree with each window's own", () => {
    const requested = [[1, 0], [0, 2]];
    const d = glued.derivatives(new Tensor(flat, [pts.length, 2]), requested, "taylor");
    const { stacked, set, n } = glued.stackedDerivatives(flat, requested);
    expect(n).toBe(pts.length);
    pts.forEach((p, i) => {
      const own = pieces[owner[i]!]!.network.derivatives(new Tensor(Float64Array.from(p), [1, 2]), requested, "taylor");
      for (const [key, t] of own) expect(d.get(key)!.data[i]).toBeCloseTo(t.data[0]!, 13);
      const ownStacked = pieces[owner[i]!]!.network.stackedDerivatives(Float64Array.from(p), requested);
      set.forEach((_, s) => expect(stacked.data[s * n + i]).toBeCloseTo(ownStacked.stacked.data[s]!, 13));
    });
  });

  it("model.json keeps the windows: read back, it evaluates like the trained network", () => {
    const p = parseProblem(WAVE.replace("t: [0, 2]", "t: [0, 1]"), "wave.yaml");
    const json = JSON.parse(JSON.stringify(modelFile(p, glued, [2])));
    expect(json.network).toBeUndefined();
    expect(json.window_variable).toBe("t");
    expect(json.windows.map((w: { from: number; to: number }) => [w.from, w.to])).toEqual([[0, 0.25], [0.25, 0.5], [0.5, 1]]);
    const dir = mkdtempSync(join(tmpdir(), "pinn-marching-"));
    const file = join(dir, "model.json");
    writeFileSync(file, JSON.stringify(json));
    const values = loadModel(file).evaluate(pts).u!;
    const direct = glued.forward(new Tensor(flat, [pts.length, 2])).data;
    pts.forEach((_, i) => expect(values[i]).toBeCloseTo(2 * direct[i]!, 14));
    // A gap between windows, or windows that stop short of T, are errors naming the field.
    const gap = JSON.parse(readFileSync(file, "utf8"));
    gap.windows[1].from = 0.3;
    writeFileSync(file, JSON.stringify(gap));
    expect(() => readModelFile(file)).toThrow(/windows\[1\]\.from: expected 0\.25 \(the end of the window before\)/);
    const both = { ...json, network: json.windows[0].network };
    writeFileSync(file, JSON.stringify(both));
    expect(() => readModelFile(file)).toThrow(/either network .* or windows/);
  });
});

describe("solving by windows (reduced settings)", () => {
  it("transport over two windows: accurate in both, continuous at the cut, summary lists the windows", async () => {
    const p = parseProblem(`${TRANSPORT}training:\n  time_windows: 2\n  epochs: 300\n  lbfgs_iterations: 300\n  learning_rate: 0.01\n`, "transport.yaml");
    const r = await solve(p, { write: false, threads: 1 });
    expect(r.network).toBeInstanceOf(PiecewiseNetwork);
    const windows = r.train.windows!;
    expect(windows.map((w) => [w.from, w.to, w.status])).toEqual([[0, 0.5, "completed"], [0.5, 1, "completed"]]);
    // Relative L2 against the exact sin(x − 2t) on the grid: a bound that one window's error or a
    // wrong hand-over (e.g. sin x again at t = 0.5, error ≈ 0.8) would break.
    expect(r.evaluation.metrics.u!.rel_l2!).toBeLessThan(2e-2);
    // Continuity at the cut: the two windows' values at t = 0.5 agree (the later one was trained to the earlier one's).
    const glued = r.network as PiecewiseNetwork;
    const xs = Float64Array.from({ length: 20 }, (_, i) => (i + 0.5) * (2 * Math.PI / 20));
    const at = (net: PinnNetwork): Float64Array => net.forward(new Tensor(Float64Array.from([...xs].flatMap((x) => [x, 0.5])), [20, 2])).data;
    const [a, b] = [at(glued.pieces[0]!.network), at(glued.pieces[1]!.network)];
    let jump = 0;
    for (let i = 0; i < 20; i++) jump = Math.max(jump, Math.abs(a[i]! - b[i]!));
    expect(jump).toBeLessThan(2e-2);
    expect((r.summary.train as { time_windows: unknown[] }).time_windows).toHaveLength(2);
  }, 120_000);

  it("an interrupted run says which windows were trained", async () => {
    const p = parseProblem(`${TRANSPORT}training:\n  time_windows: 3\n  epochs: 20\n  lbfgs_iterations: 20\n`, "transport.yaml");
    // Stop after a few iterations of the second window (the progress reports say which window runs).
    let window = -1;
    let inSecond = 0;
    const r = await solve(p, { write: false, threads: 1, onProgress: (q) => (window = q.window!.index), shouldStop: () => window === 1 && ++inSecond > 5 });
    expect(r.train.status).toBe("interrupted");
    expect(r.train.windows!.map((w) => w.status)).toEqual(["completed", "interrupted"]);
    expect(r.train.message).toMatch(/window 2 of 3 .*window 1 \(t up to 0\.333.*\) was trained fully.*t > 0\.666.* never trained/);
    expect(r.diagnostics.diagnosis.ok).toBe(false);
  }, 60_000);
});

// Guard for the features each window builds: the periodic embedding acts on x only, the same in every window.
describe("features", () => {
  it("every window's network embeds x periodically", () => {
    const p = parseProblem(`${TRANSPORT}network:\n  periodic_embedding: 1\n`, "transport.yaml");
    const w = windowProblem(p, 0.5, 1).problem;
    expect(networkFeatures(w)?.periodicIn(0, w.bounds[0]!)).toBe(true);
  });
});
