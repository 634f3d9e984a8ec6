/**
 * Crash-safe file writes: the target path always holds either its old content or the
 * complete new content, never a half-written file.
 *
 * Method: write a temp file in the target's own directory (so the rename stays on one
 * file system), fsync it, rename it over the target (rename(2) is atomic on POSIX), then
 * fsync the directory so the rename itself survives a power loss where supported.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/** Write `data` to `path` atomically, creating parent directories as needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o644);
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing: keep the original error */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* temp file may not exist */
    }
    throw err;
  }
  syncDirectory(dir);
}

/** Write `value` as pretty JSON (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic: value is not JSON-serialisable (${typeof value})`);
  writeFileAtomic(path, text + "\n");
}

/** Best-effort fsync of a directory (not supported on every platform, e.g. Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    /* directory fsync unsupported here: the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
