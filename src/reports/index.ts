/** Report layer: crash-safe file writes, CSV text and PNG plots of solver results. */
export { writeFileAtomic, writeJsonAtomic } from "./atomic.js";
export { toCsv, formatCsvNumber, type CsvColumn } from "./csv.js";
export {
  linePlot,
  lossPlot,
  solutionPlot1D,
  errorPlot1D,
  snapshotsPlot,
  heatmaps2D,
  PALETTE,
  type LineStyle,
  type LineSeries,
  type LinePlotOptions,
  type LossHistory,
  type Solution1DOptions,
  type Error1DOptions,
  type SnapshotsOptions,
  type HeatmapOptions,
  type HeatmapPanel,
} from "./plots.js";
export type { Marker } from "./plugins.js";
export { renderChart, setupRendering, FONT_FAMILY } from "./render.js";
