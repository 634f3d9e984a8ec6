import { describe, expect, it } from "vitest";
import { parseCsvTable } from "../../src/problem/csv-table.js";
import { ProblemError } from "../../src/problem/errors.js";

function errorOf(text: string, options = {}): string {
  try {
    parseCsvTable(text, "m.csv", options);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("CSV tables", () => {
  it("reads columns and lines", () => {
    const t = parseCsvTable("x,t,u\n0,0,1\n\n0.5, 1e-3 ,-2\n", "m.csv", { required: ["x", "t"] });
    expect(t.columns).toEqual(["x", "t", "u"]);
    expect([...t.values[1]!]).toEqual([0, 1e-3]);
    expect([...t.values[2]!]).toEqual([1, -2]);
    expect(t.lines).toEqual([2, 4]);
  });
  it("locates a non-number by line and character column", () => {
    expect(errorOf("x,u\n0,1\n1,abc\n")).toMatch(/^m\.csv:3:3: error: column "u": "abc" is not a finite number/);
  });
  it("rejects ragged rows, missing and unknown columns, empty files", () => {
    expect(errorOf("x,u\n0,1,2\n")).toMatch(/^m\.csv:2:1: error: row has 3 values/);
    expect(errorOf("x,u\n0,1\n", { required: ["x", "t"] })).toMatch(/missing column "t" \(found: x, u\)/);
    expect(errorOf("x,u,v\n0,1,2\n", { required: ["x"], allowed: ["u"] })).toMatch(/unknown column "v"/);
    expect(errorOf("")).toMatch(/empty/);
    expect(errorOf("x,u\n")).toMatch(/no rows/);
    expect(errorOf("x,x\n1,2\n")).toMatch(/appears twice/);
    expect(errorOf("x,u\n1,nan\n")).toMatch(/not a finite number/);
    expect(errorOf("x,u\n1,1e999\n")).toMatch(/not a finite number/);
  });
});
