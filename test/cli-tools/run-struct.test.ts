/**
 * `whistler run` on DESIGN.md's opensnoop template (test/fixtures/run/opensnoop.ts): the
 * ring buffer's records are decoded with the template's defstruct layout, field by field,
 * both as JSON lines and as text, while this process's real openat() calls fill the ring.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");
const fixture = path.join(root, "test/fixtures/run/opensnoop.ts");

interface Done { code: number | null; stdout: string; stderr: string }

function start(args: string[]): { ready: Promise<void>; done: Promise<Done> } {
  const child = spawn(process.execPath, [cli, "run", fixture, ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const seen = (): void => void (/running (for|until)/.test(stdout + stderr) && markReady());
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); seen(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); seen(); });
  const done = new Promise<Done>((resolve) => child.on("close", (code) => { markReady(); resolve({ code, stdout, stderr }); }));
  return { ready, done };
}

const FILE = "/proc/self/status";

function openMany(n: number): void {
  for (let i = 0; i < n; i++) closeSync(openSync(FILE, "r"));
}

interface OpenRecord { pid: number; uid: number; ts: number; flags: number; comm: string; filename: string }

describeKernel("whistler run: ring buffer records decoded with the template's struct", () => {
  checkNoFdLeaks();
  const comm = readFileSync("/proc/self/comm", "utf8").trim();

  test("--json: one line per record with every open_event field decoded", async () => {
    const run = start(["--duration", "1.5", "--json"]);
    await run.ready;
    const before = process.hrtime.bigint();
    openMany(25);
    const r = await run.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { ringbuf?: string; record?: OpenRecord; records?: Record<string, number>; maps?: Record<string, { key: number; value: number }[]> });
    const records = lines.filter((l) => l.ringbuf === "events").map((l) => l.record!);
    const mine = records.filter((e) => e.pid === process.pid && e.filename === FILE);
    expect(mine.length).toBe(25);
    for (const e of mine) {
      expect(Object.keys(e)).toEqual(["pid", "uid", "ts", "flags", "comm", "filename"]);
      expect(e.uid).toBe(process.getuid!());
      expect(e.comm).toBe(comm);
      expect(e.flags & 3).toBe(0); // O_RDONLY
      expect(BigInt(e.ts)).toBeGreaterThanOrEqual(before - 1_000_000_000n);
    }
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.ts).toBeGreaterThanOrEqual(mine[i - 1]!.ts);
    const summary = lines.at(-1)!;
    expect(summary.records!.events).toBe(records.length);
    expect(summary.maps!.counts!.find((c) => c.key === process.pid)!.value).toBeGreaterThanOrEqual(25);
  });

  test("text: each record as name=value fields, strings quoted", async () => {
    const run = start(["--duration", "1", "--limit", "1"]);
    await run.ready;
    openMany(5);
    const r = await run.done;
    expect(r.code).toBe(0);
    const row = new RegExp(`^ +\\d+\\.\\d{3} events pid=${process.pid} uid=${process.getuid!()} ts=\\d+ flags=\\d+ comm="${comm}" filename="${FILE}"$`, "gm");
    expect([...r.stdout.matchAll(row)].length).toBe(5);
    expect(r.stdout).toMatch(/\nran 1\.\ds: 1 program, 1 map, \d+ ring buffer records\n$/);
  });
});
