// Closed and full output streams: EPIPE silences the stream with no message and no failure (as
// `git log | head` ends quietly); ENOSPC is reported once on stderr and fails the run (exit 1).
// No stack trace either way: an 'error' event with a listener never throws.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { guardStream, streamFailure } from "../../src/cli/streams.js";

function standIn(): NodeJS.WriteStream {
  return new PassThrough() as unknown as NodeJS.WriteStream;
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`write ${code}`), { code, syscall: "write" });

afterEach(() => {
  process.exitCode = undefined;
});

describe("standard streams", () => {
  it("a closed pipe (EPIPE): later writes are dropped, nothing is reported, the run does not fail", () => {
    const stream = standIn();
    guardStream(stream, "standard output");
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      stream.emit("error", errno("EPIPE"));
      expect(stream.write("more\n")).toBe(true);
      expect(err).not.toHaveBeenCalled();
      expect(streamFailure()).toBeNull();
      expect(process.exitCode).toBeUndefined();
    } finally {
      err.mockRestore();
    }
  });

  it("a full disk (ENOSPC): one clear message on stderr, exit code 1", () => {
    const stream = standIn();
    guardStream(stream, "standard output");
    let said = "";
    const err = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((said += String(c)), true));
    try {
      stream.emit("error", errno("ENOSPC"));
      stream.emit("error", errno("ENOSPC"));
      expect(said).toBe("pinn: cannot write to standard output: no space left on the device (ENOSPC)\n");
      expect(said).not.toMatch(/\bat \w+ \(/); // no stack frames
      expect(streamFailure()).toMatch(/ENOSPC/);
      expect(process.exitCode).toBe(1);
      // The stream is silenced: further writes neither throw nor emit.
      expect(() => stream.write("x")).not.toThrow();
    } finally {
      err.mockRestore();
    }
  });
});
