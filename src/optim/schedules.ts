// Learning-rate schedules as pure functions of the iteration t = 0, 1, 2, …:
//   constant      lr
//   step          lr·γ^⌊t/every⌋
//   exponential   lr·γ^t
//   cosine        min + (lr − min)·(1 + cos(π·min(t, total)/total))/2   (SGDR without restarts)

export type Schedule =
  | { type: "constant" }
  | { type: "step"; every: number; gamma: number }
  | { type: "exponential"; gamma: number }
  | { type: "cosine"; total: number; min?: number };

/** Throw a clear error if the schedule's parameters are invalid. */
export function validateSchedule(schedule: Schedule): void {
  switch (schedule.type) {
    case "constant":
      return;
    case "step":
      if (!Number.isInteger(schedule.every) || schedule.every < 1) {
        throw new Error(`step schedule: "every" must be an integer ≥ 1, got ${schedule.every}`);
      }
      checkGamma("step", schedule.gamma);
      return;
    case "exponential":
      checkGamma("exponential", schedule.gamma);
      return;
    case "cosine": {
      if (!Number.isFinite(schedule.total) || schedule.total < 1) {
        throw new Error(`cosine schedule: "total" must be ≥ 1, got ${schedule.total}`);
      }
      const min = schedule.min ?? 0;
      if (!Number.isFinite(min) || min < 0) throw new Error(`cosine schedule: "min" must be finite and ≥ 0, got ${min}`);
      return;
    }
    default:
      throw new Error(`unknown learning-rate schedule type "${String((schedule as { type: unknown }).type)}"`);
  }
}

/** The learning rate at `iteration` (0 for the first step) for a base rate `baseLr`. */
export function learningRate(schedule: Schedule, baseLr: number, iteration: number): number {
  validateSchedule(schedule);
  if (!Number.isFinite(baseLr) || baseLr <= 0) throw new Error(`learning rate must be finite and positive, got ${baseLr}`);
  if (!Number.isFinite(iteration) || iteration < 0) throw new Error(`iteration must be finite and ≥ 0, got ${iteration}`);
  switch (schedule.type) {
    case "constant":
      return baseLr;
    case "step":
      return baseLr * schedule.gamma ** Math.floor(iteration / schedule.every);
    case "exponential":
      return baseLr * schedule.gamma ** iteration;
    case "cosine": {
      const min = schedule.min ?? 0;
      const t = Math.min(iteration, schedule.total);
      return min + ((baseLr - min) * (1 + Math.cos((Math.PI * t) / schedule.total))) / 2;
    }
  }
}

function checkGamma(type: string, gamma: number): void {
  if (!Number.isFinite(gamma) || gamma <= 0) throw new Error(`${type} schedule: "gamma" must be finite and > 0, got ${gamma}`);
}
