// Fused elementwise arithmetic inside a backward pass.
//
// While backward() / gradients() run without createGraph (nothing is recorded, no forward-mode level
// is live: autograd.ts), the arithmetic ops of the derivative rules — +, −, ×, ÷ of equal shapes, the
// plain-number forms, square, and broadcasting a single value (sum's rule) — do not compute: they return a lazy tensor holding the expression.
// A lazy tensor is evaluated when anything reads its values (`.data`: every other op, and the pass
// itself for the gradients it returns or writes to .grad): the whole expression DAG becomes ONE
// generated loop over the elements (a kernel per expression shape, cached), instead of one pass over
// memory and one buffer per op. Each element is computed by the same float64 operations in the same
// order as the ops would (V8 does not contract a·b + c), so the results are identical bit for bit
// (test/engine/fusion.test.ts checks this against PINN_NO_FUSION=1 / setFusion(false)).
//
// Transcendental functions are not fused (they run on the SIMD kernels, vector-unary.ts, and a fused
// JavaScript loop would recompute them at Math.* speed). An expression is evaluated once it reaches
// MAX_NODES operations. Each evaluation is recorded in kernelUsage() as "elementwise:fused".

import type { Tensor } from "./tensor.js";
import { compileKernel, jsId, jsIndex } from "./kernels/js-source.js";
import { countKernel } from "./kernels/usage.js";

/** The expressions that may be fused: each an engine op's own kernel text over x, y and p. */
const FUSIBLE = new Set(["x", "x + y", "x - y", "x * y", "x / y", "x + p", "x * p", "p - x", "p / x", "-x", "x * x"]);

const MAX_NODES = 40;

/** The placeholder data argument of a lazy tensor's constructor. */
export const NO_DATA = new Float64Array(0);

/** One operation of a lazy expression: `expr` over its operands (x, y) and the number p. */
export interface LazyNode {
  readonly expr: string;
  readonly x: Tensor;
  readonly y: Tensor | null;
  readonly p: number;
  /** Operations in the expression, this one included (operands counted once per use). */
  readonly nodes: number;
}

let active = 0;
let enabled = process.env["PINN_NO_FUSION"] === undefined || process.env["PINN_NO_FUSION"] === "0";

/** Turn fusion on or off (PINN_NO_FUSION=1 at start-up does the same); for cross-checks. */
export function setFusion(on: boolean): void {
  enabled = on;
}

/** Run `fn` with fusion on (when enabled): the backward pass without createGraph. */
export function withFusion<T>(fn: () => T): T {
  if (!enabled) return fn();
  active++;
  try {
    return fn();
  } finally {
    active--;
  }
}

/** Outputs smaller than this are computed at once (numbering and caching an expression costs more). */
const MIN_SIZE = 256;

/** Whether an op with this kernel text and output size should return a lazy tensor now (lazyNode decides on the operands). */
export function fuses(expr: string, size: number): boolean {
  return enabled && size >= MIN_SIZE && FUSIBLE.has(expr);
}

/**
 * Whether a lazy expression may read `t` later. Inside a backward pass without createGraph every
 * lazy value is evaluated (or released) before the pass returns, so any operand will do. Elsewhere
 * a lazy value may be read at any later time, so it may only read values that cannot change in the
 * meantime: other lazy values, and the results of engine ops (`sealed`: read-only by contract, see
 * Tensor.data), never a tensor the caller made from an array — a parameter that an optimizer
 * updates in place, a batch of points rewritten in place. A released tensor (tidy) is never read
 * lazily: the op reads it at once and reports the release.
 */
function lazyOperand(t: Tensor): boolean {
  if (t.lazy !== null) return true;
  return (active > 0 || t.sealed) && t.rawData !== null;
}

/** A lazy copy of `t` (its own tensor, evaluated into its own buffer), when `t` is lazy. */
export function lazyCopyOf(t: Tensor): LazyNode | null {
  const node = t.lazy;
  return node === null ? null : { ...node };
}

/** The node for `expr` applied to x (and y), or null when the expression would grow too large. */
export function lazyNode(expr: string, x: Tensor, y: Tensor | null, p: number): LazyNode | null {
  if (!lazyOperand(x) || (y !== null && !lazyOperand(y))) return null;
  const nodes = 1 + (x.lazy?.nodes ?? 0) + (y?.lazy?.nodes ?? 0);
  if (nodes > MAX_NODES) return null;
  return { expr, x, y, p, nodes };
}

type Kernel = (leaves: Float64Array[], params: number[], out: Float64Array) => void;
const kernels = new Map<string, Kernel>();

/** Evaluate a lazy expression into `out` (one generated loop). */
export function evaluate(root: LazyNode, out: Float64Array): void {
  // Number the distinct materialised operands (leaves), the distinct nodes (each computed once per
  // element even when used twice) and the numbers; the kernel's cache key is the resulting text.
  const leaves: Tensor[] = [];
  const leafIndex = new Map<Tensor, number>();
  const params: number[] = [];
  const nodeVar = new Map<LazyNode, string>();
  const lines: string[] = [];
  const operand = (t: Tensor): string => {
    const node = t.lazy;
    if (node !== null) return emit(node);
    let i = leafIndex.get(t);
    if (i === undefined) {
      i = leaves.length;
      leaves.push(t);
      leafIndex.set(t, i);
    }
    // A one-element operand in a larger expression is a broadcast scalar (broadcastTo; equal-shape ops
    // never mix sizes otherwise).
    return `${jsId("l", i)}[${t.size === 1 ? "0" : "i"}]`;
  };
  const emit = (node: LazyNode): string => {
    const known = nodeVar.get(node);
    if (known !== undefined) return known;
    const x = operand(node.x);
    const y = node.y === null ? "" : operand(node.y);
    let p = "";
    if (node.expr.includes("p")) {
      p = jsId("p", params.length);
      params.push(node.p);
    }
    const v = jsId("v", nodeVar.size);
    nodeVar.set(node, v);
    // The op's own kernel text with its operands' names in place of x, y and p (all fixed identifiers).
    const text = node.expr.replace(/\b[xyp]\b/g, (s) => (s === "x" ? x : s === "y" ? y : p));
    lines.push(`const ${v} = ${text};`);
    return v;
  };
  const result = emit(root);
  const key = `${leaves.length}|${params.length}|${lines.join("")}|${result}`;
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    const body = [
      ...leaves.map((_, i) => `const ${jsId("l", i)} = leaves[${jsIndex(i)}];`),
      ...params.map((_, i) => `const ${jsId("p", i)} = params[${jsIndex(i)}];`),
      "const n = out.length;",
      `for (let i = 0; i < n; i++) { ${lines.join(" ")} out[i] = ${result}; }`,
    ].join("\n");
    kernel = compileKernel<Kernel>("fused-elementwise", ["leaves", "params", "out"], body);
    kernels.set(key, kernel);
  }
  kernel(leaves.map((t) => t.data), params, out);
  countKernel("elementwise:fused");
}
