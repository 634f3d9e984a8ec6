// Errors in problem files: each is reported with the file, the line and column of the offending
// text (computed here by searching the YAML text itself) and a hint saying what to write instead.
// Several problems in one file are reported together, sorted by position.

import { describe, expect, it } from "vitest";
import { loadProblem, parseProblem } from "../../src/problem/load.js";
import { ProblemError } from "../../src/problem/errors.js";
import { CASE_FILE as FILE, ODE_PROBLEM, issuesOf, locate, onlyIssue, replaceOnce, tempFolder } from "../helpers/problems.js";

/** A valid one-variable problem; tests replace parts of it. */
const VALID = ODE_PROBLEM;

const VALID_2D = `name: heat
domain:
  x: [0, 1]
  t: [0, 2]
unknowns: [u]
equations:
  - "u_t = u_xx"
conditions:
  - "u(x, 0) = sin(pi*x)"
  - "u(0, t) = 0"
`;


describe("the valid base files load", () => {
  it("one and two variables", () => {
    expect(parseProblem(VALID, FILE).name).toBe("ode");
    expect(parseProblem(VALID_2D, FILE).variables).toEqual(["x", "t"]);
  });
});

describe("unknown keys", () => {
  it("at the top level, with did-you-mean and the allowed keys", () => {
    const text = `${VALID}tranining:\n  epochs: 10\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('unknown key "tranining" in the problem file (did you mean "training"?)');
    expect(issue.position).toEqual(locate(text, "tranining"));
    expect(issue.hint).toContain("allowed keys in the problem file:");
    expect(issue.hint).toContain("training");
  });

  it("inside training, network and evaluate", () => {
    const text = `${VALID}network:\n  hiden: [8]\ntraining:\n  learning_rat: 0.1\nevaluate:\n  point: 11\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual([
      'unknown key "hiden" in network (did you mean "hidden"?)',
      'unknown key "learning_rat" in training (did you mean "learning_rate"?)',
      'unknown key "point" in evaluate (did you mean "points"?)',
    ]);
    expect(issues.map((i) => i.position)).toEqual([locate(text, "hiden"), locate(text, "learning_rat"), locate(text, "point:")]);
    expect(issues[1]!.hint).toContain("learning_rate");
  });

  it("inside an equation item and an optimizer stage", () => {
    const text = replaceOnce(VALID, `  - "u' = 2*x"`, `  - {equation: "u' = 2*x", wieght: 2}`) + "training:\n  optimizer:\n    - adam: {epochs: 10, learning_rate: 0.1, epoch: 3}\n";
    const issues = issuesOf(text);
    expect(issues[0]!.message).toMatch(/^unknown key "wieght" in an? equation \(did you mean "weight"\?\)$/);
    expect(issues[0]!.hint).toContain("equation, weight");
    expect(issues[1]!.message).toBe('unknown key "epoch" in the adam stage (did you mean "epochs"?)');
    expect(issues.map((i) => i.position)).toEqual([locate(text, "wieght"), locate(text, "epoch:")]);
  });

  // The article agrees with the noun ("an equation", "a condition").
  it('an equation item is called "an equation"', () => {
    const text = replaceOnce(VALID, `  - "u' = 2*x"`, `  - {equation: "u' = 2*x", wieght: 2}`);
    expect(onlyIssue(text).message).toBe('unknown key "wieght" in an equation (did you mean "weight"?)');
  });
});

