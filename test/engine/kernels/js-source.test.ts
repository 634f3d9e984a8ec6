// Generated JavaScript: identifiers and numbers only through js-source.ts, and nothing from a
// problem file reaches generated source as code. The end-to-end check records every source passed
// to the Function constructor while a problem with unusual names, a hostile title and odd
// constants is solved for a few epochs, and looks for the problem's text in them.

import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileKernel, jsId, jsIndex, jsName, jsNumber } from "../../../src/engine/kernels/js-source.js";
import { parseProblem } from "../../../src/problem/load.js";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { solve } from "../../../src/solve.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

describe("identifiers and numbers", () => {
  it("jsName accepts plain identifiers only", () => {
    // The oracle: an ASCII identifier that strict-mode JavaScript accepts as a binding name.
    const binds = (s: string): boolean => {
      try {
        new Function(`"use strict"; let ${s} = 1;`);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("do", "in", "if", "let", "eval", "await", "new", "x1", "_a$")), (s) => {
        try {
          return jsName(s) === s && IDENTIFIER.test(s) && binds(s);
        } catch {
          return !IDENTIFIER.test(s) || !binds(s) || s === "await";
        }
      }),
    );
    for (const bad of ["a;b", "x)", "", "1a", "return", "eval", "a b", "a\nb", "π"]) expect(() => jsName(bad)).toThrow();
    expect(jsId("v", 12)).toBe("v12");
    expect(() => jsId("v", -1)).toThrow();
    expect(() => jsIndex(1.5)).toThrow();
    expect(() => jsIndex("3" as unknown as number)).toThrow();
  });

  it("jsNumber evaluates to exactly the same float64, -0 and non-finite included, and refuses non-numbers", () => {
    const back = (x: number): number => new Function(`return ${jsNumber(x)};`)() as number;
    fc.assert(fc.property(fc.double(), (x) => Object.is(back(x), x)));
    for (const x of [0, -0, 5e-324, -Number.MAX_VALUE, Infinity, -Infinity, NaN, 0.1, 1e21]) expect(Object.is(back(x), x)).toBe(true);
    // Self-delimiting: `2 - <literal>` and `-<literal>` keep their meaning for negative literals.
    expect(new Function(`return 2 - ${jsNumber(-3)};`)()).toBe(5);
    expect(new Function(`return -${jsNumber(-3)};`)()).toBe(3);
    expect(() => jsNumber("1; globalThis.pwned = 1" as unknown as number)).toThrow();
  });

  it("compileKernel names the kernel in stack traces (sourceURL) and checks its parameters", () => {
    const f = compileKernel<(x: number) => number>("test-thrower", ["x"], "if (x > 0) throw new Error('boom'); return x;");
    expect(f(-1)).toBe(-1);
    let stack = "";
    try {
      f(1);
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(stack).toMatch(/pinn-kernel-test-thrower-[0-9a-f]{8}\.js/);
    expect(stack).toMatch(/pinn_test_thrower/);
    expect(() => compileKernel("bad label!", [], "")).toThrow();
    expect(() => compileKernel("ok", ["a,b"], "")).toThrow();
    expect(() => compileKernel("ok", [], "", { "x=1": 1 })).toThrow();
  });
});

describe("one way to compile", () => {
  it("no source file but js-source.ts calls the Function constructor or eval", () => {
    const root = join(import.meta.dirname, "../../../src");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const offenders = files.filter((f) => !f.endsWith("js-source.ts") && /new Function\s*\(|[^.\w]Function\s*\(|\beval\s*\(/.test(readFileSync(join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});

describe("nothing from a problem file reaches generated source", () => {
  const original = globalThis.Function;
  afterEach(() => {
    globalThis.Function = original;
  });

  it("a short solve compiles kernels that contain no name or text of the problem", async () => {
    const sources: string[] = [];
    globalThis.Function = new Proxy(original, {
      construct(target, args: string[]) {
        sources.push(args.join("\n"));
        return Reflect.construct(target, args);
      },
      apply(target, self, args: string[]) {
        sources.push(args.join("\n"));
        return Reflect.apply(target, self, args);
      },
    });
    const yaml = `
name: hostile
title: "'); globalThis.pwned = 1; ('"
description: "\`\${globalThis.pwned = 2}\` */ globalThis.pwned = 3"
domain:
  xq: [0, 1]
  tq: [0, 0.5]
unknowns: [wobble]
constants:
  kappaq: 0.123456789
equations:
  - "d(wobble, tq) = kappaq*d(wobble, xq, 2) + 1e-3*sin(wobble)"
conditions:
  - "wobble(xq, 0) = sin(pi*xq)"
  - "wobble(0, tq) = 0"
  - "wobble(1, tq) = 0"
network:
  hidden: [6, 6]
  activation: tanh
training:
  epochs: 3
  points: 16
  boundary_points: 8
evaluate:
  points: 5
`;
    const problem = parseProblem(yaml, "hostile.yaml");
    await solve(problem, { epochs: 3, seed: 1, write: false });
    // The residual kernels and the network's jet kernels were among them.
    expect(sources.some((s) => s.includes("sourceURL=pinn-kernel-mean-square-forward-"))).toBe(true);
    expect(sources.some((s) => s.includes("sourceURL=pinn-kernel-jet-"))).toBe(true);
    expect((globalThis as Record<string, unknown>)["pwned"]).toBeUndefined();
    for (const src of sources) {
      for (const word of ["xq", "tq", "wobble", "kappaq", "pwned", "hostile"]) expect(src).not.toContain(word);
      // The constant reaches kernels only as a number (folded into literals), never as a name.
      expect(src).not.toMatch(/globalThis/);
    }
  });
});
