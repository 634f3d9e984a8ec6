// Terms whose residuals are symbolic expressions evaluated on a point set: the equations on the
// interior, located conditions on their sets (and, with attributes, conditions on boundary parts
// with their normals, or misfits against observed values).

import type { Tensor } from "../engine/tensor.js";
import * as S from "../expressions/symbolic.js";
import type { Sym } from "../expressions/symbolic.js";
import { TaylorFields, type FieldEvaluator } from "../residual/fields.js";
import { TermGroup, type PointBatch, type PointSource, type TermContext, type TermSpec } from "./term.js";

export class SymbolicTerms extends TermGroup {
  private readonly evaluator: FieldEvaluator;
  private readonly fused: boolean;
  /** Each row is one point: its residuals are the expressions there. */
  override readonly rowwise = true;

  /** `residuals[i]` is term i's raw residual; it is divided by `specs[i].scale`. */
  constructor(ctx: TermContext, points: PointSource, specs: TermSpec[], residuals: Sym[]) {
    super(points, specs);
    this.evaluator = ctx.fields(residuals.map((r, i) => scaled(r, specs[i]!.scale)));
    this.fused = ctx.mode === "taylor" && this.evaluator instanceof TaylorFields;
  }

  residuals(batch: PointBatch): Tensor[] {
    return this.evaluator.evaluate(batch.x, batch.attrs);
  }

  /** One fused network pass and one generated kernel in Taylor mode. */
  override meanSquares(batch: PointBatch): Tensor {
    if (this.fused) return (this.evaluator as TaylorFields).meanSquares(batch.x, batch.attrs);
    return super.meanSquares(batch);
  }
}

/** r / s as an expression (r itself when s = 1). */
export function scaled(residual: Sym, scale: number): Sym {
  return scale === 1 ? residual : S.mul(S.num(1 / scale), residual);
}
