// Problem files shared by tests, and those that must be rejected: the ProblemError parseProblem throws,
// and its issues.

import { expect } from "vitest";
import { parseProblem, type LoadOptions } from "../../src/problem/load.js";
import { ProblemError, type ProblemIssue } from "../../src/problem/errors.js";

/** The file name the cases are parsed under. */
export const CASE_FILE = "case.yaml";

/** The error parseProblem throws for `text` (the test fails when the text is accepted); it names the file. */
export function rejection(text: string, options: LoadOptions = {}): ProblemError {
  try {
    parseProblem(text, CASE_FILE, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    const err = e as ProblemError;
    expect(err.file).toBe(CASE_FILE);
    return err;
  }
  throw new Error(`expected the problem to be rejected:\n${text.slice(0, 400)}`);
}

/** The issues reported for `text`. */
export function issuesOf(text: string, options: LoadOptions = {}): ProblemIssue[] {
  return rejection(text, options).issues;
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
