// What a valid problem file loads into: defaults for everything left out, the optimizer and
// schedule spellings, command-line overrides, and the parts of equations and conditions.

import { describe, expect, it } from "vitest";
import { parseProblem, type LoadOptions } from "../../src/problem/load.js";
import { DEFAULTS } from "../../src/problem/defaults.js";
import * as S from "../../src/expressions/symbolic.js";
import type { Problem, StageSettings } from "../../src/problem/types.js";

const MINIMAL = `name: ode
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = 2*x"
`;

function load(text: string, options: LoadOptions = {}): Problem {
  return parseProblem(text, "case.yaml", options);
}

function stages(training: string, options: LoadOptions = {}): StageSettings[] {
  return load(`${MINIMAL}training:\n${training}`, options).training.stages;
}

describe("defaults", () => {
  it("fills in every setting a file leaves out", () => {
    const p = load(MINIMAL);
    expect(p.title).toBe("ode");
    expect(p.description).toBeUndefined();
    expect(p.constraints).toBe("soft");
    expect(p.conditions).toEqual([]);
    expect(p.trial).toEqual([null]);
    expect(p.exact).toEqual([null]);
    expect(p.constants.size).toBe(0);
    expect(p.timeVariable).toBeNull();
    expect(p.network).toEqual({ hidden: DEFAULTS.network.hidden, activation: DEFAULTS.network.activation, init: DEFAULTS.network.init });
    const d = DEFAULTS.training;
    expect(p.training).toEqual({
      stages: [
        { optimizer: "adam", epochs: d.epochs, learningRate: d.learningRate, schedule: { type: "constant" } },
        d.refinement === "bfgs"
          ? { optimizer: "bfgs", iterations: d.bfgsIterations, learningRate: 1, update: d.bfgsUpdate, historySize: d.lbfgsHistory }
          : { optimizer: "lbfgs", iterations: d.lbfgsIterations, learningRate: 1, historySize: d.lbfgsHistory },
      ],
      points: d.points,
      boundaryPoints: d.boundaryPoints,
      sampling: d.sampling,
      resample: d.resample,
      seed: d.seed,
      lossWeighting: "fixed",
      derivatives: "taylor",
      causal: null,
      scaling: true,
      threads: undefined,
      // No optimizer in the file: the stages are pinn's own (time-marching may share them out).
      optimizerDefault: true,
      // Everything a rule may size was left out (training/budget.ts, training/region-defaults.ts).
      leftOut: { points: true, boundaryPoints: true, refinement: true, hidden: true },
    });
  });

  it("the default evaluation grid depends on the number of variables", () => {
    expect(load(MINIMAL).evaluate.points).toEqual([DEFAULTS.evaluatePoints[0]]);
    const two = MINIMAL.replace("x: [0, 1]", "x: [0, 1]\n  y: [0, 1]").replace("u' = 2*x", "u_x + u_y = 0");
    expect(load(two).evaluate.points).toEqual([DEFAULTS.evaluatePoints[1], DEFAULTS.evaluatePoints[1]]);
    const three = MINIMAL.replace("x: [0, 1]", "x: [0, 1]\n  y: [0, 1]\n  t: [0, 1]").replace("u' = 2*x", "u_t = u_xx + u_yy");
    expect(load(three).evaluate.points).toEqual([DEFAULTS.evaluatePoints[2], DEFAULTS.evaluatePoints[2], DEFAULTS.evaluatePoints[2]]);
  });

  it("evaluate.points may give a number per variable", () => {
    const two = MINIMAL.replace("x: [0, 1]", "x: [0, 1]\n  t: [0, 1]").replace("u' = 2*x", "u_t = u_xx") + "evaluate:\n  points: {x: 21, t: 5}\n";
    expect(load(two).evaluate.points).toEqual([21, 5]);
  });

  it("the documented default values", () => {
    expect(DEFAULTS.training.sampling).toBe("random");
    expect(DEFAULTS.training.resample).toBe(true);
    expect(DEFAULTS.network.activation).toBe("tanh");
  });

  it("keeps what the file gives", () => {
    const p = load(`${MINIMAL}title: "u' = 2x"
description: a first test
network:
  hidden: [16, 8]
  activation: sin
  init: uniform
training:
  epochs: 300
  learning_rate: 0.02
  points: 40
  boundary_points: 7
  sampling: sobol
  resample: false
  seed: 4
  loss_weighting: annealing
  derivatives: reverse
evaluate:
  points: 9
`);
    expect(p.title).toBe("u' = 2x");
    expect(p.description).toBe("a first test");
    expect(p.network).toEqual({ hidden: [16, 8], activation: "sin", init: "uniform" });
    expect(p.training).toMatchObject({ points: 40, boundaryPoints: 7, sampling: "sobol", resample: false, seed: 4, lossWeighting: "annealing", derivatives: "reverse" });
    expect(p.training.stages[0]).toEqual({ optimizer: "adam", epochs: 300, learningRate: 0.02, schedule: { type: "constant" } });
    expect(p.evaluate.points).toEqual([9]);
  });

  it("a single hidden width may be written without brackets", () => {
    expect(load(`${MINIMAL}network:\n  hidden: 12\n`).network.hidden).toEqual([12]);
  });

  it("a time variable is recognised when there is also a space variable", () => {
    const heat = MINIMAL.replace("x: [0, 1]", "x: [0, 1]\n  t: [0, 1]").replace("u' = 2*x", "u_t = u_xx");
    expect(load(heat).timeVariable).toBe(1);
  });
});

