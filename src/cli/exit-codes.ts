// The command's exit codes (README, "Command line").
export const EXIT = {
  ok: 0,
  /** Training failed or did nothing, the exact solution does not satisfy the problem, or an output could not be written. */
  failed: 1,
  /** The problem file, an option or the output folder. */
  badInput: 2,
  /** Aborted: stopped before any output was written (a signal before training began, or a second signal). */
  aborted: 3,
  /** Stopped on request (SIGINT, SIGTERM or SIGHUP) after training began: every output written. */
  interrupted: 130,
} as const;
