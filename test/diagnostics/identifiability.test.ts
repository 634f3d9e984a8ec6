// The identifiability check (src/diagnostics/identifiability.ts): a decay rate learned from data at
// t = 0 only is not determined (u = e^(−a t) satisfies u' = −a u, u(0) = 1 and the data u(0) = 1 for
// every a), and the verdict says so; the same rate learned from data along t is determined and not
// flagged. Reduced settings: an 8-neuron network, 300 Adam epochs and 300 L-BFGS iterations (about a
// second each on one core).

import { describe, expect, it } from "vitest";
import * as S from "../../src/expressions/symbolic.js";
import { loadProblem } from "../../src/problem/load.js";
import { solve } from "../../src/solve.js";
import { parameterLines } from "../../src/reports/parameters.js";
import { writeDecay } from "../helpers/decay-inverse.js";
import {
  IDENTIFIABILITY,
  continuationIterations,
  identifiabilityDecision,
  isDetermined,
  perturbedValue,
  withParameterFixed,
} from "../../src/diagnostics/identifiability.js";

/** u' = −a u, u(0) = 1 on [0, 1] (a = 1), observed at `times` (exact values e^(−t)); `parameters` and `equation` may be replaced. */
function decayProblem(
  times: readonly number[],
  training = "optimizer: [{adam: {epochs: 300, learning_rate: 0.01}}, {lbfgs: {iterations: 300}}]",
  parameters?: string,
  equation?: string,
): string {
  return writeDecay({ times, training, parameters, equation, hidden: 8, points: 32, evaluatePoints: 11 });
}

const along = Array.from({ length: 11 }, (_, i) => i / 10);

