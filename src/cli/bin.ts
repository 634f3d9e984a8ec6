#!/usr/bin/env node
// Entry point of the `pinn` command. The signal and stream handlers come first, before the rest of
// pinn is loaded, so that a Ctrl-C or a closed pipe in the first moments is handled too; then the
// V8 setting pinn runs with (v8-flags.ts), before any training code has run.
import { installSignalHandlers } from "./signals.js";
import { guardStandardStreams } from "./streams.js";
import { tuneV8 } from "./v8-flags.js";
import { EXIT } from "./exit-codes.js";

installSignalHandlers();
guardStandardStreams();
try {
  tuneV8();
} catch (err) {
  process.stderr.write(`pinn: ${(err as Error).message}\n`);
  process.exit(EXIT.badInput);
}
const { main } = await import("./main.js");
process.exitCode = await main(process.argv);
