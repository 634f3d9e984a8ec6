// `reference: {file: ...}` (contract, version 2, "Reference data"): a CSV of reference values of some
// unknowns, for metrics and plots when no exact expression is known. The CSV is read relative to the
// problem file's folder; its columns are the domain variables, then one or more unknowns.

import { dirname, isAbsolute, join } from "node:path";
import { readCsvTable } from "./csv-table.js";
import { ProblemError } from "./errors.js";
import { asMap, asString, checkKeys, get, type Node, type YamlSource, type YAMLMap } from "./yaml-source.js";

export const REFERENCE_KEYS = ["file"];

export interface ReferenceData {
  /** The CSV's path as written in the problem file. */
  file: string;
  /** The path it was read from. */
  path: string;
  /** Reference points, row-major count × d (the domain's variable order). */
  points: Float64Array;
  count: number;
  /** One entry per unknown: its reference values, or null when the CSV has no column for it. */
  values: (Float64Array | null)[];
}

const EXAMPLE = "e.g.\nreference:\n  file: reference.csv   # columns: the domain variables, then unknowns";

/**
 * Read the `reference` key of a problem file (undefined when absent). YAML errors are reported on
 * `src`; CSV errors throw ProblemError naming the CSV, its line and column.
 */
export function readReference(
  src: YamlSource,
  root: YAMLMap,
  names: { variables: readonly string[]; bounds: readonly (readonly [number, number])[]; unknowns: readonly string[] },
): ReferenceData | undefined {
  const node = get(root, "reference");
  if (node === undefined) return undefined;
  const map = asMap(src, node, "reference", EXAMPLE);
  if (map === null) return undefined;
  checkKeys(src, map, REFERENCE_KEYS, "reference");
  const fileNode = get(map, "file") as Node | undefined;
  if (fileNode === undefined) {
    src.error(node, 'reference needs a "file"', EXAMPLE);
    return undefined;
  }
  const file = asString(src, fileNode, "reference.file", EXAMPLE);
  if (file === null) return undefined;
  const path = isAbsolute(file) ? file : join(dirname(src.file), file);
  const table = readCsvTable(path, { required: names.variables, allowed: names.unknowns, what: "reference" });
  const shown = path;
  const headerLine = table.lines[0]! - 1;
  if (!names.unknowns.some((u) => table.columns.includes(u))) {
    throw new ProblemError(shown, [{
      message: `the reference names no unknown (columns: ${table.columns.join(", ")})`,
      position: { line: Math.max(1, headerLine), column: 1 },
      hint: `add a column for ${names.unknowns.join(" or ")} after the domain variables`,
    }]);
  }
  const d = names.variables.length;
  const count = table.values[0]!.length;
  const points = new Float64Array(count * d);
  names.variables.forEach((v, i) => {
    const column = table.values[table.columns.indexOf(v)]!;
    const [lo, hi] = names.bounds[i]!;
    // A point a rounding error outside the interval is taken as on its end.
    const slack = 1e-12 * (hi - lo);
    for (let n = 0; n < count; n++) {
      const x = column[n]!;
      if (x < lo - slack || x > hi + slack) {
        throw new ProblemError(shown, [{
          message: `reference point ${v} = ${x} lies outside the domain (${v}: [${lo}, ${hi}])`,
          position: { line: table.lines[n]!, column: 1 },
          hint: "remove the row, or widen the domain",
        }]);
      }
      points[n * d + i] = Math.min(hi, Math.max(lo, x));
    }
  });
  const values = names.unknowns.map((u) => {
    const j = table.columns.indexOf(u);
    return j < 0 ? null : table.values[j]!;
  });
  return { file, path, points, count, values };
}
