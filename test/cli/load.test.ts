/**
 * `whistler load OBJ` on the real kernel: our objects and clang's load, each program is
 * described with its verified instruction count, and a rejected program exits 1 with the
 * verifier's message.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");
const tmp = mkdtempSync(path.join(tmpdir(), "whistler-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function whistler(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeKernel("whistler load", () => {
  test("loads what `whistler build` wrote and reports instruction and verified counts", () => {
    const out = path.join(tmp, "objs");
    const b = whistler("build", path.join(root, "test/fixtures/projects/good/programs.ts"), "--out-dir", out);
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    const r = whistler("load", path.join(out, "countOpens.bpf.o"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^count_opens\s+tracepoint\s+\d+\s+\d+\s+tracepoint\/syscalls\/sys_enter_openat$/m);
    expect(r.stdout).toMatch(/maps: counts/);
    const x = whistler("load", path.join(out, "xdpProtoCount.bpf.o"));
    expect(x.status).toBe(0);
    expect(x.stdout).toMatch(/^xdp_proto_count\s+xdp\s+\d+\s+\d+\s+xdp$/m);
  });

  test("loads clang's objects unchanged", () => {
    const r = whistler("load", path.join(root, "test/fixtures/clang/count_opens.bpf.o"));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^count_opens\s+tracepoint\s+\d+\s+\d+/m);
  });

  test("a program the verifier rejects exits 1 with the verifier's message", () => {
    // clang's count_opens with its final `r0 = 0; exit` turned into `r0 = r5; exit` (r5 unset)
    const elf = Buffer.from(readFileSync(path.join(root, "test/fixtures/clang/count_opens.bpf.o")));
    const tail = Buffer.from([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    const at = elf.indexOf(tail);
    expect(at).toBeGreaterThan(0);
    elf[at] = 0xbf;
    elf[at + 1] = 0x50;
    const broken = path.join(tmp, "broken.bpf.o");
    writeFileSync(broken, elf);
    const r = whistler("load", broken);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: program "count_opens" rejected by the verifier: BPF_PROG_LOAD failed: EACCES/);
    expect(r.stderr).toMatch(/R5 !read_ok/);
  });

  test("a malformed object exits 1 with a typed message, not a stack trace", () => {
    const bad = path.join(tmp, "bad.bpf.o");
    writeFileSync(bad, Buffer.from("\x7fELF garbage that is not an object"));
    const r = whistler("load", bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
