// The `pinn` command line, run in-process: exit codes and messages for help, bad input (problem
// files, options) and `pinn check`.

import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { pinn } from "../helpers/cli.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/problem-layer/", import.meta.url));
const fixture = (name: string): string => `${FIXTURES}${name}`;

/** A stack frame line such as "    at parseProblem (load.ts:12:3)". */
const STACK_FRAME = /^\s+at /m;

afterEach(() => {
  // main() reports through process.exitCode; do not leave a failure code behind for the runner.
  process.exitCode = undefined;
});

/** 1-based line and column of `needle` in a file. */
function positionIn(file: string, needle: string): string {
  const text = readFileSync(file, "utf8");
  const at = text.indexOf(needle);
  const before = text.slice(0, at);
  return `${before.split("\n").length}:${at - before.lastIndexOf("\n")}`;
}

function lineIn(file: string, needle: string): number {
  return Number(positionIn(file, needle).split(":")[0]);
}

describe("help and version", () => {
  it("pinn --help: exit 0, usage with the commands and examples", async () => {
    const r = await pinn("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: pinn");
    expect(r.stdout).toContain("solve");
    expect(r.stdout).toContain("check");
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toMatch(/\$ pinn solve \S+\.yaml/);
    expect(r.stdout).toContain("Exit codes");
    expect(r.stderr).toBe("");
  });

  it("pinn solve --help: the options and an example", async () => {
    const r = await pinn("solve", "--help");
    expect(r.code).toBe(0);
    for (const option of ["--epochs", "--lr", "--points", "--seed", "--out", "--no-plots", "--quiet", "--json"]) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).toContain("Example");
  });

  it("pinn help check", async () => {
    const r = await pinn("help", "check");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: pinn check");
  });

  it("pinn --version", async () => {
    const r = await pinn("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("bad input exits with 2", () => {
  it("a problem file with errors: file:line:col messages with hints, no stack trace", async () => {
    const file = fixture("ode-bad.yaml");
    const r = await pinn("solve", file, "--quiet");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${file}:${positionIn(file, "xx\"")}: error: "xx" is not defined (did you mean "x"?)`);
    expect(r.stderr).toContain(`${file}:${positionIn(file, "trainig")}: error: unknown key "trainig" in the problem file (did you mean "training"?)`);
    expect(r.stderr).toMatch(/\n {2}hint: /);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    // Sorted by line: the equation (line 7) before the key (line 10).
    expect(r.stderr.indexOf('"xx"')).toBeLessThan(r.stderr.indexOf('"trainig"'));
  });

  it("pinn check on a file with errors", async () => {
    const r = await pinn("check", fixture("ode-bad.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: "xx" is not defined');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("a missing file", async () => {
    const file = fixture("does-not-exist.yaml");
    for (const command of ["solve", "check"]) {
      const r = await pinn(command, file);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}: error: no such file`);
      expect(r.stderr).toContain("hint:");
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it("a directory instead of a file", async () => {
    const r = await pinn("solve", FIXTURES);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("directory");
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it.each([
    [["--epochs", "-3"], "--epochs"],
    [["--epochs", "2.5"], "--epochs"],
    [["--epochs", "many"], "--epochs"],
    [["--lr", "abc"], "--lr"],
    [["--lr", "0"], "--lr"],
    [["--points", "0"], "--points"],
    [["--seed", "x"], "--seed"],
  ])("a bad option value %j", async (args, option) => {
    const r = await pinn("solve", fixture("ode-tiny.yaml"), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(option);
    expect(r.stderr).toContain("is invalid");
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe("");
  });

  it("an unknown option", async () => {
    const r = await pinn("solve", fixture("ode-tiny.yaml"), "--bogus");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stderr).toContain("pinn --help");
  });

  it("a misspelt option gets a suggestion", async () => {
    const r = await pinn("solve", fixture("ode-tiny.yaml"), "--epoch", "5");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--epochs");
  });

  it("an unknown command, with a suggestion", async () => {
    const r = await pinn("solv", fixture("ode-tiny.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("solve");
  });

  it("a missing file argument", async () => {
    const r = await pinn("solve");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument");
  });

  it("no command at all", async () => {
    const r = await pinn();
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain("Usage: pinn");
  });
});

describe("pinn check", () => {
  it("a correct exact solution: exit 0", async () => {
    const file = fixture("ode-tiny.yaml");
    const r = await pinn("check", file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: valid (1 variable, 1 unknown, 1 equation, 1 condition)`);
    expect(r.stdout).toMatch(new RegExp(`\\bok +line ${lineIn(file, '"u\' = 2*x"')}: u' = 2\\*x`));
    expect(r.stdout).toMatch(new RegExp(`\\bok +line ${lineIn(file, '"u(0) = 1"')}: u\\(0\\) = 1`));
    expect(r.stdout).toContain("the exact solution satisfies every equation and condition");
    expect(r.stderr).toBe("");
  });

  it("a wrong exact solution: exit 1, FAIL on the equation's line", async () => {
    const file = fixture("ode-wrong-exact.yaml");
    const r = await pinn("check", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`FAIL +line ${lineIn(file, '"u\' = 2*x"')}: u' = 2\\*x`));
    expect(r.stdout).toMatch(new RegExp(`\\bok +line ${lineIn(file, '"u(0) = 1"')}: u\\(0\\) = 1`));
    expect(r.stdout).toContain("FAIL");
    expect(r.stdout).not.toContain("satisfies every equation");
  });

  it("reports conditions enforced by a trial form", async () => {
    const r = await pinn("check", fixture("ode-trial.yaml"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("enforced by the trial form: u(0) = u0");
  });

  it("--json: a machine-readable report", async () => {
    const ok = await pinn("check", fixture("ode-tiny.yaml"), "--json");
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; exact: { text: string; line: number; ok: boolean; max_residual: number }[] };
    expect(report.ok).toBe(true);
    expect(report.exact.map((i) => [i.text, i.line, i.ok])).toEqual([
      ["u' = 2*x", lineIn(fixture("ode-tiny.yaml"), '"u\' = 2*x"'), true],
      ["u(0) = 1", lineIn(fixture("ode-tiny.yaml"), '"u(0) = 1"'), true],
    ]);
    const bad = await pinn("check", fixture("ode-wrong-exact.yaml"), "--json");
    expect(bad.code).toBe(1);
    const badReport = JSON.parse(bad.stdout) as typeof report;
    expect(badReport.ok).toBe(false);
    // u = 1 − x² has u' = −2x: |−2x − 2x| = 4|x| ≤ 4 on [−1, 1].
    const eq = badReport.exact.find((i) => i.text === "u' = 2*x")!;
    expect(eq.ok).toBe(false);
    expect(eq.max_residual).toBeGreaterThan(2);
    expect(eq.max_residual).toBeLessThanOrEqual(4);
  });
});
