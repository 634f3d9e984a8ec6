// The top-level sections of a problem file, in one place. The core sections (names.ts,
// equations.ts, settings.ts) are read by load.ts in a fixed order; a new section is a file under
// src/problem/ exporting a Section, added with one line to SECTIONS below — its key is then
// allowed at the top level and its reader runs at its phase.

import type { Node, YAMLMap } from "./yaml-source.js";
import type { ReaderContext } from "./reader.js";
import type { Problem } from "./types.js";
import type { Names } from "../expressions/resolve.js";
import { readShapesSection, attachDomain } from "./regions.js";
import { PARAMETERS_NAMES, PARAMETERS_PROBLEM } from "./parameters.js";
import { DATA_SECTION } from "./data.js";
import { readReference } from "./reference.js";

/** What a section reader sees and may extend. */
export interface ReadState {
  root: YAMLMap;
  /** The names expressions are resolved against; a "names" section may replace it (e.g. to add parameters). */
  names: Names;
  /** The assembled problem in the "problem" phase; null when a core section failed (report errors anyway). */
  problem: Problem | null;
}

export interface Section {
  /** The top-level key. */
  key: string;
  /**
   * "names": after domain, unknowns and constants, before equations and conditions;
   * "problem": after the core problem is assembled (before hard constraints are built).
   */
  phase: "names" | "problem";
  /** Read the section (node is undefined when the file leaves it out); report errors on ctx.src. */
  read(ctx: ReaderContext, node: Node | undefined, state: ReadState): void;
}

/** Sections read by load.ts itself. */
export const CORE_KEYS = ["name", "title", "description", "domain", "unknowns", "constants", "equations", "conditions", "trial", "constraints", "exact", "network", "training", "evaluate"] as const;

/** Further sections, one line each. */
export const SECTIONS: readonly Section[] = [
  {
    key: "reference",
    phase: "problem",
    read: (ctx, _node, state) => {
      const p = state.problem;
      if (p !== null) p.reference = readReference(ctx.src, state.root, { variables: p.variables, bounds: p.bounds, unknowns: p.unknowns });
    },
  },
  PARAMETERS_NAMES,
  PARAMETERS_PROBLEM,
  DATA_SECTION,
  { key: "shapes", phase: "names", read: readShapesSection },
  { key: "region", phase: "problem", read: attachDomain },
];

/** Every key allowed at the top level of a problem file. */
export const TOP_KEYS: readonly string[] = [...new Set([...CORE_KEYS, ...SECTIONS.map((s) => s.key)])];
