import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "../../loader/index.js";
import { attachUprobe, resolveUprobe } from "../../loader/link/index.js";
import { AttachError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

const SOURCE = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) int target_fn(int x) { __asm__ volatile(""); return x * 3 + 1; }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (argc > 2 && strcmp(argv[2], "wait") == 0) { char line[8]; if (!fgets(line, sizeof line, stdin)) return 2; }
  int s = 0;
  for (int i = 0; i < n; i++) s += target_fn(i);
  for (int i = 0; i < n; i++) { volatile char *p = malloc(1000 + i); p[0] = 1; free((void *)p); }
  return s == -1;
}
`;

let dir = "";
let bin = "";

function run(n: number): void {
  execFileSync(bin, [String(n)]);
}

/** Run the binary waiting for a line on stdin; resolves with its pid and a function that lets it go. */
function startWaiting(n: number): { pid: number; go: () => Promise<void> } {
  const child = spawn(bin, [String(n), "wait"], { stdio: ["pipe", "ignore", "inherit"] });
  const done = new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))));
  return { pid: child.pid!, go: async () => { child.stdin!.end("go\n"); await done; } };
}

describeKernel("uprobes on a gcc-built binary and on libc", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wh-uprobe-"));
    writeFileSync(join(dir, "target.c"), SOURCE);
    bin = join(dir, "target");
    execFileSync("gcc", ["-O2", "-o", bin, join(dir, "target.c")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("uprobe and uretprobe on a noinline function count every call", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const hits = obj.map<number, bigint>("hits");
    {
      using entry = attachUprobe(obj.program("on_call"), { target: `${bin}:target_fn` });
      using exit = attachUprobe(obj.program("on_return"), { target: `${bin}:target_fn`, ret: true });
      expect(entry).toMatchObject({ kind: "uprobe", attached: true });
      expect(exit.target).toBe(`${bin}:target_fn (return)`);
      run(7);
      expect(hits.get(3)).toBe(7n);
      expect(hits.get(4)).toBe(7n);
    }
    run(5);
    expect(hits.get(3)).toBe(7n); // detached on dispose
  });

  test("a file offset and a pid filter", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const hits = obj.map<number, bigint>("hits");
    const { path, offset } = resolveUprobe(`${bin}:target_fn`);
    expect(path).toBe(bin);
    const waiting = startWaiting(4);
    {
      using _link = attachUprobe(obj.program("on_call"), { target: `${bin}:0x${offset.toString(16)}`, pid: waiting.pid });
      run(3); // another process: not counted
      await waiting.go();
      expect(hits.get(3)).toBe(4n);
    }
  });

  test("libc malloc by library name (clang uprobe_malloc_sizes)", async () => {
    expect(resolveUprobe("c:malloc")).toEqual(resolveUprobe("libc.so.6:malloc"));
    await using obj = await load(fixture("uprobe_malloc_sizes.bpf.o"));
    const waiting = startWaiting(50);
    {
      using _link = attachUprobe(obj.program("malloc_enter"), { target: "libc.so.6:malloc", pid: waiting.pid });
      await waiting.go();
    }
    const stats = obj.map<number, Uint8Array>("malloc_stats").get(waiting.pid);
    expect(stats).toBeDefined();
    const v = new DataView(stats!.buffer, stats!.byteOffset);
    const calls = v.getBigUint64(0, true);
    const bytes = v.getBigUint64(8, true);
    expect(calls).toBeGreaterThanOrEqual(50n);
    // 50 calls of 1000..1049 bytes at least
    expect(bytes).toBeGreaterThanOrEqual(BigInt(50 * 1000 + (49 * 50) / 2));
  });

  test("errors: unknown symbol, missing library, bad target", async () => {
    await using obj = await load(fixture("attach_kinds.bpf.o"));
    const prog = obj.program("on_call");
    expect(() => attachUprobe(prog, { target: `${bin}:no_such_fn` })).toThrow(AttachError);
    expect(() => attachUprobe(prog, { target: `${bin}:no_such_fn` })).toThrow(/no function "no_such_fn" in its .symtab or .dynsym/);
    expect(() => attachUprobe(prog, { target: "libnosuchlib.so.9:f" })).toThrow(/cannot find library or program "libnosuchlib.so.9"/);
    expect(() => attachUprobe(prog, { target: "nocolon" })).toThrow(/bad uprobe target "nocolon"/);
    expect(() => obj.program("on_call").attach()).toThrow(/uprobe needs a target/);
  });
});
