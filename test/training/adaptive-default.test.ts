// RAR-D by default for nonlinear evolution problems trained as one network (techniques.ts
// defaultAdaptiveSampling), off for linear ones, time-marching windows, steady problems and ODEs
// and where the file says; and the restart of a refinement that converges on its points (trainer.ts).

import { describe, expect, it, vi } from "vitest";
import { parse, shipped as load } from "../helpers/problems.js";
import { timeWindowCount } from "../../src/training/time-marching.js";
import { buildModel } from "../../src/solve.js";
import { train } from "../../src/training/trainer.js";
import { QuasiNewton } from "../../src/optim/quasi-newton.js";
import { ADAPTIVE_SAMPLING_EVOLUTION, nonlinearInUnknowns, techniqueHooks } from "../../src/training/techniques.js";

const HEAT = `name: heat
domain:
  x: [0, 1]
  t: [0, 1]
unknowns: [u]
equations:
  - "u_t = 0.1*u_xx"
conditions:
  - "u(x, 0) = sin(pi*x)"
  - "u(0, t) = 0"
  - "u(1, t) = 0"
`;

const POISSON = `name: poisson
domain:
  x: [0, 1]
  y: [0, 1]
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u(x, 0) = 0"
  - "u(x, 1) = 0"
  - "u(0, y) = 0"
  - "u(1, y) = 0"
`;

const ODE = `name: ode
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = 0"
conditions:
  - "u(0) = 0"
`;

const period = (text: string, window = false): number => {
  const p = parse(text);
  return techniqueHooks(p, buildModel(p), { window }).adaptiveSampling;
};

const BURGERS = HEAT.replace('"u_t = 0.1*u_xx"', '"u_t + u*u_x = 0.01*u_xx"');

describe("nonlinearity in the unknowns", () => {
  // Each equation read from a file; whether it is linear in u and its derivatives, by inspection.
  const cases: [string, boolean][] = [
    ["u_t = 0.1*u_xx", false],
    ["u_t + 40*u_x = 0", false],
    ["u_t = u_xx + exp(-t)*sin(3*x)*x^2", false],
    ["u_tt - 4*u_xx = sin(x)*u", false],
    ["u_t + u*u_x = 0.01*u_xx", true],
    ["u_t = 5*u*(1 - u)", true],
    ["u_tt - u_xx + u^3 = 0", true],
    ["u_t = sin(u)", true],
    ["u_t = u_x^2", true],
  ];
  it.each(cases)("%s: nonlinear %s", (equation, nonlinear) => {
    const p = parse(HEAT.replace('"u_t = 0.1*u_xx"', `"${equation}"`));
    expect(nonlinearInUnknowns(p.equations[0]!.residual, p.variables.length)).toBe(nonlinear);
  });
});

describe("the default RAR-D period", () => {
  it("is on for a nonlinear evolution problem trained as one network, off in a time-marching window", () => {
    expect(ADAPTIVE_SAMPLING_EVOLUTION).toBe(250);
    expect(period(BURGERS)).toBe(ADAPTIVE_SAMPLING_EVOLUTION);
    expect(period(BURGERS, true)).toBe(0);
  });

  it("is off for a linear evolution problem, a steady problem and an ODE", () => {
    expect(period(HEAT)).toBe(0);
    expect(period(POISSON)).toBe(0);
    expect(period(ODE)).toBe(0);
  });

  it("on the shipped problems: on for burgers, off for the linear, time-marched (reaction: 2 windows by its growth rate) and inverse ones", () => {
    const shipped = (name: string): number => {
      const p = load(name);
      return techniqueHooks(p, buildModel(p), { window: timeWindowCount(p) > 0 }).adaptiveSampling;
    };
    expect(shipped("burgers")).toBe(250);
    expect(["reaction", "diffusion-reaction", "heat1d", "wave1d", "klein-gordon", "convection", "inverse/burgers-inverse", "poisson2d"].map(shipped)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("gives way to the file's setting", () => {
    expect(period(`${BURGERS}training:\n  adaptive_sampling: false\n`)).toBe(0);
    expect(period(`${HEAT}training:\n  adaptive_sampling: 100\n`)).toBe(100);
    expect(period(`${POISSON}training:\n  adaptive_sampling: true\n`)).toBe(500);
  });
});

describe("a refinement with RAR-D that converges on its points", () => {
  // u' = 0, u(0) = 0: the loss of a small network reaches rounding level within a few hundred
  // BFGS iterations, where the step falls below tolerance and the stage stops as converged.
  const p = parse(`${ODE}network:\n  hidden: [4]\ntraining:\n  points: 16\n  optimizer:\n    - adam: {epochs: 20, learning_rate: 0.01}\n    - bfgs: {iterations: 3000}\n`);

  it("restarts on new points with a fresh model, then stops when it converges again at once", async () => {
    const resets = vi.spyOn(QuasiNewton.prototype, "reset");
    const plain = await train(buildModel(p), p.training.stages, { threads: 1 });
    expect(resets).not.toHaveBeenCalled();
    expect(plain.stages[1]!.stoppedEarly).toBeDefined();
    expect(plain.stages[1]!.iterations).toBeLessThan(3000);
    const adaptive = await train(buildModel(p), p.training.stages, { threads: 1, adaptiveSampling: 100_000 });
    // Converged on its points (the redraw period is never reached): restarted, and finally stopped.
    expect(resets).toHaveBeenCalled();
    expect(adaptive.stages[1]!.stoppedEarly).toBeDefined();
    expect(adaptive.stages[1]!.iterations).toBeLessThan(3000);
    expect(adaptive.stages[1]!.adaptiveSampling).toBe(100_000);
    expect(plain.stages[1]!.adaptiveSampling).toBeUndefined();
    resets.mockRestore();
  });
});
