// Reverse mode: walk the recorded graph from the outputs back to the inputs, applying each op's
// vjp rule. With createGraph the walk is itself recorded, so gradients can be differentiated again.

import { Tensor, freedGraphError, type BackwardOptions } from "./tensor.js";
import { anyLevelActive, withGradMode } from "./state.js";
import { backwardScope, freeGraphs, keep, outsideArena, type GraphBuffers } from "./pool.js";
import { lazyCopyOf, NO_DATA, withFusion } from "./fusion.js";
import { formatShape, sameShape } from "./shape.js";
import { add, clone } from "./ops/index.js";
import { full, onesLike, toTensor } from "./creation.js";
import { describeValue } from "./describe.js";
import { checkVersions } from "./op.js";

export interface GradOptions {
  /** Gradients of the outputs to start from (default: ones, allowed only for one-element outputs). */
  gradOutputs?: (Tensor | number | null)[] | Tensor | number;
  /** Record the backward pass so the results can be differentiated again (default false). */
  createGraph?: boolean;
  /** Return zeros instead of failing when an input does not influence the outputs (default false). */
  allowUnused?: boolean;
  /**
   * Keep the internal buffers of library functions (nn.MLP.forward, laplacian) in the graph after this
   * pass, for another pass through it (PyTorch's retain_graph; default false: freed, see pool.ts).
   */
  retainGraph?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs` (PyTorch's `torch.autograd.grad`), without
 * touching `.grad`. Inputs may be leaves or intermediate tensors.
 */
export function gradients(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): Tensor[] {
  checkFlags(options, "gradients()", ["gradOutputs", "createGraph", "allowUnused", "retainGraph"], ["createGraph", "allowUnused", "retainGraph"]);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const seedsIn = options.gradOutputs === undefined ? [] : Array.isArray(options.gradOutputs) ? options.gradOutputs : [options.gradOutputs];
  const mustBeTensor = (t: unknown, what: string): void => {
    if (!(t instanceof Tensor)) throw new TypeError(`gradients(): ${what} must be a Tensor, got ${describeValue(t)}`);
  };
  outs.forEach((t, i) => mustBeTensor(t, `output ${i}`));
  ins.forEach((t, i) => {
    mustBeTensor(t, `input ${i}`);
    if (!t.requiresGrad) throw new Error(`gradients(): input ${i} does not require grad`);
  });
  const seeds: Tensor[] = [];
  for (let i = 0; i < outs.length; i++) seeds.push(makeSeed(outs[i]!, seedsIn[i] ?? undefined, "gradients()"));
  const found = walk(outs, seeds, options.createGraph ?? false, options.retainGraph ?? false, new Set(ins));
  // (Built by push, not map(): an array of one elements kind whatever path map() would take, so
  // that optimised callers do not deoptimise on it; see chunkContribution in training/parallel.ts.)
  const result: Tensor[] = [];
  for (let i = 0; i < ins.length; i++) {
    const t = ins[i]!;
    const g = found.get(t);
    if (g !== undefined) {
      result.push(g);
      continue;
    }
    if (!options.allowUnused) {
      throw new Error(`gradients(): input ${i} is not used to compute the outputs (pass allowUnused: true to get zeros)`);
    }
    result.push(full(t.shape, 0));
  }
  return result;
}

/** `tensor.backward()`: accumulate into `.grad` of leaves (and of tensors that retain grad). */
export function backward(root: Tensor, seed: Tensor | number | undefined, options: BackwardOptions): void {
  checkFlags(options, "backward()", ["createGraph", "retainGraph"], ["createGraph", "retainGraph"]);
  if (!root.requiresGrad) {
    throw new Error("backward(): this tensor does not require grad (no tensor it was computed from has requiresGrad)");
  }
  walk([root], [makeSeed(root, seed, "backward()")], options.createGraph ?? false, options.retainGraph ?? false, null);
}

/** The options object of backward()/gradients(): an object of known keys, the flags true, false or undefined (not merely truthy). */
function checkFlags(options: unknown, who: string, known: readonly string[], flags: readonly string[]): void {
  if (options === null || typeof options !== "object" || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${who}: options must be an object such as { createGraph: true }, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${who}: unknown option "${key}" (the options are ${known.join(", ")})`);
  }
  for (const key of flags) {
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "boolean") throw new TypeError(`${who}: ${key} must be true or false, got ${describeValue(v)}`);
  }
}

/** The gradient a leaf holds must be null or a Tensor of its shape (`x.grad = [1, 2]` is a mistake). */
function checkHeldGrad(t: Tensor): void {
  const held: unknown = t.grad;
  if (!(held instanceof Tensor) || !sameShape(held.shape, t.shape)) {
    throw new TypeError(
      `backward(): .grad of a tensor of shape ${formatShape(t.shape)} must be null or a Tensor of that shape, got ` +
        `${describeValue(held)} (set it to null, or to tensor(values) of shape ${formatShape(t.shape)})`,
    );
  }
}

function makeSeed(out: Tensor, seed: Tensor | number | undefined, who: string): Tensor {
  if (seed === undefined) {
    if (out.size !== 1) {
      throw new Error(`${who} on a tensor of shape ${formatShape(out.shape)} needs a seed of that shape (the gradient of a scalar with respect to it)`);
    }
    return onesLike(out);
  }
  const s = typeof seed === "number" ? full(out.shape, seed) : toTensor(seed);
  if (!sameShape(s.shape, out.shape)) {
    throw new Error(`${who}: seed of shape ${formatShape(s.shape)} does not match the output's shape ${formatShape(out.shape)}`);
  }
  return s;
}

