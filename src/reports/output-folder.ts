// The output folder of a solve, written as one consistent set: every file goes into a fresh staging
// folder beside the target (`.<name>.pinn-<pid>-<random>`), which replaces the target as a whole when
// the run is done. A run killed at any moment leaves the target as it was; two runs into the same
// folder each leave a complete set (the later one wins); staging folders of runs that died are removed
// by the next run. The target may only hold what pinn writes: a folder holding anything else is not
// replaced (an error before training).
//
// Where the folder cannot be swapped — its parent is not writable, or it is a mount point — the set
// is staged inside it instead and moved in file by file at the end (the old outputs are removed
// first): still never a mix of two runs' files, but a kill during those few renames can leave a part.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, accessSync, constants } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** The output folder cannot be created or written. */
export class OutputFolderError extends Error {}

/** What a pinn output folder may hold (anything else means the folder is not pinn's to replace). */
const OUTPUT_FILE = /^(summary\.json|solution\.csv|model\.json|[^/]*\.png|\..*\.tmp|\.pinn-staging-\d+-[A-Za-z0-9]+)$/;

/** Staging inside the target (when its parent cannot be written): `.pinn-staging-<pid>-<random>`. */
const INSIDE = /^\.pinn-staging-(\d+)-[A-Za-z0-9]+$/;

const STAGING = (name: string): RegExp => new RegExp(`^\\.${escapeRegExp(name)}\\.pinn-(?:old-)?(\\d+)-[A-Za-z0-9]+$`);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function explain(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOTDIR":
    case "EEXIST":
      return "a part of the path is a file, not a folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "ENOENT":
      return "a part of the path does not exist and cannot be created there";
    case "ENAMETOOLONG":
      return "the path is too long";
    default:
      return code ?? String(e);
  }
}

/** Create `dir` and its missing parents one level at a time (recursive mkdir spins on /proc paths). */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) {
    throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Staging folders of pending runs in this process, removed if the process exits before committing. */
const pending = new Set<string>();
let exitHook = false;

function removePendingOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on("exit", () => {
    for (const dir of pending) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort at exit */
      }
    }
  });
}

export class OutputStaging {
  private committed = false;
  private constructor(
    /** Where the outputs go in the end. */
    readonly target: string,
    /** Where they are written first. */
    readonly dir: string,
    /** Staged inside the target (moved in file by file) rather than beside it (swapped in whole). */
    private readonly inside = false,
  ) {}

  /**
   * Check the target and create the staging folder beside it: before any training, so that an
   * output folder that cannot be written is found at once.
   */
  static begin(target: string): OutputStaging {
    const full = resolve(target);
    const parent = dirname(full);
    const name = basename(full);
    let dir: string;
    let inside = false;
    try {
      if (existsSync(full)) {
        if (!statSync(full).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
        const foreign = readdirSync(full).filter((f) => !OUTPUT_FILE.test(f));
        if (foreign.length > 0) {
          throw new OutputFolderError(
            `cannot write the outputs to ${full}: it holds files pinn did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}), ` +
              "and pinn replaces its output folder as a whole",
          );
        }
        accessSync(full, constants.W_OK);
      }
      makeFolders(parent);
      removeStale(parent, name);
      try {
        dir = mkdtempSync(join(parent, `.${name}.pinn-${process.pid}-`));
      } catch (e) {
        // The parent cannot be written, but an existing target may: stage inside it.
        if (!["EACCES", "EPERM", "EROFS"].includes((e as NodeJS.ErrnoException).code ?? "") || !existsSync(full)) throw e;
        removeStaleInside(full);
        dir = mkdtempSync(join(full, `.pinn-staging-${process.pid}-`));
        inside = true;
      }
    } catch (e) {
      if (e instanceof OutputFolderError) throw e;
      throw new OutputFolderError(`cannot write the outputs to ${full}: ${explain(e)}`);
    }
    removePendingOnExit();
    pending.add(dir);
    return new OutputStaging(full, dir, inside);
  }

  /** Replace the target's outputs by the staged files, one file at a time. */
  private fillInPlace(): void {
    const staged = basename(this.dir);
    for (const e of readdirSync(this.target)) {
      if (e !== staged && OUTPUT_FILE.test(e) && !(INSIDE.test(e) && alive(Number(INSIDE.exec(e)![1])))) rmSync(join(this.target, e), { recursive: true, force: true });
    }
    for (const f of readdirSync(this.dir)) moveFile(join(this.dir, f), join(this.target, f));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Move the staged set into place (replacing the previous outputs); returns the folder now holding them. */
  commit(): string {
    if (this.committed) return this.target;
    try {
      if (this.inside) this.fillInPlace();
      else this.swap();
    } catch (e) {
      // A mount point cannot be renamed (EBUSY), nor a folder in a read-only parent: fill it in place.
      const code = (e as { cause?: NodeJS.ErrnoException }).cause?.code ?? "";
      if (this.inside || !["EBUSY", "EXDEV", "EACCES", "EPERM", "EROFS"].includes(code) || !existsSync(this.target)) throw e;
      try {
        this.fillInPlace();
      } catch (e2) {
        throw new OutputFolderError(`cannot move the outputs into ${this.target}: ${explain(e2)}; they are in ${this.dir}`);
      }
    }
    pending.delete(this.dir);
    this.committed = true;
    return this.target;
  }

  private swap(): void {
    const parent = dirname(this.target);
    const name = basename(this.target);
    // Another run may swap its set in between our two renames: then the target exists again, and
    // we move it aside once more.
    const fail = (e: unknown): OutputFolderError =>
      new OutputFolderError(`cannot move the outputs into ${this.target}: ${explain(e)}; they are in ${this.dir}`, { cause: e });
    const retryable = (e: unknown): boolean => ["ENOTEMPTY", "EEXIST", "ENOENT"].includes((e as NodeJS.ErrnoException).code ?? "");
    for (let attempt = 0; ; attempt++) {
      let old: string | null = null;
      if (existsSync(this.target)) {
        old = join(parent, `.${name}.pinn-old-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
        try {
          renameSync(this.target, old);
        } catch (e) {
          if (retryable(e) && attempt < 5) continue;
          throw fail(e);
        }
      }
      try {
        renameSync(this.dir, this.target);
      } catch (e) {
        if (old !== null) {
          try {
            renameSync(old, this.target);
          } catch {
            /* another run's set is in place: ours stays staged */
          }
        }
        if (retryable(e) && attempt < 5) continue;
        throw fail(e);
      }
      if (old !== null) rmSync(old, { recursive: true, force: true });
      break;
    }
  }

  /** Keep the staged files where they are (e.g. when they could not be moved); they are no longer removed at exit. */
  keep(): void {
    pending.delete(this.dir);
  }

  /** Remove the staged files: the target keeps what it held. */
  discard(): void {
    if (this.committed) return;
    rmSync(this.dir, { recursive: true, force: true });
    pending.delete(this.dir);
  }
}

/** Staging folders left by runs that died (their process is gone). */
function removeStale(parent: string, name: string): void {
  const pattern = STAGING(name);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = pattern.exec(e);
    if (m && !alive(Number(m[1]))) rmSync(join(parent, e), { recursive: true, force: true });
  }
}

/** Staging folders inside a target left by runs that died. */
function removeStaleInside(target: string): void {
  for (const e of readdirSync(target)) {
    const m = INSIDE.exec(e);
    if (m && !alive(Number(m[1]))) rmSync(join(target, e), { recursive: true, force: true });
  }
}

/** Rename, or copy and remove across file systems. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}