describe("optimizer spellings", () => {
  it("adam alone uses training.epochs and learning_rate", () => {
    expect(stages("  epochs: 50\n  learning_rate: 0.1\n  optimizer: adam\n")).toEqual([
      { optimizer: "adam", epochs: 50, learningRate: 0.1, schedule: { type: "constant" } },
    ]);
  });

  it("lbfgs alone runs training.epochs iterations", () => {
    expect(stages("  epochs: 70\n  optimizer: lbfgs\n")).toEqual([
      { optimizer: "lbfgs", iterations: 70, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory },
    ]);
  });

  it("a list of names", () => {
    const s = stages("  epochs: 50\n  lbfgs_iterations: 20\n  optimizer: [adam, lbfgs]\n");
    expect(s).toEqual([
      { optimizer: "adam", epochs: 50, learningRate: DEFAULTS.training.learningRate, schedule: { type: "constant" } },
      { optimizer: "lbfgs", iterations: 20, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory },
    ]);
  });

  it("a list of {adam: {...}} stages", () => {
    const s = stages(`  optimizer:
    - adam: {epochs: 100, learning_rate: 0.01}
    - adam:
        epochs: 50
        learning_rate: 0.001
        schedule: cosine
    - lbfgs: {iterations: 30, history: 10}
    - lbfgs:
`);
    expect(s).toEqual([
      { optimizer: "adam", epochs: 100, learningRate: 0.01, schedule: { type: "constant" } },
      { optimizer: "adam", epochs: 50, learningRate: 0.001, schedule: { type: "cosine", total: 50, min: 0 } },
      { optimizer: "lbfgs", iterations: 30, learningRate: 1, historySize: 10 },
      { optimizer: "lbfgs", iterations: DEFAULTS.training.lbfgsIterations, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory },
    ]);
  });

  it("a list of {name: adam, ...} stages", () => {
    const s = stages(`  optimizer:
    - {name: adam, epochs: 10, learning_rate: 0.5}
    - name: lbfgs
      iterations: 4
      learning_rate: 0.5
`);
    expect(s).toEqual([
      { optimizer: "adam", epochs: 10, learningRate: 0.5, schedule: { type: "constant" } },
      { optimizer: "lbfgs", iterations: 4, learningRate: 0.5, historySize: DEFAULTS.training.lbfgsHistory },
    ]);
  });

  it("lbfgs accepts epochs as a synonym of iterations", () => {
    expect(stages("  optimizer:\n    - lbfgs: {epochs: 12}\n")[0]).toMatchObject({ optimizer: "lbfgs", iterations: 12 });
  });

  it("an empty list is an error", () => {
    expect(() => stages("  optimizer: []\n")).toThrow(/training.optimizer lists no stages/);
  });
});

describe("schedules", () => {
  it.each([
    ["constant", { type: "constant" }],
    ["cosine", { type: "cosine", total: 10, min: 0 }],
    ["step", { type: "step", every: 1000, gamma: 0.5 }],
    ["exponential", { type: "exponential", gamma: 0.999 }],
    ["{type: step, every: 200, gamma: 0.1}", { type: "step", every: 200, gamma: 0.1 }],
    ["{type: exponential, gamma: 0.99}", { type: "exponential", gamma: 0.99 }],
    ["{type: cosine, min: 0.0001}", { type: "cosine", total: 10, min: 0.0001 }],
  ])("training.schedule: %s", (spelling, expected) => {
    const s = stages(`  epochs: 10\n  optimizer: adam\n  schedule: ${spelling}\n`);
    expect(s[0]).toMatchObject({ optimizer: "adam", schedule: expected });
  });

  it("a stage's own schedule", () => {
    const s = stages("  optimizer:\n    - adam: {epochs: 10, schedule: {type: step, every: 5, gamma: 0.5}}\n");
    expect(s[0]).toMatchObject({ schedule: { type: "step", every: 5, gamma: 0.5 } });
  });

  it("errors: no type, out of range, unknown keys", () => {
    expect(() => stages("  schedule: {every: 5}\n")).toThrow(/schedule needs a type/);
    expect(() => stages("  schedule: {type: step, gamma: -1}\n")).toThrow(/schedule settings out of range/);
    expect(() => stages("  schedule: {type: step, evry: 5}\n")).toThrow(/unknown key "evry" in schedule \(did you mean "every"\?\)/);
  });
});

