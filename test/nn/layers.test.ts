// Layers: Linear and MLP forward passes against hand-written loops, the initialisation bounds,
// seeding, JSON round trips. (Adam: test/optim/adam.test.ts.)

import { describe, expect, it } from "vitest";
import { Rng, manualSeed, nn, noGrad, sum, tensor } from "../../src/index.js";
import { expectClose, uniform } from "../helpers/tensors.js";

/** y[n, o] = Σ_i x[n, i]·W[o, i] + b[o] with loops. */
function affine(x: number[][], W: Float64Array, b: Float64Array | null, outF: number): number[][] {
  const inF = x[0]!.length;
  return x.map((row) => Array.from({ length: outF }, (_, o) => row.reduce((s, v, i) => s + v * W[o * inF + i]!, b ? b[o]! : 0)));
}

describe("nn.Linear", () => {
  it("forward is x·Wᵀ + b for a batch and for a single vector", () => {
    const layer = new nn.Linear(3, 2, { rng: new Rng(1) });
    expect(layer.weight.shape).toEqual([2, 3]);
    expect(layer.bias!.shape).toEqual([2]);
    layer.bias!.data.set([0.5, -0.25]);
    const x = [[1, 2, 3], [-1, 0.5, 0], [0.2, -0.3, 0.7], [0, 0, 1]];
    expectClose(layer.forward(tensor(x)), affine(x, layer.weight.data, layer.bias!.data, 2).flat(), { atol: 1e-15 });
    const single = layer.forward(tensor([1, 2, 3]));
    expect(single.shape).toEqual([2]);
    expectClose(single, affine([[1, 2, 3]], layer.weight.data, layer.bias!.data, 2)[0]!, { atol: 1e-15 });
    expect(layer.parameters()).toEqual([layer.weight, layer.bias]);
  });

  it("without a bias", () => {
    const layer = new nn.Linear(2, 3, { bias: false, rng: new Rng(2) });
    expect(layer.bias).toBeNull();
    expect(layer.parameters()).toEqual([layer.weight]);
    const x = [[1, -1], [0.5, 2]];
    expectClose(layer.forward(tensor(x)), affine(x, layer.weight.data, null, 3).flat(), { atol: 1e-15 });
  });

  it("parameters require grad and receive gradients", () => {
    const layer = new nn.Linear(2, 1, { rng: new Rng(3) });
    const x = tensor([[1, 2], [3, 4]]);
    sum(layer.forward(x)).backward();
    expect(layer.weight.grad!.toArray()).toEqual([[4, 6]]); // Σ_n x[n, i]
    expect(layer.bias!.grad!.toArray()).toEqual([2]);
  });
});

