import { describe, expect, it } from "vitest";
import { viridis, viridisCss } from "../../src/reports/colormap.js";

/** Relative luminance of an sRGB colour (WCAG 2 / ITU-R BT.709 after linearisation). */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

describe("viridis", () => {
  it("runs from dark purple to bright yellow with strictly increasing luminance", () => {
    let previous = -1;
    for (let k = 0; k <= 200; k++) {
      const l = luminance(viridis(k / 200));
      expect(l).toBeGreaterThan(previous);
      previous = l;
    }
    const [r0, g0, b0] = viridis(0);
    expect(b0).toBeGreaterThan(g0); // purple: blue over green
    expect(r0).toBeGreaterThan(g0);
    const [r1, g1, b1] = viridis(1);
    expect(Math.min(r1, g1)).toBeGreaterThan(200); // yellow: red and green high, blue low
    expect(b1).toBeLessThan(60);
  });

  it("clamps outside [0, 1] and greys out NaN", () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    const [r, g, b] = viridis(NaN);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(viridisCss(0)).toMatch(/^rgb\(\d+,\d+,\d+\)$/);
  });
});
