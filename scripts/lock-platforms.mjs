// Make package-lock.json list every platform build of @napi-rs/canvas.
//
// The registry mirror on our machines serves only the Linux builds, so npm writes a lock without
// the others, and `npm ci` then refuses the lock as out of sync with the optional dependencies.
// Each added entry carries its os/cpu/libc constraints and is optional, so npm skips it (without
// fetching anything) on every machine it does not match. Run after changing dependencies:
//   npm install && node scripts/lock-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "android-arm64": { os: ["android"], cpu: ["arm64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "linux-arm-gnueabihf": { os: ["linux"], cpu: ["arm"], libc: ["glibc"] },
  "linux-arm64-gnu": { os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "linux-riscv64-gnu": { os: ["linux"], cpu: ["riscv64"], libc: ["glibc"] },
  "linux-x64-gnu": { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  "linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "win32-arm64-msvc": { os: ["win32"], cpu: ["arm64"] },
  "win32-x64-msvc": { os: ["win32"], cpu: ["x64"] },
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const parent = lock.packages["node_modules/@napi-rs/canvas"];
if (!parent) throw new Error("@napi-rs/canvas is not in package-lock.json");
let added = 0;
for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const platform = PLATFORMS[name.replace("@napi-rs/canvas-", "")];
  if (!platform) throw new Error(`unknown platform package ${name}`);
  lock.packages[key] = { version, license: "MIT", optional: true, ...platform, engines: { node: ">= 10" } };
  added++;
}
// Keep the package entries sorted as npm writes them.
const [root, ...rest] = Object.entries(lock.packages);
lock.packages = Object.fromEntries([root, ...rest.sort(([a], [b]) => a.localeCompare(b))]);
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries`);
