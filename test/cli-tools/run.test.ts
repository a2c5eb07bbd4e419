/**
 * `whistler run` on the real kernel: a tracepoint template in a .ts file is built, loaded and
 * attached, counts this test process's openat() calls while it runs, and prints its map on
 * exit; ring buffer records stream as they come (clang's opensnoop object); Ctrl-C ends a
 * run cleanly with its summary; compile and attach errors exit 1 with the message.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");
const fixture = (name: string): string => path.join(root, "test/fixtures/run", name);
const ENV = { ...process.env, NO_COLOR: "1" };

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `whistler run ...`; `ready` resolves once the programs are attached. */
function start(args: string[]): { ready: Promise<void>; done: Promise<Done>; kill(sig: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [cli, "run", ...args], { cwd: root, env: ENV });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const seen = (): void => void (/running (for|until)/.test(stdout + stderr) && markReady());
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); seen(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); seen(); });
  const done = new Promise<Done>((resolve) => child.on("close", (code) => { markReady(); resolve({ code, stdout, stderr }); }));
  return { ready, done, kill: (sig) => child.kill(sig) };
}

function openMany(n: number): void {
  for (let i = 0; i < n; i++) closeSync(openSync("/proc/self/stat", "r"));
}

describeKernel("whistler run", () => {
  checkNoFdLeaks();

  test("builds a .ts template, attaches it, and prints its map on exit (--json)", async () => {
    const run = start([fixture("opens.ts"), "--duration", "2", "--json"]);
    await run.ready;
    openMany(100);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/attached 1 program: count_opens \(tracepoint\/syscalls\/sys_enter_openat\)/);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; programs: string[]; maps: Record<string, { key: number; value: number }[]> };
    expect(summary.programs).toEqual(["count_opens"]);
    expect(summary.seconds).toBeGreaterThanOrEqual(1.9);
    const mine = summary.maps.counts!.find((e) => e.key === process.pid);
    expect(mine?.value).toBeGreaterThanOrEqual(100);
  });

  test("a USDT program (python3's gc__start) filtered by --pid; the spec table is not shown", async () => {
    const python = spawn("/usr/bin/python3", ["-c", "import gc, sys\nsys.stdin.readline()\nfor _ in range(7): gc.collect(2)\n"], { stdio: ["pipe", "ignore", "ignore"] });
    const other = spawn("/usr/bin/python3", ["-c", "import gc, time\nfor _ in range(50):\n    gc.collect(2); time.sleep(0.02)\n"], { stdio: "ignore" });
    try {
      const run = start([fixture("python-gc.ts"), "--duration", "2", "--json", "--pid", String(python.pid)]);
      await run.ready;
      python.stdin!.end("go\n");
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/attached 1 program: on_gc \(usdt\/\/usr\/bin\/python3:python:gc__start\)/);
      const summary = JSON.parse(r.stdout.trim().split("\n").pop()!) as { maps: Record<string, { key: number; value: number }[]> };
      expect(Object.keys(summary.maps)).toEqual(["collections"]);
      // Seven explicit full collections in the watched process; the other one's 50 are not counted.
      const full = summary.maps.collections!.find((e) => e.key === 2)?.value ?? 0;
      expect(full).toBeGreaterThanOrEqual(7);
      expect(full).toBeLessThan(20);
    } finally {
      python.kill();
      other.kill();
    }
  });

  test("prints maps as an aligned table, largest first, with a summary", async () => {
    const run = start([fixture("opens.ts"), "--duration", "1", "--limit", "2"]);
    await run.ready;
    openMany(50);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^map counts \(\d+ entr(y|ies)\)$/m);
    expect(r.stdout).toMatch(/^ +KEY +VALUE$/m);
    const rows = [...r.stdout.matchAll(/^ +(\d+) +(\d+)$/gm)].map((m) => Number(m[2]));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(2);
    expect([...rows].sort((a, b) => b - a)).toEqual(rows);
    expect(r.stdout).toMatch(/\nran 1\.\ds: 1 program, 1 map\n$/);
  });

  test("streams ring buffer records while running (clang's opensnoop object)", async () => {
    const run = start([path.join(root, "test/fixtures/clang/opensnoop.bpf.o"), "--duration", "1.5", "--json"]);
    await run.ready;
    openMany(20);
    const r = await run.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ringbuf?: string; record?: string; records?: Record<string, number> });
    const records = lines.filter((l) => l.ringbuf === "events");
    expect(records.length).toBeGreaterThanOrEqual(20);
    // no layout known for a prebuilt object: the raw bytes, as hex; this process's pid leads them
    const pidHex = Buffer.from(new Uint32Array([process.pid]).buffer).toString("hex");
    expect(records.some((l) => l.record!.startsWith(pidHex))).toBe(true);
    expect(lines.at(-1)!.records!.events).toBe(records.length);
  });

  test("Ctrl-C ends the run cleanly with its summary", async () => {
    const run = start([fixture("opens.ts")]);
    await run.ready;
    openMany(10);
    run.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/running until Ctrl-C/);
    expect(r.stdout).toMatch(/^map counts/m);
    expect(r.stdout).toMatch(/\nran \d+\.\ds: 1 program, 1 map\n$/);
  });

  test("a compile error exits 1 with the diagnostic; an XDP program without --ifname names the flag", () => {
    const bad = spawnSync(process.execPath, [cli, "run", fixture("broken.ts")], { cwd: root, env: ENV, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/broken\.ts:8:25 - error WBPF2001: key of type u64 does not fit map 'counts'/);
    const xdp = spawnSync(process.execPath, [cli, "run", path.join(root, "test/fixtures/clang/xdp_proto_count.bpf.o"), "--duration", "1"], { cwd: root, env: ENV, encoding: "utf8" });
    expect(xdp.status).toBe(1);
    expect(xdp.stderr).toMatch(/^error: attach program "xdp_proto_count": xdp programs need --ifname/m);
    expect(xdp.stderr).toMatch(/hint: whistler run FILE --ifname eth0/);
  });
});
