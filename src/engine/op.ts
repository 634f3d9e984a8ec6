// How an operation runs: a numeric forward on raw data, then (only when needed) a reverse-mode
// graph node and forward-mode tangents, both defined by the op's derivative rules.

import { Tensor, type GradFn, type Tangent } from "./tensor.js";
import { anyLevelActive, isGradEnabled, isLevelActive } from "./state.js";
import { sameShape, formatShape, TensorSizeError } from "./shape.js";
import { expectTensor } from "./check.js";

export interface OpDef<P> {
  readonly name: string;
  /** Compute the output values from the inputs' data. Must not record anything. */
  forward(inputs: readonly Tensor[], params: P): Tensor;
  /**
   * Reverse rule: the inputs' gradients from the output gradient `g`, written with differentiable
   * ops so that they can be differentiated again. Return null where `needs[i]` is false.
   */
  vjp(g: Tensor, inputs: readonly Tensor[], out: Tensor, params: P, needs: readonly boolean[]): (Tensor | null)[];
  /**
   * False when the reverse rule reads only the inputs' shapes (add, reshape, sum, …), not their
   * values: an in-place update of an input after the op ran then does not change its gradient, and
   * is allowed (Tensor.version). Default true.
   */
  readonly vjpReadsValues?: boolean;
  /** Forward rule: the output tangent from the inputs' tangents (null means zero). */
  jvp(tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, params: P): Tensor;
}

export function defineOp<P = undefined>(def: OpDef<P>): OpDef<P> {
  return def;
}

let observer: ((def: OpDef<never>) => void) | null = null;

/** Run `fn`, calling `onApply` with every op applied meanwhile (for tests of op coverage). */
export function observeOps<T>(onApply: (def: OpDef<never>) => void, fn: () => T): T {
  const previous = observer;
  observer = onApply;
  try {
    return fn();
  } finally {
    observer = previous;
  }
}

/** Run an op: forward values, then the graph node and tangents that the inputs call for. */
export function apply<P>(def: OpDef<P>, inputs: Tensor[], params: P): Tensor {
  if (observer !== null) observer(def as OpDef<never>);
  for (let i = 0; i < inputs.length; i++) expectTensor(inputs[i], def.name, i + 1);
  let out: Tensor;
  try {
    out = def.forward(inputs, params);
  } catch (e) {
    if (e instanceof TensorSizeError && e.op === null) {
      throw new TensorSizeError(`${def.name} of ${inputs.map((t) => formatShape(t.shape)).join(" and ")}: ${e.message}`, def.name);
    }
    throw e;
  }
  seal(out, inputs);
  if (isGradEnabled()) {
    for (const t of inputs) {
      if (t.requiresGrad) {
        out.requiresGrad = true;
        out.gradFn = {
          name: def.name,
          inputs,
          versionSum: def.vjpReadsValues === false ? -1 : versionSum(inputs),
          backward: (g, needs) => checkGrads(def.name, inputs, def.vjp(g, inputs, out, params, needs)),
        };
        break;
      }
    }
  }
  if (anyLevelActive()) propagateTangents(def, inputs, out, params);
  return out;
}

function propagateTangents<P>(def: OpDef<P>, inputs: Tensor[], out: Tensor, params: P): void {
  const levels = liveLevels(inputs);
  if (levels === null) return;
  for (const level of levels) {
    // The rule sees only the outer (lower) levels, so that it does not differentiate itself.
    const below = inputs.map((t) => hideLevelsFrom(t, level));
    const tangents = inputs.map((t) => t.tangentAt(level));
    const tangent = def.jvp(tangents, below, out, params);
    if (!sameShape(tangent.shape, out.shape)) {
      throw new Error(`internal: jvp rule of ${def.name} gave shape ${formatShape(tangent.shape)} for ${formatShape(out.shape)}`);
    }
    (out.tangents ??= []).push({ level, tangent });
  }
}

function liveLevels(inputs: readonly Tensor[]): number[] | null {
  let levels: number[] | null = null;
  for (const t of inputs) {
    if (t.tangents === null) continue;
    for (const { level } of t.tangents) {
      if (isLevelActive(level) && !(levels ??= []).includes(level)) levels.push(level);
    }
  }
  return levels === null ? null : levels.sort((a, b) => a - b);
}

/**
 * The same tensor seen without its tangents at `level` and above. Reverse-mode gradients still
 * flow to `t` through the view.
 */
export function hideLevelsFrom(t: Tensor, level: number): Tensor {
  if (t.tangents === null || !t.tangents.some((x) => x.level >= level)) return t;
  return aliasWithTangents(t, t.tangents.filter((x) => x.level < level));
}

/** A view of `t` (shared data, gradients flow back to `t`) carrying the given tangents. */
export function aliasWithTangents(t: Tensor, tangents: Tangent[] | null): Tensor {
  const view = new Tensor(t.data, t.shape);
  view.sealed = t.sealed;
  t.shareVersionWith(view);
  view.tangents = tangents !== null && tangents.length > 0 ? tangents : null;
  if (t.requiresGrad && isGradEnabled()) {
    view.requiresGrad = true;
    view.gradFn = { name: "alias", inputs: [t], backward: (g) => [g] };
  }
  return view;
}

/** The sum of the versions of the inputs whose values may be updated in place (parameters: not sealed). */
function versionSum(inputs: readonly Tensor[]): number {
  let sum = 0;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (!t.sealed) sum += t.version;
  }
  return sum;
}

/**
 * Before an op's backward rule reads its inputs: throw if one was updated in place (an optimizer
 * step, bumpVersion()) after the op used it, as PyTorch does, rather than give the gradient at the
 * new values. (Writes straight into `.data` are not seen.) A sealed input never changes; one that
 * became unsealed since (requireGrad() on a detached result) holds a copy of the values, which only
 * an update (a version above 0) changes.
 */
export function checkVersions(fn: GradFn): void {
  const recorded = fn.versionSum;
  if (recorded === undefined || recorded < 0 || versionSum(fn.inputs) === recorded) return;
  const changed = fn.inputs.flatMap((t, i) =>
    !t.sealed && t.version > 0 && fn.inputs.indexOf(t) === i ? [`input ${i + 1} (a tensor of shape ${formatShape(t.shape)}, now at version ${t.version})`] : [],
  );
  throw new Error(
    `backward: an input of ${fn.name} was modified in place after ${fn.name} used it — ${changed.join(" or ")}: an optimizer step ` +
      "or bumpVersion() changed its values, so the gradient would be computed with the new values; compute the loss again " +
      "after the step, or use x.clone() (or x.detach().clone()) in the computation instead of the tensor you update",
  );
}

function checkGrads(name: string, inputs: readonly Tensor[], grads: (Tensor | null)[]): (Tensor | null)[] {
  for (let i = 0; i < inputs.length; i++) {
    const g = grads[i];
    if (g != null && !sameShape(g.shape, inputs[i]!.shape)) {
      throw new Error(
        `internal: vjp rule of ${name} gave shape ${formatShape(g.shape)} for input ${i} of shape ${formatShape(inputs[i]!.shape)}`,
      );
    }
  }
  return grads;
}

/**
 * Mark an op's result as read-only (Tensor.sealed): a lazy value, or new values. A result that
 * shares its values with an input (reshape, an identity) is as sealed as that input.
 */
function seal(out: Tensor, inputs: readonly Tensor[]): void {
  const d = out.rawData;
  if (d !== null) {
    for (const t of inputs) {
      if (t.rawData === d) {
        out.sealed = t.sealed;
        t.shareVersionWith(out);
        return;
      }
    }
  }
  out.sealed = true;
}
