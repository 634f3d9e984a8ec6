// The module-level caches (compiled kernels, derivative memos, Faà di Bruno terms, …) are
// BoundedCaches: each holds at most `limit` entries and drops the least recently used first, so a
// long-lived process (a library user solving many problems) cannot grow without bound. Each
// registers itself by name, so cacheSizes() lists them all and clearCaches() empties them.
//
// Not here, deliberately: the symbolic interning table (expressions/symbolic.ts). Interning gives
// equal expressions the same node, and code compares nodes by identity; dropping an entry while
// its node is alive would give a second, different node for the same expression. It grows with
// the distinct expressions a process builds (for one problem, a few thousand nodes).

const registry = new Set<BoundedCache<unknown, unknown>>();

export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly name: string,
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`internal: cache ${name} limit ${limit}`);
    registry.add(this as BoundedCache<unknown, unknown>);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The entry (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as K);
  }

  clear(): void {
    this.map.clear();
  }
}

/** Entries per registered cache, by name. */
export function cacheSizes(): Record<string, number> {
  return Object.fromEntries([...registry].map((c) => [c.name, c.size]));
}

/** Empty every registered cache (values are recomputed on next use). */
export function clearCaches(): void {
  for (const c of registry) c.clear();
}
