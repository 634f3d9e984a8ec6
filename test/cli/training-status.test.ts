// Training that silently did nothing now says so and exits 1: a loss that is NaN from the first
// iteration (the network was never trained), and an L-BFGS stage whose line search fails at its
// first iteration (the stage changed nothing). The error line is printed also with --quiet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { pinn } from "../helpers/cli.js";
import { LBFGS } from "../../src/optim/lbfgs.js";

const ROOT = mkdtempSync(join(tmpdir(), "pinn-status-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

let n = 0;
function file(equation: string, training: string): string {
  const path = join(ROOT, `p${n++}.yaml`);
  writeFileSync(path, `name: s\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["${equation}"]\nconditions: ["u(0) = 0"]\nnetwork: {hidden: [6]}\ntraining: ${training}\nevaluate: {points: 11}\n`);
  return path;
}

const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

describe("a loss that is NaN from the first iteration", () => {
  it("says the network was never trained (not 'best weights (loss Infinity) were kept'), exit 1, also with --quiet", async () => {
    // sqrt(x - 2) is NaN for every x in [0, 1]: the loss is NaN at iteration 0.
    const out = join(ROOT, "nan");
    const run = await pinn("solve", file("u' = sqrt(x - 2)", "{optimizer: adam, epochs: 20, points: 16}"), "--out", out, "--quiet", "--no-plots");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pinn: the loss was NaN from the first iteration \(term "u' = sqrt\(x - 2\)"\): the network was never trained/m);
    expect(run.stderr).not.toContain("Infinity");
    expect(run.stdout).toBe("");
    const s = summaryOf(out);
    expect(s.train.status).toBe("non-finite");
    expect(s.train.epochs).toBe(0);
  });
});

describe("an L-BFGS stage whose line search fails at its first iteration", () => {
  /** The first L-BFGS step evaluates the loss once and reports a failed line search (as it does when no step lowers the loss). */
  function failFirstStep(): void {
    const real = LBFGS.prototype.step;
    let calls = 0;
    vi.spyOn(LBFGS.prototype, "step").mockImplementation(function (this: LBFGS, closure: () => number) {
      if (calls++ > 0) return real.call(this, closure);
      return { loss: closure(), evaluations: 1, converged: true, reason: "line search failed" };
    });
  }

  it("alone: 'changed nothing, so the network was never trained', status no-progress, exit 1", async () => {
    failFirstStep();
    const out = join(ROOT, "lbfgs");
    const run = await pinn("solve", file("u' = cos(x)", "{optimizer: lbfgs, epochs: 50, points: 16}"), "--out", out, "--no-plots");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/pinn: the L-BFGS stage stopped at its first iteration \(line search failed, loss \S+\): it changed nothing, so the network was never trained/);
    expect(run.stdout).toMatch(/FAILED after 1 iteration in/);
    expect(run.stdout).not.toMatch(/^trained/m);
    expect(summaryOf(out).train.status).toBe("no-progress");
  });

  it("after Adam: names the stage and says the weights are Adam's, exit 1", async () => {
    failFirstStep();
    const out = join(ROOT, "adam-lbfgs");
    const run = await pinn("solve", file("u' = cos(x)", "{optimizer: [adam, lbfgs], epochs: 10, lbfgs_iterations: 20, points: 16}"), "--out", out, "--quiet", "--no-plots");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the L-BFGS stage \(stage 2 of 2\) stopped at its first iteration .*: it changed nothing; the weights are those the stages before it reached/);
    const s = summaryOf(out);
    expect(s.train.status).toBe("no-progress");
    expect(s.train.stages.map((st: { iterations: number }) => st.iterations)).toEqual([10, 1]);
  });
});
