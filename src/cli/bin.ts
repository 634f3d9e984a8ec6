#!/usr/bin/env node
// Entry point of the `pinn` command.
import { main } from "./main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
