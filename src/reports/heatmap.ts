/**
 * Side-by-side 2D heat maps (e.g. prediction, exact, |error|), each panel with its own
 * viridis colour bar. chart.js provides the axes (a scatter chart without data, scaled to
 * the domain); a plugin paints one rectangle per grid value into the plot area and the
 * colour strip beside a third axis that carries the colour bar's ticks.
 */
import type { Chart, ChartConfiguration, Plugin } from "chart.js";
import { linearAxis } from "./axes.js";
import { viridis, viridisCss } from "./colormap.js";
import { cssFont, createWhiteCanvas, fitTitle, withRenderedChart } from "./render.js";

export interface HeatmapPanel {
  title: string;
  /** values[i * y.length + j] is the value at (x[i], y[j]). */
  values: ArrayLike<number>;
  /** Panels with the same group share one colour scale (e.g. prediction and exact). */
  scaleGroup?: string;
}

export interface HeatmapOptions {
  title: string;
  xName: string;
  yName: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  panels: HeatmapPanel[];
  /** Per grid value (indexed like a panel's values): 0 leaves the cell blank (outside a region). */
  inside?: ArrayLike<number>;
  /** Polylines [x0, y0, x1, y1, ...] drawn over every panel (a region's boundary). */
  outline?: readonly (readonly number[])[];
  /** Size of one panel in pixels (default 440 × 420). */
  panelWidth?: number;
  panelHeight?: number;
}

const CBAR_GAP = 10;
const CBAR_WIDTH = 16;

/** Grid coordinates in increasing order, the original index of each, and cell edges. */
interface AxisGrid {
  order: number[];
  edges: number[];
  min: number;
  max: number;
}

/** Cells are centred on the grid points with edges halfway between neighbours. */
function axisGrid(coords: ArrayLike<number>, name: string): AxisGrid {
  const n = coords.length;
  if (n === 0) throw new Error(`heatmaps2D: no ${name} coordinates`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(coords[i]!)) throw new Error(`heatmaps2D: ${name}[${i}] is not finite`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => coords[a]! - coords[b]!);
  const c = order.map((i) => coords[i]!);
  const edges: number[] = new Array(n + 1);
  if (n === 1 || c[n - 1] === c[0]) {
    const half = c[0] === 0 ? 0.5 : Math.abs(c[0]!) * 0.05;
    for (let k = 0; k <= n; k++) edges[k] = c[0]! + (k === 0 ? -half : half);
    return { order, edges, min: c[0]! - half, max: c[0]! + half };
  }
  edges[0] = c[0]! - (c[1]! - c[0]!) / 2;
  for (let k = 1; k < n; k++) edges[k] = (c[k - 1]! + c[k]!) / 2;
  edges[n] = c[n - 1]! + (c[n - 1]! - c[n - 2]!) / 2;
  return { order, edges, min: c[0]!, max: c[n - 1]! };
}

/** Finite min and max of a panel's values, widened when they coincide; undefined if none. */
function valueRange(values: ArrayLike<number>): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) return undefined;
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.01;
    return { min: min - pad, max: max + pad };
  }
  return { min, max };
}

function cellsPlugin(gx: AxisGrid, gy: AxisGrid, values: ArrayLike<number>, range: { min: number; max: number }, region: Pick<HeatmapOptions, "inside" | "outline"> = {}): Plugin {
  const ny = gy.order.length;
  return {
    id: "pinnHeatmapCells",
    beforeDatasetsDraw(chart: Chart) {
      const { ctx, chartArea: area } = chart;
      const xs = chart.scales["x"]!;
      const ys = chart.scales["y"]!;
      const px = gx.edges.map((e) => Math.round(xs.getPixelForValue(e)));
      const py = gy.edges.map((e) => Math.round(ys.getPixelForValue(e)));
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      const span = range.max - range.min;
      for (let a = 0; a < gx.order.length; a++) {
        const i = gx.order[a]!;
        const x0 = px[a]!;
        const w = px[a + 1]! - x0;
        if (w <= 0 && a + 1 < gx.order.length) continue;
        for (let b = 0; b < ny; b++) {
          const j = gy.order[b]!;
          if (region.inside !== undefined && region.inside[i * ny + j] === 0) continue;
          const v = values[i * ny + j]!;
          const top = py[b + 1]!;
          const h = py[b]! - top;
          ctx.fillStyle = viridisCss(Number.isFinite(v) ? (v - range.min) / span : NaN);
          // Cells at least one pixel wide so that very fine grids still paint every column.
          ctx.fillRect(x0, top, Math.max(w, 1), Math.max(h, 1));
        }
      }
      ctx.strokeStyle = "#222222";
      ctx.lineWidth = 1.5;
      for (const line of region.outline ?? []) {
        ctx.beginPath();
        for (let k = 0; k + 1 < line.length; k += 2) {
          const [X, Y] = [xs.getPixelForValue(line[k]!), ys.getPixelForValue(line[k + 1]!)];
          if (k === 0) ctx.moveTo(X, Y);
          else ctx.lineTo(X, Y);
        }
        ctx.stroke();
      }
      ctx.restore();
      ctx.save();
      ctx.strokeStyle = "#555555";
      ctx.lineWidth = 1;
      ctx.strokeRect(area.left + 0.5, area.top + 0.5, area.right - area.left - 1, area.bottom - area.top - 1);
      ctx.restore();
    },
    afterDraw(chart: Chart) {
      // Colour strip next to the colour-bar axis, bottom = range.min, top = range.max.
      const cbar = chart.scales["cbar"]!;
      const { ctx } = chart;
      const left = Math.round(cbar.left + CBAR_GAP);
      const top = Math.round(cbar.top);
      const bottom = Math.round(cbar.bottom);
      const h = bottom - top;
      for (let r = 0; r < h; r++) {
        const [cr, cg, cb] = viridis((h - 1 - r) / Math.max(h - 1, 1));
        ctx.fillStyle = `rgb(${cr},${cg},${cb})`;
        ctx.fillRect(left, top + r, CBAR_WIDTH, 1);
      }
      ctx.strokeStyle = "#555555";
      ctx.lineWidth = 1;
      ctx.strokeRect(left + 0.5, top + 0.5, CBAR_WIDTH - 1, h - 1);
    },
  };
}

