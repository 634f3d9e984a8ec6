// Generated elementwise kernels for the fused Taylor-jet MLP: the activation step of every jet
// stream at once (Faà di Bruno's formula), forward and backward, as straight-line JavaScript.
// The terms, forward and backward, are the plan's (jet-plan.ts), which the WebAssembly emitter
// (wasm-jet-kernels.ts) reads too; here they become source text.
// The buffers are stream-major: element e of stream s is at s·stride + e.

import * as S from "../expressions/symbolic.js";
import { Tensor } from "../engine/tensor.js";
import type { Sym } from "../expressions/symbolic.js";
import { ACTIVATION_RULES, type ActivationName } from "../nn/activations.js";
import { CODE_HELPERS, functionRule } from "../expressions/functions.js";
import { activationSym } from "./taylor.js";
import { layerTermsOf, planKey, type JetPlan } from "./jet-plan.js";
import { compileKernel, jsId, jsIndex, jsName, jsNumber } from "../engine/kernels/js-source.js";
import { BoundedCache } from "../util/bounded-cache.js";

// ---- activation derivatives as JavaScript source ----

// Scalar helpers the generated kernels call: the function table's (expressions/functions.ts) and
// the activations' own faster formulas where the registry gives one (nn/activations.ts).
const JET_SCALARS = Object.fromEntries(
  Object.entries(ACTIVATION_RULES).flatMap(([name, rule]) => (rule.jetScalar === undefined ? [] : [[name, rule.jetScalar]])),
) as Record<string, (x: number) => number>;
const HELPERS: Record<string, (x: number) => number> = {
  ...CODE_HELPERS,
  ...Object.fromEntries(Object.entries(JET_SCALARS).map(([name, f]) => [jsName(`H_${name}`), f])),
};

/**
 * Statements defining `d0 … d{upTo}` = σ^(j)(z) for the scalar `z`. When `valueName` is given,
 * σ(z) itself is that variable (already computed), so e.g. tanh's derivatives become polynomials
 * of it and no transcendental function is evaluated again.
 */
export function activationSource(name: ActivationName, upTo: number, valueName: string | null): string {
  const roots: Sym[] = [activationSym(name)];
  for (let j = 1; j <= upTo; j++) roots.push(S.diff(roots[j - 1]!, 0));
  const bound = valueName === null ? null : roots[0]!;
  const names = new Map<number, string>();
  const lines: string[] = [];
  const ref = (s: Sym): string => {
    if (s.kind === "const") return jsNumber(s.value);
    if (s.kind === "var") return "z";
    if (bound !== null && s === bound) return jsName(valueName!);
    return names.get(s.id)!;
  };
  const visit = (s: Sym): void => {
    if (s.kind === "const" || s.kind === "var" || names.has(s.id) || (bound !== null && s === bound)) return;
    if ("a" in s) visit(s.a);
    if ("b" in s) visit(s.b);
    const name = jsId("s", s.id);
    lines.push(`const ${name} = ${nodeSource(s, ref)};`);
    names.set(s.id, name);
  };
  roots.forEach(visit);
  roots.forEach((r, j) => lines.push(`const ${jsId("d", j)} = ${ref(r)};`));
  return lines.join("\n");
}

function nodeSource(s: Sym, ref: (s: Sym) => string): string {
  switch (s.kind) {
    case "add":
      return `${ref(s.a)} + ${ref(s.b)}`;
    case "sub":
      return `${ref(s.a)} - ${ref(s.b)}`;
    case "mul":
      return `${ref(s.a)} * ${ref(s.b)}`;
    case "div":
      return `${ref(s.a)} / ${ref(s.b)}`;
    case "neg":
      return `-${ref(s.a)}`;
    case "pow": {
      const b = s.b;
      if (b.kind === "const" && Number.isInteger(b.value) && b.value >= 2 && b.value <= 4) {
        return new Array<string>(b.value).fill(ref(s.a)).join(" * ");
      }
      return `Math.pow(${ref(s.a)}, ${ref(s.b)})`;
    }
    case "fn":
      // An activation's own formula, else the function table's code (which checks the name).
      if (s.name in JET_SCALARS && !("b" in s)) return `${jsName(`H_${s.name}`)}(${ref(s.a)})`;
      return functionRule(s.name).code(...S.argsOf(s).map(ref));
    default:
      throw new Error(`internal: unexpected ${s.kind} in an activation`);
  }
}

