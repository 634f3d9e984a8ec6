// Worker thread of an ensemble: trains the members it is sent, one at a time, and posts back each
// result (or the error that stopped it).

import { parentPort } from "node:worker_threads";
import { trainMember } from "./member.js";
import type { MemberSpec } from "./ensemble.js";

parentPort?.on("message", (spec: MemberSpec) => {
  trainMember(spec).then(
    (result) => parentPort!.postMessage({ result }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
