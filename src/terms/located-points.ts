// A point source over a condition's location (or the interior), from the samplers.

import { PointSet } from "../residual/point-sets.js";
import type { Location } from "../expressions/resolve.js";
import type { PointBatch, PointSource, TermContext } from "./term.js";

export class LocatedPoints implements PointSource {
  private readonly set: PointSet;

  constructor(ctx: TermContext, location: Location, count: number) {
    const { problem } = ctx;
    const t = problem.training;
    this.set = new PointSet(problem.variables.length, problem.domain ?? problem.bounds, location, count, t.sampling, t.resample, ctx.rng.fork());
  }

  get count(): number {
    return this.set.count;
  }
  next(): PointBatch {
    return { x: this.set.next(), attrs: null };
  }
  fresh(): PointBatch {
    return { x: this.set.fresh(), attrs: null };
  }
  setWindow(window: { dim: number; from: number; fraction: number } | null): void {
    this.set.setWindow(window);
  }
}
