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
import { ExpressionError } from "../expressions/parser.js";
import { ProblemError } from "../problem/errors.js";
import { ACTIVATIONS } from "../nn/activations.js";
import { z } from "zod";
import { PiecewiseNetwork } from "../training/time-marching-network.js";

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
  /** `features`: the input features (periodic embedding, ...) in place of the scaled inputs, if any. Absent with `windows`. */
  network?: NetworkFile;
  /**
   * Time-marching (README, "Hard problems"): one network per window [from, to] of `window_variable`,
   * in order, each with its inputs scaled to its window; a point belongs to the window that holds it
   * (a cut time to the later one). In place of `network`.
   */
  windows?: { from: number; to: number; network: NetworkFile }[];
  window_variable?: string;
  /** Per unknown: the network output stands for u/U (see the README, "Scaling"). */
  output_scale: Record<string, number>;
}

export type NetworkFile = MLPJson & { init: string; input_scale: number[]; input_shift: number[]; features?: FeaturesJson };

function networkFile(network: PinnNetwork): NetworkFile {
  return { ...network.mlp.toJSON(), init: network.settings.init, input_scale: network.scale, input_shift: network.shift, ...(network.features === null ? {} : { features: network.features.toJSON() }) };
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
    ...(network instanceof PiecewiseNetwork
      ? { windows: network.pieces.map((p) => ({ from: p.from, to: p.to, network: networkFile(p.network) })), window_variable: problem.variables[network.variable]! }
      : { network: networkFile(network) }),
    output_scale: Object.fromEntries(problem.unknowns.map((u, k) => [u, outputScale[k] ?? 1])),
  };
}

export interface LoadedModel {
  readonly file: ModelFile;
  /** Evaluate every unknown at points given as rows [x, y, ...] (or a flat row-major array). */
  evaluate(points: readonly (readonly number[])[] | Float64Array): Record<string, Float64Array>;
}

const finite = z.number().finite();
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a name such as x or u");

/**
 * The shape of model.json (zod), with the cross-checks that make its numbers mean what they
 * say: one interval per variable with min < max, layer sizes that match the variables, the
 * unknowns and every weight array, input scaling that is the one the bounds give, and one
 * trial form and output scale per unknown.
 */
const NETWORK_SCHEMA = z.object({
  sizes: z.array(z.number().int().positive()).min(2),
  activation: z.enum(Object.keys(ACTIVATIONS) as [keyof typeof ACTIVATIONS, ...(keyof typeof ACTIVATIONS)[]]),
  layers: z.array(z.object({ weight: z.array(finite), bias: z.array(finite) })),
  init: z.string(),
  input_scale: z.array(finite),
  input_shift: z.array(finite),
  features: z.object({ features: z.array(z.object({ kind: z.enum(["id", "sin", "cos"]), coef: z.array(finite), offset: finite })).min(1) }).optional(),
});

/** One network's cross-checks against the variables, the unknowns and the bounds its inputs are scaled from. */
function checkNetwork(
  net: z.infer<typeof NETWORK_SCHEMA>,
  bounds: readonly (readonly [number, number])[],
  m: { variables: string[]; unknowns: string[] },
  at: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const d = m.variables.length;
  const sizes = net.sizes;
  const features = net.features?.features;
  const inputs = features?.length ?? d;
  if (sizes[0] !== inputs) issue([...at, "sizes", 0], `expected ${inputs} inputs (${features ? "one per input feature" : "one per variable"}), found ${sizes[0]}`);
  features?.forEach((f, i) => {
    if (f.coef.length !== d) issue([...at, "features", "features", i, "coef"], `expected ${d} coefficients (one per variable), found ${f.coef.length}`);
  });
  if (sizes[sizes.length - 1] !== m.unknowns.length) issue([...at, "sizes", sizes.length - 1], `expected ${m.unknowns.length} outputs (one per unknown), found ${sizes[sizes.length - 1]}`);
  if (net.layers.length !== sizes.length - 1) issue([...at, "layers"], `expected ${sizes.length - 1} layers for sizes [${sizes.join(", ")}], found ${net.layers.length}`);
  net.layers.forEach((l, i) => {
    const [fanIn, fanOut] = [sizes[i] ?? 0, sizes[i + 1] ?? 0];
    if (l.weight.length !== fanIn * fanOut) issue([...at, "layers", i, "weight"], `expected ${fanIn}×${fanOut} = ${fanIn * fanOut} numbers, found ${l.weight.length}`);
    if (l.bias.length !== fanOut) issue([...at, "layers", i, "bias"], `expected ${fanOut} numbers, found ${l.bias.length}`);
  });
  // The network reads x·scale + shift with the scaling its bounds give (residual/network.ts).
  bounds.forEach(([lo, hi], i) => {
    const close = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    if (!close(net.input_scale[i], 2 / (hi - lo))) issue([...at, "input_scale", i], `expected ${2 / (hi - lo)} (2/(max − min) of the bounds), found ${net.input_scale[i]}`);
    if (!close(net.input_shift[i], -(hi + lo) / (hi - lo))) issue([...at, "input_shift", i], `expected ${-(hi + lo) / (hi - lo)} (from the bounds), found ${net.input_shift[i]}`);
  });
}

