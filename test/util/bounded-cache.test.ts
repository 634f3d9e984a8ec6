// BoundedCache: at most `limit` entries, the least recently used dropped first; every cache is
// listed by cacheSizes and emptied by clearCaches. (Expected contents worked out by hand.)

import { describe, expect, it } from "vitest";
import { BoundedCache, cacheSizes, clearCaches } from "../../src/util/bounded-cache.js";

describe("BoundedCache", () => {
  it("drops the least recently used entry beyond its limit", () => {
    const c = new BoundedCache<string, number>("test cache", 2);
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("c", 3); // drops b
    expect(c.has("b")).toBe(false);
    expect(c.get("a")).toBe(1);
    expect(c.get("c")).toBe(3);
    expect(c.size).toBe(2);
  });

  it("keeps null values and is registered", () => {
    const c = new BoundedCache<string, null>("test nulls", 4);
    c.set("x", null);
    expect(c.has("x")).toBe(true);
    expect(c.get("x")).toBeNull();
    expect(cacheSizes()["test nulls"]).toBe(1);
    clearCaches();
    expect(c.size).toBe(0);
    expect(() => new BoundedCache("bad", 0)).toThrow();
  });
});
