/**
 * Numeric columns to CSV text. Numbers use JavaScript's shortest round-trip form
 * (String(x)), so parsing a cell with Number() gives back exactly the same float64;
 * non-finite values are written as `nan`, `inf` and `-inf`.
 */

export interface CsvColumn {
  name: string;
  values: ArrayLike<number>;
}

/** Format one number as a CSV cell. */
export function formatCsvNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}

/** Quote a header cell when it holds a comma, quote, or line break (RFC 4180). */
function quoteHeader(name: string): string {
  return /[",\r\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/**
 * CSV with a header row and one row per index; every line ends with "\n".
 * Throws if the columns differ in length or there are no columns.
 */
export function toCsv(columns: CsvColumn[]): string {
  if (columns.length === 0) throw new Error("toCsv: no columns");
  const n = columns[0]!.values.length;
  for (const c of columns) {
    if (c.values.length !== n) {
      throw new Error(
        `toCsv: column "${c.name}" has ${c.values.length} values, but "${columns[0]!.name}" has ${n}`,
      );
    }
  }
  const lines: string[] = [columns.map((c) => quoteHeader(c.name)).join(",")];
  for (let i = 0; i < n; i++) {
    lines.push(columns.map((c) => formatCsvNumber(c.values[i]!)).join(","));
  }
  return lines.join("\n") + "\n";
}
