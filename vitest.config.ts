import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Examples import the package by its name, as users do; tests run them on the sources.
    alias: { pinn: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Test files are single-threaded and CPU-bound: one per core (the default leaves one core idle on
    // a 2-core machine). The shipped-problems suite is split in two files for this (test/problems/).
    maxWorkers: 2,
  },
});