describe("identifiability", () => {
  it("flags a decay rate that data at t = 0 only do not determine", async () => {
    const result = await solve(loadProblem(decayProblem([0, 0, 0])), { write: false, threads: 1 });
    const r = result.identifiability.record!;
    expect(r).not.toBeNull();
    expect(r.undetermined).toEqual(["a"]);
    // Every a fits exactly, so the continuation can remove all the loss the move added (measured 4e-6 of it); the limit is 1e-2.
    expect(r.parameters.a!.remaining).toBeLessThan(IDENTIFIABILITY.remaining / 10);
    expect(r.parameters.a!.fixed_at).toBeCloseTo(1.1 * r.parameters.a!.estimate, 12);
    const d = result.diagnostics.diagnosis;
    expect(d.ok).toBe(false);
    expect(d.reasons).toContain("undetermined");
    expect(d.warnings[d.reasons.indexOf("undetermined")]).toMatch(/the parameter a is not determined by the data/);
    expect(result.summary.diagnosis).toMatchObject({ verdict: "suspect" });
    expect((result.summary.identifiability as { undetermined: string[] }).undetermined).toEqual(["a"]);
    expect(parameterLines(result.summary).join("\n")).toMatch(/NOT determined by the data \(a change of \+10% fits as well/);
  });

  it("does not flag the same rate learned from data along t", async () => {
    const result = await solve(loadProblem(decayProblem(along)), { write: false, threads: 1 });
    const r = result.identifiability.record!;
    expect(r.undetermined).toEqual([]);
    // Fixed 10% off, u = e^(−1.1 t) cannot meet the data e^(−t) (up to 9.5% apart at t = 1) and satisfy the equation: about half the added loss stays (measured 0.50).
    expect(r.parameters.a!.remaining).toBeGreaterThan(10 * IDENTIFIABILITY.remaining);
    expect(r.parameters.a!.determined).toBe(true);
    // And it stopped falling: the excess at the end is about that halfway (measured 0.98).
    expect(r.parameters.a!.decay).toBeGreaterThan(0.5);
    expect(result.diagnostics.diagnosis.reasons).not.toContain("undetermined");
    expect(parameterLines(result.summary).join("\n")).toMatch(/determined by the data \(a change of \+10% cannot be refitted/);
  });

  it("flags each of two parameters of which only the product is determined, and a parameter whose term vanishes", async () => {
    // u' = −a·b·u: with a fixed 10% off, b makes up for it (and the other way round).
    const product = await solve(loadProblem(decayProblem(along, undefined, "  a: {initial: 0.5, min: 0}\n  b: {initial: 0.5, min: 0}", "u' = -a*b*u")), { write: false, threads: 1 });
    expect(product.identifiability.record!.undetermined).toEqual(["a", "b"]);
    // u' = −a·u + c·(u − e^(−a t)): the c term is 0 at the solution for every c; a is still determined by the data.
    const mixed = await solve(loadProblem(decayProblem(along, undefined, "  a: {initial: 0.5, min: 0, exact: 1}\n  c: {initial: 0.5}", "u' = -a*u + c*(u - exp(-a*t))")), { write: false, threads: 1 });
    expect(mixed.identifiability.record!.undetermined).toEqual(["c"]);
  });

  it("is skipped when turned off, and then the verdict is unchanged", async () => {
    const result = await solve(loadProblem(decayProblem([0, 0, 0])), { write: false, threads: 1, identifiability: false });
    expect(result.identifiability).toEqual({ record: null, skipped: "turned off (--no-identifiability)" });
    expect(result.summary.identifiability).toEqual({ skipped: "turned off (--no-identifiability)" });
    expect(result.diagnostics.diagnosis.reasons).not.toContain("undetermined");
  });

  it("runs only after a single completed run of a problem with parameters and data", () => {
    const problem = { parameters: [{}], data: [{}], training: { ensemble: 1 } } as never;
    const done = { train: { status: "completed", epochs: 10 } } as const;
    expect(identifiabilityDecision(problem, done)).toEqual({ run: true });
    expect(identifiabilityDecision({ parameters: [], data: [{}], training: {} } as never, done)).toMatchObject({ run: false, why: "no learned parameters" });
    expect(identifiabilityDecision({ parameters: [{}], data: [], training: {} } as never, done)).toMatchObject({ run: false, why: "no data" });
    expect(identifiabilityDecision({ parameters: [{}], data: [{}], training: { ensemble: 4 } } as never, done)).toMatchObject({ run: false });
    expect(identifiabilityDecision(problem, done, { windows: 3 })).toMatchObject({ run: false, why: "time-marching windows" });
    expect(identifiabilityDecision(problem, { train: { status: "interrupted", epochs: 10 } })).toMatchObject({ run: false });
    expect(identifiabilityDecision(problem, done, { enabled: false })).toMatchObject({ run: false });
  });

  it("decides by what the continuation left and whether it was still falling (the measured cases of the README)", () => {
    // Diffusion coefficient, data at t = 0 (not determined), after 300 iterations: the excess falling 43× over the second half.
    expect(isDetermined(2.79e-4, 0.023)).toBe(false);
    // Noisy Burgers' λ2 (determined, ensemble interval ±4%), after 208 iterations: 0.03% left, falling slowly.
    expect(isDetermined(3e-4, 0.28)).toBe(true);
    // Clean Burgers' λ2 (determined; ensemble interval 0.009% wide): 0.076% left, but at a floor.
    expect(isDetermined(7.55e-4, 0.9)).toBe(true);
    // Diffusion coefficient, data at t = 1; heat k; Lorenz.
    expect(isDetermined(6.14e-2, 0.754)).toBe(true);
    expect(isDetermined(0.162, 0.783)).toBe(true);
    expect(isDetermined(0.217, 1.03)).toBe(true);
    // Refitted down to the losses' noise: not determined whatever the last half did.
    expect(isDetermined(4e-6, 0.34)).toBe(false);
  });

  it("moves a parameter by +10%, or −10% where +10% leaves its bounds", () => {
    expect(perturbedValue({ initial: 1, min: 0 }, 2)).toBeCloseTo(2.2, 14);
    expect(perturbedValue({ initial: 1, max: 2.1 }, 2)).toBeCloseTo(1.8, 14);
    // Bounds tighter than 10% on both sides: halfway to the bound (here the lower, as far as the upper).
    expect(perturbedValue({ initial: 1, min: 0.95, max: 1.05 }, 1)).toBeCloseTo(0.975, 14);
    // At 0: by 10% of the initial guess's size (at least 1).
    expect(perturbedValue({ initial: -3 }, 0)).toBeCloseTo(0.3, 14);
  });

  it("fixes one parameter and leaves the others learned", () => {
    const problem = loadProblem(decayProblem(along));
    const twoParams = { ...problem, parameters: [problem.parameters![0]!, { ...problem.parameters![0]!, name: "b" }] };
    const residual = S.add(S.param(0), S.mul(S.num(2), S.param(1)));
    const p = { ...twoParams, equations: [{ ...problem.equations[0]!, residual, lhs: residual, rhs: S.num(0) }] };
    const fixed = withParameterFixed(p, 0, 0.25);
    const params = S.topologicalNodes([fixed.equations[0]!.residual]).flatMap((n) => (n.kind === "param" ? [n.index] : []));
    expect(params).toEqual([1]);
    // θ_0 became the number 0.25: at θ_1 = 0 the residual is 0.25 + 2·0.
    expect(S.topologicalNodes([fixed.equations[0]!.residual]).some((n) => n.kind === "const" && n.value === 0.25)).toBe(true);
  });

  it("spends at most a quarter of the refinement's iterations over its continuations (within 50 to 300 each)", () => {
    const stages = (n: number) => ({ stages: [{ optimizer: "adam" as const, iterations: 2000, start: 0, seconds: 1, finalLoss: 1 }, { optimizer: "bfgs" as const, iterations: n, start: 2000, seconds: 1, finalLoss: 1 }] });
    expect(continuationIterations(stages(2500), 1)).toBe(300); // 2500/4/2 = 312.5, capped
    expect(continuationIterations(stages(2500), 2)).toBe(208); // 2500/4/3 = 208.3
    expect(continuationIterations(stages(2500), 3)).toBe(156); // 2500/4/4 = 156.25
    expect(continuationIterations(stages(100), 1)).toBe(50);
  });
});