describe("names in expressions", () => {
  it("an undefined name: its line and column, did-you-mean and the names available", () => {
    const text = replaceOnce(VALID, "2*x", "2*xx");
    const issue = onlyIssue(text);
    expect(issue.message).toBe('"xx" is not defined (did you mean "x"?)');
    expect(issue.position).toEqual(locate(text, "xx"));
    expect(issue.hint).toContain("domain variables: x");
    expect(issue.hint).toContain("unknowns: u");
  });

  it("an undefined name in an exact solution, a trial form and a condition", () => {
    const text = `${VALID}trial:\n  u: "1 + x*NN"\nexact:\n  u: "x^2 + c"\n`.replace("u(0) = 1", "u(0) = one");
    const issues = issuesOf(text);
    expect(issues.map((i) => i.position)).toEqual([locate(text, "one"), locate(text, "NN"), locate(text, "c\"")]);
    expect(issues[1]!.message).toContain('did you mean "N"?');
  });

  it("a derivative with respect to a variable not in domain (d spelling)", () => {
    const text = replaceOnce(VALID_2D, "u_t = u_xx", "d(u, s) = u_xx");
    const issue = onlyIssue(text);
    expect(issue.message).toContain('derivative with respect to "s", which is not a variable of the domain (x, t)');
    expect(issue.position).toEqual(locate(text, "s)"));
    expect(issue.hint).toContain("domain:");
  });

  it("a derivative with respect to a variable not in domain (subscript spelling)", () => {
    const text = replaceOnce(VALID, "u' = 2*x", "u_t = 2*x");
    const issue = onlyIssue(text);
    expect(issue.message).toContain('"t" is not a variable of the domain (x)');
    expect(issue.position).toEqual(locate(text, "u_t"));
    expect(issue.hint).toBeTruthy();
  });

  it("primes in a two-variable domain", () => {
    const text = replaceOnce(VALID_2D, "u_t = u_xx", "u_t = u''");
    const issue = onlyIssue(text);
    expect(issue.message).toContain("primes are for one-variable domains");
    expect(issue.position).toEqual(locate(text, "u''"));
    expect(issue.hint).toContain("d(u, x");
  });

  it("an unknown function", () => {
    const text = replaceOnce(VALID, "2*x", "2*sinn(x)");
    const issue = onlyIssue(text);
    expect(issue.message).toBe('unknown function "sinn" (did you mean "sin"?)');
    expect(issue.position).toEqual(locate(text, "sinn"));
    expect(issue.hint).toContain("functions:");
  });

  it("a syntax error inside an equation is placed at its column", () => {
    const text = replaceOnce(VALID, "2*x", "2x");
    const issue = onlyIssue(text);
    expect(issue.message).toContain('"2x"');
    expect(issue.position).toEqual(locate(text, "2x"));
    expect(issue.hint).toContain("2*x");
  });

  it("an equation without any unknown", () => {
    const text = replaceOnce(VALID, "u' = 2*x", "x = 2*x");
    const issue = onlyIssue(text);
    expect(issue.message).toContain("does not involve any unknown");
    expect(issue.position).toEqual(locate(text, '"x = 2*x"'));
  });
});

