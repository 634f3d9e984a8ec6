// Types for scripts/burgers-reference.mjs (the Cole–Hopf reference of viscous Burgers).
export interface BurgersOptions {
  /** Viscosity (default 0.01/π); the initial data stays −sin(πx). */
  nu?: number;
  /** Trapezoidal rule on z ∈ [−Z, Z] with step h (default {h: 0.01, Z: 13}). */
  rule?: { h: number; Z: number };
}
export declare const NU: number;
export declare const GRID: { x: { lo: number; hi: number; n: number }; t: { lo: number; hi: number; n: number } };
/** u(x, t) on [−1, 1] × [0, ∞). */
export declare function burgers(x: number, t: number, options?: BurgersOptions): number;
/** u_x(x, t). */
export declare function burgersSlope(x: number, t: number, options?: BurgersOptions): number;
export declare function burgersWithSlope(x: number, t: number, options?: BurgersOptions): { u: number; ux: number };
/** The CSV text of the reference grid. */
export declare function referenceCsv(grid?: typeof GRID): string;
