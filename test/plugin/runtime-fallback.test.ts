/**
 * The run-time compile fallback (no transformer: tsx, esbuild, TypeScript 7) produces the same
 * bytes as the build-time compile: the fixture is built by plain tsc with source maps and run
 * with --enable-source-maps (as tsx runs TypeScript), so the tag's call site is the .ts file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");
const project = path.join(root, "test/fixtures/projects/runtime");
const tmp = mkdtempSync(path.join(tmpdir(), "whistler-fallback-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test("run-time compiled templates are byte-identical to `whistler build`'s", () => {
  const out = path.join(project, "out"); // inside the repo, where `whistler-ts` resolves
  rmSync(out, { recursive: true, force: true });
  node([path.join(root, "node_modules/typescript/bin/tsc"), "-p", project, "--outDir", out]);
  const objs = path.join(tmp, "objs");
  node([path.join(root, "dist/cli/main.js"), "build", path.join(project, "programs.ts"), "--out-dir", objs]);
  const script = `
    const m = await import(${JSON.stringify(path.join(out, "programs.js"))});
    const { compileAtRunTime } = await import(${JSON.stringify(path.join(root, "dist/transformer/runtime-compile.js"))});
    const out = {};
    for (const name of ["countOpens", "xdpProtoCount", "flowStats"]) {
      if (m[name].compiled) throw new Error("expected an uncompiled template");
      const { elf, maps } = compileAtRunTime(m[name]);
      out[name] = { elf: Buffer.from(elf).toString("base64"), maps: Object.keys(maps) };
    }
    console.log(JSON.stringify(out));`;
  const runtime = JSON.parse(node(["--enable-source-maps", "--input-type=module", "-e", script])) as Record<string, { elf: string; maps: string[] }>;
  expect(runtime.countOpens!.maps).toEqual(["counts"]);
  expect(runtime.xdpProtoCount!.maps).toEqual(["protoCounts"]);
  expect(runtime.flowStats!.maps).toEqual(["flows"]);
  for (const name of ["countOpens", "xdpProtoCount", "flowStats"]) {
    const built = readFileSync(path.join(objs, `${name}.bpf.o`)).toString("base64");
    expect(runtime[name]!.elf).toBe(built);
  }
});