/**
 * Propagate `seeds` from `roots`. With `targets`, return the gradients arriving at those tensors
 * and skip every branch that cannot reach them; without, accumulate into `.grad`.
 */
function walk(roots: Tensor[], seeds: Tensor[], createGraph: boolean, retainGraph: boolean, targets: Set<Tensor> | null): Map<Tensor, Tensor> {
  const order = topologicalOrder(roots);
  // Without createGraph or retainGraph, the internal buffers of library calls (pool.ts) whose tensors
  // the pass goes through are given back when it ends.
  const release = !createGraph && !anyLevelActive();
  let graphs: Set<GraphBuffers> | null = null;
  const reaches = targets === null ? null : reachability(order, targets);
  // A pass through a library call's freed graph is refused before it writes anything (.grad included).
  for (let i = 0; i < order.length; i++) {
    const t = order[i]!;
    const graph = t.graphBuffers;
    if (graph !== null && graph.released && t.gradFn !== null && (reaches === null || reaches.has(t))) throw freedGraphError(graph.who, t.shape);
  }
  const pending = new Map<Tensor, Tensor>();
  const found = new Map<Tensor, Tensor>();
  const written: Tensor[] = [];
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = pending.get(t);
    pending.set(t, prev === undefined ? g : add(prev, g));
  };

  const run = (): void => {
    roots.forEach((r, i) => {
      if (r.requiresGrad) accumulate(r, seeds[i]!);
    });
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = pending.get(t);
      if (g === undefined) continue;
      pending.delete(t);
      if (targets !== null) {
        if (targets.has(t)) found.set(t, g);
      } else if (t.gradFn === null || t.retainsGrad) {
        // Each tensor gets its own gradient object (one gradient may reach several leaves).
        if (t.grad !== null) checkHeldGrad(t);
        t.grad = keep(t.grad === null ? (createGraph ? g : copyOf(g)) : add(t.grad, g));
        written.push(t);
      }
      const fn = t.gradFn;
      if (fn === null) continue;
      const inputs = fn.inputs;
      const needs = new Array<boolean>(inputs.length);
      let any = false;
      for (let j = 0; j < inputs.length; j++) {
        const x = inputs[j]!;
        any = (needs[j] = x.requiresGrad && (reaches === null || reaches.has(x))) || any;
      }
      if (!any) continue;
      const graph = t.graphBuffers;
      if (graph !== null && release && !retainGraph) (graphs ??= new Set()).add(graph);
      checkVersions(fn);
      const grads = fn.backward(g, needs);
      for (let j = 0; j < inputs.length; j++) {
        const gx = grads[j];
        if (needs[j] && gx != null) accumulate(inputs[j]!, gx);
      }
    }
  };
  // Without createGraph (and without forward-mode levels, whose tangents could reach the results)
  // the temporaries of the pass are not reachable from anything it returns or writes to .grad: their
  // buffers go back to the pool when it ends (pool.ts).
  // The arithmetic of such a pass is fused (fusion.ts); what it returns or writes to .grad is
  // evaluated before the scope closes.
  const fused = (): Tensor[] => {
    run();
    const out = [...found.values()];
    // (.grad outlives every scope: its buffer is an ordinary array from the start, pool.ts.)
    outsideArena(() => {
      for (const t of written) void t.grad!.data;
    });
    for (const t of written) out.push(t.grad!);
    for (const t of out) void t.data;
    if (graphs !== null) freeGraphs(graphs, out);
    return out;
  };
  // Through a library call's graph (whose buffers live in the kernels' arena: pool.ts libraryScope), the
  // pass's temporaries are arena buffers too, so that the SIMD kernels work in place (measured: the
  // Laplacian case of bench/ops-child.ts 15% less CPU); elsewhere ordinary arrays (backwardScope).
  const inArena = release && order.some((t) => t.graphBuffers !== null);
  withGradMode(createGraph, () => (release ? backwardScope(() => withFusion(fused), inArena) : run()));
  return found;
}

/** A gradient of its own for a leaf: a lazy copy of a fused expression (evaluated straight into its buffer), else a clone. */
function copyOf(g: Tensor): Tensor {
  const node = lazyCopyOf(g);
  return node === null ? clone(g) : new Tensor(NO_DATA, g.shape, node);
}

/** Tensors that require grad, reachable from `roots`, each after all the tensors it depends on. */
function topologicalOrder(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative post-order DFS (graphs can be deeper than the call stack).
  const stack: { t: Tensor; next: number }[] = [];
  for (const r of roots) {
    if (!r.requiresGrad || visited.has(r)) continue;
    visited.add(r);
    stack.push({ t: r, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inputs = top.t.gradFn?.inputs ?? [];
      if (top.next < inputs.length) {
        const x = inputs[top.next++]!;
        if (x.requiresGrad && !visited.has(x)) {
          visited.add(x);
          stack.push({ t: x, next: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order;
}

/** The tensors (in `order`) from which some target can be reached. */
function reachability(order: Tensor[], targets: Set<Tensor>): Set<Tensor> {
  const reaches = new Set<Tensor>();
  for (const t of order) {
    if (targets.has(t) || (t.gradFn?.inputs.some((x) => reaches.has(x)) ?? false)) reaches.add(t);
  }
  return reaches;
}
