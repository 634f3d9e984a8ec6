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
}

export class ProblemError extends Error {
  constructor(readonly file: string, readonly issues: ProblemIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.name = "ProblemError";
  }
}

export function formatIssue(file: string, issue: ProblemIssue, kind: "error" | "warning" = "error"): string {
  const where = issue.position ? `${file}:${issue.position.line}:${issue.position.column}` : file;
  const hint = issue.hint ? `\n  hint: ${issue.hint.replace(/\n/g, "\n    ")}` : "";
  return `${where}: ${kind}: ${issue.message}${hint}`;
}
