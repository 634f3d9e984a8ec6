// What SIGINT (Ctrl-C), SIGTERM (what batch schedulers send) and SIGHUP (a closing terminal) do:
//
// - while a solve is running (training, evaluating, writing), the first one asks it to stop: training
//   ends after the current iteration, or the remaining plots are skipped, and every other output is
//   written (exit 130);
// - a second one, or one arriving when no solve is running yet (loading the file, checking), aborts at
//   once: nothing is written, the output folder keeps what it held before (exit 3).
//
// bin.ts installs the handlers before it loads anything else, so that a signal in the first moments
// is handled too. Kept free of heavy imports for that reason.

import { EXIT } from "./exit-codes.js";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

interface ActiveRun {
  /** The first signal: print what happens next. */
  onStop(signal: StopSignal): void;
  /** Said when aborting (e.g. that the output folder was left as it was). */
  abortNote(): string;
}

let active: ActiveRun | null = null;
let received: StopSignal | null = null;
let permanent = false;
let listening = false;

function onSignal(signal: StopSignal): void {
  if (active !== null && received === null) {
    received = signal;
    active.onStop(signal);
    return;
  }
  const note = active?.abortNote() ?? "nothing was written";
  // The progress bar hides the cursor while it runs: show it again.
  if (process.stderr.isTTY) process.stderr.write("\u001b[?25h");
  process.stderr.write(`\npinn: aborted by ${signal}: ${note}\n`);
  // The 'exit' listeners remove any half-written output folder.
  process.exit(EXIT.aborted);
}

const listeners = new Map<StopSignal, () => void>(STOP_SIGNALS.map((s) => [s, () => onSignal(s)]));

function listen(): void {
  if (listening) return;
  listening = true;
  for (const [s, f] of listeners) process.on(s, f);
}

function unlisten(): void {
  if (!listening || permanent) return;
  listening = false;
  for (const [s, f] of listeners) process.off(s, f);
}

/** Handle the stop signals for the rest of the process (the `pinn` command calls this first). */
export function installSignalHandlers(): void {
  permanent = true;
  listen();
}

/** Stop handling the signals (for tests). */
export function uninstallSignalHandlers(): void {
  permanent = false;
  unlisten();
}

export interface RunHandle {
  /** The signal that asked the run to stop, or null. */
  stopSignal(): StopSignal | null;
  /** The run is over: signals abort again. */
  end(): void;
}

/** A solve begins: the first stop signal from now on asks it to stop rather than aborting. */
export function beginRun(run: ActiveRun): RunHandle {
  listen();
  active = run;
  received = null;
  return {
    stopSignal: () => received,
    end: () => {
      if (active === run) active = null;
      received = null;
      unlisten();
    },
  };
}