const MODEL_SCHEMA = z
  .object({
    format: z.literal("pinn-model"),
    version: z.literal(1),
    name: z.string(),
    title: z.string(),
    variables: z.array(name).min(1).max(3),
    bounds: z.array(z.tuple([finite, finite]).refine(([lo, hi]) => lo < hi, "expected [min, max] with min < max")),
    unknowns: z.array(name).min(1),
    constants: z.record(finite),
    trial: z.record(z.string().nullable()),
    network: NETWORK_SCHEMA.optional(),
    windows: z.array(z.object({ from: finite, to: finite, network: NETWORK_SCHEMA })).min(1).optional(),
    window_variable: name.optional(),
    output_scale: z.record(finite.refine((v) => v > 0, "expected a positive number")),
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    const d = m.variables.length;
    if (m.bounds.length !== d) issue(["bounds"], `expected ${d} intervals (one per variable: ${m.variables.join(", ")}), found ${m.bounds.length}`);
    if ((m.network === undefined) === (m.windows === undefined)) issue([], "expected either network (one network) or windows (time-marching), not both or neither");
    if (m.network !== undefined) checkNetwork(m.network, m.bounds, m, ["network"], issue);
    if (m.windows !== undefined) {
      const v = m.window_variable === undefined ? -1 : m.variables.indexOf(m.window_variable);
      if (v < 0) issue(["window_variable"], `expected the variable the windows cut (one of ${m.variables.join(", ")})`);
      else {
        const [lo, hi] = m.bounds[v] ?? [NaN, NaN];
        m.windows.forEach((w, k) => {
          const from = k === 0 ? lo : m.windows![k - 1]!.to;
          if (w.from !== from) issue(["windows", k, "from"], `expected ${from} (${k === 0 ? "the start of the interval" : "the end of the window before"}), found ${w.from}`);
          if (!(w.to > w.from)) issue(["windows", k, "to"], `expected a number above from (${w.from}), found ${w.to}`);
          checkNetwork(w.network, m.bounds.map((b, i) => (i === v ? [w.from, w.to] : b)), m, ["windows", k, "network"], issue);
        });
        const end = m.windows[m.windows.length - 1]!.to;
        if (end !== hi) issue(["windows", m.windows.length - 1, "to"], `expected ${hi} (the end of ${m.window_variable}'s interval), found ${end}`);
      }
    }
    for (const key of [...Object.keys(m.trial), ...Object.keys(m.output_scale)]) {
      if (!m.unknowns.includes(key)) issue([key in m.trial ? "trial" : "output_scale", key], `"${key}" is not an unknown (unknowns: ${m.unknowns.join(", ")})`);
    }
    for (const u of m.unknowns) {
      if (!(u in m.trial)) issue(["trial", u], "missing (null when the unknown is the network output)");
      if (!(u in m.output_scale)) issue(["output_scale", u], "missing");
    }
  });

/** A model file's problem: its name, the field and what is wrong with it. */
function modelError(path: string, field: string, message: string): ProblemError {
  return new ProblemError(path, [{ message: field === "" ? message : `${field}: ${message}`, hint: "model.json is written by pinn solve; solve the problem again to get a valid one, or restore the edited field" }]);
}

function fieldPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Read and validate a model.json; throws ProblemError naming the file and the field. */
export function readModelFile(path: string): ModelFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw modelError(path, "", `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw modelError(path, "", `not valid JSON (${(e as Error).message}); the file may be truncated`);
  }
  const parsed = MODEL_SCHEMA.safeParse(json);
  if (!parsed.success) {
    throw new ProblemError(path, parsed.error.issues.slice(0, 10).map((i) => ({
      message: `${i.path.length > 0 ? `${fieldPath(i.path)}: ` : ""}${i.message}`,
      hint: "model.json is written by pinn solve; solve the problem again to get a valid one, or restore the edited field",
    })));
  }
  return parsed.data as ModelFile;
}

/** A network of a model file, its inputs scaled from `bounds`. */
function readNetwork(file: ModelFile, bounds: [number, number][], json: NetworkFile): PinnNetwork {
  const settings = { hidden: json.sizes.slice(1, -1), activation: json.activation, init: "glorot" as const };
  const network = new PinnNetwork(bounds, file.unknowns.length, settings, new Rng(0), json.features ? InputFeatures.fromJSON(file.variables.length, json.features) : null);
  const trained = MLP.fromJSON(json);
  network.mlp.layers.forEach((l, i) => {
    l.weight.data.set(trained.layers[i]!.weight.data);
    l.bias?.data.set(trained.layers[i]!.bias!.data);
  });
  return network;
}

/** Reload a model.json written by `pinn solve`. */
export function loadModel(path: string): LoadedModel {
  const file = readModelFile(path);
  const names: Names = { variables: file.variables, bounds: file.bounds, unknowns: file.unknowns, constants: new Map(Object.entries(file.constants)) };
  const trial = file.unknowns.map((u, k) => {
    const text = file.trial[u];
    if (text === null || text === undefined) return null;
    try {
      return { expr: resolve(parseExpression(text), names, { kind: "trial", output: k }).sym };
    } catch (e) {
      if (e instanceof ExpressionError) throw modelError(path, `trial.${u}`, `${e.message} in "${text}"`);
      throw e;
    }
  });
  const v = file.windows ? file.variables.indexOf(file.window_variable!) : -1;
  const network = file.windows
    ? new PiecewiseNetwork(file.bounds, v, file.windows.map((w) => ({ from: w.from, to: w.to, network: readNetwork(file, file.bounds.map((b, i) => (i === v ? [w.from, w.to] : b)), w.network) })))
    : readNetwork(file, file.bounds, file.network!);
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
