#!/usr/bin/env node
// Entry point of the `pinn` command. The signal and stream handlers come first, before the rest of
// pinn is loaded, so that a Ctrl-C or a closed pipe in the first moments is handled too.
import { installSignalHandlers } from "./signals.js";
import { guardStandardStreams } from "./streams.js";

installSignalHandlers();
guardStandardStreams();
const { main } = await import("./main.js");
process.exitCode = await main(process.argv);
