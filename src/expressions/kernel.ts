// Compile expressions into one loop over the points: for each root r, mean_i r(x_i)² (the loss's
// definition, written by loss/loss.ts MEAN_SQUARE_CODE), and the adjoint pass that turns gradients
// of those means into gradients of the inputs (reverse mode, written out as straight-line code per
// point). This replaces a chain of small tensor operations
// by one pass with no allocation; it is first-order only.
//
// Inputs are numbered arrays: atoms are read as `in[s][i*stride_s + offset]` (a column of a
// row-major matrix), so both the points (variables) and the network's derivative streams plug in.

import { argsOf, partialsOf, topologicalNodes, type Sym } from "./symbolic.js";
import { CODE_HELPERS, functionRule } from "./functions.js";
import { MEAN_SQUARE_CODE } from "../loss/loss.js";
import { compileKernel, jsId, jsIndex, jsNumber } from "../engine/kernels/js-source.js";

/**
 * Where an atom (a var, field or net node) is read from: input `input`, element
 * (block·n + i)·stride + offset for point i of n (block selects a stacked slab of n rows).
 */
export interface AtomSource {
  input: number;
  block: number;
  stride: number;
  offset: number;
}

function element({ block, stride, offset }: AtomSource): string {
  return `${block === 0 ? "i" : `(${jsIndex(block)} * n + i)`} * ${jsIndex(stride)} + ${jsIndex(offset)}`;
}

export type ForwardKernel = (inputs: Float64Array[], n: number, out: Float64Array) => void;
export type BackwardKernel = (inputs: Float64Array[], n: number, gradOut: Float64Array, gradInputs: (Float64Array | null)[]) => void;

export interface MeanSquareKernel {
  roots: number;
  forward: ForwardKernel;
  backward: BackwardKernel;
}

/**
 * Build the kernel for `roots`. `source(atom)` says where each var / field / net atom is read
 * from; `inputs` is the number of input arrays.
 */
