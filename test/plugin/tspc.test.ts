/**
 * The ts-patch transformer on real fixture projects, through a real `tspc` run: templates
 * are replaced with the same bytes `whistler build` writes, and a wrong key type is a tsc
 * error at the line and column inside the template.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");
const projects = path.join(root, "test/fixtures/projects");
const tspc = path.join(root, "node_modules/ts-patch/bin/tspc.js");
const cli = path.join(root, "dist/cli/main.js");
const tmp = mkdtempSync(path.join(tmpdir(), "whistler-tspc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], tsPath?: string): { status: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  // ts-patch runs the TypeScript found at TSP_COMPILER_TS_PATH (default: `typescript`, 5.9).
  if (tsPath) env.TSP_COMPILER_TS_PATH = path.join(root, tsPath);
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.each([
  ["5.9", undefined],
  ["6.0", "node_modules/typescript-6"],
])("tspc (TypeScript %s) with the whistler-ts transformer", (version, tsPath) => {
  test("runs the intended TypeScript version", () => {
    expect(run(process.execPath, [tspc, "--version"], tsPath).out).toContain(`Version ${version}.`);
  });

  test("a good project compiles and its templates become the bytes `whistler build` writes", async () => {
    const outDir = path.join(tmp, `good-${version}`);
    const r = run(process.execPath, [tspc, "-p", path.join(projects, "good"), "--outDir", outDir], tsPath);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
    const js = readFileSync(path.join(outDir, "programs.js"), "utf8");
    expect(js).toContain("bpf.compiled(");
    expect(js).not.toMatch(/bpf`/);

    const objDir = path.join(tmp, `good-objs-${version}`);
    const b = run(process.execPath, [cli, "build", path.join(projects, "good/programs.ts"), "--out-dir", objDir]);
    expect(b.status).toBe(0);
    // The emitted module evaluates to BpfTemplate objects holding the ELF; no kernel needed.
    const mod = (await import(path.join(outDir, "programs.js"))) as Record<string, { elfBytes(): Uint8Array }>;
    for (const name of ["countOpens", "xdpProtoCount"]) {
      const fromCli = new Uint8Array(readFileSync(path.join(objDir, `${name}.bpf.o`)));
      const fromTspc = mod[name]!.elfBytes();
      expect(fromTspc.length).toBeGreaterThan(64);
      expect(Buffer.from(fromTspc).equals(Buffer.from(fromCli))).toBe(true);
    }
  });

  test("WHISTLER_TRACE=time reports what the plugin cost the build", () => {
    const outDir = path.join(tmp, `trace-${version}`);
    const env = { ...process.env, NO_COLOR: "1", WHISTLER_TRACE: "time", ...(tsPath ? { TSP_COMPILER_TS_PATH: path.join(root, tsPath) } : {}) };
    const r = spawnSync(process.execPath, [tspc, "-p", path.join(projects, "good"), "--outDir", outDir], { cwd: root, encoding: "utf8", env });
    expect(r.status).toBe(0);
    const m = /^whistler: loading the compiler ([\d.]+) ms; transforming \d+ files ([\d.]+) ms, of which compiling (\d+) templates ([\d.]+) ms \([\d.]+ ms each\); (\d+) from the cache(; TurboFan paused for the build)?$/m.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(m![6]).toBeDefined(); // a first build of a few templates: the pause applies (build-jit.ts)
    const templates = readFileSync(path.join(outDir, "programs.js"), "utf8").split("bpf.compiled(").length - 1;
    expect(templates).toBeGreaterThan(0);
    expect(Number(m![3]) + Number(m![5])).toBe(templates);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![4])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeGreaterThanOrEqual(Number(m![4])); // compiling is part of transforming
  });

  test("a u64 key for a u32-keyed map is a tsc error at the template's line and column", () => {
    const outDir = path.join(tmp, `bad-${version}`);
    const r = run(process.execPath, [tspc, "-p", path.join(projects, "bad"), "--outDir", outDir], tsPath);
    expect(r.status).not.toBe(0);
    // line 8 is `    ${counts}.increment(id);`: `id` starts at column 25
    expect(r.out).toMatch(/wrong-key\.ts(\(8,25\):|:8:25 -) error TS92001: WBPF2001: .*u64.*u32/);
  });

});

describe("whistler build", () => {
  test("`whistler build` reports the same error as file:line:col and exits 1", () => {
    const outDir = path.join(tmp, "bad-objs");
    const r = run(process.execPath, [cli, "build", path.join(projects, "bad/wrong-key.ts"), "--out-dir", outDir]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/wrong-key\.ts:8:25 - error WBPF2001: .*u64.*u32/);
    expect(existsSync(path.join(outDir, "countOpens.bpf.o"))).toBe(false);
  });
});
