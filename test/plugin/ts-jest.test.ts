/**
 * ts-jest with `astTransformers: { before: ["whistler-ts/ts-jest"] }`: a real jest run on a
 * fixture project whose test imports a template compiled at transform time.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");

test("a user's jest run compiles bpf templates through the ts-jest adapter", () => {
  const project = path.join(root, "test/fixtures/projects/tsjest");
  const r = spawnSync(
    process.execPath,
    ["--experimental-vm-modules", "--no-warnings", path.join(root, "node_modules/jest/bin/jest.js"), "--config", path.join(project, "jest.config.js"), "--ci"],
    { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
  );
  const out = `${r.stdout}${r.stderr}`;
  expect(out).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(r.status).toBe(0);
}, 120_000);
