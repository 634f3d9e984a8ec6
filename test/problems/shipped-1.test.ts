// Part 1 of the shipped-problems suite (shipped-suite.ts: every problems/**/*.yaml, split across files
// so that vitest runs the parts in parallel).
import { shippedSuite } from "./shipped-suite.js";

shippedSuite(0);
