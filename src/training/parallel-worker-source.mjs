// The parallel-training worker when pinn runs from its TypeScript sources (tests): the same load
// hooks as the ensemble's worker (ensemble-source-hooks.mjs: ".js" imports mapped to ".ts" files,
// transpiled), then the worker. The built package uses the compiled parallel-worker.js.

import { register } from "node:module";

register(new URL("./ensemble-source-hooks.mjs", import.meta.url));
await import("./parallel-worker.ts");