describe("nn.MLP", () => {
  it("forward is the composition of the layers with the activation between them", () => {
    const net = new nn.MLP([2, 4, 3], "tanh", { seed: 4 });
    net.layers.forEach((l) => l.bias!.data.set(Array.from({ length: l.outFeatures }, (_, i) => 0.1 * (i + 1))));
    const x = [[0.3, -0.5], [1, 2]];
    const [l1, l2] = net.layers;
    const h = affine(x, l1!.weight.data, l1!.bias!.data, 4).map((r) => r.map(Math.tanh));
    const expected = affine(h, l2!.weight.data, l2!.bias!.data, 3);
    expectClose(net.forward(tensor(x)), expected.flat(), { atol: 1e-15 });
    expect(net.parameters()).toHaveLength(4);
  });

  it("Glorot initialisation: |W| ≤ √(6/(fan_in + fan_out)), b = 0, and the range is used", () => {
    const net = new nn.MLP([3, 40, 30, 1], "tanh", { seed: 1 });
    for (const l of net.layers) {
      const bound = Math.sqrt(6 / (l.inFeatures + l.outFeatures));
      const maxAbs = Math.max(...Array.from(l.weight.data, Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(bound);
      expect(maxAbs).toBeGreaterThan(0.8 * bound);
      expect(Array.from(l.bias!.data).every((b) => b === 0)).toBe(true);
    }
  });

  it("'uniform' initialisation: |W|, |b| ≤ 1/√fan_in", () => {
    const net = new nn.MLP([5, 50, 2], "sigmoid", { seed: 2, init: "uniform" });
    for (const l of net.layers) {
      const bound = 1 / Math.sqrt(l.inFeatures);
      for (const p of [l.weight, l.bias!]) {
        const maxAbs = Math.max(...Array.from(p.data, Math.abs));
        expect(maxAbs).toBeLessThanOrEqual(bound);
        expect(maxAbs).toBeGreaterThan(0.5 * bound);
      }
    }
  });

  it("'glorot-normal' initialisation has standard deviation √(2/(fan_in + fan_out))", () => {
    const net = new nn.MLP([200, 200], "tanh", { seed: 3, init: "glorot-normal" });
    const w = net.layers[0]!.weight.data;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(Math.abs(std / Math.sqrt(2 / 400) - 1)).toBeLessThan(0.02);
  });

  it("the same seed gives identical weights, different seeds differ; manualSeed drives the default", () => {
    const w = (net: nn.MLP): number[] => net.parameters().flatMap((p) => Array.from(p.data));
    expect(w(new nn.MLP([2, 8, 1], "tanh", { seed: 9 }))).toEqual(w(new nn.MLP([2, 8, 1], "tanh", { seed: 9 })));
    expect(w(new nn.MLP([2, 8, 1], "tanh", { seed: 9 }))).not.toEqual(w(new nn.MLP([2, 8, 1], "tanh", { seed: 10 })));
    manualSeed(5);
    const a = w(new nn.MLP([2, 8, 1]));
    manualSeed(5);
    expect(w(new nn.MLP([2, 8, 1]))).toEqual(a);
  });

  it("toJSON / fromJSON round-trip through a JSON string", () => {
    const net = new nn.MLP([2, 6, 6, 1], "gelu", { seed: 12, init: "uniform" });
    const json = JSON.parse(JSON.stringify(net.toJSON())) as nn.MLPJson;
    expect(json.sizes).toEqual([2, 6, 6, 1]);
    expect(json.activation).toBe("gelu");
    const copy = nn.MLP.fromJSON(json);
    expect(copy.toJSON()).toEqual(net.toJSON());
    const x = uniform([5, 2], -1, 1, 13);
    expect(Array.from(noGrad(() => copy.forward(x)).data)).toEqual(Array.from(noGrad(() => net.forward(x)).data));
    json.layers[1]!.weight.pop();
    expect(() => nn.MLP.fromJSON(json)).toThrow(/layer 1 does not match sizes \[2, 6, 6, 1\]/);
  });

  it("rejects bad sizes and unknown activations", () => {
    expect(() => new nn.MLP([3])).toThrow(/at least two positive integers/);
    expect(() => new nn.MLP([3, 0, 1])).toThrow(/at least two positive integers/);
    expect(() => new nn.MLP([3, 1], "nope" as nn.ActivationName)).toThrow(/unknown activation "nope"/);
    // The message lists the names (a PyTorch user tries "ReLU").
    expect(() => new nn.MLP([3, 1], "ReLU" as nn.ActivationName)).toThrow(new RegExp(`unknown activation "ReLU" \\(one of ${Object.keys(nn.ACTIVATIONS).join(", ")}\\)`));
    expect(() => new nn.MLP([3, 1], "tanh", { init: "bad" as nn.InitScheme })).toThrow(/unknown initialisation "bad"/);
    // From plain JavaScript: a size given as a string is shown as one (it printed as [2, 32, 1]).
    expect(() => new nn.MLP([2, "32", 1] as never)).toThrow('MLP: sizes must be at least two positive integers, got [2, "32", 1]');
  });

  it("misuse from plain JavaScript: layer sizes, seeds and inputs that do not fit are errors saying so", () => {
    // Were V8's "Invalid typed array length: -3", an internal "shape [3, 2.5] needs 7.5", and a layer of 0 inputs.
    expect(() => new nn.Linear(-1, 3)).toThrow("Linear: inFeatures must be a positive integer, got the number -1");
    expect(() => new nn.Linear(2.5, 3)).toThrow("Linear: inFeatures must be a positive integer, got the number 2.5");
    expect(() => new nn.Linear(0, 3)).toThrow(/inFeatures must be a positive integer/);
    expect(() => new nn.Linear(2, "3" as never)).toThrow('Linear: outFeatures must be a positive integer, got the string "3"');
    // A string seed was seed 0 and a fraction its floor, silently.
    expect(() => new nn.MLP([2, 3, 1], "tanh", { seed: "a" as never })).toThrow('Rng: the seed must be an integer, got the string "a"');
    expect(() => new Rng(1.5)).toThrow("Rng: the seed must be an integer, got the number 1.5");
    expect(() => manualSeed(NaN)).toThrow(/the seed must be an integer, got the number NaN/);
    // An input with the wrong number of features named "matmul: inner dimensions differ ([1, 3] · [3, 2]ᵀ)".
    const net = new nn.MLP([2, 3, 1], "tanh", { seed: 1 });
    expect(() => net.forward(tensor([[1, 2, 3]]))).toThrow(
      "MLP([2, 3, 1]): an input of shape [1, 3] does not fit; it takes [N, 2] (N points of 2 features) or [2]",
    );
    expect(() => net.forward([[1, 2]] as never)).toThrow("MLP([2, 3, 1]): the input must be a Tensor, got an array of length 1 (wrap arrays with tensor())");
    expect(() => net.layers[1]!.forward(tensor([[1, 2]]))).toThrow(/^Linear\(3 → 1\): an input of shape \[1, 2\] does not fit/);
    expect(() => net.forward(tensor([[[1, 2]]]))).toThrow(/shape \[1, 1, 2\] does not fit/);
  });
});
