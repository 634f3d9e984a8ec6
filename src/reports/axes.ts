/** chart.js scale options shared by the plots: titles, grid style and tick labels. */
import type { Scale, Tick } from "chart.js";
import { formatLinearTick, formatLogTick, logTickValues } from "./ticks.js";

const GRID_COLOR = "#e4e4e4";
const TITLE_FONT = { size: 13 };
const TICK_FONT = { size: 11 };

function linearTickLabel(value: number | string, _index: number, ticks: Tick[]): string {
  const v = Number(value);
  const step = ticks.length > 1 ? Math.abs(ticks[1]!.value - ticks[0]!.value) : Math.abs(v);
  let maxAbs = 0;
  for (const t of ticks) maxAbs = Math.max(maxAbs, Math.abs(t.value));
  return formatLinearTick(v, step, maxAbs);
}

/** Options of a linear axis titled `title`; `extra` and `tickExtra` add or override scale and tick fields. */
export function linearAxis(
  title: string,
  extra: Record<string, unknown> = {},
  tickExtra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "linear",
    title: { display: title !== "", text: title, font: TITLE_FONT, padding: 4 },
    grid: { color: GRID_COLOR },
    border: { color: "#888888" },
    ticks: { font: TICK_FONT, callback: linearTickLabel, maxRotation: 0, ...tickExtra },
    ...extra,
  };
}

/** Options of a log axis over [min, max] with decade ticks labelled "1e-4". */
export function logAxis(title: string, range: { min: number; max: number }): Record<string, unknown> {
  return {
    type: "logarithmic",
    min: range.min,
    max: range.max,
    title: { display: title !== "", text: title, font: TITLE_FONT, padding: 4 },
    grid: { color: GRID_COLOR },
    border: { color: "#888888" },
    afterBuildTicks(scale: Scale) {
      scale.ticks = logTickValues(range.min, range.max).map((value) => ({ value }));
    },
    ticks: {
      font: TICK_FONT,
      autoSkip: false,
      callback: (value: number | string) => formatLogTick(Number(value)),
    },
  };
}
