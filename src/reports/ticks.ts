/**
 * Axis tick placement and labels, independent of chart.js so they can be tested alone.
 *
 * Log axes get ticks at powers of ten ("1e-4" labels) when the range spans at least two of
 * them, otherwise at 1-2-5 or 1..9 multiples of powers of ten. Linear axes get fixed-point
 * labels with just enough decimals for the tick step, switching to "2.5e-4" style for very
 * small or very large magnitudes.
 */

/** 10^e as the float64 nearest to it (the literal "1e-5"; `10 ** -5` is one ulp off). */
export function pow10(e: number): number {
  return Number(`1e${e}`);
}

/** Smallest number of decimals (0..15) with which `x` prints exactly to within float noise. */
function decimalsFor(x: number): number {
  const ax = Math.abs(x);
  if (ax === 0 || !Number.isFinite(ax)) return 0;
  for (let d = 0; d <= 15; d++) {
    if (Math.abs(Number(ax.toFixed(d)) - ax) <= 1e-9 * ax) return d;
  }
  return 15;
}

/** Avoid printing "-0". */
function noNegativeZero(s: string): string {
  return /^-0(\.0*)?(e.*)?$/.test(s) ? s.slice(1) : s;
}

/**
 * Label for a tick on a linear axis. `step` is the spacing between neighbouring ticks
 * and `maxAbs` the largest |tick| on the axis; both decide the precision.
 */
export function formatLinearTick(value: number, step: number, maxAbs: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) <= 1e-12 * Math.max(Math.abs(step), Number.MIN_VALUE)) return "0";
  const scale = maxAbs > 0 ? maxAbs : Math.abs(value);
  const absStep = Math.abs(step) > 0 && Number.isFinite(step) ? Math.abs(step) : Math.abs(value);
  if (scale < 1e-3 || scale >= 1e6) {
    // Scientific: mantissa digits chosen so that the step is resolved at the axis' exponent.
    const e = Math.floor(Math.log10(scale));
    const digits = Math.min(decimalsFor(absStep / pow10(e)), 6);
    return noNegativeZero(value.toExponential(digits).replace("e+", "e"));
  }
  return noNegativeZero(value.toFixed(Math.min(decimalsFor(absStep), 12)));
}

/** Label for a tick on a log axis: "1e-4", "2e-3", "1", "5", "1e2". */
export function formatLogTick(value: number): string {
  if (!(value > 0) || !Number.isFinite(value)) return String(value);
  let e = Math.floor(Math.log10(value));
  let m = value / pow10(e);
  // Guard against log10 rounding (e.g. 1e-5 giving mantissa 9.9999...).
  if (m >= 9.9999999) {
    e += 1;
    m /= 10;
  } else if (m < 0.99999999) {
    e -= 1;
    m *= 10;
  }
  const mText = String(Number(m.toPrecision(3)));
  return e === 0 ? mText : `${mText}e${e}`;
}

/** Axis range for positive data on a log axis: rounded out to whole decades when that spans two or more. */
export function logAxisRange(dataMin: number, dataMax: number): { min: number; max: number } {
  if (!(dataMin > 0) || !(dataMax > 0) || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) {
    return { min: 0.1, max: 10 };
  }
  if (dataMax < dataMin) [dataMin, dataMax] = [dataMax, dataMin];
  const lo = Math.floor(Math.log10(dataMin) + 1e-9);
  const hi = Math.ceil(Math.log10(dataMax) - 1e-9);
  if (hi - lo >= 2) return { min: pow10(lo), max: pow10(hi) };
  // Narrow range: pad by 20% in ratio so that the data do not touch the frame.
  if (dataMin === dataMax) return { min: dataMin / 2, max: dataMax * 2 };
  return { min: dataMin / 1.2, max: dataMax * 1.2 };
}

/** Tick values for a log axis over [min, max] (min > 0), at most about `maxTicks` of them. */
export function logTickValues(min: number, max: number, maxTicks = 10): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const lo = Math.floor(Math.log10(min)) - 1;
  const hi = Math.ceil(Math.log10(max)) + 1;
  const powers: number[] = [];
  for (let e = lo; e <= hi; e++) if (inRange(pow10(e))) powers.push(e);
  if (powers.length >= 2) {
    const stride = Math.ceil(powers.length / maxTicks);
    return powers.filter((e) => e % stride === 0).map(pow10);
  }
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) {
      for (const m of mantissas) {
        const v = Number(`${m}e${e}`);
        if (inRange(v)) ticks.push(v);
      }
    }
    if (ticks.length >= 3 || (mantissas.length === 9 && ticks.length >= 2)) {
      const stride = Math.ceil(ticks.length / maxTicks);
      return ticks.filter((_, i) => i % stride === 0);
    }
  }
  return [min, max];
}
