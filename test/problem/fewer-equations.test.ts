// Fewer equations than unknowns: a warning. With data it is the classic inverse problem for an unknown
// field (DeepXDE's diffusion_reaction_rate.py: l u'' - k(x) u = sin(2 pi x), k a second network output
// fixed by 100 values of u — written from the contract, k came out at 2.8e-4); the warning called it
// "probably under-determined". Which text is expected is decided by hand from the file.

import { describe, expect, it } from "vitest";
import { parse, tempFolder } from "../helpers/problems.js";
import { loadProblem } from "../../src/problem/load.js";

const FIELD = `name: rate
domain:
  x: [0, 1]
unknowns: [u, k]
equations:
  - "0.01*u'' - k*u = sin(2*pi*x)"
conditions:
  - "u(0) = 0"
  - "u(1) = 0"
`;
const counted = (w: { message: string }[]): string[] => w.filter((i) => i.message.startsWith("2 unknowns but 1 equation")).map((i) => i.message);

describe("fewer equations than unknowns", () => {
  const dir = tempFolder("fewer-equations");

  it("without data: probably under-determined", () => {
    expect(counted(parse(FIELD).warnings)).toEqual(["2 unknowns but 1 equation: the problem is probably under-determined"]);
  });

  it("with data: only the data can determine the unknowns, and the hint says to trust it only where they do", () => {
    dir.write("u.csv", "x,u\n0.5,-0.1\n");
    const p = loadProblem(dir.write("p.yaml", `${FIELD}data:\n  - file: u.csv\n`));
    expect(counted(p.warnings)).toEqual(["2 unknowns but 1 equation: the equations alone do not determine the unknowns; only the data can"]);
    expect(p.warnings.find((w) => w.message.startsWith("2 unknowns"))!.hint).toMatch(/inverse problem for an unknown field/);
  });
});