function messageOverlay(text: string): Plugin {
  return {
    id: "pinnHeatmapMessage",
    afterDraw(chart: Chart) {
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.font = cssFont(14, true);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillStyle = "#a00000";
      ctx.fillText(text, (area.left + area.right) / 2, (area.top + area.bottom) / 2);
      ctx.restore();
    },
  };
}

/**
 * A panel's title on one or two lines that fit its width (chart.js would squeeze a long one, such as
 * an equation's label on residuals.png, into the width until it is unreadable).
 */
export function panelTitle(title: string, panelWidth: number): { lines: string[]; size: number } {
  return fitTitle(title, panelWidth - 24, 14, 11);
}

function panelConfig(opts: HeatmapOptions, panel: HeatmapPanel, gx: AxisGrid, gy: AxisGrid, panelWidth: number, shared?: { min: number; max: number }): ChartConfiguration {
  const fitted = panelTitle(panel.title, panelWidth);
  const found = valueRange(panel.values) && shared ? shared : valueRange(panel.values);
  const range = found ?? { min: 0, max: 1 };
  const plugins: Plugin[] = [cellsPlugin(gx, gy, panel.values, range, opts)];
  if (!found) plugins.push(messageOverlay("no finite values"));
  return {
    type: "scatter",
    data: { datasets: [] },
    options: {
      layout: { padding: { left: 4, right: 10, top: 0, bottom: 4 } },
      scales: {
        x: linearAxis(opts.xName, { min: gx.min, max: gx.max, grid: { display: false } }, { includeBounds: false }),
        y: linearAxis(opts.yName, { min: gy.min, max: gy.max, grid: { display: false } }, { includeBounds: false }),
        cbar: linearAxis(
          "",
          {
            position: "right",
            min: range.min,
            max: range.max,
            grid: { display: true, drawOnChartArea: false, drawTicks: false },
            border: { display: false },
          },
          { padding: CBAR_GAP + CBAR_WIDTH + 4, includeBounds: false },
        ),
      },
      plugins: {
        title: { display: true, text: fitted.lines, font: { size: fitted.size, weight: "bold" }, padding: { top: 4, bottom: 8 } },
        legend: { display: false },
        tooltip: { enabled: false },
      },
    },
    plugins,
  } as unknown as ChartConfiguration;
}

/** One PNG with the panels side by side and an overall title above them. */
export function heatmaps2D(opts: HeatmapOptions): Buffer {
  const nx = opts.x.length;
  const ny = opts.y.length;
  for (const p of opts.panels) {
    if (p.values.length !== nx * ny) {
      throw new Error(`heatmaps2D: panel "${p.title}" has ${p.values.length} values, expected ${nx} × ${ny} = ${nx * ny}`);
    }
  }
  const gx = axisGrid(opts.x, opts.xName);
  const gy = axisGrid(opts.y, opts.yName);
  const panelW = opts.panelWidth ?? 440;
  // A region's outline is drawn to scale: the panel's height follows the data's aspect ratio
  // (about 150 px of a panel's width and 90 px of its height are axes, title and colour bar).
  const panelH = opts.panelHeight ?? (opts.outline ? Math.round(Math.min(700, Math.max(240, 90 + ((panelW - 150) * (gy.max - gy.min)) / (gx.max - gx.min)))) : 420);
  const count = Math.max(opts.panels.length, 1);
  const title = opts.title ? fitTitle(opts.title, panelW * count - 16) : { lines: [], size: 16 };
  const lineH = Math.round(title.size * 1.3);
  const titleBand = title.lines.length > 0 ? 40 + lineH * (title.lines.length - 1) : 8;
  const { canvas, ctx } = createWhiteCanvas(panelW * count, panelH + titleBand);
  ctx.fillStyle = "#222222";
  ctx.font = cssFont(title.size, true);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  title.lines.forEach((line, i) => {
    ctx.fillText(line, (panelW * count) / 2, titleBand / 2 + 2 + (i - (title.lines.length - 1) / 2) * lineH);
  });
  if (opts.panels.length === 0) {
    ctx.fillStyle = "#a00000";
    ctx.font = cssFont(15, true);
    ctx.fillText("no panels to plot", panelW / 2, titleBand + panelH / 2);
  }
  // One range per scale group: the union of its panels' finite ranges.
  const groups = new Map<string, { min: number; max: number }>();
  for (const panel of opts.panels) {
    const r = panel.scaleGroup === undefined ? undefined : valueRange(panel.values);
    if (r === undefined) continue;
    const g = groups.get(panel.scaleGroup!);
    groups.set(panel.scaleGroup!, g ? { min: Math.min(g.min, r.min), max: Math.max(g.max, r.max) } : r);
  }
  opts.panels.forEach((panel, k) => {
    const shared = panel.scaleGroup === undefined ? undefined : groups.get(panel.scaleGroup);
    withRenderedChart(panelConfig(opts, panel, gx, gy, panelW, shared), panelW, panelH, (panelCanvas) => {
      ctx.drawImage(panelCanvas, k * panelW, titleBand);
    });
  });
  return canvas.toBuffer("image/png");
}
