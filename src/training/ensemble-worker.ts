// Worker thread of an ensemble: trains the members it is sent, one at a time, and posts back each
// result (or the error that stopped it), with the member's iteration count a few times a second
// while it trains. A stop message ends the member in training after its current iteration (its
// result is posted as usual, status "interrupted").

import { parentPort } from "node:worker_threads";
import { trainMember } from "./member.js";
import type { FromWorker, ToWorker } from "./ensemble.js";

/** Least time between two progress messages (ms). */
const PROGRESS_EVERY_MS = 200;

let stop = false;
const post = (m: FromWorker): void => parentPort!.postMessage(m);

parentPort?.on("message", (m: ToWorker) => {
  if ("stop" in m) {
    stop = true;
    return;
  }
  const { spec } = m;
  let last = 0;
  trainMember(spec, {
    shouldStop: () => stop,
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      post({ progress: { index: spec.index, iterations: p.iteration } });
    },
  }).then(
    (result) => post({ result }),
    (e: unknown) => post({ error: e instanceof Error ? e.message : String(e) }),
  );
});