// ---- the stream kernels ----

/**
 * Forward activation of all streams:
 *   act(Z, H, n, w, R) with Z, H of length S·n·w (stream-major). In the first layer (`firstLayer`)
 *   the order-1 pre-activations are rows R[t] (length w, the same for every point) and higher ones
 *   are zero; only the value rows of Z are read.
 */
export type ActivationKernel = (Z: Float64Array, H: Float64Array, n: number, w: number, R: (Float64Array | null)[]) => void;

/**
 * Backward of the activation step. act(Z, H, GH, GZ, n, w, R, GR): from GH (gradient of every h
 * stream) to GZ (gradient of every z stream, overwritten). In the first layer only GZ's value rows
 * are written, and the gradients of the rows R[t] are accumulated (summed over points) into GR[t].
 */
export type ActivationBackwardKernel = (
  Z: Float64Array,
  H: Float64Array,
  GH: Float64Array,
  GZ: Float64Array,
  n: number,
  w: number,
  R: (Float64Array | null)[],
  GR: (Float64Array | null)[],
) => void;

const kernelCache = new BoundedCache<string, unknown>("jet kernels", 512);

function factorRef(f: number, firstLayer: boolean): string {
  return jsId(firstLayer ? "r" : "z", f);
}

/** Per element: the factor streams' values (the first layer's from its rows R, others from Z). */
function factorLoads(factors: readonly number[], firstLayer: boolean): string[] {
  return factors.map((f) => (firstLayer ? `const ${jsId("r", f)} = ${jsId("R", f)}[j];` : `const ${jsId("z", f)} = Z[e + ${jsIndex(f)} * st];`));
}

/** The first layer's rows R[f] of the factor streams, bound once per call. */
function rowArguments(factors: readonly number[], firstLayer: boolean): string {
  return firstLayer ? factors.map((f) => `const ${jsId("R", f)} = R[${jsIndex(f)}];`).join("\n") : "";
}

function productSource(coefficient: number, d: string, factors: string[]): string {
  const parts = [d, ...factors];
  if (coefficient !== 1) parts.unshift(jsNumber(coefficient));
  return parts.join(" * ");
}

/** The activation of one number (the kernels' own formula where the registry gives one, else the function table's). */
export function scalarActivation(name: ActivationName): (x: number) => number {
  const own = ACTIVATION_RULES[name].jetScalar;
  if (own !== undefined) return own;
  const engine = ACTIVATION_RULES[name].engine;
  return (x) => engine(new Tensor(Float64Array.of(x), [])).item();
}

/**
 * Forward kernel source, compiled once per (activation, stream set, layer kind). With
 * `valueGiven` (tanh and sigmoid only, whose derivatives are polynomials of the value) the value
 * rows of H already hold σ(z) and the kernel fills the derivative streams from them.
 */
export function activationKernel(name: ActivationName, plan: JetPlan, firstLayer: boolean, valueGiven = false): ActivationKernel {
  if (valueGiven && !ACTIVATION_RULES[name].derivativesFromValue) throw new Error(`internal: ${name} derivatives are not polynomials of its value`);
  const id = `fwd:${name}:${firstLayer}:${valueGiven}`;
  const local = plan.kernels.get(id);
  if (local) return local as ActivationKernel;
  const key = `${id}:${planKey(plan)}`;
  const hit = kernelCache.get(key);
  if (hit) {
    plan.kernels.set(id, hit);
    return hit as ActivationKernel;
  }
  const live = layerTermsOf(plan, firstLayer);
  const outputs: string[] = [];
  live.forward.forEach((terms, s) => {
    const expr = terms.length === 0 ? "0" : terms.map((t) => productSource(t.coefficient, jsId("d", t.order), t.factors.map((f) => factorRef(f, firstLayer)))).join(" + ");
    if (s > 0 || !valueGiven) outputs.push(`H[${s === 0 ? "e" : `e + ${jsIndex(s)} * st`}] = ${expr};`);
  });
  const loads = factorLoads(live.factors, firstLayer);
  const rowArgs = rowArguments(live.factors, firstLayer);
  const body = `
      const st = n * w;
      ${rowArgs}
      for (let p = 0; p < n; p++) {
        const base = p * w;
        for (let j = 0; j < w; j++) {
          const e = base + j;
          ${valueGiven ? "const y = H[e];" : "const z = Z[e];"}
          ${loads.join("\n")}
          ${activationSource(name, plan.maxOrder, valueGiven ? "y" : null)}
          ${outputs.join("\n")}
        }
      }`;
  const kernel = compileKernel<ActivationKernel>(`jet-forward-${name}`, ["Z", "H", "n", "w", "R"], body, HELPERS);
  kernelCache.set(key, kernel);
  plan.kernels.set(id, kernel);
  return kernel;
}