describe("conditions", () => {
  it("no fixed argument", () => {
    const text = replaceOnce(VALID, "u(0) = 1", "u(x) = 1");
    const issue = onlyIssue(text);
    expect(issue.message).toContain("no fixed argument");
    expect(issue.position).toEqual(locate(text, "u(x)"));
    expect(issue.hint).toContain("u(0)");
    expect(issue.hint).toContain("equations");
  });

  it("no fixed argument in two variables", () => {
    const text = replaceOnce(VALID_2D, "u(0, t) = 0", "u(x, t) = 0");
    const issue = onlyIssue(text);
    expect(issue.message).toContain("no fixed argument");
    expect(issue.position).toEqual(locate(text, "u(x, t)"));
    expect(issue.hint).toContain("u(0, t)");
  });

  it("a fixed value outside the domain", () => {
    const text = replaceOnce(VALID_2D, "u(0, t) = 0", "u(0, 3) = 0");
    const issue = onlyIssue(text);
    expect(issue.message).toBe("t = 3 is outside the domain t ∈ [0, 2]");
    expect(issue.position).toEqual(locate(text, "3)"));
    expect(issue.hint).toContain("domain");
  });

  it("a wrong number of arguments", () => {
    const text = replaceOnce(VALID_2D, "u(0, t) = 0", "u(0) = 0");
    const issue = onlyIssue(text);
    expect(issue.message).toBe("u(...) has 1 argument, but the domain has 2 variables (x, t)");
    expect(issue.position).toEqual(locate(text, "u(0) = 0"));
    expect(issue.hint).toContain("u(x, 0)");
  });

  it("arguments in the wrong order", () => {
    const text = replaceOnce(VALID_2D, "u(x, 0) = sin(pi*x)", "u(t, 0) = sin(pi*x)");
    const issue = onlyIssue(text);
    expect(issue.message).toContain('argument 1 of u(...) is "t"');
    expect(issue.position).toEqual(locate(text, "t, 0)"));
  });

  it("different locations in one condition", () => {
    const text = replaceOnce(VALID, "u(0) = 1", "u(0) - u(1) = 0");
    const issue = onlyIssue(text);
    expect(issue.message).toContain("same location");
    expect(issue.position).toEqual(locate(text, "u(1)"));
    expect(issue.hint).toContain("periodic");
  });

  it("a bare unknown", () => {
    const text = replaceOnce(VALID, "u(0) = 1", "u = 1");
    const issue = onlyIssue(text);
    expect(issue.message).toBe('in a condition, say where "u" is evaluated');
    expect(issue.position).toEqual(locate(text, 'u = 1'));
    expect(issue.hint).toContain("u(0)");
  });

  it("a periodic condition on a variable not in domain", () => {
    const text = `${VALID}  - periodic: y\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toContain('periodic: "y" is not a domain variable');
    expect(issue.position).toEqual(locate(text, "y\n"));
    expect(issue.hint).toContain("domain variables: x");
  });
});

describe("the domain", () => {
  it("no variables", () => {
    const text = replaceOnce(VALID, "domain:\n  x: [0, 1]", "domain: {}");
    const issues = issuesOf(text);
    expect(issues[0]!.message).toContain("the domain is empty");
    expect(issues[0]!.position).toEqual(locate(text, "{}"));
    expect(issues[0]!.hint).toContain("x: [0, 1]");
  });

  it("an empty value", () => {
    const text = replaceOnce(VALID, "domain:\n  x: [0, 1]", "domain:");
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toBe('"domain" is empty');
    expect(issue.position).toEqual(locate(text, "domain"));
    expect(issue.hint).toContain("x: [0, 1]");
  });

  it("min = max", () => {
    const text = replaceOnce(VALID, "x: [0, 1]", "x: [1, 1]");
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toBe("the interval of x is empty (1 = 1)");
    expect(issue.position).toEqual(locate(text, "[1, 1]"));
    expect(issue.hint).toContain("min < max");
  });

  it("reversed", () => {
    const text = replaceOnce(VALID, "x: [0, 1]", "x: [1, -1]");
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toBe("the interval of x is reversed (1 > -1)");
    expect(issue.position).toEqual(locate(text, "[1, -1]"));
    expect(issue.hint).toContain("x: [0, 1]");
  });

  it("an interval with one number, or none", () => {
    expect(issuesOf(replaceOnce(VALID, "x: [0, 1]", "x: [0]"))[0]!.message).toContain("must have two numbers [min, max], it has 1");
    const text = replaceOnce(VALID, "x: [0, 1]", "x:");
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toBe("variable x needs an interval [min, max]");
    expect(issue.hint).toContain("x: [0, 1]");
  });

  it("more than three variables", () => {
    const text = replaceOnce(VALID, "x: [0, 1]", "x: [0, 1]\n  y: [0, 1]\n  z: [0, 1]\n  t: [0, 1]");
    expect(issuesOf(text)[0]!.message).toContain("pinn supports 1 to 3");
  });

  it("a built-in name as a variable", () => {
    const text = replaceOnce(VALID, "x: [0, 1]", "pi: [0, 1]");
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toContain('"pi" cannot be a variable name (it is a built-in name)');
    expect(issue.position).toEqual(locate(text, "pi:"));
  });

  it("bounds may be constant expressions", () => {
    const p = parseProblem(replaceOnce(VALID, "x: [0, 1]", 'x: [0, "2*pi"]'), FILE);
    expect(p.bounds).toEqual([[0, 2 * Math.PI]]);
  });
});

describe("YAML syntax", () => {
  it("a syntax error names the line", () => {
    const text = replaceOnce(VALID, "x: [0, 1]", "x: [0, 1");
    const issues = issuesOf(text);
    expect(issues[0]!.message).toMatch(/^YAML syntax: /);
    expect(issues[0]!.position!.line).toBeGreaterThanOrEqual(3);
    expect(issues[0]!.hint).toContain("indentation");
  });

  it("bad indentation", () => {
    const text = "name: ode\ndomain:\n  x: [0, 1]\n   y: [0, 1]\nunknowns: [u]\n";
    const issue = issuesOf(text)[0]!;
    expect(issue.message).toMatch(/^YAML syntax: /);
    expect(issue.position!.line).toBe(4);
  });

  it("a duplicate key points at the repeated key", () => {
    const text = `${VALID}name: again\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('the key "name" appears twice in this map');
    expect(issue.position).toEqual(locate(text, "name", { occurrence: 1 }));
    expect(issue.hint).toContain("each key may appear once");
  });

  it("a document that is not a map", () => {
    for (const text of ["", "- a\n- b\n", "just text\n"]) {
      const issue = onlyIssue(text);
      expect(issue.message).toContain("a YAML map of keys");
      expect(issue.position).toEqual({ line: 1, column: 1 });
    }
  });
});

