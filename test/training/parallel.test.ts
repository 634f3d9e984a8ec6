// Data-parallel training (src/training/parallel.ts) at tiny sizes: the loss, its terms and its
// gradient split over 3 threads equal the one-thread values (computed by the ordinary serial
// path, model.losses + backward) to rounding, and a short training run on 2 threads follows the
// one-thread path. No timing is asserted.

import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadProblem, parseProblem } from "../../src/problem/load.js";
import { buildModel } from "../../src/solve.js";
import { weightedLoss } from "../../src/loss/loss.js";
import { ParallelLoss, chunkRows } from "../../src/training/parallel.js";
import { train } from "../../src/training/trainer.js";
import type { Problem } from "../../src/problem/types.js";

const root = join(import.meta.dirname, "..", "..");

/** heat1d (four term groups: equation, initial and two boundary conditions) at tiny sizes. */
function tinyHeat(): Problem {
  const p = loadProblem(join(root, "problems", "heat1d.yaml"));
  p.network = { ...p.network, hidden: [8, 8] };
  p.training = { ...p.training, points: 37, boundaryPoints: 11 };
  return p;
}

function serialLossAndGrad(problem: Problem, weights: number[]) {
  const model = buildModel(problem);
  const params = model.network.parameters();
  const batch = model.draw();
  const loss = weightedLoss(model.losses(batch), weights);
  loss.total.backward();
  return { model, params, batch, value: loss.total.item(), terms: loss.terms, grads: params.map((p) => Float64Array.from(p.grad!.data)) };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

describe("parallel loss", () => {
  it("splits n rows into K contiguous chunks covering each row once", () => {
    for (const [n, K] of [[37, 2], [37, 3], [11, 3], [5, 5]] as const) {
      const rows = Array.from({ length: K }, (_, j) => chunkRows(n, j, K));
      expect(rows[0]![0]).toBe(0);
      expect(rows[K - 1]![1]).toBe(n);
      for (let j = 1; j < K; j++) expect(rows[j]![0]).toBe(rows[j - 1]![1]);
    }
  });

  it("gives the serial loss, terms and gradient with 3 threads", () => {
    const weights = [1, 2, 0.5, 1];
    const ref = serialLossAndGrad(tinyHeat(), weights);
    for (const threads of [3]) {
      const { model, params, batch } = serialLossAndGrad(tinyHeat(), weights);
      params.forEach((p) => (p.grad = null));
      const parallel = ParallelLoss.create(model, params, threads)!;
      try {
        const loss = parallel.evaluate(batch, weights);
        // The same batch and weights as the reference (same seed): only the summation order differs.
        expect(Math.abs(loss.total.item() - ref.value) / ref.value).toBeLessThan(1e-12);
        expect(relDiff(loss.terms, ref.terms)).toBeLessThan(1e-12);
        loss.total.backward();
        params.forEach((p, i) => expect(relDiff(p.grad!.data, ref.grads[i]!)).toBeLessThan(1e-11));
      } finally {
        parallel.close();
      }
    }
  }, 60_000);

  it("trains Adam then L-BFGS along the same path with 1 and 2 threads", async () => {
    const runs = [];
    for (const threads of [1, 2]) {
      const problem = tinyHeat();
      const model = buildModel(problem);
      runs.push(await train(model, [{ optimizer: "adam", epochs: 15, learningRate: 5e-3, schedule: { type: "constant" } }, { optimizer: "lbfgs", iterations: 5, learningRate: 1, historySize: 10 }], { threads, causal: false }));
    }
    const [one, two] = runs;
    expect(one!.history.total.length).toBe(20);
    // Rounding-level differences per evaluation; over 20 iterations they stay far below 1e-8.
    expect(relDiff(two!.history.total, one!.history.total)).toBeLessThan(1e-8);
    expect(one!.history.total.at(-1)!).toBeLessThan(one!.history.total[0]!);
  }, 120_000);
});

describe("parallel loss with a changed problem file", () => {
  it("notices that the workers' model differs, warns, and gives the one-thread numbers", async () => {
    // The workers rebuild the model from the file; here the file on disk says k = 0.5 where the
    // loaded problem has k = 0.1 (same network and terms, different equation).
    const dir = mkdtempSync(join(tmpdir(), "pinn-parallel-"));
    const changed = join(dir, "heat1d.yaml");
    writeFileSync(changed, readFileSync(join(root, "problems", "heat1d.yaml"), "utf8").replace("k: 0.1", "k: 0.5"));
    const weights = [1, 1, 1, 1];
    const ref = serialLossAndGrad(tinyHeat(), weights);
    const problem = tinyHeat();
    problem.file = changed;
    const model = buildModel(problem);
    const params = model.network.parameters();
    const batch = model.draw();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    const parallel = ParallelLoss.create(model, params, 2)!;
    try {
      const loss = parallel.evaluate(batch, weights);
      expect(Math.abs(loss.total.item() - ref.value) / ref.value).toBeLessThan(1e-12);
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings.join("\n")).toMatch(/differs/);
    } finally {
      parallel.close();
      process.off("warning", onWarning);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("training.threads", () => {
  const base = 'name: ode\ndomain:\n  x: [0, 1]\nunknowns: [u]\nequations:\n  - "u\' = 2*x"\ntraining:\n';
  it("reads a positive thread count, and the command line's wins", () => {
    expect(parseProblem(`${base}  threads: 2\n`, "case.yaml").training.threads).toBe(2);
    expect(parseProblem(`${base}  threads: 2\n`, "case.yaml", { overrides: { threads: 1 } }).training.threads).toBe(1);
    expect(parseProblem(`${base}  epochs: 10\n`, "case.yaml").training.threads).toBeUndefined();
  });
  it("rejects zero with an error naming the setting and its line", () => {
    expect(() => parseProblem(`${base}  threads: 0\n`, "case.yaml")).toThrow(/case\.yaml:8.*training\.threads/s);
  });
});
