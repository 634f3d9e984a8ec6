// The runnable examples (examples/*.mjs) import "pinn" by name; vitest aliases it to the sources.
// Every number they compute is checked here against the tutorials' stated values, closed forms,
// or an implementation that does not use the engine.

import { describe, expect, it } from "vitest";

type Matrix = number[][];

interface PytorchExample {
  run(): {
    tanh: { Y: number; dYdx: number; sech2: number; oneMinusY2: number };
    nested: { y: number; z: number; dzdy: number; dzdx: number };
    linear: { y: number; dydx: number; dydw: number; dydb: number };
    layer: { Y: number[]; dYdW: number[][][]; dYdB: Matrix; seed: number[]; seededGradW: Matrix; seededGradB: number[] };
    layerByHand: { Y: number[]; dYdW: number[][][]; dYdB: Matrix };
  };
}

interface ControlFlowResult {
  seed: number;
  a: number[];
  sum: number;
  picked: number;
  doublings: number;
  c: number;
  grad: number[];
  expected: number[];
}

interface MxnetExample {
  run(): {
    square: { Y: Matrix; grad: Matrix };
    controlFlow: ControlFlowResult[];
    facts: { norm: number; sum: number; sqrt94: number };
  };
}

interface MathematicaExample {
  run(): {
    point: { x0: number; u: number; dudx: number; finiteDifference: number; handU: number; handDudx: number };
    hessian: { x0: number[]; H: Matrix; fdH: Matrix; v: number[]; hvpForward: number[]; hvpReverse: number[]; Hv: number[] };
    loss: {
      xs: number[];
      L: number;
      handL: number;
      checks: { layer: number; kind: string; index: number; backward: number; finiteDifference: number }[];
    };
  };
}

// The examples are plain JavaScript without declaration files, so they are loaded through a
// computed specifier and given their types here.
async function load<T>(name: string): Promise<T> {
  return (await import(`../examples/${name}.mjs`)) as T;
}

const pytorch = await load<PytorchExample>("pytorch-autograd");
const mxnet = await load<MxnetExample>("mxnet-autograd");
const mathematica = await load<MathematicaExample>("mathematica-net-gradient");

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function expectAllClose(actual: unknown, expected: unknown, atol: number): void {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((x, i) => expect(Math.abs(x - e[i]!), `entry ${i}: ${x} vs ${e[i]}`).toBeLessThanOrEqual(atol));
}

describe("examples/pytorch-autograd.mjs", () => {
  const r = pytorch.run();

  it("dY/dx of tanh at 2 is 0.0707 = sech²2 = 1 − Y²", () => {
    expect(r.tanh.dYdx).toBeCloseTo(0.0707, 4);
    const sech2 = 1 / Math.cosh(2) ** 2;
    expect(Math.abs(r.tanh.dYdx - sech2)).toBeLessThan(1e-15);
    expect(Math.abs(r.tanh.dYdx - (1 - Math.tanh(2) ** 2))).toBeLessThan(1e-15);
    expect(Math.abs(r.tanh.Y - Math.tanh(2))).toBeLessThan(1e-15);
  });

  it("z = tanh(tanh x): dz/dy = 0.4434 on the retained intermediate, dz/dx = 0.0313", () => {
    expect(r.nested.dzdy).toBeCloseTo(0.4434, 4);
    expect(r.nested.dzdx).toBeCloseTo(0.0313, 4);
    const y = Math.tanh(2);
    const dzdy = 1 - Math.tanh(y) ** 2;
    expect(Math.abs(r.nested.dzdy - dzdy)).toBeLessThan(1e-15);
    expect(Math.abs(r.nested.dzdx - dzdy * (1 - y * y))).toBeLessThan(1e-15);
  });

  it("y = w·x + b at x = 2, w = 3, b = 4: dy/dx = 3, dy/dw = 2, dy/db = 1", () => {
    expect(r.linear).toEqual({ y: 10, dydx: 3, dydw: 2, dydb: 1 });
  });

  it("Y = tanh(W·X + B): ∂Y/∂W and ∂Y/∂B from jacobian equal the (1 − Y²) formulas", () => {
    expect(r.layer.dYdW.length).toBe(3);
    expect(r.layer.dYdW[0]!.length).toBe(3);
    expect(r.layer.dYdW[0]![0]!.length).toBe(2);
    expectAllClose(r.layer.Y, r.layerByHand.Y, 1e-15);
    expectAllClose(r.layer.dYdW, r.layerByHand.dYdW, 1e-15);
    expectAllClose(r.layer.dYdB, r.layerByHand.dYdB, 1e-15);
  });

  it("backward with a seed v gives vᵀ·∂Y/∂W and vᵀ·∂Y/∂B", () => {
    const v = r.layer.seed;
    const J = r.layerByHand.dYdW;
    const gradW = J[0]!.map((row, j) => row.map((_, k) => v.reduce((s, vi, i) => s + vi * J[i]![j]![k]!, 0)));
    const gradB = v.map((_, j) => v.reduce((s, vi, i) => s + vi * r.layerByHand.dYdB[i]![j]!, 0));
    expectAllClose(r.layer.seededGradW, gradW, 1e-15);
    expectAllClose(r.layer.seededGradB, gradB, 1e-15);
  });
});

