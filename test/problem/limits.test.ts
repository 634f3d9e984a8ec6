// Hostile inputs (issue 8, items 2–4, 11 and 13's hints): each limit, degenerate number and YAML
// oddity is an input error at the line that asks for it, with a hint; loading stays linear in the
// size of the file. Positions are computed here by searching the YAML text itself.

import { describe, expect, it } from "vitest";
import { LIMITS, checkPointsOption, memoryEstimate, parameterCount } from "../../src/problem/limits.js";
import { EXPRESSION_LIMITS } from "../../src/expressions/parser.js";
import { readdirSync } from "node:fs";
import { pinn } from "../helpers/cli.js";
import { ODE_PROBLEM as VALID, issuesOf, locate as locateAt, onlyIssue, parse, withTempFolder } from "../helpers/problems.js";

const locate = (text: string, needle: string, occurrence = 0) => locateAt(text, needle, { occurrence });

const withEquation = (eq: string): string => VALID.replace(`"u' = 2*x"`, `"${eq}"`);

describe("limits on expressions (the parser recurses boundedly)", () => {
  it.each([
    ["10,000 nested parentheses", `u' = ${"(".repeat(10_000)}x${")".repeat(10_000)}`],
    ["sin( nested 10,000 deep", `u' = ${"sin(".repeat(10_000)}x${")".repeat(10_000)}`],
    ["10,000 unary minuses", `u' = ${"-".repeat(10_000)}x`],
    ["a flat sum of 4,500 terms", `u' = ${Array.from({ length: 4_500 }, (_, i) => `${i}*x`).join(" + ")}`],
  ])("%s is an input error (one of the expression limits)", (_, eq) => {
    const issue = onlyIssue(withEquation(eq));
    expect(issue.message).toMatch(/nested more than 100 levels|more than 5000 numbers, names and operators|characters long; the limit is 20000/);
    expect(issue.position?.line).toBe(6);
  });

  it.each([
    ["nested parentheses", `u' = ${"(".repeat(101)}x${")".repeat(101)}`],
    ["nested calls", `u' = ${"sin(".repeat(101)}x${")".repeat(101)}`],
    ["unary minuses", `u' = ${"-".repeat(101)}x`],
    ["a right-associative power tower", `u' = ${"x^".repeat(101)}x`],
  ])("%s 101 deep: nested more than 100 levels", (_, eq) => {
    const issue = onlyIssue(withEquation(eq));
    expect(issue.message).toBe("this expression is nested more than 100 levels deep");
    expect(issue.position?.line).toBe(6);
  });

  it("more than 5000 tokens", () => {
    const issue = onlyIssue(withEquation(`u' = ${Array.from({ length: 2_600 }, () => "x").join("+")}`));
    expect(issue.message).toBe("this expression has more than 5000 numbers, names and operators");
  });

  it("an expression longer than the limit", () => {
    const eq = `u' = x${" ".repeat(EXPRESSION_LIMITS.maxLength)}`;
    expect(onlyIssue(withEquation(eq)).message).toMatch(/characters long; the limit is 20000/);
  });

  it("a sum of 500 terms is fine", () => {
    const eq = `u' = ${Array.from({ length: 500 }, (_, i) => `sin(${i}*x)`).join(" + ")}`;
    expect(() => parse(withEquation(eq))).not.toThrow();
  });

  it.each([
    ["d(u, x, 12)", "d(u, x, 12) = 0", "d(u, x, 12)".length - 3, 12],
    ["seven primes", "u''''''' = 0", 0, 7],
    ["u_xxxxxxx", "u_xxxxxxx = 0", 0, 7],
    ["nested d()", "d(d(u, x, 4), x, 3) = 0", 0, 7],
    ["an order of 1e308", "d(u, x, 1e308) = 0", 8, 1e308],
  ])("a derivative of order above %s is an input error at its column", (_, eq, offset, order) => {
    const text = withEquation(eq);
    const issue = onlyIssue(text);
    expect(issue.message).toBe(`a derivative of order ${order}: pinn supports derivatives up to order 6`);
    const at = locate(text, eq);
    expect(issue.position).toEqual({ line: at.line, column: at.column + offset });
    expect(issue.hint).toMatch(/system of lower order/);
  });

  it("order 6 is accepted", () => {
    expect(() => parse(withEquation("d(u, x, 6) = u"))).not.toThrow();
  });
});

