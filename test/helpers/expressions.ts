// Helpers for tests of the expression language.

import { expect } from "vitest";
import { ExpressionError } from "../../src/expressions/parser.js";

/** The ExpressionError thrown by `f` (fails the test when nothing is thrown). */
export function expressionError(f: () => unknown): ExpressionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error("expected an ExpressionError, but nothing was thrown");
}
