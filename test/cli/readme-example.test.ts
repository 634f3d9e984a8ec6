// The README's nested-transform example runs as written and gives f''' of f = sin·exp.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grad, tensor, type Tensor } from "../../src/index.js";

describe("README: function transforms nest", () => {
  it("grad of grad of grad, as the README writes it, gives 2e^z(cos z − sin z) per element", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("const f1 = (z) => grad(f)(z).sum();");
    expect(readme).toContain("grad(f2)(tensor([0.3, 1.1]));");
    const f = (z: Tensor): Tensor => z.sin().mul(z.exp()).sum();
    const f1 = (z: Tensor): Tensor => grad(f)(z).sum();
    const f2 = (z: Tensor): Tensor => grad(f1)(z).sum();
    const got = grad(f2)(tensor([0.3, 1.1]));
    // (sin·exp)''' = 2e^z(cos z − sin z), by hand: (sin e)' = e(sin + cos), '' = 2e cos, ''' = 2e(cos − sin).
    const expected = [0.3, 1.1].map((z) => 2 * Math.exp(z) * (Math.cos(z) - Math.sin(z)));
    expect(got.shape).toEqual([2]);
    [...got.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    // The numbers the README prints.
    expect(expected[0]).toBeCloseTo(1.7813, 4);
    expect(expected[1]).toBeCloseTo(-2.6293, 4);
  });
});
