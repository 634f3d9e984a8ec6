// Forward-mode Taylor propagation through an MLP: the value and every input partial derivative in
// a downward-closed set S of multi-indices, layer by layer, in one pass.
//
// A linear layer maps jets linearly: z_0 = W·h_0 + b and z_β = W·h_β for β ≠ 0.
// An activation h = σ(z) follows Faà di Bruno's formula: for a multi-index α written as a list of
// variables (v_1 … v_k),
//   ∂^α h = Σ over set partitions π of {1..k}  σ^(|π|)(z_0) · Π_{B∈π} ∂^{α_B} z,
// where α_B collects the variables of block B. Every operation is an engine op, so the result is
// differentiable with respect to the weights by ordinary reverse mode.

import type { Tensor } from "../engine/tensor.js";
import * as ops from "../engine/ops/index.js";
import { Program } from "../expressions/evaluate.js";
import * as S from "../expressions/symbolic.js";
import type { MultiIndex, Sym } from "../expressions/symbolic.js";
import { ACTIVATION_RULES, type ActivationName } from "../nn/activations.js";
import { BoundedCache } from "../util/bounded-cache.js";

export function indexKey(alpha: MultiIndex): string {
  return S.trimIndex(alpha).join(",");
}

export function orderOf(alpha: MultiIndex): number {
  return alpha.reduce((s, c) => s + (c ?? 0), 0);
}

/** Every β ≤ α (componentwise) for the requested α's, sorted by total order; includes 0. */
export function downwardClosure(requested: readonly MultiIndex[], dims: number): number[][] {
  const seen = new Map<string, number[]>();
  const visit = (alpha: number[]): void => {
    const key = indexKey(alpha);
    if (seen.has(key)) return;
    seen.set(key, alpha);
    alpha.forEach((c, i) => {
      if (c > 0) {
        const lower = [...alpha];
        lower[i] = c - 1;
        visit(lower);
      }
    });
  };
  for (const a of requested) visit(Array.from({ length: dims }, (_, i) => a[i] ?? 0));
  visit(new Array<number>(dims).fill(0));
  return [...seen.values()].sort((a, b) => orderOf(a) - orderOf(b) || indexKey(a).localeCompare(indexKey(b)));
}

/** One term of Faà di Bruno's formula: coefficient · σ^(order) · Π factors (multi-indices). */
export interface FaaTerm {
  coefficient: number;
  order: number;
  factors: number[][];
}

const faaCache = new BoundedCache<string, FaaTerm[]>("Faà di Bruno terms", 4096);

/** The terms of ∂^α σ(z), grouped so that equal products appear once with their multiplicity. */
export function faaDiBruno(alpha: MultiIndex, dims: number): FaaTerm[] {
  const key = `${dims}:${indexKey(alpha)}`;
  const hit = faaCache.get(key);
  if (hit) return hit;
  const letters: number[] = [];
  alpha.forEach((c, i) => {
    for (let j = 0; j < (c ?? 0); j++) letters.push(i);
  });
  const grouped = new Map<string, FaaTerm>();
  for (const partition of setPartitions(letters.length)) {
    const factors = partition.map((block) => {
      const beta = new Array<number>(dims).fill(0);
      for (const pos of block) beta[letters[pos]!]! += 1;
      return beta;
    });
    factors.sort((a, b) => indexKey(a).localeCompare(indexKey(b)));
    const k = factors.map(indexKey).join("|");
    const term = grouped.get(k);
    if (term) term.coefficient += 1;
    else grouped.set(k, { coefficient: 1, order: factors.length, factors });
  }
  const terms = [...grouped.values()];
  faaCache.set(key, terms);
  return terms;
}

/** All set partitions of {0, …, n−1} (restricted growth strings). */
function setPartitions(n: number): number[][][] {
  const out: number[][][] = [];
  const assign = new Array<number>(n).fill(0);
  const rec = (i: number, blocks: number): void => {
    if (i === n) {
      const parts: number[][] = Array.from({ length: blocks }, () => []);
      assign.forEach((b, pos) => parts[b]!.push(pos));
      out.push(parts);
      return;
    }
    for (let b = 0; b <= blocks; b++) {
      assign[i] = b;
      rec(i + 1, Math.max(blocks, b + 1));
    }
  };
  if (n > 0) rec(0, 0);
  return out;
}

/** σ as a symbolic function of one variable (the activation registry's), so that σ', σ'', … follow by differentiation. */
export function activationSym(name: ActivationName): Sym {
  return ACTIVATION_RULES[name].sym(S.variable(0));
}

const derivativePrograms = new BoundedCache<string, Program>("activation derivative programs", 256);

