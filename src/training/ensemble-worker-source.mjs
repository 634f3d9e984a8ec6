// The ensemble worker when pinn runs from its TypeScript sources (tests): Node cannot load .ts
// modules by itself, so this registers load hooks that transpile them with the TypeScript
// compiler (and map the sources' ".js" imports to ".ts" files), then loads the worker.
// The built package (dist/) uses the compiled ensemble-worker.js and never this file.

import { register } from "node:module";

register(new URL("./ensemble-source-hooks.mjs", import.meta.url));
await import("./ensemble-worker.ts");
