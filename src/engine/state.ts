// Global autodiff state: whether reverse-mode graphs are recorded, and which forward-mode levels
// are live.

let gradEnabled = true;

/** True when operations on tensors that require grad record a graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording reverse-mode graphs (like `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run `fn` with graph recording on, even inside `noGrad` (like `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

// Forward mode: each jvp call opens a level; nested calls open higher levels. A tangent at level L
// may itself carry tangents only at levels below L, which keeps nested forward mode free of
// perturbation confusion.
let nextLevel = 1;
const activeLevels = new Set<number>();

export function openLevel(): number {
  const level = nextLevel++;
  activeLevels.add(level);
  return level;
}

export function closeLevel(level: number): void {
  activeLevels.delete(level);
}

export function isLevelActive(level: number): boolean {
  return activeLevels.has(level);
}

export function anyLevelActive(): boolean {
  return activeLevels.size > 0;
}
