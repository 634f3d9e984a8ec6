// Errors in a problem file: each names the file, the line and column, what is wrong and what to
// write instead.

export interface SourcePosition {
  line: number; // 1-based
  column: number; // 1-based
}

export interface ProblemIssue {
  message: string;
  position?: SourcePosition;
  hint?: string;
  /** The file the position is in, when it is not the problem file (a data CSV it names). */
  file?: string;
}

const DEFAULT_HINT = 'see "Problem files" in the README for what this key accepts';

export class ProblemError extends Error {
  constructor(readonly file: string, readonly issues: ProblemIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.name = "ProblemError";
  }
}

export function formatIssue(file: string, issue: ProblemIssue, kind: "error" | "warning" = "error"): string {
  const at = issue.file ?? file;
  const where = issue.position ? `${at}:${issue.position.line}:${issue.position.column}` : at;
  // Every error says what to do; one without its own hint points at the file format.
  const text = issue.hint ?? (kind === "error" ? DEFAULT_HINT : undefined);
  const hint = text ? `\n  hint: ${text.replace(/\n/g, "\n    ")}` : "";
  return `${where}: ${kind}: ${issue.message}${hint}`;
}
