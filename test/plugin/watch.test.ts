/**
 * tsc watch mode with the transformer: after editing one template of a 100-template project,
 * the rebuild recompiles only that template (the content-hash cache) and emits its new object.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";
import { generateProject, templateFile } from "../../bench/tsc-project.js";

const root = path.resolve(import.meta.dirname, "../..");
const project = generateProject(root, 20, 5, true);
afterAll(() => rmSync(project, { recursive: true, force: true }));

test("a watch rebuild after one edit recompiles just the edited template", async () => {
  const child = spawn(process.execPath, [path.join(root, "node_modules/ts-patch/bin/tspc.js"), "-p", project, "--watch", "--preserveWatchOutput"], {
    env: { ...process.env, WHISTLER_TRACE: "compile", NO_COLOR: "1" },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > 90_000) throw new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    const found = (): number => out.match(/Found 0 errors\. Watching for file changes\./g)?.length ?? 0;
    await until(() => found() === 1, "the first build");
    expect(err.match(/^whistler: compile /gm)?.length).toBe(100);
    const before = readFileSync(path.join(project, "out/t3.js"), "utf8");
    err = "";
    // change one template of one file (the shift amount of its first program)
    const edited = templateFile(3, 5).replace(">> 32n", ">> 33n");
    writeFileSync(path.join(project, "src/t3.ts"), edited);
    await until(() => found() === 2, "the rebuild");
    expect(err.trim().split("\n")).toEqual([`whistler: compile ${path.join(project, "src/t3.ts")}:4`]); // the first template starts on line 4
    expect(readFileSync(path.join(project, "out/t3.js"), "utf8")).not.toBe(before);
  } finally {
    child.kill();
  }
}, 180_000);
