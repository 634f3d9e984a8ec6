// A number followed by a word the file does not define — `x: [0, 1 m]`, `c: 3e8 m/s`, `t: [0, 10 s]` —
// is almost always a unit written after the value. The parser reports it as a missing operator
// ("write multiplication explicitly with *"), which would send the user to write 1*m; this rephrases
// that error to say what is wrong: problem files carry no units.

import type { ExpressionError } from "../expressions/parser.js";
import { BUILTIN_CONSTANTS, type Names } from "../expressions/resolve.js";
import { FUNCTIONS } from "../expressions/symbolic.js";

const NUMBER_AT_END = /(?:^|[^A-Za-z0-9_.])((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/;
const NAME_AT_START = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The unit reading of a "missing operator" error in `text`, or null when it is not one. */
export function unitRephrase(e: ExpressionError, text: string, names: Names): { message: string; hint: string } | null {
  if (!e.message.startsWith("missing operator before \"")) return null;
  const number = NUMBER_AT_END.exec(text.slice(0, e.span.start).trimEnd());
  const word = NAME_AT_START.exec(text.slice(e.span.start));
  if (number === null || word === null) return null;
  const w = word[0];
  // An unknown's derivative (u_xx) counts as the unknown.
  const base = w.split("_")[0]!;
  const known =
    names.variables.includes(w) || names.unknowns.includes(w) || names.unknowns.includes(base) || names.constants.has(w) || (names.parameters?.has(w) ?? false) ||
    BUILTIN_CONSTANTS.has(w) || (FUNCTIONS as readonly string[]).includes(w) || w === "N" || w === "d";
  if (known) return null;
  return {
    message: `${e.message}: "${number[1]} ${w}" reads as a number with a unit`,
    hint: `problem files carry no units: write the number alone (${number[1]}), with every quantity in one consistent system of units; if "${w}" is meant as a constant, define it under constants: and write ${number[1]}*${w}`,
  };
}