/** Backward kernel (see ActivationBackwardKernel). */
export function activationBackwardKernel(name: ActivationName, plan: JetPlan, firstLayer: boolean): ActivationBackwardKernel {
  const local = plan.kernels.get(`bwd:${name}:${firstLayer}`);
  if (local) return local as ActivationBackwardKernel;
  const key = `bwd:${name}:${firstLayer}:${planKey(plan)}`;
  const hit = kernelCache.get(key);
  if (hit) {
    plan.kernels.set(`bwd:${name}:${firstLayer}`, hit);
    return hit as ActivationBackwardKernel;
  }
  const S_ = plan.streams.length;
  const live = layerTermsOf(plan, firstLayer);
  // Gradient contributions per target stream, as source terms.
  const contributions = live.backward.map((terms) =>
    terms.map((t) => productSource(t.coefficient, `${jsId("g", t.grad)} * ${jsId("d", t.order)}`, t.factors.map((f) => factorRef(f, firstLayer)))),
  );
  const loads = factorLoads(live.factors, firstLayer);
  const gradLoads = live.grads.map((s) => `const ${jsId("g", s)} = GH[${s === 0 ? "e" : `e + ${jsIndex(s)} * st`}];`);
  const writes: string[] = [];
  const sums: string[] = [];
  for (let t = 0; t < S_; t++) {
    const expr = contributions[t]!.length === 0 ? "0" : contributions[t]!.join(" + ");
    if (t === 0) writes.push(`GZ[e] = ${expr};`);
    else if (!firstLayer) writes.push(`GZ[e + ${jsIndex(t)} * st] = ${expr};`);
    else if (plan.orders[t] === 1 && contributions[t]!.length > 0) writes.push(`${jsId("GR", t)}[j] += ${expr};`);
  }
  if (firstLayer) {
    for (let t = 1; t < S_; t++) {
      if (plan.orders[t] === 1) sums.push(`const ${jsId("GR", t)} = GR[${jsIndex(t)}];`);
    }
  }
  const rowArgs = rowArguments(live.factors, firstLayer);
  // Where the derivatives are polynomials of σ(z) (the registry says which), they are computed
  // from the value the forward pass stored in H.
  const fromValue = ACTIVATION_RULES[name].derivativesFromValue;
  const body = `
      const st = n * w;
      ${rowArgs}
      ${sums.join("\n")}
      for (let p = 0; p < n; p++) {
        const base = p * w;
        for (let j = 0; j < w; j++) {
          const e = base + j;
          const z = Z[e];
          const y = H[e];
          ${loads.join("\n")}
          ${gradLoads.join("\n")}
          ${activationSource(name, plan.maxOrder + 1, fromValue ? "y" : null)}
          ${writes.join("\n")}
        }
      }`;
  const kernel = compileKernel<ActivationBackwardKernel>(`jet-backward-${name}`, ["Z", "H", "GH", "GZ", "n", "w", "R", "GR"], body, HELPERS);
  kernelCache.set(key, kernel);
  plan.kernels.set(`bwd:${name}:${firstLayer}`, kernel);
  return kernel;
}

/**
 * The generated scalar code of activationSource as a function: (z, y) ↦ [σ(z), σ'(z), …, σ^(upTo)(z)],
 * where y = σ(z) is used instead of recomputing it when `fromValue` is set (for tests and tools).
 */
export function activationDerivativeFunction(name: ActivationName, upTo: number, fromValue: boolean): (z: number, y: number) => number[] {
  const body = `${activationSource(name, upTo, fromValue ? "y" : null)}\nreturn [${Array.from({ length: upTo + 1 }, (_, j) => jsId("d", j)).join(", ")}];`;
  return compileKernel(`activation-derivatives-${name}`, ["z", "y"], body, HELPERS);
}
