// model.json is validated when it is loaded (issue 8, item 10): truncated JSON, missing fields,
// non-numeric weights, reversed bounds, a renamed unknown, a missing output_scale and an edited
// input_scale are each rejected with the file's name and the field. A valid file reloads and
// evaluates to the formula written by hand from its weights.

import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel, modelFile, type ModelFile } from "../../src/reports/model-file.js";
import { ProblemError } from "../../src/problem/errors.js";
import { parseProblem } from "../../src/problem/load.js";
import { PinnNetwork } from "../../src/residual/network.js";
import { Rng } from "../../src/engine/random.js";

const DIR = mkdtempSync(join(tmpdir(), "pinn-model-file-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const PROBLEM = parseProblem(`name: ode\ndomain:\n  x: [-1, 3]\nunknowns: [u]\nequations:\n  - "u' = 2*x"\nconditions:\n  - "u(0) = 1"\ntrial:\n  u: "1 + x*N"\nnetwork:\n  hidden: [3]\n`, "ode.yaml");

function model(): ModelFile {
  const network = new PinnNetwork(PROBLEM.bounds, 1, PROBLEM.network, new Rng(1));
  return JSON.parse(JSON.stringify(modelFile(PROBLEM, network, [2]))) as ModelFile;
}

function write(content: unknown, name = "model.json"): string {
  const path = join(DIR, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function rejection(content: unknown): { file: string; message: string } {
  const path = write(content);
  try {
    loadModel(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    expect((e as ProblemError).file).toBe(path);
    expect((e as ProblemError).message).toContain("hint: ");
    return { file: path, message: (e as ProblemError).issues.map((i) => i.message).join("\n") };
  }
  throw new Error("expected the model file to be rejected");
}

describe("loadModel", () => {
  it("reloads a valid file and evaluates u = 1 + x·U·N(x̂) by hand", () => {
    const m = model();
    const loaded = loadModel(write(m));
    // By hand: x̂ = x·scale + shift = (x + 1)/2 − 1 on [−1, 3]; tanh layer, then linear; u = 1 + x·2·N.
    const [w1, w2] = [m.network!.layers[0]!, m.network!.layers[1]!];
    const x = 0.7;
    const xh = (2 / 4) * x - 2 / 4;
    const hidden = [0, 1, 2].map((j) => Math.tanh(w1.weight[j]! * xh + w1.bias[j]!));
    const n = hidden.reduce((s, h, j) => s + w2.weight[j]! * h, w2.bias[0]!);
    expect(loaded.evaluate([[x]]).u![0]).toBeCloseTo(1 + x * 2 * n, 12);
  });

  it.each<[string, (m: ModelFile) => unknown, RegExp]>([
    ["truncated JSON", (m) => JSON.stringify(m).slice(0, 100), /not valid JSON .*truncated/],
    ["a missing field", (m) => ({ ...m, unknowns: undefined }), /^unknowns: Required/],
    ['a weight "abc"', (m) => (((m.network!.layers[0]!.weight as unknown[])[1] = "abc"), m), /^network\.layers\[0\]\.weight\[1\]: Expected number, received string/],
    ["a weight null", (m) => (((m.network!.layers[1]!.bias as unknown[])[0] = null), m), /^network\.layers\[1\]\.bias\[0\]: Expected number, received null/],
    ["a missing weight", (m) => (m.network!.layers[0]!.weight.pop(), m), /^network\.layers\[0\]\.weight: expected 1×3 = 3 numbers, found 2/],
    ["reversed bounds", (m) => ((m.bounds[0] = [3, -1]), m), /^bounds\[0\]: expected \[min, max\] with min < max/],
    ["a renamed unknown", (m) => ((m.unknowns = ["v"]), m), /trial\.u: "u" is not an unknown \(unknowns: v\)/],
    ["a missing output_scale", (m) => ({ ...m, output_scale: {} }), /^output_scale\.u: missing/],
    ["an edited input_scale", (m) => ((m.network!.input_scale[0] = 0.6), m), /^network\.input_scale\[0\]: expected 0\.5 \(2\/\(max − min\) of the bounds\), found 0\.6/],
    ["an unknown activation", (m) => (((m.network as { activation: string }).activation = "tanhh"), m), /^network\.activation: Invalid enum value/],
    ["another format", (m) => ({ ...m, format: "onnx" }), /^format: Invalid literal value, expected "pinn-model"/],
  ])("%s is rejected naming the file and the field", (_, edit, message) => {
    const { message: text } = rejection(edit(model()));
    expect(text).toMatch(message);
  });

  it("a trial form that does not parse names trial.u", () => {
    const m = model();
    m.trial.u = "1 + x*";
    expect(rejection(m).message).toMatch(/^trial\.u: the expression ends too early in "1 \+ x\*"/);
  });
});
