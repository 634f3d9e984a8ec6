/**
 * The report plots. Every function renders synchronously and returns PNG bytes (a Buffer).
 *
 * Data handling common to all of them: points with a non-finite x are skipped, a non-finite
 * y leaves a gap in its line, non-positive values are skipped on log axes, a series with
 * nothing drawable is marked "(no finite values)" in the legend, and a plot with nothing
 * drawable at all shows a message instead of an empty frame. Mismatched array lengths are
 * programming errors and throw.
 */
import { Chart, type ChartConfiguration, type ChartDataset, type LegendItem, type Plugin } from "chart.js";
import { linearAxis, logAxis } from "./axes.js";
import { markersPlugin, messagePlugin, type Marker } from "./plugins.js";
import { decimateMinMax, sortByX, toPoints, yRange, type XY } from "./points.js";
import { fitTitle, pointSwatch, renderChart } from "./render.js";
import { logAxisRange } from "./ticks.js";

export { heatmaps2D, type HeatmapOptions, type HeatmapPanel } from "./heatmap.js";

/** Qualitative palette (Tableau 10): distinct hues that stay readable on white. */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export type LineStyle = "solid" | "dashed" | "points";

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  style?: LineStyle;
  /** CSS colour; defaults to the palette colour of the series' position. */
  color?: string;
  /** Line width in pixels (default 2; ignored for points). */
  lineWidth?: number;
  /** Leave this series out of the legend. */
  hideInLegend?: boolean;
  /** Drawing layer: higher is drawn on top (default 0; within a layer later series are on top). */
  z?: number;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logY?: boolean;
  markers?: Marker[];
  width?: number;
  height?: number;
  /** Show the legend (default: true). It is placed above the plot area, never over the data. */
  legend?: boolean;
}

const DEFAULT_WIDTH = 900;
const DEFAULT_HEIGHT = 560;

function dataset(s: LineSeries, index: number, count: number, points: XY[], drawable: number): ChartDataset {
  const color = s.color ?? PALETTE[index % PALETTE.length]!;
  const style = s.style ?? "solid";
  const label = drawable === 0 && s.x.length > 0 ? `${s.label} (no finite values)` : s.label;
  const common = {
    label,
    data: points,
    borderColor: color,
    backgroundColor: color,
    // chart.js draws the dataset with the lowest `order` on top.
    order: -(s.z ?? 0) * (count + 1) + (count - index),
    spanGaps: false,
    fill: false,
    tension: 0,
    pointHoverRadius: 0,
  };
  if (style === "points") {
    return { ...common, type: "line", showLine: false, pointRadius: 2.5, pointStyle: "circle", borderWidth: 1 };
  }
  return {
    ...common,
    type: "line",
    borderWidth: s.lineWidth ?? 2,
    borderDash: style === "dashed" ? [7, 4] : [],
    pointRadius: 0,
    pointStyle: "line",
  } as ChartDataset;
}

/** Smallest and largest x over all series, padded when they coincide; [0, 1] without data. */
function xExtent(series: XY[][]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const pts of series) {
    for (const p of pts) {
      if (p.x < min) min = p.x;
      if (p.x > max) max = p.x;
    }
  }
  if (!(min <= max)) return { min: 0, max: 1 };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.05;
    return { min: min - pad, max: max + pad };
  }
  return { min, max };
}

/**
 * Legend entries as chart.js makes them, but drawn with each dataset's own dash pattern and
 * width (with point-style legends chart.js takes the style of the first point, which has no dash).
 */
function legendLabels(chart: Chart): LegendItem[] {
  const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
  for (const item of items) {
    const ds = chart.data.datasets[item.datasetIndex ?? -1] as
      | { borderDash?: number[]; borderWidth?: number; showLine?: boolean; borderColor?: unknown; pointRadius?: unknown }
      | undefined;
    if (!ds) continue;
    if (ds.showLine === false) {
      const radius = typeof ds.pointRadius === "number" ? ds.pointRadius + 0.5 : 3;
      item.pointStyle = pointSwatch(String(ds.borderColor), radius) as unknown as LegendItem["pointStyle"];
      continue;
    }
    item.lineDash = ds.borderDash ?? [];
    item.lineWidth = Math.min(typeof ds.borderWidth === "number" ? ds.borderWidth : 2, 3);
  }
  return items;
}

