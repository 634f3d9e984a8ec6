// The settings a solve actually used (after defaults), in the problem file's own spelling.

import type { Problem } from "../problem/types.js";

export function settingsSummary(problem: Problem): Record<string, unknown> {
  const t = problem.training;
  return {
    constraints: problem.constraints,
    network: { hidden: problem.network.hidden, activation: problem.network.activation, init: problem.network.init },
    training: {
      optimizer: t.stages.map((s) =>
        s.optimizer === "adam"
          ? { name: "adam", epochs: s.epochs, learning_rate: s.learningRate, schedule: s.schedule }
          : s.optimizer === "lbfgs"
            ? { name: "lbfgs", iterations: s.iterations, learning_rate: s.learningRate, history: s.historySize }
            : { name: "bfgs", iterations: s.iterations, learning_rate: s.learningRate, update: s.update },
      ),
      points: t.points,
      boundary_points: t.boundaryPoints,
      // Boundary parts whose count the steady 2-D region rule raised (training/region-defaults.ts).
      ...(t.regionDefaults !== undefined && t.regionDefaults.parts.length > 0
        ? { boundary_points_by_part: Object.fromEntries(t.regionDefaults.parts.map((p) => [p.part, p.points])) }
        : {}),
      sampling: t.sampling,
      resample: t.resample,
      seed: t.seed,
      loss_weighting: t.lossWeighting,
      derivatives: t.derivatives,
      causal: t.causal ?? "auto",
      scaling: t.scaling,
      ...(t.budget ? { refinement_budget: t.budget } : {}),
    },
    evaluate: { points: Object.fromEntries(problem.variables.map((v, i) => [v, problem.evaluate.points[i]])) },
  };
}
