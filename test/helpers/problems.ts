// Problem files shared by tests: texts parsed under one file name, shipped problems loaded by name,
// temporary folders of problem (and CSV) files removed after their tests, and the problems that must
// be rejected: the ProblemError parseProblem throws, its issues, and where they are located.

import { afterAll, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProblem, parseProblem, type LoadOptions } from "../../src/problem/load.js";
import { ProblemError, type ProblemIssue, type SourcePosition } from "../../src/problem/errors.js";
import type { Problem } from "../../src/problem/types.js";

/** The file name the cases are parsed under. */
export const CASE_FILE = "case.yaml";

/** A valid one-variable problem (u' = 2x, u(0) = 1; exact u = x² + 1) that tests vary. */
export const ODE_PROBLEM = `name: ode
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = 2*x"
conditions:
  - "u(0) = 1"
`;

/** A steady problem on a 2-D region (the region rule applies): Laplace in an annulus, Dirichlet outside, Neumann on the hole. */
export const ANNULUS = `name: annulus
domain:
  x: [-1, 1]
  y: [-1, 1]
shapes:
  outer: "disk(0, 0, 1)"
  inner: "disk(0, 0, 0.5)"
region: "outer - inner"
unknowns: [u]
equations:
  - "u_xx + u_yy = 0"
conditions:
  - "u = 1 on outer"
  - "d(u, n) = 0 on inner"
`;

/** `text` parsed as the file CASE_FILE. */
export function parse(text: string, options: LoadOptions = {}): Problem {
  return parseProblem(text, CASE_FILE, options);
}

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A shipped problem by name: `shipped("burgers")`, `shipped("inverse/heat-inverse")`. */
export function shipped(name: string): Problem {
  return loadProblem(join(REPO_ROOT, "problems", `${name}.yaml`));
}

/** A temporary folder for the files of a test. */
export interface TempFolder {
  readonly dir: string;
  /** The path of `name` in the folder. */
  path(name: string): string;
  /** Writes `text` to `name` in the folder; returns its path. */
  write(name: string, text: string): string;
  /** Removes the folder and everything in it. */
  remove(): void;
}

function makeFolder(prefix: string): TempFolder {
  const dir = mkdtempSync(join(tmpdir(), `pinn-${prefix}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A temporary folder removed after the tests of the file (or of the describe block it is made in). */
export function tempFolder(prefix: string): TempFolder {
  const folder = makeFolder(prefix);
  afterAll(() => folder.remove());
  return folder;
}

/** `body` run with a temporary folder of its own, removed when it ends (also when it throws). */
export async function withTempFolder<T>(prefix: string, body: (folder: TempFolder) => T | Promise<T>): Promise<T> {
  const folder = makeFolder(prefix);
  try {
    return await body(folder);
  } finally {
    folder.remove();
  }
}

/** `text` with the one occurrence of `from` replaced (the test fails when `from` is not there). */
export function replaceOnce(text: string, from: string, to: string): string {
  expect(text.includes(from), `"${from}" in the text`).toBe(true);
  return text.replace(from, to);
}

/** Line and column (1-based) of the n-th occurrence of `needle` in `text`, plus `shift` characters. */
export function locate(text: string, needle: string, { occurrence = 0, shift = 0 } = {}): SourcePosition {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${occurrence}) not in the text`);
  }
  at += shift;
  const before = text.slice(0, at);
  return { line: before.split("\n").length, column: at - before.lastIndexOf("\n") };
}

/** The error parseProblem throws for `text` (the test fails when the text is accepted); it names the file, and every error in it has a hint. */
export function rejection(text: string, options: LoadOptions = {}): ProblemError {
  try {
    parseProblem(text, CASE_FILE, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    const err = e as ProblemError;
    expect(err.file).toBe(CASE_FILE);
    // Every error says what to do: one hint line per error line.
    for (const i of err.issues) expect(i.hint ?? err.message).toBeTruthy();
    expect(err.message.split("\n").filter((l) => l.includes(": error: ")).length).toBe(err.message.split("\n  hint: ").length - 1);
    return err;
  }
  throw new Error(`expected the problem to be rejected:\n${text.slice(0, 400)}`);
}

/** The issues reported for `text`. */
export function issuesOf(text: string, options: LoadOptions = {}): ProblemIssue[] {
  return rejection(text, options).issues;
}

/** The single issue of a text with exactly one error. */
export function onlyIssue(text: string, options: LoadOptions = {}): ProblemIssue {
  const issues = issuesOf(text, options);
  expect(issues, JSON.stringify(issues, null, 2).slice(0, 2000)).toHaveLength(1);
  return issues[0]!;
}

/** Transport u_t + 2u_x = 0 of sin x, periodic in x (exact: sin(x − 2t)): an evolution problem with a periodic variable. */
export const TRANSPORT = `name: transport
domain:
  x: [0, 2*pi]
  t: [0, 1]
unknowns: [u]
equations:
  - "u_t + 2*u_x = 0"
conditions:
  - "u(x, 0) = sin(x)"
  - {periodic: x}
exact:
  u: "sin(x - 2*t)"
`;
