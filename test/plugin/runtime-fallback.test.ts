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
      const { elf, maps } = await compileAtRunTime(m[name]);
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

test("a template our parser reads compiles at run time without loading TypeScript; one it does not read loads it to report why", () => {
  const script = `
    import { createRequire } from "node:module";
    const { bpf, HashMap, u32, u64 } = await import(${JSON.stringify(path.join(root, "dist/index.js"))});
    const { compileAtRunTime } = await import(${JSON.stringify(path.join(root, "dist/transformer/runtime-compile.js"))});
    const typescriptLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\\\/]node_modules[\\\\/]typescript[\\\\/]/.test(f));
    const counts = new HashMap({ key: u32, value: u64, maxEntries: 16 });
    const good = bpf\`export function p(ctx: Xdp): i32 {
      \${counts}.increment(1);
      return 2;
    }\`;
    const { elf } = await compileAtRunTime(good);
    const afterGood = typescriptLoaded();
    const bad = bpf\`export function p(ctx: Xdp): i32 { return (1 + ; }\`;
    let message = "";
    try { await compileAtRunTime(bad); } catch (e) { message = e.constructor.name + ": " + e.message; }
    console.log(JSON.stringify({ elfMagic: Buffer.from(elf.subarray(0, 4)).toString("hex"), afterGood, afterBad: typescriptLoaded(), message }));`;
  const r = JSON.parse(node(["--input-type=module", "-e", script])) as { elfMagic: string; afterGood: boolean; afterBad: boolean; message: string };
  expect(r.elfMagic).toBe("7f454c46");
  expect(r.afterGood).toBe(false);
  expect(r.afterBad).toBe(true);
  expect(r.message).toMatch(/^CompileError: bpf template failed to compile:\n.*WBPF1000.*syntax error: Expression expected/);
});