/** A program evaluating [σ, σ', …, σ^(maxOrder)] at one tensor of pre-activations. */
export function activationDerivatives(name: ActivationName, maxOrder: number): Program {
  const key = `${name}:${maxOrder}`;
  let program = derivativePrograms.get(key);
  if (!program) {
    const roots: Sym[] = [activationSym(name)];
    for (let j = 1; j <= maxOrder; j++) roots.push(S.diff(roots[j - 1]!, 0));
    program = new Program(roots);
    derivativePrograms.set(key, program);
  }
  return program;
}

/** Weights of one layer as seen by the jet propagation: W of shape [out, in], b of shape [out]. */
export interface LayerWeights {
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * Propagate jets through an MLP. `inputs` is x̂ (shape [n, d], already scaled to the network's
 * input range) and `inputScale[i]` = dx̂_i/dx_i, so that the results are derivatives with respect
 * to the physical coordinates. Returns ∂^β of the output (shape [n, K]) for every β in the
 * downward closure of `requested`, keyed by indexKey(β).
 */
export function propagateJets(
  layers: readonly LayerWeights[],
  activation: ActivationName,
  inputs: Tensor,
  inputScale: readonly number[],
  requested: readonly MultiIndex[],
): Map<string, Tensor> {
  const dims = inputScale.length;
  const n = inputs.shape[0]!;
  const set = downwardClosure(requested, dims);
  const maxOrder = Math.max(...set.map(orderOf));
  // Streams: null means identically zero; a [1, w] tensor is the same for every point.
  let z = new Map<string, Tensor | null>();
  const first = layers[0]!;
  z.set(indexKey([]), linear(inputs, first, true));
  for (const beta of set) {
    const order = orderOf(beta);
    if (order === 0) continue;
    if (order === 1) {
      // ∂z/∂x_i = a_i · W[:, i], the same row for every point.
      const i = beta.findIndex((c) => c === 1);
      const column = ops.slice(first.weight, [null, [i, i + 1]]);
      z.set(indexKey(beta), ops.mulScalar(ops.reshape(column, [1, column.size]), inputScale[i]!));
    } else z.set(indexKey(beta), null); // the first layer is linear in x
  }
  const program = activationDerivatives(activation, maxOrder);
  for (let l = 1; l < layers.length; l++) {
    const z0 = z.get(indexKey([]))!;
    const sigma = program.run({ variable: () => z0 }, n);
    const h = new Map<string, Tensor | null>();
    for (const beta of set) h.set(indexKey(beta), activationJet(beta, dims, sigma, z));
    const next = new Map<string, Tensor | null>();
    for (const beta of set) {
      const hb = h.get(indexKey(beta));
      next.set(indexKey(beta), hb == null ? null : linear(hb, layers[l]!, orderOf(beta) === 0));
    }
    z = next;
  }
  const out = new Map<string, Tensor>();
  const K = layers[layers.length - 1]!.weight.shape[0]!;
  for (const beta of set) {
    const t = z.get(indexKey(beta)) ?? null;
    out.set(indexKey(beta), t === null ? ops.mulScalar(ops.broadcastTo(zeroRow(K, z), [n, K]), 0) : t.shape[0] === n ? t : ops.broadcastTo(t, [n, K]));
  }
  return out;
}

function zeroRow(K: number, z: Map<string, Tensor | null>): Tensor {
  // A [1, K] zero that is still a tensor of the right kind (no graph needed).
  const any = z.get(indexKey([]))!;
  return ops.mulScalar(ops.slice(any, [[0, 1], [0, K]]), 0);
}

function linear(h: Tensor, layer: LayerWeights, withBias: boolean): Tensor {
  const y = ops.mm(h, layer.weight, false, true);
  return withBias && layer.bias !== null ? ops.add(y, layer.bias) : y;
}

/** ∂^β σ(z) from the pre-activation jets and σ^(j)(z_0) (sigma[j]). */
function activationJet(beta: MultiIndex, dims: number, sigma: Tensor[], z: Map<string, Tensor | null>): Tensor | null {
  if (orderOf(beta) === 0) return sigma[0]!;
  let total: Tensor | null = null;
  for (const term of faaDiBruno(beta, dims)) {
    let product: Tensor | null = sigma[term.order]!;
    for (const f of term.factors) {
      const zf = z.get(indexKey(f)) ?? null;
      if (zf === null) {
        product = null;
        break;
      }
      product = ops.mul(product, zf);
    }
    if (product === null) continue;
    if (term.coefficient !== 1) product = ops.mulScalar(product, term.coefficient);
    total = total === null ? product : ops.add(total, product);
  }
  return total;
}
