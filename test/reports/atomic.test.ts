import * as fs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { writeFileAtomic, writeJsonAtomic } from "../../src/reports/atomic.js";

// Spy-able fs (real behaviour by default): a test may make one call fail to simulate an
// interrupted write.
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return { ...actual, writeSync: vi.fn(actual.writeSync), renameSync: vi.fn(actual.renameSync) };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pinn-atomic-"));
});
afterEach(() => {
  vi.mocked(fs.writeSync).mockReset();
  vi.mocked(fs.renameSync).mockReset();
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("creates parent directories and writes text and bytes", () => {
    const text = join(dir, "a", "b", "out.txt");
    writeFileAtomic(text, "héllo\n");
    expect(readFileSync(text, "utf8")).toBe("héllo\n");
    const bin = join(dir, "c", "out.bin");
    writeFileAtomic(bin, new Uint8Array([0, 255, 7]));
    expect([...readFileSync(bin)]).toEqual([0, 255, 7]);
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["out.txt"]);
  });

  it("replaces old content via a temp file in the same directory, leaving no temp file", async () => {
    const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
    const renames: [string, string][] = [];
    vi.mocked(fs.renameSync).mockImplementationOnce((from, to) => {
      renames.push([String(from), String(to)]);
      // Just before the rename the target still holds the old content.
      expect(readFileSync(String(to), "utf8")).toBe("old");
      expect(readFileSync(String(from), "utf8")).toBe("new content");
      actual.renameSync(from, to);
    });
    const target = join(dir, "report.csv");
    writeFileSync(target, "old");
    writeFileAtomic(target, "new content");
    expect(readFileSync(target, "utf8")).toBe("new content");
    expect(renames).toHaveLength(1);
    expect(dirname(renames[0]![0])).toBe(dir);
    expect(renames[0]![0]).not.toBe(target);
    expect(readdirSync(dir)).toEqual(["report.csv"]);
  });

  it("keeps the old content and removes the temp file when writing fails midway", async () => {
    const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
    vi.mocked(fs.writeSync).mockImplementationOnce(((fd: number, buf: Uint8Array, off: number, len: number) => {
      actual.writeSync(fd, buf, off, Math.floor(len / 2));
      throw new Error("simulated crash: disk full");
    }) as unknown as typeof fs.writeSync);
    const target = join(dir, "loss.json");
    writeFileSync(target, "old");
    expect(() => writeFileAtomic(target, "x".repeat(10_000))).toThrow(/disk full/);
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["loss.json"]);
  });

  it("keeps the old content and removes the temp file when the rename fails", () => {
    vi.mocked(fs.renameSync).mockImplementationOnce(() => {
      throw new Error("simulated crash before rename");
    });
    const target = join(dir, "plot.png");
    writeFileSync(target, "old");
    expect(() => writeFileAtomic(target, "new")).toThrow(/before rename/);
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["plot.png"]);
  });
});

describe("writeJsonAtomic", () => {
  it("writes 2-space pretty JSON with a trailing newline", () => {
    const target = join(dir, "out", "summary.json");
    writeJsonAtomic(target, { a: 1, b: [true, null] });
    expect(readFileSync(target, "utf8")).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
  });

  it("refuses values that have no JSON form", () => {
    expect(() => writeJsonAtomic(join(dir, "u.json"), undefined)).toThrow(/not JSON-serialisable/);
  });
});