export function meanSquareKernel(roots: readonly Sym[], inputs: number, source: (atom: Sym) => AtomSource): MeanSquareKernel {
  const order = topologicalNodes(roots);
  const computed = new Set(order.map((s) => s.id));
  const name = (s: Sym): string => jsId("v", s.id);
  const value = (s: Sym): string => (s.kind === "const" ? jsNumber(s.value) : name(s));
  /** Code for any expression over the computed nodes (derivative rules bring new ones). */
  const codeOf = (s: Sym): string => {
    if (s.kind === "const" || computed.has(s.id)) return value(s);
    switch (s.kind) {
      case "neg":
        return `(-${codeOf(s.a)})`;
      case "fn":
        return functionRule(s.name).code(...argsOf(s).map(codeOf));
      case "pow":
        return `Math.pow(${codeOf(s.a)}, ${codeOf(s.b)})`;
      case "add":
      case "sub":
      case "mul":
      case "div":
        return `(${codeOf(s.a)} ${{ add: "+", sub: "-", mul: "*", div: "/" }[s.kind]} ${codeOf(s.b)})`;
      default:
        throw new Error(`internal: atom ${s.kind} outside the kernel's inputs`);
    }
  };
  const lines: string[] = [];
  for (const s of order) {
    switch (s.kind) {
      case "const":
        break;
      case "var":
      case "field":
      case "net":
      case "param": {
        const src = source(s);
        lines.push(`const ${name(s)} = ${jsId("in", src.input)}[${element(src)}];`);
        break;
      }
      case "neg":
        lines.push(`const ${name(s)} = -${value(s.a)};`);
        break;
      case "fn":
        lines.push(`const ${name(s)} = ${functionRule(s.name).code(...argsOf(s).map(value))};`);
        break;
      default: {
        const op = { add: "+", sub: "-", mul: "*", div: "/" }[s.kind as "add"];
        lines.push(
          s.kind === "pow" ? `const ${name(s)} = Math.pow(${value(s.a)}, ${value(s.b)});` : `const ${name(s)} = ${value(s.a)} ${op} ${value(s.b)};`,
        );
      }
    }
  }
  const unpack = Array.from({ length: inputs }, (_, k) => `const ${jsId("in", k)} = inputs[${jsIndex(k)}];`).join("\n");
  const rootValue = (r: Sym): string => value(r);

  const forwardSrc = `
    ${unpack}
    ${roots.map((_, r) => `let ${jsId("acc", r)} = 0;`).join(" ")}
    for (let i = 0; i < n; i++) {
      ${lines.join("\n      ")}
      ${roots.map((r, k) => MEAN_SQUARE_CODE.accumulate(jsId("acc", k), rootValue(r))).join(" ")}
    }
    ${roots.map((_, r) => `out[${jsIndex(r)}] = ${MEAN_SQUARE_CODE.finish(jsId("acc", r), "n")};`).join(" ")}`;

  // Adjoints: b_x = ∂(Σ_r g_r·mean r²)/∂x at one point, propagated from the roots to the atoms.
  const adjoint = (s: Sym): string => jsId("b", s.id);
  // Only nodes that depend on an input read from a gradient-carrying atom need adjoints.
  const live = new Set<number>();
  for (const s of order) {
    if (s.kind === "net" || s.kind === "field" || s.kind === "param" || ("a" in s && live.has(s.a.id)) || ("b" in s && live.has(s.b.id))) live.add(s.id);
  }
  const needsAdjoint = new Set<number>();
  const mark = (s: Sym): void => {
    if (!live.has(s.id) || needsAdjoint.has(s.id)) return;
    needsAdjoint.add(s.id);
    if ("a" in s) mark(s.a);
    if ("b" in s) mark(s.b);
  };
  roots.forEach(mark);
  const back: string[] = [];
  const declared = order.filter((s) => needsAdjoint.has(s.id)).map((s) => `let ${adjoint(s)} = 0;`);
  roots.forEach((r, k) => {
    if (needsAdjoint.has(r.id)) back.push(`${adjoint(r)} += ${jsId("scale", k)} * ${rootValue(r)};`);
  });
  const acc = (s: Sym, expr: string): void => {
    if (needsAdjoint.has(s.id)) back.push(`${adjoint(s)} += ${expr};`);
  };
  for (let j = order.length - 1; j >= 0; j--) {
    const s = order[j]!;
    if (!needsAdjoint.has(s.id)) continue;
    const b = adjoint(s);
    switch (s.kind) {
      case "var":
      case "field":
      case "net":
      case "param": {
        // A parameter is read with stride 0: its adjoint sums over the points.
        const src = source(s);
        back.push(`if (${jsId("g", src.input)} !== null) ${jsId("g", src.input)}[${element(src)}] += ${b};`);
        break;
      }
      case "neg":
        acc(s.a, `-${b}`);
        break;
      case "fn": {
        // The partials are the function table's (functions.ts), written out as code.
        const partials = partialsOf(s);
        argsOf(s).forEach((arg, k) => acc(arg, `${b} * ${codeOf(partials[k]!)}`));
        break;
      }
      case "add":
        acc(s.a, b);
        acc(s.b, b);
        break;
      case "sub":
        acc(s.a, b);
        acc(s.b, `-${b}`);
        break;
      case "mul":
        acc(s.a, `${b} * ${value(s.b)}`);
        acc(s.b, `${b} * ${value(s.a)}`);
        break;
      case "div":
        acc(s.a, `${b} / ${value(s.b)}`);
        acc(s.b, `-${b} * ${name(s)} / ${value(s.b)}`);
        break;
      case "pow":
        acc(s.a, `${b} * ${value(s.b)} * Math.pow(${value(s.a)}, ${value(s.b)} - 1)`);
        acc(s.b, `${b} * ${name(s)} * Math.log(${value(s.a)})`);
        break;
      default:
        break;
    }
  }
  const backwardSrc = `
    ${unpack}
    ${Array.from({ length: inputs }, (_, k) => `const ${jsId("g", k)} = gradInputs[${jsIndex(k)}];`).join("\n")}
    ${roots.map((_, k) => `const ${jsId("scale", k)} = ${MEAN_SQUARE_CODE.gradientFactor(`gradOut[${jsIndex(k)}]`, "n")};`).join(" ")}
    for (let i = 0; i < n; i++) {
      ${lines.join("\n      ")}
      ${declared.join(" ")}
      ${back.join("\n      ")}
    }`;
  const forward = compileKernel<ForwardKernel>("mean-square-forward", ["inputs", "n", "out"], forwardSrc, CODE_HELPERS);
  const backward = compileKernel<BackwardKernel>("mean-square-backward", ["inputs", "n", "gradOut", "gradInputs"], backwardSrc, CODE_HELPERS);
  return { roots: roots.length, forward, backward };
}