/** A line/scatter plot of several series, optionally with log y and labelled vertical markers. */
export function linePlot(opts: LinePlotOptions): Buffer {
  const width = opts.width ?? DEFAULT_WIDTH;
  const height = opts.height ?? DEFAULT_HEIGHT;
  const logY = opts.logY ?? false;
  const prepared = opts.series.map((s) => {
    const p = toPoints(s.x, s.y, logY);
    // Lines are drawn in order of x; point series are left as given.
    return s.style === "points" ? p : { ...p, points: sortByX(p.points) };
  });
  const buckets = Math.max(1, Math.round(width));
  // Long lines are thinned to about four points per pixel column; point series are kept whole.
  const datasets = opts.series.map((s, i) => {
    const { points, drawable } = prepared[i]!;
    return dataset(s, i, opts.series.length, s.style === "points" ? points : decimateMinMax(points, buckets), drawable);
  });
  const total = prepared.reduce((n, p) => n + p.drawable, 0);
  const hidden = new Set(opts.series.flatMap((s, i) => (s.hideInLegend ? [i] : [])));

  // The x axis spans exactly the data (e.g. the domain) and the markers, with round ticks inside.
  const markerPoints = (opts.markers ?? []).filter((m) => Number.isFinite(m.x)).map((m) => ({ x: m.x, y: NaN }));
  const xRange = xExtent([...prepared.map((p) => p.points), markerPoints]);
  const xScale = linearAxis(opts.xLabel, xRange, { includeBounds: false });
  const yData = yRange(
    prepared.map((p) => p.points),
    logY,
  );
  const yScale = logY
    ? logAxis(opts.yLabel, yData ? logAxisRange(yData.min, yData.max) : { min: 0.1, max: 10 })
    : linearAxis(opts.yLabel, yData ? {} : { min: 0, max: 1 });

  const plugins: Plugin[] = [];
  if (opts.markers && opts.markers.length > 0) plugins.push(markersPlugin(opts.markers));
  if (total === 0) plugins.push(messagePlugin("no finite data to plot"));

  const fitted = fitTitle(opts.title, width - 24);
  const config = {
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      layout: { padding: { left: 6, right: 18, top: 4, bottom: 4 } },
      scales: { x: xScale, y: yScale },
      plugins: {
        title: { display: opts.title !== "", text: fitted.lines, font: { size: fitted.size, weight: "bold" }, padding: { top: 6, bottom: 6 } },
        legend: {
          display: (opts.legend ?? true) && hidden.size < opts.series.length,
          position: "top",
          labels: {
            usePointStyle: true,
            generateLabels: legendLabels,
            pointStyleWidth: 28,
            padding: 14,
            font: { size: 12 },
            filter: (item: { datasetIndex?: number }) => !hidden.has(item.datasetIndex ?? -1),
            sort: (a: { datasetIndex?: number }, b: { datasetIndex?: number }) =>
              (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
          },
        },
        tooltip: { enabled: false },
      },
    },
    plugins,
  } as unknown as ChartConfiguration;
  return renderChart(config, width, height);
}

export interface LossHistory {
  iteration: number[];
  terms: { name: string; values: number[] }[];
  stages: { name: string; start: number }[];
  /**
   * Two trainings one after the other (an escalation's retry, training/escalation.ts): the retry's
   * history from iteration `start` on; `first` and `retry` name them in the legend, `kept` says whose
   * model is in the outputs.
   */
  attempts?: { first: string; retry: string; start: number; kept: "first" | "retry" };
}

/** The colour of the total loss over an escalation's retry (the first run's is black). */
const RETRY_COLOR = "#b2182b";

/**
 * Training loss on a log axis: one line per term, the total loss first and thicker, stage
 * boundaries as labelled vertical markers. The total is the term named "total" or "loss"
 * (any case), else the first term. With `attempts`, the total's two parts are two legend entries.
 */
export function lossPlot(history: LossHistory, title: string): Buffer {
  const terms = [...history.terms];
  const totalIndex = Math.max(
    0,
    terms.findIndex((t) => /^(total|loss)$/i.test(t.name)),
  );
  if (terms.length > 0) terms.unshift(...terms.splice(totalIndex, 1));
  const series: LineSeries[] = terms.map((t, i) => ({
    label: t.name,
    x: history.iteration,
    y: t.values,
    color: i === 0 ? "#111111" : PALETTE[(i - 1) % PALETTE.length]!,
    lineWidth: i === 0 ? 2.6 : 1.4,
    z: i === 0 ? 1 : 0,
  }));
  // Two attempts: the total is drawn in two parts, each named in the legend, the kept one marked so.
  const a = history.attempts;
  if (a && series.length > 0) {
    const total = series[0]!;
    const part = (keep: (x: number) => boolean, label: string, kept: boolean, color: string): LineSeries => {
      const idx = history.iteration.flatMap((x, n) => (keep(x) ? [n] : []));
      return { ...total, label: `${total.label}, ${label}${kept ? " (kept)" : ""}`, x: idx.map((n) => history.iteration[n]!), y: idx.map((n) => total.y[n]!), color };
    };
    series.splice(0, 1, part((x) => x < a.start, a.first, a.kept === "first", total.color!), part((x) => x >= a.start, a.retry, a.kept === "retry", RETRY_COLOR));
  }
  return linePlot({
    title,
    xLabel: "iteration",
    yLabel: "loss",
    series,
    logY: true,
    markers: history.stages.map((s) => ({ x: s.start, label: s.name })),
  });
}

