import { GlobalFonts, createCanvas, loadImage } from "@napi-rs/canvas";
import { describe, expect, it } from "vitest";
import {
  errorPlot1D,
  heatmaps2D,
  linePlot,
  lossPlot,
  snapshotsPlot,
  solutionPlot1D,
} from "../../src/reports/plots.js";
import { FONT_FAMILY, setupRendering } from "../../src/reports/render.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the IHDR chunk, which the PNG spec requires to come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(png.readUInt32BE(8)).toBe(13); // IHDR data length
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

interface PixelStats {
  colours: number;
  nonWhiteFraction: number;
  /** Fraction of pixels close to the message colour #a00000 (dark red). */
  messageRedFraction: number;
}

async function pixelStats(png: Buffer): Promise<PixelStats> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const colours = new Set<number>();
  let nonWhite = 0;
  let red = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    colours.add((r << 16) | (g << 8) | b);
    if (r < 250 || g < 250 || b < 250) nonWhite++;
    if (r > 120 && r < 200 && g < 40 && b < 40) red++;
  }
  const n = data.length / 4;
  return { colours: colours.size, nonWhiteFraction: nonWhite / n, messageRedFraction: red / n };
}

/** A PNG of the expected size that is neither blank nor solid. */
async function expectRealPicture(png: Buffer, width: number, height: number): Promise<PixelStats> {
  expect(pngSize(png)).toEqual({ width, height });
  const stats = await pixelStats(png);
  expect(stats.colours).toBeGreaterThan(20);
  expect(stats.nonWhiteFraction).toBeGreaterThan(0.01);
  expect(stats.nonWhiteFraction).toBeLessThan(0.98);
  return stats;
}

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const x = linspace(0, 1, 101);
const exact = x.map((v) => Math.sin(Math.PI * v));
const predicted = x.map((v, i) => exact[i]! + 1e-3 * v * (1 - v));

describe("font setup", () => {
  it("registers the bundled font, so text renders without system fonts", () => {
    setupRendering();
    expect(GlobalFonts.has(FONT_FAMILY)).toBe(true);
  });
});

describe("plots return real PNG pictures", () => {
  it("linePlot with markers, styles and custom size", async () => {
    const png = linePlot({
      title: "t",
      xLabel: "x",
      yLabel: "f(x)",
      series: [
        { label: "a", x, y: exact },
        { label: "b", x, y: predicted, style: "dashed" },
        { label: "c", x: [0.1, 0.5], y: [0.2, 0.4], style: "points" },
      ],
      markers: [{ x: 0.5, label: "lbfgs" }],
      width: 640,
      height: 400,
    });
    await expectRealPicture(png, 640, 400);
  });

  it("lossPlot on a log axis, skipping zeros and NaN", async () => {
    const iteration = Array.from({ length: 3000 }, (_, i) => i);
    const total = iteration.map((i) => Math.exp(-i / 400) + 1e-6);
    const png = lossPlot(
      {
        iteration,
        terms: [
          { name: "pde", values: total.map((v, i) => (i % 50 === 0 ? 0 : v / 2)) },
          { name: "total", values: total.map((v, i) => (i === 10 ? NaN : v)) },
        ],
        stages: [
          { name: "adam", start: 0 },
          { name: "lbfgs", start: 2000 },
        ],
      },
      "loss",
    );
    await expectRealPicture(png, 900, 560);
  });

  it("solutionPlot1D with and without the exact solution", async () => {
    await expectRealPicture(solutionPlot1D({ title: "s", variable: "x", unknown: "u", x, predicted, exact }), 900, 560);
    await expectRealPicture(solutionPlot1D({ title: "s", variable: "x", unknown: "u", x, predicted }), 900, 560);
  });

  it("errorPlot1D with exact zeros", async () => {
    const error = predicted.map((p, i) => p - exact[i]!); // zero at both ends
    expect(error[0]).toBe(0);
    await expectRealPicture(errorPlot1D({ title: "e", variable: "x", unknown: "u", x, error }), 900, 560);
  });

  it("snapshotsPlot", async () => {
    const times = [0, 0.5, 1];
    const ex = times.map((t) => x.map((v) => Math.exp(-t) * Math.sin(Math.PI * v)));
    const pr = ex.map((s) => s.map((v) => v * 1.01));
    const png = snapshotsPlot({ title: "s", variable: "x", unknown: "u", timeName: "t", x, times, predicted: pr, exact: ex });
    await expectRealPicture(png, 900, 560);
  });

  it("heatmaps2D: one panel per field, side by side", async () => {
    const hx = linspace(-1, 1, 30);
    const hy = linspace(0, 1, 20);
    const u = new Float64Array(30 * 20);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 20; j++) u[i * 20 + j] = Math.sin(Math.PI * hx[i]!) * Math.exp(-hy[j]!);
    const png = heatmaps2D({
      title: "h",
      xName: "x",
      yName: "t",
      x: hx,
      y: hy,
      panels: [
        { title: "predicted", values: u },
        { title: "exact", values: u },
        { title: "|error|", values: u.map((v) => Math.abs(v) * 1e-4) },
      ],
    });
    const { width, height } = pngSize(png);
    expect(width).toBe(3 * 440);
    expect(height).toBeGreaterThan(400);
    const stats = await expectRealPicture(png, width, height);
    expect(stats.colours).toBeGreaterThan(200); // a colormap, not a few flat colours
  });

  it("heatmaps2D puts values[i * ny + j] at (x[i], y[j]): x grows rightwards, y upwards", async () => {
    // Value = x index; a 2 × 2 grid with one bright cell at (x[1], y[1]) = top right.
    const png = heatmaps2D({
      title: "",
      xName: "x",
      yName: "y",
      x: [0, 1],
      y: [0, 1],
      panels: [{ title: "p", values: [0, 0, 0, 1] }],
    });
    const image = await loadImage(png);
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(image, 0, 0);
    const brightness = (px: number, py: number) => {
      const d = ctx.getImageData(px, py, 1, 1).data;
      return d[0]! + d[1]! + d[2]!;
    };
    // Scan the plot area for bright (yellow) pixels and find their centre.
    let sx = 0;
    let sy = 0;
    let count = 0;
    let dark = 0;
    let dx = 0;
    let dy = 0;
    for (let py = 40; py < image.height; py += 3) {
      for (let px = 0; px < 360; px += 3) {
        const d = ctx.getImageData(px, py, 1, 1).data;
        if (d[0]! > 200 && d[1]! > 200 && d[2]! < 80) {
          sx += px;
          sy += py;
          count++;
        } else if (d[2]! > d[1]! && d[0]! > d[1]! && d[1]! < 30) {
          dx += px;
          dy += py;
          dark++;
        }
      }
    }
    expect(count).toBeGreaterThan(50);
    expect(dark).toBeGreaterThan(150);
    // The bright cell is right of and above the centre of the dark (purple) cells.
    expect(sx / count).toBeGreaterThan(dx / dark);
    expect(sy / count).toBeLessThan(dy / dark);
    expect(brightness(5, 5)).toBe(255 * 3); // white background
  });
});

