// Conditions on a boundary part of a region ("u = g on NAME", "d(u, n) = 0 on boundary"): points
// drawn uniformly by arc length (area) on the part, times t's interval, each carrying the region's
// outward unit normal as per-point attributes (n_x, n_y[, n_z] are attribute variables 0, 1[, 2]:
// S.variable(dims + j), see problem/regions.ts).

import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import type { Rng } from "../engine/random.js";
import type { PartCondition, Problem } from "../problem/types.js";
import type { BoundarySampler } from "../geometry/domain.js";
import { interiorLocation } from "../residual/point-sets.js";
import { SymbolicTerms } from "./symbolic-terms.js";
import type { PointBatch, PointSource, TermContext, TermGroup } from "./term.js";

/**
 * The attribute columns expressions read: the evaluators take exactly as many as the highest
 * normal component they mention (n_y alone still needs n_x's column before it).
 */
export function normalColumns(exprs: readonly Sym[], dims: number): number {
  let count = 0;
  for (const s of S.topologicalNodes(exprs)) if (s.kind === "var" && s.index >= dims) count = Math.max(count, s.index - dims + 1);
  return count;
}

/** The first `columns` components of n × `stride` normals (null for none). */
function keepColumns(normals: Float64Array, stride: number, columns: number): Float64Array | null {
  if (columns === 0) return null;
  if (columns === stride) return normals;
  const n = normals.length / stride;
  const out = new Float64Array(n * columns);
  for (let k = 0; k < n; k++) for (let j = 0; j < columns; j++) out[k * columns + j] = normals[k * stride + j]!;
  return out;
}

/** Points and the normals `exprs` read on a part, for one-off uses (checks, probes). */
export function partSample(problem: Problem, part: string | null, count: number, rng: Rng, exprs: readonly Sym[]): PointBatch {
  const domain = problem.domain;
  if (!domain || domain.region === null) throw new Error("internal: a condition on a boundary part in a problem without a region");
  const { points, normals } = domain.boundarySampler(part, count, rng).next();
  return { x: points, attrs: keepColumns(normals, domain.spatial.length, normalColumns(exprs, problem.variables.length)) };
}

/**
 * The residual with each normal component replaced by 1/√(spatial dims), the typical size of a
 * component of a unit vector: what the term scales (residual/scales.ts, which evaluate on plain
 * points) measure a condition on a part by.
 */
export function withTypicalNormals(residual: Sym, dims: number, spatial: number): Sym {
  const size = S.num(1 / Math.sqrt(spatial));
  return S.substitute(residual, (atom) => (atom.kind === "var" && atom.index >= dims ? size : undefined));
}

export class PartPoints implements PointSource {
  private readonly sampler: BoundarySampler;
  private cached: PointBatch | null = null;
  private window: { dim: number; from: number; fraction: number } | null = null;
  private readonly dims: number;
  private readonly stride: number;

  /** `columns`: how many normal components the group's expressions read (normalColumns). */
  constructor(problem: Problem, part: string | null, count: number, private readonly resample: boolean, rng: Rng, private readonly columns: number) {
    const domain = problem.domain;
    if (!domain || domain.region === null) throw new Error("internal: a condition on a boundary part in a problem without a region");
    this.sampler = domain.boundarySampler(part, count, rng);
    this.dims = problem.variables.length;
    this.stride = domain.spatial.length;
  }

  get count(): number {
    return this.sampler.count;
  }

  next(): PointBatch {
    if (this.cached === null || this.resample) this.cached = this.draw();
    return this.windowed(this.cached);
  }

  fresh(): PointBatch {
    return this.windowed(this.draw());
  }

  /** The causal window squeezes the time coordinate; the normals are unchanged. */
  setWindow(window: { dim: number; from: number; fraction: number } | null): void {
    this.window = window !== null && window.fraction < 1 ? window : null;
  }

  private draw(): PointBatch {
    const { points, normals } = this.sampler.next();
    return { x: points, attrs: keepColumns(normals, this.stride, this.columns) };
  }

  private windowed(batch: PointBatch): PointBatch {
    if (this.window === null) return batch;
    const { dim, from, fraction } = this.window;
    const x = Float64Array.from(batch.x);
    for (let k = dim; k < x.length; k += this.dims) x[k] = from + (x[k]! - from) * fraction;
    return { x, attrs: batch.attrs };
  }
}

/** The builder of the term registry for conditions on boundary parts. */
export function partTerms(ctx: TermContext, c: PartCondition): TermGroup {
  const { problem } = ctx;
  const dims = problem.variables.length;
  const spatial = problem.domain?.spatial.length ?? dims;
  const spec = {
    kind: "condition" as const,
    source: c.source,
    weight: c.weight,
    unknowns: [...S.unknownsOf(c.residual)].sort((a, b) => a - b),
    // Sized on points of the region (the scales evaluate plain points), normals at their typical size.
    scale: ctx.scaleOf(withTypicalNormals(c.residual, dims, spatial), interiorLocation(dims)),
  };
  const t = problem.training;
  return new SymbolicTerms(ctx, new PartPoints(problem, c.part, c.points ?? t.boundaryPoints, t.resample, ctx.rng.fork(), normalColumns([c.residual], dims)), [spec], [c.residual]);
}
