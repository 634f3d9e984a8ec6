/**
 * The viridis colormap (perceptually uniform, colour-blind friendly, monotonic lightness),
 * approximated by linear interpolation between ten evenly spaced reference colours of the
 * published map (positions k/9, k = 0..9).
 */

type Rgb = readonly [number, number, number];

const VIRIDIS_STOPS: readonly Rgb[] = [
  [0x44, 0x01, 0x54],
  [0x48, 0x28, 0x78],
  [0x3e, 0x4a, 0x89],
  [0x31, 0x68, 0x8e],
  [0x26, 0x82, 0x8e],
  [0x1f, 0x9e, 0x89],
  [0x35, 0xb7, 0x79],
  [0x6d, 0xcd, 0x59],
  [0xb4, 0xde, 0x2c],
  [0xfd, 0xe7, 0x25],
];

/** Colour for t in [0, 1] (clamped) as integer RGB components 0..255. NaN gives a neutral grey. */
export function viridis(t: number): [number, number, number] {
  if (Number.isNaN(t)) return [0xc8, 0xc8, 0xc8];
  const s = Math.min(1, Math.max(0, t)) * (VIRIDIS_STOPS.length - 1);
  const k = Math.min(Math.floor(s), VIRIDIS_STOPS.length - 2);
  const f = s - k;
  const a = VIRIDIS_STOPS[k]!;
  const b = VIRIDIS_STOPS[k + 1]!;
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

/** CSS colour string for t in [0, 1]. */
export function viridisCss(t: number): string {
  const [r, g, b] = viridis(t);
  return `rgb(${r},${g},${b})`;
}
