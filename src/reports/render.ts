/**
 * Headless, deterministic chart.js rendering to PNG through @napi-rs/canvas.
 *
 * Fonts: @napi-rs/canvas draws no text at all on a machine without system fonts (generic
 * families such as "sans-serif" resolve to installed fonts only). We therefore register
 * DejaVu Sans from the @fontsource/dejavu-sans npm package (SIL OFL / Bitstream Vera
 * licence) under a private family name and make it chart.js' default font, so output does
 * not depend on what the host has installed.
 *
 * Determinism: animation off, responsive off, devicePixelRatio 1, fixed locale ("en-US")
 * for number formatting, fixed canvas text language, white background.
 */
import { createRequire } from "node:module";
import { Chart, registerables, type ChartConfiguration, type Plugin } from "chart.js";
import { createCanvas, GlobalFonts, type Canvas, type SKRSContext2D } from "@napi-rs/canvas";

/** Family name under which the bundled font is registered. */
export const FONT_FAMILY = "PINN DejaVu Sans";

const FONT_FILES = ["dejavu-sans-latin-400-normal.woff2", "dejavu-sans-latin-700-normal.woff2"];

let ready = false;

/** Register the bundled font and chart.js components once per process. */
export function setupRendering(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  for (const file of FONT_FILES) {
    const path = require.resolve(`@fontsource/dejavu-sans/files/${file}`);
    if (!GlobalFonts.registerFromPath(path, FONT_FAMILY)) {
      throw new Error(`could not register the plot font ${path}`);
    }
  }
  Chart.register(...registerables);
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#222222";
  ready = true;
}

/** A CSS font string using the bundled font, for text drawn by hand. */
export function cssFont(sizePx: number, bold = false): string {
  return `${bold ? "bold " : ""}${sizePx}px "${FONT_FAMILY}"`;
}

/** Create a canvas filled with white, with text settings pinned for reproducible output. */
export function createWhiteCanvas(width: number, height: number): { canvas: Canvas; ctx: SKRSContext2D } {
  setupRendering();
  const canvas = createCanvas(checkSize(width), checkSize(height));
  const ctx = canvas.getContext("2d");
  ctx.lang = "en";
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return { canvas, ctx };
}

function checkSize(n: number): number {
  if (!Number.isFinite(n) || n < 16 || n > 16384) throw new RangeError(`plot size ${n} out of range [16, 16384]`);
  return Math.round(n);
}

/**
 * A small transparent image with one filled circle, used as a legend swatch for point series
 * (chart.js draws canvas point styles as images, at their own size).
 */
export function pointSwatch(color: string, radius: number, width = 28, height = 12): Canvas {
  setupRendering();
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(width / 2, height / 2, radius, 0, 2 * Math.PI);
  ctx.fill();
  return canvas;
}

const whiteBackground: Plugin = {
  id: "pinnWhiteBackground",
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

// chart.js is typed against the DOM canvas; @napi-rs/canvas implements the same 2D API.
type DomContext = ConstructorParameters<typeof Chart>[0];

/**
 * Render a chart.js configuration onto a fresh white canvas and hand the canvas to `use`
 * while the chart is alive (the chart is destroyed afterwards, which clears the canvas).
 */
export function withRenderedChart<T>(
  config: ChartConfiguration,
  width: number,
  height: number,
  use: (canvas: Canvas) => T,
): T {
  const { canvas, ctx } = createWhiteCanvas(width, height);
  const full = {
    ...config,
    options: {
      ...config.options,
      animation: false,
      responsive: false,
      maintainAspectRatio: false,
      devicePixelRatio: 1,
      locale: "en-US",
    },
    plugins: [whiteBackground, ...(config.plugins ?? [])],
  } as ChartConfiguration;
  const chart = new Chart(ctx as unknown as DomContext, full);
  try {
    return use(canvas);
  } finally {
    chart.destroy();
  }
}

/** Render a chart.js configuration to PNG bytes. */
export function renderChart(config: ChartConfiguration, width: number, height: number): Buffer {
  return withRenderedChart(config, width, height, (canvas) => canvas.toBuffer("image/png"));
}

/** A title laid out to fit a width: its lines and the font size they are drawn at. */
export interface FittedTitle {
  lines: string[];
  size: number;
}

/**
 * Fit `text` into `maxWidth` pixels (bold, the bundled font): at `size` if it fits on one line,
 * else at a smaller size down to `minSize`, else wrapped at spaces onto two lines at `minSize`, the
 * second shortened with "…" if it still does not fit. A long problem title is never clipped at the
 * image's edges.
 */
export function fitTitle(text: string, maxWidth: number, size = 16, minSize = 12): FittedTitle {
  setupRendering();
  const ctx = createCanvas(16, 16).getContext("2d");
  const width = (s: string, px: number): number => {
    ctx.font = cssFont(px, true);
    return ctx.measureText(s).width;
  };
  for (let px = size; px >= minSize; px--) if (width(text, px) <= maxWidth) return { lines: [text], size: px };
  const words = text.split(/\s+/);
  let first = "";
  let k = 0;
  while (k < words.length) {
    const next = first === "" ? words[k]! : `${first} ${words[k]!}`;
    if (first !== "" && width(next, minSize) > maxWidth) break;
    first = next;
    k++;
  }
  let second = words.slice(k).join(" ");
  if (second === "") return { lines: [first], size: minSize };
  if (width(second, minSize) > maxWidth) {
    while (second.length > 1 && width(`${second}…`, minSize) > maxWidth) second = second.slice(0, -1);
    second = `${second.trimEnd()}…`;
  }
  return { lines: [first, second], size: minSize };
}
