/** Small chart.js plugins used by the plots: labelled vertical markers and an empty-data notice. */
import type { Chart, Plugin } from "chart.js";
import { cssFont } from "./render.js";

export interface Marker {
  x: number;
  label: string;
}

/**
 * Dashed vertical lines at the given x values, each labelled at the top of the plot area.
 * Labels sit right of their line (left if there is no room) and move down a row when they
 * would overlap an earlier label.
 */
export function markersPlugin(markers: Marker[]): Plugin {
  return {
    id: "pinnMarkers",
    afterDatasetsDraw(chart: Chart) {
      const xScale = chart.scales["x"];
      if (!xScale) return;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      const rowHeight = 16;
      const placed: { left: number; right: number; row: number }[] = [];
      const sorted = markers.filter((m) => Number.isFinite(m.x)).sort((a, b) => a.x - b.x);
      ctx.save();
      ctx.font = cssFont(11);
      for (const m of sorted) {
        if (m.x < xScale.min || m.x > xScale.max) continue;
        const px = Math.round(xScale.getPixelForValue(m.x)) + 0.5;
        ctx.strokeStyle = "rgba(60,60,60,0.8)";
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        if (!m.label) continue;
        const w = ctx.measureText(m.label).width + 6;
        const left = px + 3 + w <= area.right ? px + 3 : px - 3 - w;
        let row = 0;
        while (placed.some((p) => p.row === row && left < p.right + 4 && left + w > p.left - 4)) row++;
        placed.push({ left, right: left + w, row });
        const top = area.top + 3 + row * rowHeight;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(left, top, w, rowHeight - 2);
        ctx.fillStyle = "#333333";
        ctx.textBaseline = "middle";
        ctx.textAlign = "left";
        ctx.fillText(m.label, left + 3, top + (rowHeight - 2) / 2);
      }
      ctx.restore();
    },
  };
}

/** Centre a message in the plot area (used when no data point can be drawn). */
export function messagePlugin(message: string): Plugin {
  return {
    id: "pinnMessage",
    afterDraw(chart: Chart) {
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = cssFont(15, true);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      const cx = (area.left + area.right) / 2;
      const cy = (area.top + area.bottom) / 2;
      const w = ctx.measureText(message).width + 20;
      ctx.fillStyle = "rgba(255,255,255,0.9)";
      ctx.fillRect(cx - w / 2, cy - 14, w, 28);
      ctx.fillStyle = "#a00000";
      ctx.fillText(message, cx, cy);
      ctx.restore();
    },
  };
}