describe("limits on settings", () => {
  it.each([
    ["hidden: [20000]", "network:\n  hidden: [20000]\n", "20000", /a hidden layer width is 20,000; the limit is 4,096/],
    ["33 hidden layers", `network:\n  hidden: [${Array(33).fill(4).join(", ")}]\n`, "[4,", /the number of hidden layers is 33; the limit is 32/],
    ["2,000 × 2,000 parameters", "network:\n  hidden: [2000, 2000]\n", "[2000", /the number of network parameters is 4,008,001; the limit is 2,000,000/],
    ["points: 1e8", "training:\n  points: 1e8\n", "1e8", /training.points is 1.00e8; the limit is 1,000,000/],
    ["boundary_points: 1e7", "training:\n  boundary_points: 10000000\n", "10000000", /training.boundary_points is 1.00e7/],
    ["epochs: 1e308", "training:\n  epochs: 1e308\n", "1e308", /training.epochs is 1.00e308; the limit is 1.00e8/],
    ["history: 1e308", "training:\n  optimizer:\n    - lbfgs: {history: 1e308}\n", "1e308", /history is 1.00e308; the limit is 1,000/],
    ["evaluate.points: 100000 in 2-D", "evaluate:\n  points: 100000\n", "100000", /the evaluation grid \(100000 × 100000 points\) is 1.00e10; the limit is 4,000,000/],
    ["evaluate.points: 1e6 in 1-D", "evaluate:\n  points: 1000000\n", "1000000", /evaluate.points is 1,000,000; the limit is 100,001/],
    ["seed: 2^32", "training:\n  seed: 4294967296\n", "4294967296", /training.seed must be a whole number from 0 to 4294967295/],
    ["seed: -1", "training:\n  seed: -1\n", "-1", /training.seed must be a whole number from 0 to 4294967295/],
  ])("%s", (_, settings, needle, message) => {
    const base = settings.startsWith("evaluate:\n  points: 100000\n") ? VALID.replace("x: [0, 1]", "x: [0, 1]\n  y: [0, 1]").replace(`"u' = 2*x"`, `"u_x + u_y = 0"`).replace(`"u(0) = 1"`, `"u(0, y) = 1"`) : VALID;
    const text = `${base}${settings}`;
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(message);
    expect(issue.position).toEqual(locate(text, needle));
  });

  it("a memory estimate above the limit is an error at training, before anything is allocated", () => {
    // 1e6 points × (1 + (1+1)) coefficients × (4096 + 1) widths × 24 bytes ≈ 295 GB.
    const text = `${VALID}network:\n  hidden: [4096]\ntraining:\n  points: 1000000\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/^training would need about \d+ GiB of memory; the limit is 4.0 GiB$/);
    expect(issue.position).toEqual(locate(text, "points: 1000000"));
  });

  it("the estimate counts points, Taylor coefficients and widths (computed by hand)", () => {
    const p = parse(`${VALID}network:\n  hidden: [10, 10]\ntraining:\n  points: 100\n  boundary_points: 7\n  optimizer: adam\n`);
    // Points: 100 interior + 1 for u(0) (every argument fixed). Coefficients: 1 + (u': order 1 → 2) + (u: order 0 → 1) = 4.
    // Widths: 10 + 10 + 1 = 21. 8 bytes × 3 copies.
    expect(memoryEstimate(p)).toEqual({ bytes: 8 * 3 * 101 * 4 * 21, part: "training" });
    expect(parameterCount([1, 10, 10, 1])).toBe(20 + 110 + 11);
  });

  it("--points and --seed from the command line", () => {
    expect(checkPointsOption(1e308)).toMatch(/--points 1.00e308 is above the limit of 1,000,000/);
    expect(checkPointsOption(100)).toBeNull();
    const issues = issuesOf(VALID, { overrides: { points: 1e308, seed: 2 ** 40 } });
    expect(issues.map((i) => i.message)).toEqual([
      "command line: --points 1.00e308 is above the limit of 1,000,000 collocation points",
      "command line: --seed must be a whole number from 0 to 4294967295 (2^32 − 1), not 1099511627776",
    ]);
  });

  it("--seed below its range or not whole is not told to be smaller", () => {
    // -1 and 1.5 are outside 0 … 2^32 − 1 from below or between integers: "use a smaller value" would be wrong.
    for (const seed of [-1, 1.5]) {
      const issue = issuesOf(VALID, { overrides: { seed } })[0]!;
      expect(issue.message).toBe(`command line: --seed must be a whole number from 0 to 4294967295 (2^32 − 1), not ${seed}`);
      expect(issue.hint).not.toMatch(/smaller/);
    }
    expect(issuesOf(VALID, { overrides: { seed: 2 ** 32 } })[0]!.hint).toMatch(/use a smaller value/);
  });

  it("too many equations is one error, found without reading them", () => {
    const eqs = Array.from({ length: 20_000 }, (_, i) => `  - "u' = ${i}"`).join("\n");
    const text = VALID.replace(`  - "u' = 2*x"`, eqs);
    const t0 = performance.now();
    const issue = onlyIssue(text);
    expect(issue.message).toBe(`the number of equations is 20,000; the limit is ${LIMITS.maxEquations.toLocaleString("en-US")}`);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe("degenerate numbers are input errors at their line", () => {
  it.each([
    ["x: [0, .inf]", "[0, .inf]", ".inf", "the upper end of x must be a finite number, not .inf (Infinity)"],
    ["x: [0, .nan]", "[0, .nan]", ".nan", "the upper end of x must be a finite number, not .nan (NaN)"],
    ["x: [-.inf, 0]", "[-.inf, 0]", "-.inf", "the lower end of x must be a finite number, not -.inf (-Infinity)"],
    ["a 400-digit literal", `[0, ${"9".repeat(400)}]`, "999", `the upper end of x must be a finite number, not 999999999999…999999 (400 characters) (Infinity)`],
  ])("%s", (_, interval, needle, message) => {
    const text = VALID.replace("[0, 1]", interval);
    const issue = onlyIssue(text);
    expect(issue.message).toBe(message);
    expect(issue.position).toEqual(locate(text, needle));
  });

  it.each([
    ["[0, 1e308]", /too large: pinn supports ends within ±1e\+30/],
    ["[0, 5e-324]", /too narrow to sample/],
    ["[1, 1.0000000000000002]", /too narrow to sample/],
  ])("x: %s", (interval, message) => {
    const text = VALID.replace("[0, 1]", interval);
    const issue = onlyIssue(text.replace(`"u(0) = 1"`, `"u(${interval.slice(1, interval.indexOf(","))}) = 1"`));
    expect(issue.message).toMatch(message);
    expect(issue.position).toEqual(locate(text, interval));
  });

  it("an unused .nan or .inf constant", () => {
    const text = `${VALID}constants:\n  a: .nan\n  b: .inf\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual(["constant a must be a finite number, not .nan (NaN)", "constant b must be a finite number, not .inf (Infinity)"]);
    expect(issues.map((i) => i.position)).toEqual([locate(text, ".nan"), locate(text, ".inf")]);
  });

  it("a 400-digit literal inside an expression", () => {
    const big = "9".repeat(400);
    const text = withEquation(`u' = ${big}*x`);
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/^the number 999999999999…999999 \(400 characters\) is too large for a double/);
    expect(issue.position).toEqual(locate(text, big));
  });

  it("a literal that underflows to 0 inside an expression", () => {
    expect(onlyIssue(withEquation("u' = 1e-400*x")).message).toMatch(/the number 1e-400 is too small for a double/);
  });

  it("quoted numbers are text, not numbers", () => {
    const text = `${VALID}training:\n  epochs: "100"\n  seed: "0x10"\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual([
      'training.epochs must be a number, not the text "100" (it is in quotes)',
      'training.seed must be a number, not the text "0x10" (it is in quotes)',
    ]);
    expect(issues.map((i) => i.hint)).toEqual(["write it without quotes, e.g. 100", "write it without quotes, e.g. 0x10"]);
  });
});

describe("YAML", () => {
  it("anchors and aliases are supported", () => {
    const text = VALID.replace("x: [0, 1]", "x: &r [0, 1]\n  y: *r").replace(`"u' = 2*x"`, `"u_x + u_y = 0"`).replace(`"u(0) = 1"`, `"u(0, y) = 1"`);
    expect(parse(text).bounds).toEqual([[0, 1], [0, 1]]);
  });

  it("an alias expanding past the bound (billion laughs) is an error, found quickly", () => {
    const levels = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"];
    for (let i = 1; i < 9; i++) levels.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(10).fill(`*${"abcdefghij"[i - 1]}`).join(", ")}]`);
    const text = `${VALID}constants:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
    const t0 = performance.now();
    const issue = onlyIssue(text);
    expect(issue.message).toBe("aliases (*name) expand to more than 10000 values");
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it("two documents", () => {
    const text = `${VALID}---\nname: other\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/more than one YAML document/);
    expect(issue.position?.line).toBe(locate(text, "---").line);
    expect(issue.hint).toMatch(/one document/);
  });

  it.each([
    ["flow lists 10,000 deep", `${VALID}title: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`],
    ["flow lists 60 deep", `${VALID}title: ${"[".repeat(60)}${"]".repeat(60)}\n`],
  ])("%s: a located error, not the parser's internal text", (_, text) => {
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/nested (too deeply|more than 50 levels)/);
    expect(issue.message).not.toMatch(/call stack/);
    expect(issue.position?.line).toBeGreaterThanOrEqual(9);
  });

  it("top-level keys load in linear time (one error each, no quadratic duplicate check)", () => {
    const keys = (n: number): string => `${VALID}${Array.from({ length: n }, (_, i) => `k${i}: 1`).join("\n")}\n`;
    const time = (n: number): number => {
      const t0 = performance.now();
      expect(issuesOf(keys(n))).toHaveLength(n);
      return performance.now() - t0;
    };
    time(1_000); // warm up
    const small = time(4_000);
    const large = time(16_000);
    // Quadratic would be 16×; allow noise on a shared machine.
    expect(large / small).toBeLessThan(8);
  });

  it("duplicate keys are still found", () => {
    const text = `${VALID}training:\n  epochs: 1\n  epochs: 2\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('the key "epochs" appears twice in this map');
    expect(issue.position).toEqual(locate(text, "epochs", 1));
  });
});

describe("hints toward the expression language", () => {
  it("diff(u, x) → d(u, x)", () => {
    const text = withEquation("diff(u, x) = 2*x");
    const issue = onlyIssue(text);
    expect(issue.message).toBe('unknown function "diff": derivatives are written d(unknown, variable)');
    expect(issue.hint).toBe("write d(u, x), or d(u, x, 2) for a second derivative");
    expect(issue.position).toEqual(locate(text, "diff"));
  });

  it("u_y in an (x, t) domain → did you mean u_x or u_t", () => {
    const text = `name: heat\ndomain:\n  x: [0, 1]\n  t: [0, 1]\nunknowns: [u]\nequations:\n  - "u_y = u_xx"\nconditions:\n  - "u(x, 0) = 0"\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('"u_y": "y" is not a variable of the domain (x, t) (did you mean "u_x" or "u_t"?)');
    expect(issue.position).toEqual(locate(text, "u_y"));
  });
});

