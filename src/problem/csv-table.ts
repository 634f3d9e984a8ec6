// Numeric CSV tables named by problem files (data, reference): read with csv-parse, every value checked,
// every failure an input error naming the CSV file, its line and its column.

import { readFileSync } from "node:fs";
import { parse, CsvError } from "csv-parse/sync";
import { ProblemError, type ProblemIssue } from "./errors.js";

/** Rows above this are refused before parsing further (bounded memory). */
export const MAX_CSV_ROWS = 1_000_000;

export interface CsvTable {
  /** The CSV file, as given to readCsvTable. */
  file: string;
  /** Column names from the first row, in order. */
  columns: string[];
  /** One array per column, one value per data row. */
  values: Float64Array[];
  /** The 1-based line of each data row in the file. */
  lines: number[];
}

export interface CsvOptions {
  /** Columns that must be present (an error names the missing one and the columns found). */
  required?: readonly string[];
  /** Columns that may be present besides the required ones; others are errors. Omit to allow any. */
  allowed?: readonly string[];
  /** What the table is for, used in messages ("data", "reference"). */
  what?: string;
}

function fail(file: string, message: string, line?: number, column?: number, hint?: string): never {
  const issue: ProblemIssue = { message, hint };
  if (line !== undefined) issue.position = { line, column: column ?? 1 };
  throw new ProblemError(file, [issue]);
}

/** Read a numeric CSV whose first row names its columns. Throws ProblemError for any malformed input. */
export function readCsvTable(file: string, options: CsvOptions = {}): CsvTable {
  const what = options.what ?? "CSV";
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    return fail(file, `cannot read the ${what} file (${code || String(e)})`, undefined, undefined, "check the path: CSV files are read relative to the problem file's folder");
  }
  return parseCsvTable(text, file, options);
}

/** Parse CSV text (see readCsvTable); `file` names it in errors. */
export function parseCsvTable(text: string, file: string, options: CsvOptions = {}): CsvTable {
  const what = options.what ?? "CSV";
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: true, comment: "#", to: MAX_CSV_ROWS + 2 }) as never;
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as unknown as { lines?: number }).lines;
      return fail(file, `malformed CSV: ${e.message.replace(/^Invalid[^:]*:\s*/, "")}`, line, 1, "write one row per line, values separated by commas, with a header row naming the columns");
    }
    throw e;
  }
  if (records.length === 0) fail(file, `the ${what} file is empty`, 1, 1, "the first row names the columns (the domain variables, then unknowns), one row per point follows");
  if (records.length > MAX_CSV_ROWS + 1) fail(file, `the ${what} file has more than ${MAX_CSV_ROWS} rows`, undefined, undefined, `use at most ${MAX_CSV_ROWS} rows (subsample the data)`);
  const header = records[0]!;
  const columns = header.record.map((c) => c.trim());
  const headerLine = header.info.lines;
  const seen = new Map<string, number>();
  columns.forEach((c, j) => {
    if (c === "") fail(file, `column ${j + 1} of the header has no name`, headerLine, 1, "the first row names every column");
    if (seen.has(c)) fail(file, `column "${c}" appears twice in the header`, headerLine, 1, "name each column once");
    seen.set(c, j);
  });
  for (const r of options.required ?? []) {
    if (!seen.has(r)) fail(file, `missing column "${r}" (found: ${columns.join(", ")})`, headerLine, 1, `add a column named "${r}"`);
  }
  if (options.allowed) {
    const ok = new Set([...(options.required ?? []), ...options.allowed]);
    for (const c of columns) {
      if (!ok.has(c)) fail(file, `unknown column "${c}"`, headerLine, 1, `columns may be: ${[...ok].join(", ")}`);
    }
  }
  const rows = records.length - 1;
  if (rows === 0) fail(file, `the ${what} file has a header but no rows`, headerLine, 1, "add one row per point below the header");
  const rawLines = text.split(/\r?\n/);
  /** 1-based character column of field j on a line (fields split at commas; quoted commas are rare in numeric data). */
  const charColumn = (line: number, j: number): number => {
    const raw = rawLines[line - 1] ?? "";
    let at = 0;
    for (let k = 0; k < j; k++) {
      const comma = raw.indexOf(",", at);
      if (comma < 0) return 1;
      at = comma + 1;
    }
    while (raw[at] === " " || raw[at] === "\t") at++;
    return at + 1;
  };
  const values = columns.map(() => new Float64Array(rows));
  const lines = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    const { record, info } = records[i + 1]!;
    const line = info.lines;
    lines[i] = line;
    if (record.length !== columns.length) {
      fail(file, `row has ${record.length} values, the header names ${columns.length} columns`, line, 1, "give every row one value per column");
    }
    for (let j = 0; j < columns.length; j++) {
      const cell = record[j]!;
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) {
        fail(file, `column "${columns[j]}": "${cell}" is not a finite number`, line, charColumn(line, j), "write plain decimal numbers such as 0.25 or -1.5e-3");
      }
      values[j]![i] = v;
    }
  }
  return { file, columns, values, lines };
}
