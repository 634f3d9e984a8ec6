// Which kernel ran: a count per "op:kernel" (e.g. "tanh:wasm-simd", "tanh:js", "matmul:wasm-simd"),
// so that a fast path is observable and a fallback never goes unnoticed (tests and the bench read
// it through kernelUsage()).

const counts = new Map<string, number>();

export function countKernel(key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Calls per "op:kernel" since the last reset. */
export function kernelUsage(): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function resetKernelUsage(): void {
  counts.clear();
}