describe("wrong types and values", () => {
  it("epochs: many", () => {
    const text = `${VALID}training:\n  epochs: many\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe("training.epochs must be a number");
    expect(issue.position).toEqual(locate(text, "many"));
    expect(issue.hint).toContain("whole number");
  });

  it("epochs: 0 and epochs: 2.5", () => {
    expect(onlyIssue(`${VALID}training:\n  epochs: 0\n`).message).toBe("training.epochs must be a whole number ≥ 1, not 0");
    expect(onlyIssue(`${VALID}training:\n  epochs: 2.5\n`).message).toBe("training.epochs must be a whole number ≥ 1, not 2.5");
  });

  it("a negative learning rate, a non-boolean resample, a fractional seed", () => {
    const text = `${VALID}training:\n  learning_rate: -0.1\n  resample: maybe\n  seed: 1.5\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message)).toEqual([
      "training.learning_rate must be positive, not -0.1",
      "training.resample must be true or false",
      "training.seed must be a whole number from 0 to 4294967295 (2^32 − 1), not 1.5",
    ]);
    expect(issues.map((i) => i.position)).toEqual([locate(text, "-0.1"), locate(text, "maybe"), locate(text, "1.5")]);
  });

  it("lists and maps where the other is expected", () => {
    const text = replaceOnce(VALID, `equations:\n  - "u' = 2*x"`, `equations: "u' = 2*x"`);
    const issue = onlyIssue(text);
    expect(issue.message).toBe("equations must be a list");
    expect(issue.hint).toContain("equations:");
    expect(onlyIssue(`${VALID}network: [8, 8]\n`).message).toBe("network must be a map of keys to values");
  });

  it("a hidden width of zero", () => {
    const text = `${VALID}network:\n  hidden: [8, 0]\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toContain("whole number ≥ 1, not 0");
    expect(issue.position).toEqual(locate(text, "0]"));
  });

  it("a missing required key", () => {
    const issue = onlyIssue(replaceOnce(VALID, "name: ode\n", ""));
    expect(issue.message).toBe('the required key "name" is missing');
    expect(issue.hint).toContain("name: my-problem");
    const noEquations = onlyIssue(replaceOnce(VALID, `equations:\n  - "u' = 2*x"\n`, ""));
    expect(noEquations.message).toBe('the required key "equations" is missing');
  });

  it("a constant that is not finite or not a number", () => {
    const text = `${VALID}constants:\n  a: "1/0"\n  b: [1]\n`;
    const issues = issuesOf(text);
    expect(issues[0]!.message).toContain("evaluates to Infinity");
    expect(issues[1]!.message).toContain("constant b must be a number");
    expect(issues[1]!.hint).toContain('"2*pi"');
  });

  // A constant sub-expression that folds to a non-finite number (1/0, log(0)) is an error at its
  // column, in every kind of expression (otherwise training would start with an infinite loss).
  it("an expression that folds to a non-finite number", () => {
    const text = replaceOnce(VALID, "2*x", "2*x + 1/0");
    const issue = onlyIssue(text);
    expect(issue.message).toMatch(/finite|infinite|Infinity/i);
    expect(issue.position).toEqual(locate(text, "1/0"));
  });

  it("an unknown that clashes with a variable or a built-in name", () => {
    expect(onlyIssue(replaceOnce(VALID, "unknowns: [u]", "unknowns: [x]")).message).toContain('"x" is already a domain variable');
    expect(onlyIssue(replaceOnce(VALID, "unknowns: [u]", "unknowns: [N]")).message).toContain("built-in name");
  });
});

describe("names and choices", () => {
  it("a bad problem name, with a corrected suggestion", () => {
    const text = replaceOnce(VALID, "name: ode", 'name: "My Problem!"');
    const issue = onlyIssue(text);
    expect(issue.message).toContain('name "My Problem!" may only contain lower-case letters, digits, "_" and "-"');
    expect(issue.position).toEqual(locate(text, '"My'));
    expect(issue.hint).toBe("e.g. name: my-problem");
  });

  it.each([
    ["training:\n  optimizer: adma\n", "adma", 'training.optimizer: "adma" is not one of adam, lbfgs, bfgs (did you mean "adam"?)'],
    ["training:\n  sampling: sobel\n", "sobel", 'training.sampling: "sobel" is not one of random, uniform, lhs, sobol (did you mean "sobol"?)'],
    ["network:\n  activation: tahn\n", "tahn", 'did you mean "tanh"?'],
    ["network:\n  init: glorott\n", "glorott", 'network.init: "glorott" is not one of glorot, glorot-normal, uniform (did you mean "glorot"?)'],
    ["training:\n  schedule: cosin\n", "cosin", 'did you mean "cosine"?'],
    ["constraints: sofft\n", "sofft", 'constraints: "sofft" is not one of soft, hard (did you mean "soft"?)'],
  ])("an unknown choice: %s", (extra, word, message) => {
    const text = VALID + extra;
    const issue = onlyIssue(text);
    expect(issue.message).toContain(message);
    expect(issue.position).toEqual(locate(text, word));
  });

  it("an unknown optimizer stage, with a suggestion", () => {
    const text = `${VALID}training:\n  optimizer:\n    - adamw: {epochs: 10}\n    - lbfgs\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toBe('unknown optimizer "adamw" (did you mean "adam"?)');
    expect(issue.position).toEqual(locate(text, "adamw"));
    expect(issue.hint).toContain("adam, lbfgs or bfgs");
  });

  it("a trial form for an unknown that does not exist", () => {
    const text = replaceOnce(VALID, "unknowns: [u]", "unknowns: [u, v]").replace(`  - "u' = 2*x"`, `  - "u' = v"\n  - "v' = u"`) + 'trial:\n  w: "x*N"\n';
    const issue = onlyIssue(text);
    expect(issue.message).toBe('"w" under trial is not an unknown');
    expect(issue.position).toEqual(locate(text, "w:"));
    expect(issue.hint).toBe("unknowns: u, v");
  });

  it("a misspelt unknown under exact gets a suggestion", () => {
    const text = replaceOnce(VALID, "unknowns: [u]", "unknowns: [rho]").replace("u' = 2*x", "rho' = 2*x").replace("u(0) = 1", "rho(0) = 1") + 'exact:\n  rh: "x^2 + 1"\n';
    expect(onlyIssue(text).message).toBe('"rh" under exact is not an unknown (did you mean "rho"?)');
  });

  it("a trial form that does not use N", () => {
    const text = `${VALID}trial:\n  u: "1 + x"\n`;
    const issue = onlyIssue(text);
    expect(issue.message).toContain("does not use N");
    expect(issue.position).toEqual(locate(text, '"1 + x"'));
    expect(issue.hint).toContain("N");
  });
});

