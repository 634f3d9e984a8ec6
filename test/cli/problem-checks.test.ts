// Problems that are valid YAML but cannot be solved as written: exit code 2, with the line.
import { describe, expect, it } from "vitest";
import { pinn } from "../helpers/cli.js";
import { tempFolder } from "../helpers/problems.js";

const folder = tempFolder("checks");
const file = (name: string, text: string): string => folder.write(name, text);

const contradiction = file(
  "contradiction.yaml",
  `name: contradiction\ndomain: {x: [0, 1]}\nunknowns: [u]\nequations: ["u' = 1"]\nconditions:\n  - "u(0) = 1"\ntrial: {u: "x*N"}\n`,
);

describe("a trial form that contradicts a condition", () => {
  it("pinn check exits 2 and names the condition's line", async () => {
    const r = await pinn("check", contradiction);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contradiction\.yaml:6:\d+: error: the condition "u\(0\) = 1" cannot hold/);
  });

  it("pinn solve exits 2 before training", async () => {
    const r = await pinn("solve", contradiction, "--out", folder.path("out"), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot hold/);
    expect(r.stdout).toBe("");
  });
});

describe("under-determined systems", () => {
  it("warns when there are fewer equations than unknowns", async () => {
    const f = file("under.yaml", `name: under\ndomain: {x: [0, 1]}\nunknowns: [u, v]\nequations: ["u' = v"]\nconditions: ["u(0) = 0"]\n`);
    const r = await pinn("check", f);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/under\.yaml:3:\d+: warning: 2 unknowns but 1 equation/);
  });
});
