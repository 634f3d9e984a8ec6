// A progress bar on the terminal while training: stage, iteration, time left, loss, and as many loss
// terms as fit in the terminal's width (the line never wraps: the time left comes before the terms).

import { SingleBar } from "cli-progress";
import type { Progress } from "../training/trainer.js";
import type { StageSettings } from "../problem/types.js";
import { OPTIMIZER_NAMES, type OptimizerKind } from "../optim/refinement.js";
import type { EnsembleProgress } from "../training/ensemble.js";

export interface ProgressDisplay {
  update(p: Progress): void;
  stop(): void;
}

const silent: ProgressDisplay = { update: () => {}, stop: () => {} };

/** Bar width: narrower on narrow terminals, to leave room for a loss term. */
const barWidth = (columns: number): number => (columns < 100 ? 10 : 20);

/** Seconds as "12s", "3m05s", "1h02m" (or "-" while unknown). */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export interface LineParts {
  optimizer: OptimizerKind;
  /** Time-marching: the window being trained ("window 3/10 "), else absent. */
  window?: string;
  value: number;
  total: number;
  etaSeconds: number;
  loss: string;
  /** Term labels and values, as formatted. */
  terms: [string, string][];
}

/** The progress line, at most `columns` characters: terms that do not fit are left out ("+2 terms"). */
export function progressLine(p: LineParts, columns: number): string {
  const name = OPTIMIZER_NAMES[p.optimizer].padEnd(6);
  const BAR = barWidth(columns);
  const filled = p.total > 0 ? Math.min(BAR, Math.round((BAR * p.value) / p.total)) : 0;
  const bar = "█".repeat(filled) + "░".repeat(BAR - filled);
  let line = `${p.window ?? ""}${name} ${bar} ${p.value}/${p.total} ETA ${formatEta(p.etaSeconds)} | loss ${p.loss}`;
  const width = Math.max(40, columns - 1);
  if (line.length > width) return line.slice(0, width);
  const cut = (label: string, n: number): string => (label.length > n ? `${label.slice(0, n - 1)}…` : label);
  for (let i = 0; i < p.terms.length; i++) {
    const [label, value] = p.terms[i]!;
    const rest = p.terms.length - i - 1;
    const more = rest > 0 ? ` +${rest}` : "";
    // Room for this term's label; the first term's label is shortened further (to 6) if need be.
    const room = width - line.length - more.length - ` |  ${value}`.length;
    const n = Math.min(18, room);
    if (n < (i === 0 ? 6 : Math.min(18, label.length))) {
      line += ` +${p.terms.length - i}`;
      break;
    }
    line += ` | ${cut(label, n)} ${value}`;
  }
  return line;
}

/** A bar on stderr when it is a terminal and not quiet; otherwise nothing. */
export function progressDisplay(stages: readonly StageSettings[], termLabels: readonly string[], quiet: boolean): ProgressDisplay {
  if (quiet || !process.stderr.isTTY) return silent;
  let bar: SingleBar | null = null;
  let stage = "";
  let lastDraw = 0;
  let payload = { loss: "-", terms: [] as [string, string][] };
  return {
    update(p) {
      // A new bar for each stage (of each time window, when marching).
      const key = `${p.window?.index ?? ""}:${p.stage}`;
      if (key !== stage) {
        bar?.stop();
        stage = key;
        const optimizer = stages[p.stage]!.optimizer;
        const window = p.window ? `window ${p.window.index + 1}/${p.window.count} ` : undefined;
        bar = new SingleBar({
          format: (_options, params) =>
            progressLine({ optimizer, window, value: params.value, total: params.total, etaSeconds: params.eta, ...payload }, process.stderr.columns ?? 80),
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          fps: 10,
        });
        bar.start(p.stageIterations, 0);
      }
      const now = performance.now();
      if (now - lastDraw < 100 && p.stageIteration + 1 < p.stageIterations) return;
      lastDraw = now;
      payload = { loss: p.loss.toExponential(3), terms: p.terms.map((v, i) => [termLabels[i]!, v.toExponential(2)]) };
      bar!.update(p.stageIteration + 1);
    },
    stop() {
      bar?.stop();
    },
  };
}

export interface EnsembleLineParts {
  membersDone: number;
  members: number;
  value: number;
  total: number;
  etaSeconds: number;
}

/** An ensemble's progress line: members done, then the iterations of all members (at most `columns` characters). */
export function ensembleLine(p: EnsembleLineParts, columns: number): string {
  const BAR = barWidth(columns);
  const filled = p.total > 0 ? Math.min(BAR, Math.round((BAR * p.value) / p.total)) : 0;
  const bar = "█".repeat(filled) + "░".repeat(BAR - filled);
  const line = `Ensemble ${bar} ${p.membersDone}/${p.members} members done | ${p.value}/${p.total} iterations ETA ${formatEta(p.etaSeconds)}`;
  return line.slice(0, Math.max(40, columns - 1));
}

export interface EnsembleProgressDisplay {
  update(p: EnsembleProgress): void;
  stop(): void;
}

/** The ensemble's bar on stderr when it is a terminal and not quiet; otherwise nothing. */
export function ensembleProgressDisplay(quiet: boolean): EnsembleProgressDisplay {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  let bar: SingleBar | null = null;
  let membersDone = 0;
  let members = 0;
  return {
    update(p) {
      membersDone = p.membersDone;
      members = p.members;
      if (bar === null) {
        bar = new SingleBar({
          format: (_options, params) => ensembleLine({ membersDone, members, value: params.value, total: params.total, etaSeconds: params.eta }, process.stderr.columns ?? 80),
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        });
        bar.start(p.totalIterations, p.iterations);
        return;
      }
      bar.update(p.iterations);
    },
    stop() {
      bar?.stop();
    },
  };
}
