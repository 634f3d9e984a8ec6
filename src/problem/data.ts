// Observations (contract: "Unknown parameters and data"): the `data` section. Each set is a CSV
// whose columns are the domain variables and one or more unknowns; every row is a point, which
// must lie in the domain. Each observed unknown of each set becomes one mean squared misfit term
// (terms/data.ts).

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import { get, asList, asNumber, asString, checkKeys, isMap, type Node, type YAMLMap, type YamlSource } from "./yaml-source.js";
import { readCsvTable } from "./csv-table.js";
import { ProblemError } from "./errors.js";
import type { DataSet } from "./types.js";
import type { Section } from "./sections.js";

const DATA_ITEM_KEYS = ["file", "weight"];

export interface DataContext {
  variables: readonly string[];
  bounds: readonly (readonly [number, number])[];
  unknowns: readonly string[];
}

/** A relative tolerance for points on the domain's edge (CSV values printed with rounding). */
const EDGE = 1e-9;

/**
 * Read `data:`; YAML errors go to `src`. A malformed CSV throws a ProblemError naming the CSV, its
 * line and column (csv-table.ts).
 */
export function readData(src: YamlSource, root: YAMLMap, names: DataContext): DataSet[] {
  const node = get(root, "data");
  if (node === undefined) return [];
  const example = "e.g.\ndata:\n  - file: measurements.csv\n    weight: 1";
  const items = asList(src, node, "data", example);
  if (items === null) return [];
  const out: DataSet[] = [];
  for (const item of items) {
    if (!isMap(item)) {
      src.error(item, "each data item is a map with a file (and an optional weight)", example);
      continue;
    }
    checkKeys(src, item, DATA_ITEM_KEYS, "a data item");
    const fileNode = get(item, "file") as Node | undefined;
    if (fileNode === undefined) {
      src.error(item, 'this data item has no "file" key', example);
      continue;
    }
    const name = asString(src, fileNode, "data file");
    const weight = readWeight(src, item);
    if (name === null || weight === null) continue;
    const path = isAbsolute(name) ? name : resolvePath(dirname(src.file), name);
    const source = { text: `data ${name}`, position: src.positionOf(fileNode) };
    out.push(readDataSet(path, source, weight, names));
  }
  return out;
}

function readWeight(src: YamlSource, item: YAMLMap): number | null {
  const node = get(item, "weight");
  if (node === undefined) return 1;
  const w = asNumber(src, node, "weight", "a positive number such as 10");
  if (w === null) return null;
  if (!(w > 0)) {
    src.error(node, `weight must be positive, not ${w}`);
    return null;
  }
  return w;
}

/** One CSV as a data set; throws ProblemError naming the CSV, its line and column. */
export function readDataSet(path: string, source: DataSet["source"], weight: number, names: DataContext): DataSet {
  const table = readCsvTable(path, { required: names.variables, allowed: names.unknowns, what: "data" });
  const observedNames = table.columns.filter((c) => names.unknowns.includes(c));
  const fail = (message: string, line?: number, column?: number, hint?: string): never => {
    throw new ProblemError(path, [{ message, position: line === undefined ? undefined : { line, column: column ?? 1 }, hint }]);
  };
  if (observedNames.length === 0) {
    fail(`no observed unknown: the columns are ${table.columns.join(", ")}`, 1, 1, `add a column for one or more unknowns (${names.unknowns.join(", ")})`);
  }
  const n = table.lines.length;
  const text = readFileSync(path, "utf8").split(/\r?\n/);
  /** 1-based character column of field j on a line. */
  const charColumn = (line: number, j: number): number => {
    const raw = text[line - 1] ?? "";
    let at = 0;
    for (let k = 0; k < j; k++) at = raw.indexOf(",", at) + 1;
    while (raw[at] === " " || raw[at] === "\t") at++;
    return at + 1;
  };
  const d = names.variables.length;
  const points = new Float64Array(n * d);
  names.variables.forEach((v, i) => {
    const col = table.values[table.columns.indexOf(v)]!;
    const [lo, hi] = names.bounds[i]!;
    const tol = EDGE * Math.max(1, Math.abs(lo), Math.abs(hi));
    for (let r = 0; r < n; r++) {
      const x = col[r]!;
      if (x < lo - tol || x > hi + tol) {
        fail(`the point ${v} = ${x} lies outside the domain (${v} in [${lo}, ${hi}])`, table.lines[r], charColumn(table.lines[r]!, table.columns.indexOf(v)), "remove the row or widen the domain: observations must lie inside it");
      }
      points[r * d + i] = Math.min(hi, Math.max(lo, x));
    }
  });
  const observed = observedNames.map((u) => ({ unknown: names.unknowns.indexOf(u), values: table.values[table.columns.indexOf(u)]! }));
  return { file: path, source, weight, points, observed };
}

/** `data`, problem phase: the observations (a CSV error stops this section, reported with its own file and line; the other sections are still read). */
export const DATA_SECTION: Section = {
  key: "data",
  phase: "problem",
  read(ctx, _node, state) {
    const data = readData(ctx.src, state.root, state.names);
    if (state.problem !== null) state.problem.data = data;
  },
};