describe("command-line overrides", () => {
  const overrides = { epochs: 30, learningRate: 0.5, points: 9, seed: 4 };

  it("replace training.epochs, learning_rate, points and seed", () => {
    const p = load(`${MINIMAL}training:\n  epochs: 1000\n  learning_rate: 0.01\n  points: 100\n  seed: 1\n`, { overrides });
    expect(p.training.stages[0]).toEqual({ optimizer: "adam", epochs: 30, learningRate: 0.5, schedule: { type: "constant" } });
    expect(p.training.points).toBe(9);
    expect(p.training.seed).toBe(4);
  });

  it("apply to the defaults when the file sets nothing", () => {
    const p = load(MINIMAL, { overrides });
    expect(p.training.stages[0]).toMatchObject({ optimizer: "adam", epochs: 30, learningRate: 0.5 });
    expect(p.training.stages[1]).toMatchObject({ optimizer: DEFAULTS.training.refinement });
  });

  it("--epochs sets the iterations of optimizer: lbfgs", () => {
    expect(stages("  epochs: 1000\n  optimizer: lbfgs\n", { overrides: { epochs: 5 } })).toEqual([
      { optimizer: "lbfgs", iterations: 5, learningRate: 1, historySize: DEFAULTS.training.lbfgsHistory },
    ]);
  });

  // `pinn solve --epochs N` / `--lr X` also override the Adam stages of an explicit stage list,
  // so a quick `--epochs 30` run of such a file is quick.
  it("override the Adam stage of an explicit stage list", () => {
    const s = stages("  optimizer:\n    - adam: {epochs: 1000, learning_rate: 0.01}\n    - lbfgs: {iterations: 50}\n", { overrides });
    expect(s[0]).toMatchObject({ optimizer: "adam", epochs: 30, learningRate: 0.5 });
  });
});

describe("equations, conditions, trial forms and exact solutions", () => {
  const FULL = `name: system
domain:
  x: [0, 3]
unknowns: [u, v]
constants:
  a: 2
  b: "a^2 + 1"
equations:
  - "u' = v"
  - equation: "v' = -u"
    weight: 2.5
conditions:
  - "u(0) = 0"
  - {equation: "v(0) + u'(0) = b", weight: 10, points: 3}
  - {periodic: x, weight: 0.5}
trial:
  u: "x*N"
exact:
  u: "sin(x)"
  v: "cos(x)"
`;

  it("constants may use earlier constants", () => {
    expect([...load(FULL).constants]).toEqual([["a", 2], ["b", 5]]);
  });

  it("equations keep their text, line, sides and weight", () => {
    const p = load(FULL);
    expect(p.equations.map((e) => [e.source.text, e.source.position?.line, e.weight])).toEqual([
      ["u' = v", 9, 1],
      ["v' = -u", 10, 2.5],
    ]);
    expect(p.equations[0]!.lhs).toBe(S.field(0, [1]));
    expect(p.equations[0]!.rhs).toBe(S.field(1, []));
    expect(p.equations[0]!.residual).toBe(S.sub(S.field(0, [1]), S.field(1, [])));
    expect(p.equations[1]!.rhs).toBe(S.neg(S.field(0, [])));
  });

  it("conditions keep their location, weight, points and the periodic variable", () => {
    const p = load(FULL);
    const [c0, c1, c2] = p.conditions;
    expect(c0).toMatchObject({ kind: "point", location: [{ free: false, value: 0 }], weight: 1, source: { text: "u(0) = 0", position: { line: 13 } } });
    expect(c1).toMatchObject({ kind: "point", weight: 10, points: 3 });
    expect(c1?.kind === "point" && c1.rhs).toBe(S.num(5));
    expect(c2).toMatchObject({ kind: "periodic", variable: 0, weight: 0.5, source: { text: "periodic: x" } });
  });

  it("trial forms and exact solutions per unknown", () => {
    const p = load(FULL);
    expect(p.trial[0]).toMatchObject({ generated: false, source: { text: "x*N" } });
    expect(p.trial[0]!.expr).toBe(S.mul(S.variable(0), S.net(0, [])));
    expect(p.trial[1]).toBeNull();
    expect(p.exact[0]!.expr).toBe(S.fn("sin", S.variable(0)));
    expect(p.exact[1]!.expr).toBe(S.fn("cos", S.variable(0)));
  });

  it("a weight must be positive", () => {
    expect(() => load(FULL.replace("weight: 2.5", "weight: 0"))).toThrow(/weight must be positive, not 0/);
  });
});

describe("settings found by review", () => {
  it("constants may be used in the domain's intervals", () => {
    const p = load(`name: ode\nconstants:\n  L: 2\n  T: "2*L"\ndomain:\n  x: [0, L]\n  t: [0, T]\nunknowns: [u]\nequations:\n  - "u_t = u_xx"\n`);
    expect(p.bounds).toEqual([[0, 2], [0, 4]]);
  });

  it("schedule.every must be a whole number", () => {
    expect(() => load(`${MINIMAL}training:\n  schedule: {type: step, every: 2.5}\n`)).toThrow(/schedule\.every must be a whole number/);
  });

  it("a command-line override does not hide an invalid value in the file", () => {
    expect(() => load(`${MINIMAL}training:\n  epochs: many\n`, { overrides: { epochs: 30 } })).toThrow(/training\.epochs must be a number/);
  });
});
