import { describe, expect, it } from "vitest";
import { createCanvas } from "@napi-rs/canvas";
import { cssFont, setupRendering } from "../../src/reports/render.js";
import { panelTitle } from "../../src/reports/heatmap.js";

// Widths measured here with a canvas of our own (the same bundled font), not taken from the code.
function measured(text: string, size: number): number {
  setupRendering();
  const ctx = createCanvas(16, 16).getContext("2d");
  ctx.font = cssFont(size, true);
  return ctx.measureText(text).width;
}

describe("heat-map panel titles", () => {
  it("wrap a long equation label (residuals.png) onto lines that fit a 440-pixel panel, losing no word", () => {
    // The label of a Helmholtz equation written from the contract: chart.js squeezed it into the
    // panel's width, about 426 pixels of title (440 minus the layout's 14 of padding).
    const label = "|u_xx + u_yy + k^2*u = (k^2 - (a1*pi)^2 - (a2*pi)^2)*sin(a1*pi*x)*sin(a2*pi*y)|";
    expect(measured(label, 14)).toBeGreaterThan(426);
    const t = panelTitle(label, 440);
    expect(t.lines.length).toBe(2);
    for (const line of t.lines) expect(measured(line, t.size)).toBeLessThanOrEqual(426);
    expect(t.lines.join(" ")).toBe(label);
  });

  it("keep a short label on one line at 14 px", () => {
    expect(panelTitle("u (PINN)", 440)).toEqual({ lines: ["u (PINN)"], size: 14 });
  });
});
