// The op inventory is exhaustive: every primitive defined in src/engine has a name in OP_NAMES and
// a rule in RULES (the type-check enforces the rule; this test the list), and every primitive is
// applied in the forward pass of at least one case of test/helpers/op-cases.ts — the cases that
// ops-first-order.test.ts (gradcheck) and ops-second-order.test.ts (gradgradcheck) check against
// finite differences, so every primitive is checked to second order.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observeOps } from "../../src/engine/op.js";
import { OP_NAMES, RULES } from "../../src/engine/ops/rules.js";
import { allCases } from "../helpers/op-cases.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("op inventory", () => {
  it("lists every op the engine defines (defineOp names and the elementwise table)", () => {
    const defined = new Set<string>();
    for (const file of sourceFiles(join(__dirname, "../../src/engine"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/defineOp(?:<[^>]*>)?\(\{\s*name: "(\w+)"/g)) defined.add(m[1]!);
      // Ops made by a small factory (selectionOp("maximum", ...)).
      for (const m of text.matchAll(/= selectionOp\("(\w+)"/g)) defined.add(m[1]!);
    }
    // Elementwise ops are rows of the UNARY table in ops/unary.ts.
    const unary = readFileSync(join(__dirname, "../../src/engine/ops/unary.ts"), "utf8");
    const table = unary.slice(unary.indexOf("const UNARY"), unary.indexOf("export const unaryRules"));
    for (const m of table.matchAll(/^\s+(\w+): \[/gm)) defined.add(m[1]!);
    expect([...defined].sort()).toEqual([...OP_NAMES].sort());
  });

  it("has a rule named after each op", () => {
    for (const name of OP_NAMES) expect(RULES[name].name).toBe(name);
    expect(Object.keys(RULES).sort()).toEqual([...OP_NAMES].sort());
  });

  it("every op is applied in the forward pass of a gradcheck / gradgradcheck case", () => {
    const applied = new Map<string, string>();
    for (const c of allCases()) {
      observeOps((def) => {
        if (!applied.has(def.name)) applied.set(def.name, c.name);
      }, () => c.f(...c.inputs));
    }
    const missing = OP_NAMES.filter((n) => !applied.has(n));
    expect(missing, "ops without a case in test/helpers/op-cases.ts").toEqual([]);
  });
});
