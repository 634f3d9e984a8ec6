import { describe, expect, it } from "vitest";
import { formatLinearTick, formatLogTick, logAxisRange, logTickValues } from "../../src/reports/ticks.js";

describe("formatLogTick", () => {
  it("writes powers of ten as 1eN and plain 1 for 10^0", () => {
    expect(formatLogTick(1e-4)).toBe("1e-4");
    expect(formatLogTick(1e-5)).toBe("1e-5"); // log10(1e-5) is not exactly -5 in float64
    expect(formatLogTick(1)).toBe("1");
    expect(formatLogTick(100)).toBe("1e2");
    expect(formatLogTick(1e-300)).toBe("1e-300");
  });
  it("keeps the mantissa of 1-2-5 ticks", () => {
    expect(formatLogTick(2e-3)).toBe("2e-3");
    expect(formatLogTick(5)).toBe("5");
    expect(formatLogTick(0.3)).toBe("3e-1");
  });
});

describe("logTickValues", () => {
  it("puts ticks at every power of ten inside the range", () => {
    expect(logTickValues(1e-8, 10)).toEqual([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
  });
  it("thins decades to at most about maxTicks, keeping exponents that are multiples of the stride", () => {
    // 1e-20 .. 1e0 is 21 decades; a stride of 3 keeps exponents -18, -15, ..., 0.
    expect(logTickValues(1e-20, 1, 10)).toEqual([1e-18, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1]);
  });
  it("uses 1-2-5 ticks when fewer than two powers of ten are in range", () => {
    expect(logTickValues(1.5e-3, 6e-2)).toEqual([2e-3, 5e-3, 1e-2, 2e-2, 5e-2]);
  });
  it("uses 1..9 multiples for a narrow range", () => {
    expect(logTickValues(2.5e-3, 6.2e-3)).toEqual([3e-3, 4e-3, 5e-3, 6e-3]);
  });
  it("returns nothing for an invalid range", () => {
    expect(logTickValues(0, 1)).toEqual([]);
    expect(logTickValues(2, 1)).toEqual([]);
  });
});

describe("logAxisRange", () => {
  it("rounds out to whole decades when the data span two or more", () => {
    expect(logAxisRange(3.2e-5, 0.8)).toEqual({ min: 1e-5, max: 1 });
  });
  it("pads a narrow range by 20% in ratio", () => {
    const r = logAxisRange(2, 3);
    expect(r.min).toBeCloseTo(2 / 1.2, 12);
    expect(r.max).toBeCloseTo(3.6, 12);
  });
  it("falls back to [0.1, 10] without positive data", () => {
    expect(logAxisRange(NaN, NaN)).toEqual({ min: 0.1, max: 10 });
  });
});

describe("formatLinearTick", () => {
  it("uses as many decimals as the step needs", () => {
    expect(formatLinearTick(0.25, 0.25, 1)).toBe("0.25");
    expect(formatLinearTick(1, 0.25, 1)).toBe("1.00");
    expect(formatLinearTick(0.30000000000000004, 0.1, 1)).toBe("0.3");
    expect(formatLinearTick(4000, 2000, 14000)).toBe("4000");
  });
  it("prints zero without a sign", () => {
    expect(formatLinearTick(-1e-17, 0.1, 1)).toBe("0");
    expect(formatLinearTick(-0, 0.5, 1)).toBe("0");
  });
  it("switches to mantissa-exponent form for tiny or huge axes", () => {
    expect(formatLinearTick(2.5e-4, 5e-5, 3e-4)).toBe("2.5e-4");
    expect(formatLinearTick(5e-5, 5e-5, 3e-4)).toBe("5.0e-5");
    expect(formatLinearTick(2e6, 1e6, 4e6)).toBe("2e6");
  });
});
