/**
 * `ts-patch install` (the persistent patch): plain `tsc` of the patched TypeScript then runs
 * the transformer from tsconfig.json, exactly as `tspc` does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";
import { generateProject } from "../../bench/tsc-project.js";
import { patchedTypeScript } from "../../bench/patched-tsc.js";

const root = path.resolve(import.meta.dirname, "../..");
const project = generateProject(root, 2, 2, true);
afterAll(() => rmSync(project, { recursive: true, force: true }));

test("tsc of a ts-patch-installed TypeScript compiles the templates", () => {
  const tsc = patchedTypeScript(root, project);
  const out = execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
  expect(out).toBe("");
  const js = readFileSync(path.join(project, "out/t1.js"), "utf8");
  expect(js.match(/bpf\.compiled\(/g)?.length).toBe(2);
  expect(js).not.toContain("bpf`");
}, 120_000);
