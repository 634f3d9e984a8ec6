// Every differentiable operation, in functional form (tensor methods delegate here).

export { add, sub, mul, div, pow, neg, addScalar, mulScalar, powScalar, atan2, maximum, minimum } from "./arithmetic.js";
export {
  exp, log, sqrt, square, sin, cos, tan, tanh, sigmoid, softplus, relu, abs,
  asin, acos, atan, sinh, cosh, erf, sign, gelu, swish,
} from "./unary.js";
export { sum, mean, norm, broadcastTo, sumTo } from "./reduce.js";
export { reshape, transpose, slice, concat, stack, clone } from "./layout.js";
export { mm, matmul } from "./linalg.js";
export { where, clamp } from "./select.js";