describe("a section's data file that cannot be read", () => {
  it("is reported at the section's key in the problem file", () => {
    const text = `${VALID}reference:\n  file: no-such-file.csv\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/^reference: .*no-such-file\.csv: cannot read the reference file \(ENOENT\)$/);
    expect(issue.position).toEqual(locate(text, "file: no-such"));
    expect(issue.hint).toMatch(/relative to the problem file/);
  });
});

describe("pinn check and pinn solve stop at a limit with exit 2, before training", () => {
  it.each([
    ["check", "d(u, x, 12)", []],
    ["solve", "d(u, x, 12)", []],
    ["solve", "2*x", ["--points", "1e308"]],
  ])("pinn %s with %s %s", async (command, rhs, flags) => {
    await withTempFolder("limits", async (folder) => {
      const file = folder.write("p.yaml", withEquation(rhs === "2*x" ? "u' = 2*x" : `${rhs} = 0`));
      const r = await pinn(command, file, ...(command === "solve" ? ["--out", folder.path("out")] : []), ...flags);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(rhs === "2*x" ? /--points 1\.00e308 is above the limit/ : new RegExp(`${file.replace(/[.]/g, "\\.")}:6:14: error: a derivative of order 12`));
      expect(r.stderr).toContain("hint: ");
      expect(readdirSync(folder.dir)).toEqual(["p.yaml"]);
    });
  });
});
