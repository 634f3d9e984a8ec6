// Output folders that cannot be swapped whole: a folder whose parent is not writable (staged inside
// it), and a mount point (rename fails with EBUSY): the outputs are moved in file by file, the old
// outputs removed, and no staging folder is left. (As root, permissions cannot make these happen:
// the fs calls are made to fail here.)
import * as fs from "node:fs";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { OutputStaging } from "../../src/reports/output-folder.js";

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return { ...actual, mkdtempSync: vi.fn(actual.mkdtempSync), renameSync: vi.fn(actual.renameSync) };
});

const ROOT = mkdtempSync(join(tmpdir(), "pinn-inplace-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
afterEach(() => {
  vi.mocked(fs.mkdtempSync).mockReset();
  vi.mocked(fs.renameSync).mockReset();
});

const errno = (code: string): Error => Object.assign(new Error(code), { code });

function oldOutputs(name: string): string {
  const dir = join(ROOT, name);
  mkdirSync(dir);
  for (const f of ["summary.json", "model.json", "u_heatmap_z0.png"]) writeFileSync(join(dir, f), "old");
  return dir;
}

describe("output folders that cannot be swapped whole", () => {
  it("a parent that cannot be written: staged inside the folder, then moved in; old outputs gone", async () => {
    const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
    const dir = oldOutputs("ro-parent");
    vi.mocked(fs.mkdtempSync).mockImplementation(((prefix: string) => {
      if (basename(prefix).startsWith(".ro-parent.pinn-")) throw errno("EACCES");
      return actual.mkdtempSync(prefix);
    }) as typeof fs.mkdtempSync);
    const s = OutputStaging.begin(dir);
    expect(s.dir.startsWith(join(dir, ".pinn-staging-"))).toBe(true);
    writeFileSync(join(s.dir, "model.json"), "new");
    writeFileSync(join(s.dir, "summary.json"), "new");
    expect(s.commit()).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(["model.json", "summary.json"]);
    expect(readFileSync(join(dir, "model.json"), "utf8")).toBe("new");
  });

  it("a mount point (EBUSY on rename): the files are moved in one by one", async () => {
    const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
    const dir = oldOutputs("mount");
    vi.mocked(fs.renameSync).mockImplementation(((from: fs.PathLike, to: fs.PathLike) => {
      if (String(from) === dir) throw errno("EBUSY");
      return actual.renameSync(from, to);
    }) as typeof fs.renameSync);
    const s = OutputStaging.begin(dir);
    writeFileSync(join(s.dir, "model.json"), "new");
    expect(s.commit()).toBe(dir);
    expect(readdirSync(dir)).toEqual(["model.json"]);
    expect(readdirSync(ROOT).filter((f) => f.startsWith(".mount."))).toEqual([]);
  });
});