export interface Solution1DOptions {
  title: string;
  variable: string;
  unknown: string;
  x: ArrayLike<number>;
  predicted: ArrayLike<number>;
  exact?: ArrayLike<number>;
  /** What `exact` is: the exact solution (default) or the reference data interpolated onto the grid. */
  against?: "exact" | "reference";
}

/** The lines of solutionPlot1D: the prediction, and the exact solution or the reference when known. */
export function solutionSeries(opts: Solution1DOptions): LineSeries[] {
  const series: LineSeries[] = [
    { label: "predicted", x: opts.x, y: opts.predicted, style: "solid", color: PALETTE[0]!, lineWidth: 2.6 },
  ];
  if (opts.exact) {
    series.push({ label: opts.against ?? "exact", x: opts.x, y: opts.exact, style: "dashed", color: "#d62728", lineWidth: 2 });
  }
  return series;
}

/** Predicted solution u(x) (solid) against the exact solution or the reference (dashed) when known. */
export function solutionPlot1D(opts: Solution1DOptions): Buffer {
  return linePlot({
    title: opts.title,
    xLabel: opts.variable,
    yLabel: `${opts.unknown}(${opts.variable})`,
    series: solutionSeries(opts),
  });
}

export interface Error1DOptions {
  title: string;
  variable: string;
  unknown: string;
  x: ArrayLike<number>;
  error: ArrayLike<number>;
  /** What the error is measured against (default: the exact solution). */
  against?: "exact" | "reference";
}

/** The y-axis label of errorPlot1D: |u(x) − exact| or |u(x) − reference|. */
export function errorYLabel(opts: Pick<Error1DOptions, "unknown" | "variable" | "against">): string {
  return `|${opts.unknown}(${opts.variable}) − ${opts.against ?? "exact"}|`;
}

/**
 * Pointwise absolute error on a log axis. Exact zeros cannot be shown on a log axis, so they
 * are drawn at a floor one decade below the smallest positive error (1e-16 if all are zero).
 */
export function errorPlot1D(opts: Error1DOptions): Buffer {
  const abs = Array.from(opts.error, (e) => Math.abs(e));
  let minPositive = Infinity;
  for (const e of abs) if (e > 0 && e < minPositive && Number.isFinite(e)) minPositive = e;
  const floor = Number.isFinite(minPositive) ? minPositive / 10 : 1e-16;
  const clipped = abs.map((e) => (e === 0 ? floor : e));
  return linePlot({
    title: opts.title,
    xLabel: opts.variable,
    yLabel: errorYLabel(opts),
    series: [{ label: "absolute error", x: opts.x, y: clipped, style: "solid", color: "#d62728" }],
    logY: true,
    legend: false,
  });
}

export interface SnapshotsOptions {
  title: string;
  variable: string;
  unknown: string;
  timeName: string;
  x: ArrayLike<number>;
  times: number[];
  predicted: ArrayLike<number>[];
  exact?: ArrayLike<number>[];
  /** What `exact` is (default: the exact solution; "reference": reference data on the grid). */
  against?: "exact" | "reference";
}

/** Short label for a time value: at most 4 significant digits, e.g. "0.25", "1.333". */
function formatTime(t: number): string {
  return Number.isFinite(t) ? String(Number(t.toPrecision(4))) : String(t);
}

/**
 * The solution at several times: one colour per time, prediction solid and exact dashed.
 * The legend names each time ("t = 0.25") plus two grey key entries for the line styles.
 */
export function snapshotsPlot(opts: SnapshotsOptions): Buffer {
  if (opts.predicted.length !== opts.times.length) {
    throw new Error(`snapshotsPlot: ${opts.times.length} times but ${opts.predicted.length} predicted snapshots`);
  }
  if (opts.exact && opts.exact.length !== opts.times.length) {
    throw new Error(`snapshotsPlot: ${opts.times.length} times but ${opts.exact.length} exact snapshots`);
  }
  const series: LineSeries[] = [];
  opts.times.forEach((t, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    series.push({ label: `${opts.timeName} = ${formatTime(t)}`, x: opts.x, y: opts.predicted[k]!, color, lineWidth: 2.4 });
  });
  if (opts.exact) {
    opts.times.forEach((t, k) => {
      series.push({
        label: `${opts.timeName} = ${formatTime(t)} (${opts.against ?? "exact"})`,
        x: opts.x,
        y: opts.exact![k]!,
        style: "dashed",
        color: PALETTE[k % PALETTE.length]!,
        lineWidth: 1.8,
        hideInLegend: true,
      });
    });
    // Key entries explaining the two line styles; they hold no data.
    series.push({ label: "predicted", x: [], y: [], color: "#555555", lineWidth: 2.4 });
    series.push({ label: opts.against ?? "exact", x: [], y: [], style: "dashed", color: "#555555", lineWidth: 1.8 });
  }
  return linePlot({
    title: opts.title,
    xLabel: opts.variable,
    yLabel: `${opts.unknown}(${opts.variable}, ${opts.timeName})`,
    series,
  });
}
