// model.json: everything needed to reload a trained solution and evaluate it at new points —
// the domain, the unknowns, their trial forms (as expressions) and the network weights.

import { readFileSync } from "node:fs";
import { Rng } from "../engine/random.js";
import { MLP, type MLPJson } from "../nn/mlp.js";
import type { Problem } from "../problem/types.js";
import { PinnNetwork } from "../residual/network.js";
import { predictUnknowns } from "../residual/predict.js";
import { parseExpression } from "../expressions/parser.js";
import { resolve, type Names } from "../expressions/resolve.js";
import { show } from "../expressions/symbolic.js";
import { InputFeatures, type FeaturesJson } from "../nn/features.js";

export interface ModelFile {
  format: "pinn-model";
  version: 1;
  name: string;
  title: string;
  variables: string[];
  bounds: [number, number][];
  unknowns: string[];
  constants: Record<string, number>;
  /** Per unknown: u as an expression of the variables and N (that unknown's network output), or null for u = N. */
  trial: Record<string, string | null>;
  /** `features`: the input features (periodic embedding, ...) in place of the scaled inputs, if any. */
  network: MLPJson & { init: string; input_scale: number[]; input_shift: number[]; features?: FeaturesJson };
  /** Per unknown: the network output stands for u/U (see the README, "Scaling"). */
  output_scale: Record<string, number>;
}

export function modelFile(problem: Problem, network: PinnNetwork, outputScale: readonly number[]): ModelFile {
  return {
    format: "pinn-model",
    version: 1,
    name: problem.name,
    title: problem.title,
    variables: problem.variables,
    bounds: problem.bounds,
    unknowns: problem.unknowns,
    constants: Object.fromEntries(problem.constants),
    trial: Object.fromEntries(
      problem.unknowns.map((u, k) => {
        const t = problem.trial[k];
        // Re-expressed from the resolved form: self-contained (constants folded) and parseable.
        return [u, t ? show(t.expr, problem, () => "N") : null];
      }),
    ),
    network: { ...network.mlp.toJSON(), init: network.settings.init, input_scale: network.scale, input_shift: network.shift, ...(network.features === null ? {} : { features: network.features.toJSON() }) },
    output_scale: Object.fromEntries(problem.unknowns.map((u, k) => [u, outputScale[k] ?? 1])),
  };
}

export interface LoadedModel {
  readonly file: ModelFile;
  /** Evaluate every unknown at points given as rows [x, y, ...] (or a flat row-major array). */
  evaluate(points: readonly (readonly number[])[] | Float64Array): Record<string, Float64Array>;
}

/** Reload a model.json written by `pinn solve`. */
export function loadModel(path: string): LoadedModel {
  const file = JSON.parse(readFileSync(path, "utf8")) as ModelFile;
  if (file.format !== "pinn-model" || file.version !== 1) throw new Error(`${path}: not a pinn model file (format ${String(file.format)}, version ${String(file.version)})`);
  const names: Names = { variables: file.variables, bounds: file.bounds, unknowns: file.unknowns, constants: new Map(Object.entries(file.constants)) };
  const trial = file.unknowns.map((u, k) => {
    const text = file.trial[u];
    if (text === null || text === undefined) return null;
    return { expr: resolve(parseExpression(text), names, { kind: "trial", output: k }).sym };
  });
  const settings = { hidden: file.network.sizes.slice(1, -1), activation: file.network.activation, init: "glorot" as const };
  const network = new PinnNetwork(file.bounds, file.unknowns.length, settings, new Rng(0), file.network.features ? InputFeatures.fromJSON(file.variables.length, file.network.features) : null);
  const trained = MLP.fromJSON(file.network);
  network.mlp.layers.forEach((l, i) => {
    l.weight.data.set(trained.layers[i]!.weight.data);
    l.bias?.data.set(trained.layers[i]!.bias!.data);
  });
  const problemLike = { unknowns: file.unknowns, trial };
  const outputScale = file.unknowns.map((u) => file.output_scale?.[u] ?? 1);
  return {
    file,
    evaluate(points) {
      const d = file.variables.length;
      const flat = points instanceof Float64Array ? points : Float64Array.from(points.flatMap((p) => {
        if (p.length !== d) throw new Error(`each point needs ${d} coordinates (${file.variables.join(", ")})`);
        return [...p];
      }));
      const values = predictUnknowns(problemLike, network, flat, outputScale);
      return Object.fromEntries(file.unknowns.map((u, k) => [u, values[k]!]));
    },
  };
}