describe("bad data never throws and never gives an unexplained empty picture", () => {
  it("a line plot with only NaN shows a message", async () => {
    const png = linePlot({ title: "t", xLabel: "x", yLabel: "y", series: [{ label: "s", x: [0, 1], y: [NaN, NaN] }], logY: true });
    const stats = await expectRealPicture(png, 900, 560);
    expect(stats.messageRedFraction).toBeGreaterThan(0.0005);
  });

  it("an ordinary plot shows no message", async () => {
    const png = solutionPlot1D({ title: "s", variable: "x", unknown: "u", x, predicted });
    expect((await pixelStats(png)).messageRedFraction).toBe(0);
  });

  it("NaN inside data is skipped", async () => {
    const y = exact.map((v, i) => (i % 7 === 0 ? NaN : v));
    await expectRealPicture(solutionPlot1D({ title: "s", variable: "x", unknown: "u", x, predicted: y, exact: y }), 900, 560);
    await expectRealPicture(errorPlot1D({ title: "e", variable: "x", unknown: "u", x, error: y }), 900, 560);
    const empty = lossPlot({ iteration: [], terms: [], stages: [] }, "nothing yet");
    expect((await pixelStats(empty)).messageRedFraction).toBeGreaterThan(0.0005);
  });

  it("a heat-map panel with only NaN shows a message", async () => {
    const png = heatmaps2D({
      title: "h",
      xName: "x",
      yName: "y",
      x: [0, 1],
      y: [0, 1],
      panels: [{ title: "nan", values: [NaN, NaN, NaN, NaN] }],
    });
    const stats = await pixelStats(png);
    expect(stats.messageRedFraction).toBeGreaterThan(0.0005);
  });

  it("mismatched shapes are programming errors and throw", () => {
    expect(() => linePlot({ title: "", xLabel: "", yLabel: "", series: [{ label: "s", x: [1, 2], y: [1] }] })).toThrow();
    expect(() =>
      heatmaps2D({ title: "", xName: "x", yName: "y", x: [0, 1], y: [0, 1, 2], panels: [{ title: "p", values: [1, 2] }] }),
    ).toThrow(/expected 2 × 3 = 6/);
  });
});

describe("rendering is deterministic", () => {
  it("gives identical bytes for identical input", () => {
    const make = () => snapshotsPlot({ title: "s", variable: "x", unknown: "u", timeName: "t", x, times: [0.25], predicted: [predicted] });
    expect(make().equals(make())).toBe(true);
  });
});
