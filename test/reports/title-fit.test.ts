import { describe, expect, it } from "vitest";
import { createCanvas } from "@napi-rs/canvas";
import { cssFont, fitTitle, setupRendering } from "../../src/reports/render.js";

// Widths are measured here with a canvas of our own (the same bundled font), not taken from fitTitle.
function measured(text: string, size: number): number {
  setupRendering();
  const ctx = createCanvas(16, 16).getContext("2d");
  ctx.font = cssFont(size, true);
  return ctx.measureText(text).width;
}

describe("plot titles fit the image", () => {
  it("keeps a short title on one line at full size", () => {
    expect(fitTitle("Poisson on the unit square", 400)).toEqual({ lines: ["Poisson on the unit square"], size: 16 });
  });

  it("wraps a long title onto two lines that each fit, losing no word", () => {
    const title = "Steady heat in a plate with a hole: -Δu = 1, u = 0 outside, insulated hole";
    const fitted = fitTitle(title, 424);
    expect(fitted.lines.length).toBe(2);
    for (const line of fitted.lines) expect(measured(line, fitted.size)).toBeLessThanOrEqual(424);
    expect(fitted.lines.join(" ")).toBe(title);
  });

  it("shortens what does not fit on two lines with an ellipsis", () => {
    const title = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const fitted = fitTitle(title, 300);
    expect(fitted.lines.length).toBe(2);
    expect(fitted.lines[1]!.endsWith("…")).toBe(true);
    for (const line of fitted.lines) expect(measured(line, fitted.size)).toBeLessThanOrEqual(300);
  });
});
