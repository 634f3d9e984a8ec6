// Shape arithmetic: sizes, strides, NumPy broadcasting, axis normalisation.

export type Shape = readonly number[];

/**
 * The most values one tensor may hold: 2^29 (4 GiB of float64, the solver's whole memory budget). A
 * larger request is an error before anything is allocated, instead of exhausting the machine's memory
 * or failing inside V8 ("Invalid typed array length") without saying which tensor or why.
 */
export const MAX_TENSOR_VALUES = 2 ** 29;

/** A tensor over MAX_TENSOR_VALUES (or one the machine has no memory for); `op` names the op when known. */
export class TensorSizeError extends RangeError {
  constructor(message: string, readonly op: string | null = null) {
    super(message);
    this.name = "TensorSizeError";
  }
}

/** The TensorSizeError for a tensor of `n` values (and `shape`, when known). */
export function tensorTooLarge(n: number, shape: Shape | null = null, op: string | null = null): TensorSizeError {
  const gib = (8 * n) / 2 ** 30;
  const what = `a tensor of ${n} values${shape !== null ? ` (shape ${formatShape(shape)})` : ""}`;
  return new TensorSizeError(
    `${op !== null ? `${op}: ` : ""}${what} would take ${gib < 1e4 ? gib.toFixed(1) : gib.toExponential(1)} GiB; ` +
      `the limit is ${MAX_TENSOR_VALUES} values (4 GiB) per tensor — use fewer points or smaller batches`,
    op,
  );
}

/** Throw tensorTooLarge when `n` values are over the limit (or not a valid count). */
export function checkTensorSize(n: number, shape: Shape | null = null, op: string | null = null): void {
  if (!(n <= MAX_TENSOR_VALUES)) throw tensorTooLarge(n, shape, op);
}

export function sizeOf(shape: Shape): number {
  // Indexed (shapes are often frozen arrays, whose iterator V8 does not inline).
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1. */
export function broadcastShapes(a: Shape, b: Shape, op = "broadcast"): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      // PyTorch: "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1".
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(sizes ${da} and ${db} at axis ${i - rank} from the end)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
 * broadcast axes get stride 0.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const offset = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    if (from[i] === to[i + offset]) out[i + offset] = own[i]!;
    else if (from[i] !== 1) throw new Error(`internal: cannot broadcast ${formatShape(from)} to ${formatShape(to)}`);
  }
  return out;
}

/** Normalise a possibly negative axis; throws (naming `op`) when out of range. */
export function normAxis(axis: number, rank: number, op = "axis"): number {
  const a = typeof axis === "number" && axis < 0 ? axis + rank : axis;
  if (typeof axis === "number" && !Number.isInteger(axis)) {
    throw new RangeError(`${op}: axis ${axis} is not an integer (axes of a tensor of rank ${rank}: ${-rank} … ${rank - 1})`);
  }
  if (typeof a !== "number" || !Number.isInteger(a) || a < 0 || a >= rank) {
    throw new Error(`${op}: axis ${String(axis)} is out of range for a tensor of rank ${rank} (valid: ${-rank} … ${rank - 1})`);
  }
  return a;
}

/** Shape after reducing `axes` (sorted, normalised), with or without kept unit axes. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Resolve a reshape target that may contain one -1. */
export function resolveReshape(size: number, target: Shape, from?: Shape): number[] {
  // The input as error messages name it (built only for an error).
  const input = (): string => (from === undefined ? `${size} elements` : `a tensor of shape ${formatShape(from)} (${size} elements)`);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i]!;
    if (d === -1) {
      if (unknown >= 0) throw new Error(`reshape: only one dimension may be -1, got ${formatShape(target)} for ${input()}`);
      unknown = i;
    } else {
      if (!Number.isInteger(d) || d < 0) {
        throw new Error(`reshape: invalid dimension ${typeof d === "string" ? JSON.stringify(d) : String(d)} in [${target.map((x) => typeof x === "string" ? JSON.stringify(x) : String(x)).join(", ")}] for ${input()}`);
      }
      known *= d;
    }
  }
  const out = [...target];
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`reshape: cannot infer -1 in ${formatShape(target)} for ${input()}`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new Error(`reshape: cannot reshape ${input()} into ${formatShape(target)}`);
  }
  return out;
}

/**
 * Which axes of `to` must be summed to reduce a gradient of shape `to` to shape `from`
 * (the reverse of broadcasting `from` to `to`).
 */
export function broadcastReductionAxes(from: Shape, to: Shape): number[] {
  const axes: number[] = [];
  const offset = to.length - from.length;
  for (let i = 0; i < to.length; i++) {
    if (i < offset) axes.push(i);
    else if (from[i - offset] === 1 && to[i] !== 1) axes.push(i);
  }
  return axes;
}