describe("several errors at once", () => {
  it("are all reported, sorted by line and column", () => {
    // Training comes first in the file but is read after the equations.
    const text = `name: ode
training:
  epochs: many
  sampling: sobel
domain:
  x: [0, 1]
unknowns: [u]
equations:
  - "u' = 2*xx + sn(x)"
conditions:
  - "u(2) = 1"
colour: blue
`;
    const issues = issuesOf(text);
    expect(issues.map((i) => i.position)).toEqual([
      locate(text, "many"),
      locate(text, "sobel"),
      locate(text, "xx"),
      locate(text, "u(2)", { shift: 2 }),
      locate(text, "colour"),
    ]);
    expect(issues.map((i) => i.message)).toEqual([
      "training.epochs must be a number",
      'training.sampling: "sobel" is not one of random, uniform, lhs, sobol (did you mean "sobol"?)',
      '"xx" is not defined (did you mean "x"?)',
      "x = 2 is outside the domain x ∈ [0, 1]",
      'unknown key "colour" in the problem file',
    ]);
  });

  it("the error text has one file:line:col line per issue, each followed by its hint", () => {
    const text = `${VALID}tranining: 1\n`.replace("2*x", "2*xx");
    let message = "";
    try {
      parseProblem(text, "dir/my file.yaml");
    } catch (e) {
      message = (e as Error).message;
    }
    const xx = locate(text, "xx");
    const key = locate(text, "tranining");
    const lines = message.split("\n");
    expect(lines[0]).toBe(`dir/my file.yaml:${xx.line}:${xx.column}: error: "xx" is not defined (did you mean "x"?)`);
    expect(lines[1]).toMatch(/^ {2}hint: names available here/);
    expect(lines[2]).toBe(`dir/my file.yaml:${key.line}:${key.column}: error: unknown key "tranining" in the problem file (did you mean "training"?)`);
    expect(lines[3]).toMatch(/^ {2}hint: allowed keys/);
  });
});

