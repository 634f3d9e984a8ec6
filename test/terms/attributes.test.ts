// Per-point attributes (observed values, normals) read by residual expressions: the fused Taylor
// kernel, the op-by-op Taylor evaluation and nested reverse mode agree, in value and weight
// gradients, on a misfit r = u − a₀ + a₁·u_x with attributes a drawn at random; and the misfit's
// mean square equals the one computed by hand from the network's own predictions.
import { describe, expect, it } from "vitest";
import { parseProblem } from "../../src/problem/load.js";
import { buildModel } from "../../src/solve.js";
import { meanSquare } from "../../src/loss/loss.js";
import * as S from "../../src/expressions/symbolic.js";
import { attributeVariable, networkFields, unknownForms } from "../../src/residual/fields.js";
import { FixedPoints, SymbolicTerms, type TermContext } from "../../src/terms/index.js";
import { Rng } from "../../src/engine/random.js";
import { noGrad } from "../../src/engine/state.js";
import { Tensor } from "../../src/engine/tensor.js";

const YAML = `name: t\ndomain: {x: [0, 1], t: [0, 1]}\nunknowns: [u]\nequations: ["u_t = u_xx"]\nnetwork: {hidden: [6, 6]}\ntraining: {points: 16, scaling: false, derivatives: MODE}`;

function group(mode: "taylor" | "reverse") {
  const problem = parseProblem(YAML.replace("MODE", mode), "t.yaml");
  const model = buildModel(problem);
  const forms = unknownForms(problem.trial, model.outputScale);
  const ctx: TermContext = {
    problem, network: model.network, mode, outputScale: model.outputScale, scaling: false, rng: new Rng(1),
    fields: (exprs) => networkFields(model.network, forms, exprs, mode), scaleOf: () => 1,
  };
  const rng = new Rng(7);
  const n = 9;
  const x = Float64Array.from({ length: 2 * n }, () => rng.uniform());
  const attrs = Float64Array.from({ length: 2 * n }, () => rng.uniform() * 2 - 1);
  const residual = S.add(S.sub(S.field(0, []), attributeVariable(2, 0)), S.mul(attributeVariable(2, 1), S.field(0, [1])));
  const spec = { kind: "condition" as const, source: { text: "misfit" }, weight: 1, unknowns: [0], scale: 1 };
  return { model, g: new SymbolicTerms(ctx, new FixedPoints(x, 2, attrs), [spec], [residual]), x, attrs, n };
}

describe("per-point attributes in residuals", () => {
  it("fused kernel, op-by-op Taylor and reverse mode agree in value and gradient", () => {
    const results = (["fused", "ops", "reverse"] as const).map((path) => {
      const { model, g } = group(path === "reverse" ? "reverse" : "taylor");
      const batch = g.points.next();
      const ms = path === "fused" ? g.meanSquares(batch) : meanSquare(g.residuals(batch)[0]!);
      ms.sum().backward();
      return { value: ms.data[0]!, grads: model.network.parameters().map((w) => Array.from(w.grad!.data)) };
    });
    for (const r of results.slice(1)) {
      expect(r.value).toBeCloseTo(results[0]!.value, 12);
      r.grads.flat().forEach((v, i) => expect(v).toBeCloseTo(results[0]!.grads.flat()[i]!, 10));
    }
  });

  it("the misfit is u(x_i) − a₀ᵢ + a₁ᵢ·u_x(x_i), with u and u_x from the network (u_x by central differences)", () => {
    const { model, g, x, attrs, n } = group("taylor");
    const u = (p: Float64Array) => noGrad(() => model.network.forward(new Tensor(p, [p.length / 2, 2])).data);
    const h = 1e-5;
    const plus = Float64Array.from(x, (v, i) => (i % 2 === 0 ? v + h : v));
    const minus = Float64Array.from(x, (v, i) => (i % 2 === 0 ? v - h : v));
    const [u0, up, um] = [u(x), u(plus), u(minus)];
    let expected = 0;
    for (let i = 0; i < n; i++) {
      const r = u0[i]! - attrs[2 * i]! + attrs[2 * i + 1]! * (up[i]! - um[i]!) / (2 * h);
      expected += r * r / n;
    }
    const got = noGrad(() => g.meanSquares(g.points.next()).data[0]!);
    expect(got).toBeCloseTo(expected, 8);
  });
});
