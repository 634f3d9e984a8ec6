// Standard output and error that may be closed or full. A closed pipe (EPIPE: the reader has gone,
// as in `pinn check f.yaml | head -1`) silences the stream and the command goes on quietly, as
// `git log | head` does; any other write error (ENOSPC on a full disk, EIO) is reported once on
// stderr and makes the exit code 1. Never a stack trace.

import { EXIT } from "./exit-codes.js";

let failed: string | null = null;
let installed = false;

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EBADF: "the stream is closed",
  EFBIG: "file too large",
};

function silence(stream: NodeJS.WriteStream): void {
  stream.write = ((...args: unknown[]): boolean => {
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}

/** Handle write errors of `stream` (exported for tests, which pass a stand-in stream). */
export function guardStream(stream: NodeJS.WriteStream, name: "standard output" | "standard error"): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    silence(stream);
    if (e.code === "EPIPE") return;
    const why = `${REASONS[e.code ?? ""] ?? e.message} (${e.code ?? "error"})`;
    if (failed === null) {
      failed = `cannot write to ${name}: ${why}`;
      if (name === "standard output") process.stderr.write(`pinn: ${failed}\n`);
    }
    process.exitCode = EXIT.failed;
  });
}

/** Install the handlers on stdout and stderr (once per process). */
export function guardStandardStreams(): void {
  if (installed) return;
  installed = true;
  guardStream(process.stdout, "standard output");
  guardStream(process.stderr, "standard error");
  // A write error may surface after the command has returned its exit code.
  process.on("exit", () => {
    if (failed !== null) process.exitCode = EXIT.failed;
  });
}

/** The write error seen on stdout or stderr, if any. */
export function streamFailure(): string | null {
  return failed;
}
