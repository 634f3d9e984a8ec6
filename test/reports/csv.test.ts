import { describe, expect, it } from "vitest";
import { formatCsvNumber, toCsv } from "../../src/reports/csv.js";

describe("toCsv", () => {
  it("writes a header and one row per index", () => {
    const text = toCsv([
      { name: "x", values: [0, 0.5, 1] },
      { name: "u", values: new Float64Array([1, -2.25, 3e-7]) },
    ]);
    expect(text).toBe("x,u\n0,1\n0.5,-2.25\n1,3e-7\n");
  });

  it("writes non-finite values as nan, inf and -inf", () => {
    expect(toCsv([{ name: "v", values: [NaN, Infinity, -Infinity] }])).toBe("v\nnan\ninf\n-inf\n");
  });

  it("uses the shortest form that parses back to the same float64", () => {
    // 0.1 + 0.2 is the double 0.30000000000000004, which needs 17 significant digits.
    const values = [0.1, 0.1 + 0.2, 1 / 3, 2 ** -40, 1e21, 123456789.125, -0];
    const cells = formatCsvNumber(values[1]!);
    expect(cells).toBe("0.30000000000000004");
    expect(formatCsvNumber(0.1)).toBe("0.1");
    expect(formatCsvNumber(1e21)).toBe("1e+21");
    const rows = toCsv([{ name: "v", values }]).trimEnd().split("\n").slice(1);
    rows.forEach((cell, i) => expect(Number(cell)).toBe(values[i] === 0 ? 0 : values[i]));
  });

  it("writes only a header for empty columns", () => {
    expect(toCsv([{ name: "a", values: [] }, { name: "b", values: [] }])).toBe("a,b\n");
  });

  it("quotes header names holding commas or quotes", () => {
    expect(toCsv([{ name: 'u(x, t)', values: [1] }, { name: 'say "hi"', values: [2] }])).toBe(
      '"u(x, t)","say ""hi"""\n1,2\n',
    );
  });

  it("throws when columns differ in length or there are none", () => {
    expect(() => toCsv([{ name: "a", values: [1, 2] }, { name: "b", values: [1] }])).toThrow(/"b" has 1 values/);
    expect(() => toCsv([])).toThrow(/no columns/);
  });
});
