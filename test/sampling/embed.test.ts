import { describe, expect, test } from "vitest";
import { embedPoints } from "../../src/sampling/embed.js";

describe("embedPoints", () => {
  test("u(x, 0) in (x, t): free x in column 0, t fixed to 0", () => {
    const out = embedPoints(Float64Array.of(0.1, 0.2, 0.3), [0], [{ dim: 1, value: 0 }], 2);
    expect(Array.from(out)).toEqual([0.1, 0, 0.2, 0, 0.3, 0]);
  });

  test("free columns go to their named dimensions in the given order", () => {
    // Two points over free dims [2, 0]: column 0 → dimension 2, column 1 → dimension 0; dimension 1 = -5.
    const free = Float64Array.of(1, 2, 3, 4);
    const out = embedPoints(free, [2, 0], [{ dim: 1, value: -5 }], 3);
    expect(Array.from(out)).toEqual([2, -5, 1, 4, -5, 3]);
  });

  test("several fixed dimensions", () => {
    const out = embedPoints(Float64Array.of(7, 8), [1], [{ dim: 2, value: 1 }, { dim: 0, value: 0.5 }], 3);
    expect(Array.from(out)).toEqual([0.5, 7, 1, 0.5, 8, 1]);
  });

  test("no free dimensions: one point made of the fixed coordinates", () => {
    const out = embedPoints(new Float64Array(0), [], [{ dim: 0, value: 2 }], 1);
    expect(Array.from(out)).toEqual([2]);
    const corner = embedPoints(new Float64Array(0), [], [{ dim: 1, value: 3 }, { dim: 0, value: -1 }], 2);
    expect(Array.from(corner)).toEqual([-1, 3]);
  });

  test("all dimensions free copies the points", () => {
    const free = Float64Array.of(1, 2, 3, 4);
    const out = embedPoints(free, [0, 1], [], 2);
    expect(out).toEqual(free);
    expect(out).not.toBe(free);
  });

  test("rejects inconsistent layouts", () => {
    const f = Float64Array.of(1, 2, 3);
    expect(() => embedPoints(f, [0], [{ dim: 0, value: 1 }], 2)).toThrow(/dimension 0 is given twice/);
    expect(() => embedPoints(f, [0], [], 2)).toThrow(/dimension 1 is neither free nor fixed/);
    expect(() => embedPoints(f, [0], [{ dim: 2, value: 0 }], 2)).toThrow(/fixed dimension 2 is out of range 0..1/);
    expect(() => embedPoints(f, [0, 1], [], 2)).toThrow(/3 free coordinates are not a whole number of 2-dimensional points/);
    expect(() => embedPoints(f, [], [{ dim: 0, value: 0 }], 1)).toThrow(/no free dimensions, but 3 free coordinates/);
    expect(() => embedPoints(f, [0], [{ dim: 1, value: Number.NaN }], 2)).toThrow(/finite number, got NaN/);
    expect(() => embedPoints(f, [0], [], 0)).toThrow(/totalDim must be a positive integer, got 0/);
  });
});
