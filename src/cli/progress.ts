// A progress bar on the terminal while training: stage, iteration, loss terms, ETA.

import { SingleBar, Presets } from "cli-progress";
import type { Progress } from "../training/trainer.js";
import type { StageSettings } from "../problem/types.js";

export interface ProgressDisplay {
  update(p: Progress): void;
  stop(): void;
}

const silent: ProgressDisplay = { update: () => {}, stop: () => {} };

/** A bar on stderr when it is a terminal and not quiet; otherwise nothing. */
export function progressDisplay(stages: readonly StageSettings[], termLabels: readonly string[], quiet: boolean): ProgressDisplay {
  if (quiet || !process.stderr.isTTY) return silent;
  let bar: SingleBar | null = null;
  let stage = -1;
  let lastDraw = 0;
  const short = termLabels.map((l) => (l.length > 18 ? `${l.slice(0, 17)}…` : l));
  return {
    update(p) {
      if (p.stage !== stage) {
        bar?.stop();
        stage = p.stage;
        const s = stages[p.stage]!;
        const name = s.optimizer === "adam" ? "Adam  " : "L-BFGS";
        bar = new SingleBar(
          {
            format: `${name} {bar} {value}/{total} | loss {loss} | {terms} | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            barsize: 24,
            etaBuffer: 50,
            fps: 10,
          },
          Presets.shades_classic,
        );
        bar.start(p.stageIterations, 0, { loss: "-", terms: "" });
      }
      const now = performance.now();
      if (now - lastDraw < 100 && p.stageIteration + 1 < p.stageIterations) return;
      lastDraw = now;
      bar!.update(p.stageIteration + 1, {
        loss: p.loss.toExponential(3),
        terms: p.terms.map((v, i) => `${short[i]}: ${v.toExponential(2)}`).join("  "),
      });
    },
    stop() {
      bar?.stop();
    },
  };
}