describe("columns inside quoted and plain scalars", () => {
  it("plain scalar", () => {
    const text = replaceOnce(VALID, `"u' = 2*x"`, "u' = 2*xx");
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
  });

  it("flow sequence", () => {
    const text = replaceOnce(VALID, `equations:\n  - "u' = 2*x"`, `equations: ["u' = 2*xx"]`);
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
  });

  it("single-quoted with '' escapes before the error", () => {
    // The value is  u'' = 2*xx  : each ' of the prime is written '' in the file.
    const text = replaceOnce(VALID, `"u' = 2*x"`, "'u'''' = 2*xx'");
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
  });

  it("double-quoted with \\\" and \\t escapes before the error", () => {
    const text = replaceOnce(VALID, `"u' = 2*x"`, `"u' =\\t2*x + \\"\\"*0 + xx"`);
    // \"\" is not valid in an expression; the first error is at the quote character.
    const issue = onlyIssue(text);
    expect(issue.message).toContain('unexpected character """');
    expect(issue.position).toEqual(locate(text, '\\"'));
    const text2 = replaceOnce(VALID, `"u' = 2*x"`, `"u'\\t=\\t2*xx"`);
    expect(onlyIssue(text2).position).toEqual(locate(text2, "xx"));
  });

  // In a scalar that spans several lines, the error points at the offending name.
  it("a multi-line double-quoted scalar is reported at the offending name", () => {
    const text = replaceOnce(VALID, `"u' = 2*x"`, `"u' = 2*x\n    + xx"`);
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
  });

  // Escapes \xNN, \uNNNN and \UNNNNNNNN take 4, 6 and 10 characters of source: columns after
  // them still point at the offending name.
  it("double-quoted with \\u and \\x escapes before the error", () => {
    const text = replaceOnce(VALID, `"u' = 2*x"`, `"u' = \\u0032*xx"`);
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
    const text2 = replaceOnce(VALID, `"u' = 2*x"`, `"u' = \\x32*xx"`);
    expect(onlyIssue(text2).position).toEqual(locate(text2, "xx"));
  });

  it("CRLF line endings", () => {
    const text = replaceOnce(VALID, "2*x", "2*xx").replace(/\n/g, "\r\n");
    expect(onlyIssue(text).position).toEqual(locate(text, "xx"));
  });
});

describe("loadProblem reads files", () => {
  const folder = tempFolder("load");
  const dir = folder.dir;

  it("a valid file", () => {
    const file = folder.write("ok.yaml", VALID);
    const p = loadProblem(file);
    expect(p.file).toBe(file);
    expect(p.name).toBe("ode");
  });

  it("a missing file and a directory", () => {
    const missing = folder.path("missing.yaml");
    expect(() => loadProblem(missing)).toThrow(ProblemError);
    try {
      loadProblem(missing);
    } catch (e) {
      expect((e as ProblemError).issues[0]!.message).toBe("no such file");
      expect((e as ProblemError).message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: error: no such file`));
    }
    try {
      loadProblem(dir);
    } catch (e) {
      expect((e as ProblemError).issues[0]!.message).toContain("directory");
    }
  });

  it("errors name the file given", () => {
    const file = folder.write("bad.yaml", replaceOnce(VALID, "2*x", "2*xx"));
    expect(() => loadProblem(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:6:\\d+: error:`));
  });
});
