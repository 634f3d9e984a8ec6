// The inventory of the engine's primitive ops: every name, its parameters, and its rule (forward,
// reverse and forward-mode derivatives), as one mapped type in the style of jax-js
// (`{ [P in OpName]: Rule<P> }`). Adding a primitive means adding its name to OP_NAMES and its
// parameters to OpParams; the type-check then fails until RULES has its rule, and
// test/engine/op-inventory.test.ts fails until test/helpers/op-cases.ts checks it to second order.
//
// Fused kernels outside the engine (residual/) define their own first-order ops with defineOp;
// they are not primitives and are not listed here.

import type { OpDef } from "../op.js";
import {
  addOp, subOp, mulOp, divOp, powOp, atan2Op, maximumOp, minimumOp, addScalarOp, mulScalarOp, rsubScalarOp, rdivScalarOp, powScalarOp, negOp, type Scalar,
} from "./arithmetic.js";
import { unaryRules, type UnaryOpName } from "./unary.js";
import { sumOp, broadcastOp, sumToOp, normOp, type AxesParams } from "./reduce.js";
import { reshapeOp, cloneOp, transposeOp, sliceOp, padOp, concatOp, type Box } from "./layout.js";
import { mmOp, type Flags } from "./linalg.js";
import { whereOp } from "./select.js";

export const OP_NAMES = [
  // arithmetic with broadcasting
  "add", "sub", "mul", "div", "pow", "atan2", "maximum", "minimum",
  // with a plain-number operand
  "addScalar", "mulScalar", "rsubScalar", "rdivScalar", "powScalar", "neg",
  // elementwise functions
  "exp", "log", "sqrt", "square", "sin", "cos", "tan", "tanh", "sigmoid", "softplus", "relu", "abs",
  "asin", "acos", "atan", "sinh", "cosh", "erf", "sign",
  // reductions and broadcasting
  "sum", "broadcastTo", "sumTo", "norm",
  // layout
  "reshape", "clone", "transpose", "slice", "pad", "concat",
  // linear algebra
  "matmul",
  // selection
  "where",
] as const;

export type OpName = (typeof OP_NAMES)[number];

/** The parameters each primitive is applied with. */
export type OpParams = { [N in UnaryOpName]: undefined } & {
  add: undefined; sub: undefined; mul: undefined; div: undefined; pow: undefined;
  atan2: undefined; maximum: undefined; minimum: undefined;
  addScalar: Scalar; mulScalar: Scalar; rsubScalar: Scalar; rdivScalar: Scalar; powScalar: Scalar; neg: Scalar;
  sum: AxesParams; broadcastTo: { shape: number[] }; sumTo: { shape: number[] }; norm: undefined;
  reshape: { shape: number[] }; clone: undefined; transpose: { perm: number[] }; slice: Box;
  pad: { full: number[]; starts: number[] }; concat: { axis: number };
  matmul: Flags;
  where: undefined;
};

export type Rule<N extends OpName> = OpDef<OpParams[N]>;

/** Every primitive's rule, by name. A name without a rule (or a rule of the wrong parameters) fails the type-check. */
export const RULES: { readonly [N in OpName]: Rule<N> } = {
  add: addOp, sub: subOp, mul: mulOp, div: divOp, pow: powOp, atan2: atan2Op, maximum: maximumOp, minimum: minimumOp,
  addScalar: addScalarOp, mulScalar: mulScalarOp, rsubScalar: rsubScalarOp, rdivScalar: rdivScalarOp, powScalar: powScalarOp, neg: negOp,
  ...unaryRules,
  sum: sumOp, broadcastTo: broadcastOp, sumTo: sumToOp, norm: normOp,
  reshape: reshapeOp, clone: cloneOp, transpose: transposeOp, slice: sliceOp, pad: padOp, concat: concatOp,
  matmul: mmOp,
  where: whereOp,
};
