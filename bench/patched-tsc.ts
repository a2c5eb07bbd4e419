/**
 * A `ts-patch install`ed copy of TypeScript (the persistent way to run plugins: plain `tsc`
 * then loads them, without tspc's in-memory re-patching on every run).
 */
import { cpSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** Copies the repo's `typescript` into `dir/node_modules/typescript`, patches it, returns its tsc. */
export function patchedTypeScript(repoRoot: string, dir: string): string {
  const target = path.join(dir, "node_modules", "typescript");
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(repoRoot, "node_modules", "typescript"), target, { recursive: true, dereference: true });
  execFileSync(process.execPath, [path.join(repoRoot, "node_modules/ts-patch/bin/ts-patch.js"), "install", "-s", "-d", target], { stdio: "pipe" });
  return path.join(target, "bin", "tsc");
}
