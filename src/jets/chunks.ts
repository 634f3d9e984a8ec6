// Chunking of the fused Taylor pass: the layers run chunk by chunk of points, so that a chunk's jets
// (a few buffers of S·chunk·width float64s) stay in cache between the matrix product and the
// activation step; the backward pass accumulates the weight gradients over the chunks.

/** Float64s per S·chunk·width buffer that a chunk aims at. */
let chunkTarget = 128 * 1024;

/** For tests and tuning: set the chunk size target (float64s per S·chunk·width buffer). */
export function setChunkTarget(elements: number): void {
  chunkTarget = elements;
}

/** Points per chunk for n points, S streams and the widest hidden layer `width`. */
export function chunkSize(n: number, streams: number, width: number): number {
  const c = Math.max(64, Math.floor(chunkTarget / (streams * width)));
  if (c >= n) return n;
  // Equal chunks, a multiple of 4 points each where possible.
  const parts = Math.ceil(n / c);
  return Math.min(n, (Math.ceil(n / parts) + 3) & ~3);
}
