// A fuzz suite of our own (issue 8, item 15): fast-check mutates the shipped problems (deleting,
// duplicating and swapping lines, and inserting hostile tokens: .nan, 1e308, anchors, deep
// brackets, high-order derivatives, ...) and runs `pinn check` on each, in-process. Properties:
// the exit code is 0, 1 or 2; no stack trace and no internal error; every error names the file,
// line and column and has a hint; nothing is written next to the file or in the working folder;
// memory stays bounded. It does not train, so it stays fast enough for `npm test` (a few seconds).

import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pinn } from "../helpers/cli.js";
import { parseProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";

const PROBLEMS = fileURLToPath(new URL("../../problems/", import.meta.url));
const SHIPPED = readdirSync(PROBLEMS).filter((f) => f.endsWith(".yaml")).sort().map((f) => readFileSync(join(PROBLEMS, f), "utf8"));
const DIR = mkdtempSync(join(tmpdir(), "pinn-fuzz-"));
// Data files the shipped problems refer to (reference: file: ...) sit beside the mutated copies.
for (const f of readdirSync(PROBLEMS).filter((f) => f.endsWith(".csv"))) copyFileSync(join(PROBLEMS, f), join(DIR, f));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Tokens that broke (or could break) the loader: degenerate numbers, YAML structure, expression edge cases. */
const HOSTILE = [
  ".nan", ".inf", "-.inf", "1e308", "5e-324", "1e-400", "9".repeat(400), "0x10", '"100"', "-1", "4294967296", "1e8",
  "[", "]", "{", "}", ":", ": ", "- ", "&a", "*a", "*b", "&a [0, 1]", "---", "...", "\t", "#", "!!str", "|", ">", "'", '"', "\\",
  "d(u, x, 12)", "u''''''''", "u_y", "u_xxxxxxxxx", "diff(u, x)", "(((((", ")))", "sin(", "N", "=", "==", "**", "^", "-".repeat(200),
  "(".repeat(300), `[${"[".repeat(80)}${"]".repeat(80)}]`, "hidden: [20000, 20000]", "points: 1e8", "history: 1e308", "seed: 1e20",
  "x: [0, .nan]", "epochs: 1e308", "\u0000", "é", "🙂",
];

type Mutation = { kind: "delete" | "duplicate" | "swap"; at: number; other: number } | { kind: "insert" | "replace"; at: number; column: number; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("delete" as const, "duplicate" as const, "swap" as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constantFrom("insert" as const, "replace" as const), at: fc.nat(), column: fc.nat(), token: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 })) }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let lines = text.split("\n");
  for (const m of mutations) {
    if (lines.length === 0) break;
    const at = m.at % lines.length;
    const line = lines[at]!;
    switch (m.kind) {
      case "delete":
        lines.splice(at, 1);
        break;
      case "duplicate":
        lines.splice(at, 0, line);
        break;
      case "swap": {
        const other = m.other % lines.length;
        [lines[at], lines[other]] = [lines[other]!, line];
        break;
      }
      case "insert":
      case "replace": {
        const c = m.column % (line.length + 1);
        // replace: the token takes the place of the word at that column.
        const end = m.kind === "replace" ? c + (/^[\w.+-]*/.exec(line.slice(c))?.[0].length ?? 0) : c;
        lines[at] = line.slice(0, c) + m.token + line.slice(end);
        break;
      }
    }
  }
  lines = lines.slice(0, 400);
  return lines.join("\n");
}

/** PINN_FUZZ_RUNS=n runs n cases per property with a random seed (a deeper search than npm test's). */
const DEEP = Number(process.env.PINN_FUZZ_RUNS ?? 0);
const settings = (runs: number, seed: number): fc.Parameters<unknown> => (DEEP > 0 ? { numRuns: DEEP, endOnFailure: true } : { numRuns: runs, seed, endOnFailure: true });

const problemAndMutations = fc.tuple(fc.nat({ max: SHIPPED.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }));

function listing(dir: string): string {
  return readdirSync(dir).sort().map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`).join("\n");
}

describe("fuzz: mutated shipped problems", () => {
  it("the loader answers every mutation with a problem or a located ProblemError with hints", () => {
    fc.assert(
      fc.property(problemAndMutations, ([k, ms]) => {
        const text = mutate(SHIPPED[k]!, ms);
        try {
          parseProblem(text, join(PROBLEMS, "fuzz.yaml"));
        } catch (e) {
          if (!(e instanceof ProblemError)) throw new Error(`not a ProblemError: ${String(e)}\n--- file ---\n${text}`);
          for (const issue of e.issues) {
            expect(issue.position, `unlocated: ${issue.message}\n--- file ---\n${text}`).toBeDefined();
          }
          // Located in the problem file, or in a data file it names (a CSV row).
          for (const line of e.message.split("\n").filter((l) => l.includes(": error: "))) expect(line).toMatch(/^\S+\.(yaml|csv):\d+:\d+: error: /);
          expect(e.message.split(": error: ").length - 1).toBe(e.message.split("\n  hint: ").length - 1);
        }
      }),
      settings(250, 8),
    );
  });

  it("pinn check: exit 0, 1 or 2, no stack trace, located errors, no writes, bounded memory", async () => {
    const cwdBefore = listing(process.cwd());
    const heapBefore = process.memoryUsage().heapUsed;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(problemAndMutations, async ([k, ms]) => {
        const file = join(DIR, `case${run++}.yaml`);
        writeFileSync(file, mutate(SHIPPED[k]!, ms));
        const dirBefore = listing(DIR);
        const r = await pinn("check", file);
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+\)?\n/);
        for (const line of r.stderr.split("\n").filter((l) => l.includes(": error: "))) expect(line, r.stderr).toMatch(/^\S+\.(yaml|csv):\d+:\d+: error: /);
        if (r.code === 2) expect(r.stderr).toContain("\n  hint: ");
        expect(listing(DIR)).toBe(dirBefore);
        expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(512 * 2 ** 20);
      }),
      settings(60, 15),
    );
    expect(listing(process.cwd())).toBe(cwdBefore);
  });
});
