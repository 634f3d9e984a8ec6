// The plan of a fused Taylor pass: the jet streams (the multi-indices β of a downward-closed set,
// stream 0 being the value) and the Faà di Bruno terms of the activation step, written once as
// data that both emitters read — the generated JavaScript (jet-kernels.ts) and the generated
// WebAssembly SIMD (wasm-jet-kernels.ts).
//
// After a linear layer the pre-activation jets z_β are known; the activation h = σ(z) has
//   h_β = Σ_terms c · σ^(j)(z_0) · Π_{f ∈ factors} z_f        (faaDiBruno in taylor.ts),
// and its backward pass, from the gradients g_s of the h streams to those of the z streams, is
//   ∂L/∂z_0 = Σ_s Σ_terms c · g_s · σ^(j+1)(z_0) · Π z_f,
//   ∂L/∂z_t = Σ_s Σ_terms c · μ_t · g_s · σ^(j)(z_0) · Π_{f ≠ one t} z_f    (μ_t: multiplicity of t).
// In the first layer every factor of order ≥ 2 vanishes (the layer is linear in x), so only the
// terms whose factors are all first order are live.

import type { MultiIndex } from "../expressions/symbolic.js";
import { BoundedCache } from "../util/bounded-cache.js";
import { downwardClosure, faaDiBruno, indexKey, orderOf } from "./taylor.js";

/** One term of h_β: coefficient · σ^(order) · Π z[factors[i]] (stream indices, ≥ 1). */
export interface StreamTerm {
  coefficient: number;
  order: number;
  factors: number[];
}

/** One contribution to the gradient of a z stream: coefficient · g[grad] · σ^(order) · Π z[factors[i]]. */
export interface GradientTerm {
  coefficient: number;
  /** The h stream whose gradient it carries. */
  grad: number;
  order: number;
  factors: number[];
}

/** The live terms of one kind of layer (first or hidden), forward and backward. */
export interface LayerTerms {
  /** Per h stream s: the terms of h_s (empty: h_s is zero). */
  forward: StreamTerm[][];
  /** Per z stream t: the contributions to its gradient, in the order the emitters sum them. */
  backward: GradientTerm[][];
  /** The z streams read as factors, ascending. */
  factors: number[];
  /** The h streams whose gradient is read (those with a live term), ascending. */
  grads: number[];
}

/** The streams of a downward-closed set and the Faà di Bruno terms of each. */
export interface JetPlan {
  dims: number;
  /** Multi-indices, value first, sorted by total order. */
  streams: number[][];
  orders: number[];
  /** All terms per stream (the hidden layers' forward terms). */
  terms: StreamTerm[][];
  maxOrder: number;
  /** The live terms of a first layer and of a hidden layer. */
  first: LayerTerms;
  hidden: LayerTerms;
  /** Compiled kernels of this plan, by activation and kind (filled on first use). */
  kernels: Map<string, unknown>;
}

export function jetPlan(set: readonly number[][], dims: number): JetPlan {
  const index = new Map(set.map((b, i) => [indexKey(b), i]));
  if (index.get(indexKey([])) !== 0) throw new Error("internal: the value stream must come first");
  const terms = set.map((beta) =>
    orderOf(beta) === 0
      ? [{ coefficient: 1, order: 0, factors: [] }]
      : faaDiBruno(beta, dims).map((t) => ({
          coefficient: t.coefficient,
          order: t.order,
          factors: t.factors.map((f) => {
            const i = index.get(indexKey(f));
            if (i === undefined) throw new Error("internal: the stream set is not downward closed");
            return i;
          }),
        })),
  );
  const orders = set.map(orderOf);
  return {
    dims,
    streams: set.map((b) => [...b]),
    orders,
    terms,
    maxOrder: Math.max(...orders),
    first: layerTerms(terms, orders, true),
    hidden: layerTerms(terms, orders, false),
    kernels: new Map(),
  };
}

function layerTerms(all: StreamTerm[][], orders: readonly number[], firstLayer: boolean): LayerTerms {
  const forward = all.map((terms) => (firstLayer ? terms.filter((t) => t.factors.every((f) => orders[f] === 1)) : terms));
  const backward: GradientTerm[][] = all.map(() => []);
  const factors = new Set<number>();
  const grads: number[] = [];
  forward.forEach((terms, s) => {
    if (terms.length > 0) grads.push(s);
    for (const t of terms) {
      t.factors.forEach((f) => factors.add(f));
      // ∂/∂z_0 raises the derivative order of σ.
      backward[0]!.push({ coefficient: t.coefficient, grad: s, order: t.order + 1, factors: t.factors });
      // ∂/∂z_f for each distinct factor f: one occurrence of it removed, times its multiplicity.
      for (const f of new Set(t.factors)) {
        const mu = t.factors.filter((x) => x === f).length;
        const rest = [...t.factors];
        rest.splice(t.factors.indexOf(f), 1);
        backward[f]!.push({ coefficient: t.coefficient * mu, grad: s, order: t.order, factors: rest });
      }
    }
  });
  return { forward, backward, factors: [...factors].sort((a, b) => a - b), grads };
}

/** The live terms of a layer kind. */
export function layerTermsOf(plan: JetPlan, firstLayer: boolean): LayerTerms {
  return firstLayer ? plan.first : plan.hidden;
}

/** The cache key of a plan's stream set. */
export function planKey(plan: JetPlan): string {
  return plan.streams.map((b) => indexKey(b)).join(";") + `#${plan.dims}`;
}

const plans = new BoundedCache<string, { set: number[][]; plan: JetPlan }>("jet plans", 256);

/** The stream set and plan of a request (cached: the same request comes every epoch). */
export function planFor(requested: readonly MultiIndex[], dims: number): { set: number[][]; plan: JetPlan } {
  const key = `${dims}|${requested.map((a) => indexKey(a)).join(";")}`;
  let hit = plans.get(key);
  if (hit === undefined) {
    const set = downwardClosure(requested, dims);
    hit = { set, plan: jetPlan(set, dims) };
    plans.set(key, hit);
  }
  return hit;
}