describe("examples/mxnet-autograd.mjs", () => {
  const r = mxnet.run();

  it("Y = 2·X·X gives X.grad = 4X = [[4, 8], [12, 16]]", () => {
    expect(r.square.grad).toEqual([[4, 8], [12, 16]]);
    expect(r.square.Y).toEqual([[2, 8], [18, 32]]);
  });

  it("the seeded inputs cover both branches (a positive and a negative sum)", () => {
    expect(r.controlFlow.some((c) => c.sum >= 0)).toBe(true);
    expect(r.controlFlow.some((c) => c.sum < 0)).toBe(true);
  });

  for (const [i, cf] of r.controlFlow.entries()) {
    it(`dynamic control flow, input ${i} (seed ${cf.seed}): gradient is c/a at the picked index, 0 elsewhere`, () => {
      // Replay the control flow on plain numbers: the smallest k ≥ 1 with 2^k·‖a‖ ≥ 1000.
      const normA = Math.hypot(...cf.a);
      let k = 1;
      while (2 ** k * normA < 1000) k++;
      const picked = cf.a.reduce((s, x) => s + x, 0) >= 0 ? 0 : 1;
      expect(cf.doublings).toBe(k);
      expect(cf.picked).toBe(picked);
      expect(cf.c).toBe(2 ** k * cf.a[picked]!);
      const expected = cf.a.map((ai, j) => (j === picked ? cf.c / ai : 0));
      expect(cf.grad).toEqual(expected);
      expect(cf.grad[picked]).toBe(2 ** k);
    });
  }

  it("norm of [[2, 4], [7, 5]] is √94 = 9.695359…, the sum is 18", () => {
    expect(Math.trunc(r.facts.norm * 1e6) / 1e6).toBe(9.695359); // the tutorial's digits, truncated
    expect(Math.abs(r.facts.norm - Math.sqrt(94))).toBeLessThan(1e-14);
    expect(r.facts.sum).toBe(18);
  });
});

describe("examples/mathematica-net-gradient.mjs", () => {
  const r = mathematica.run();

  it("du/dx at x = 5 matches the hand-written chain rule and central finite differences", () => {
    expect(r.point.x0).toBe(5);
    expect(Math.abs(r.point.u - r.point.handU)).toBeLessThan(1e-13);
    expect(Math.abs(r.point.dudx - r.point.handDudx)).toBeLessThan(1e-14);
    expect(Math.abs(r.point.dudx - r.point.finiteDifference)).toBeLessThan(1e-9);
    expect(Math.abs(r.point.dudx)).toBeGreaterThan(1e-4); // not trivially zero
  });

  it("the Hessian of a two-input net is symmetric and matches finite differences of the gradient", () => {
    const { H, fdH } = r.hessian;
    const scale = Math.max(...flat(H).map(Math.abs));
    expect(scale).toBeGreaterThan(1e-5);
    expect(Math.abs(H[0]![1]! - H[1]![0]!)).toBeLessThan(1e-15);
    expectAllClose(H, fdH, 1e-7 * scale);
  });

  it("hvp: forward-over-reverse and reverse-over-reverse agree and equal H·v", () => {
    const { hvpForward, hvpReverse, Hv } = r.hessian;
    expectAllClose(hvpForward, hvpReverse, 1e-15);
    expectAllClose(hvpForward, Hv, 1e-15);
  });

  it("the loss built from du/dx has the hand-computed value", () => {
    expect(Math.abs(r.loss.L - r.loss.handL)).toBeLessThan(1e-12);
  });

  it("∂L/∂θ by backward matches central finite differences of L on a handful of weights", () => {
    expect(r.loss.checks.length).toBeGreaterThanOrEqual(5);
    for (const c of r.loss.checks) {
      const what = `layer ${c.layer} ${c.kind}[${c.index}]: ${c.backward} vs ${c.finiteDifference}`;
      expect(Math.abs(c.backward - c.finiteDifference), what).toBeLessThanOrEqual(1e-6 * Math.abs(c.finiteDifference) + 1e-12);
    }
    // The output bias does not enter du/dx: its gradient is exactly zero; every other one is not.
    const outBias = r.loss.checks.find((c) => c.layer === 2 && c.kind === "bias")!;
    expect(outBias.backward).toBe(0);
    for (const c of r.loss.checks) if (c !== outBias) expect(Math.abs(c.backward)).toBeGreaterThan(1e-5);
  });
});
