/**
 * opensnoop and execsnoop run as a user runs them, streaming ring buffer records from the
 * real kernel while this test opens files and runs programs: each event must come back with
 * the pid, command, flags, path or argv the trigger really used.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { beforeAll, expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import * as path from "node:path";
import { buildExamples, lastJson, root, startExample } from "./run-example.js";

interface OpenRow { pid: number; uid: number; comm: string; flags: number; ret: number; path: string }
interface ExecRow { pid: number; ppid: number | null; uid: number; comm: string; ret: number; argv: string[]; truncated: boolean }

const MISSING = "/nonexistent-whistler-path";

/** A child that opens `path` (and fails to open MISSING) every 20 ms until killed. */
function opener(path: string): ReturnType<typeof spawn> {
  const code = `const fs=require("node:fs");setInterval(()=>{for(const p of [${JSON.stringify(path)},${JSON.stringify(MISSING)}]){try{fs.closeSync(fs.openSync(p,"r"))}catch{}}},20)`;
  return spawn(process.execPath, ["-e", code], { stdio: "ignore" });
}

describeKernel("example tools: opensnoop, execsnoop, countopens", () => {
  checkNoFdLeaks();
  beforeAll(() => buildExamples(), 60_000);

  test("opensnoop --pid: only that process's opens, with its comm, flags and path", async () => {
    const child = opener("/proc/self/status");
    try {
      const r = await startExample("opensnoop", ["--duration", "2", "--json", "--pid", String(child.pid)]).done;
      expect(r.code).toBe(0);
      const out = lastJson<{ pid: number; total: number; events: OpenRow[]; perPid: { pid: number; opens: number }[] }>(r);
      expect(out.pid).toBe(child.pid);
      const mine = out.events.filter((e) => e.path === "/proc/self/status");
      expect(mine.length).toBeGreaterThanOrEqual(10);
      for (const e of out.events) expect(e.pid).toBe(child.pid);
      for (const e of mine) {
        expect(e.comm).toBe("node");
        expect(e.flags & 3).toBe(0); // O_RDONLY
        expect(e.uid).toBe(process.getuid!());
        expect(e.ret).toBeGreaterThanOrEqual(0); // the fd
      }
      const failed = out.events.filter((e) => e.path === MISSING);
      expect(failed.length).toBeGreaterThanOrEqual(10);
      for (const e of failed) expect(e.ret).toBe(-2); // -ENOENT
      expect(out.perPid).toEqual([{ pid: child.pid, opens: out.total }]);
    } finally {
      child.kill();
    }
  });

  test("opensnoop --comm: aligned rows for that command; Ctrl-C ends with the summary", async () => {
    const run = startExample("opensnoop", ["--duration", "30", "--comm", "cat"]);
    await run.ready;
    for (let i = 0; i < 3; i++) spawnSync("cat", ["/etc/hostname"], { stdio: "ignore" });
    await new Promise((res) => setTimeout(res, 300));
    run.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}TIME\(s\) {6}PID {2}COMM {18}FD {2}FLAGS {21}PATH$/m);
    const rows = [...r.stdout.matchAll(/^ +\d+\.\d{3} +(\d+) {2}(\S+) +(\d+) {2}(O_\S+) +(\/etc\/hostname)$/gm)];
    expect(rows.length).toBe(3);
    for (const m of rows) expect(m[2]).toBe("cat");
    expect(r.stdout).not.toMatch(/^ +\d+\.\d{3} +\d+ {2}(?!cat )\S+ /m);
    expect(r.stdout).toMatch(/\n\d+ opens traced in \d+\.\ds/);
  });

  test("execsnoop: argv read in a bounded loop, ppid and uid of each execve()", async () => {
    const run = startExample("execsnoop", ["--duration", "1.5", "--json"]);
    await run.ready;
    for (let i = 0; i < 3; i++) spawnSync("/bin/echo", ["whistler-exec", "two words", String(i)], { stdio: "ignore" });
    const many = Array.from({ length: 25 }, (_, i) => `a${i}`);
    spawnSync("/bin/true", many, { stdio: "ignore" });
    spawnSync("/nonexistent-whistler-bin", ["x"], { stdio: "ignore" });
    const r = await run.done;
    expect(r.code).toBe(0);
    const out = lastJson<{ total: number; execs: ExecRow[] }>(r);
    const echoes = out.execs.filter((e) => e.argv[1] === "whistler-exec");
    expect(echoes.map((e) => e.argv)).toEqual([0, 1, 2].map((i) => ["/bin/echo", "whistler-exec", "two words", String(i)]));
    for (const e of echoes) {
      expect(e.ppid).toBe(process.pid);
      expect(e.uid).toBe(process.getuid!());
      expect(e.truncated).toBe(false);
      expect(e.ret).toBe(0);
      expect(e.comm).toBe("echo"); // the new program's, read at sys_exit_execve
    }
    const missing = out.execs.find((e) => e.argv[0] === "/nonexistent-whistler-bin")!;
    expect(missing).toMatchObject({ argv: ["/nonexistent-whistler-bin", "x"], ret: -2, ppid: process.pid }); // -ENOENT
    const long = out.execs.find((e) => e.argv[0] === "/bin/true" && e.argv[1] === "a0")!;
    expect(long.argv).toEqual(["/bin/true", ...many.slice(0, 19)]);
    expect(long.truncated).toBe(true);
  });

  test("execsnoop: the report's columns and summary", async () => {
    const run = startExample("execsnoop", ["--duration", "1"]);
    await run.ready;
    spawnSync("/bin/echo", ["whistler-exec", "two words"], { stdio: "ignore" });
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}TIME\(s\) {6}PID {5}PPID {4}UID {5}RET {2}ARGS$/m);
    expect(r.stdout).toContain(`  ${String(process.pid).padStart(7)}  ${String(process.getuid!()).padStart(5)}       0  /bin/echo whistler-exec "two words"\n`);
    expect(r.stdout).toMatch(/\n\d+ execs traced in 1\.\ds\.\n$/);
  });

  test("countopens: this process's openat() calls counted per pid, top list, summary; Ctrl-C ends it", async () => {
    const run = startExample("countopens", ["--duration", "1.5", "--json", "--top", "200"]);
    await run.ready;
    for (let i = 0; i < 300; i++) closeSync(openSync("/proc/self/stat", "r"));
    const r = await run.done;
    expect(r.code).toBe(0);
    const out = lastJson<{ total: number; processes: number; top: { pid: number; comm: string; opens: number }[] }>(r);
    const me = out.top.find((t) => t.pid === process.pid);
    expect(me?.opens).toBeGreaterThanOrEqual(300);
    expect(me?.comm).toBe(readFileSync("/proc/self/comm", "utf8").trim());
    for (let i = 1; i < out.top.length; i++) expect(out.top[i - 1]!.opens).toBeGreaterThanOrEqual(out.top[i]!.opens);
    expect(out.total).toBeGreaterThanOrEqual(out.top.reduce((a, t) => a + t.opens, 0));
    const text = startExample("countopens", ["--duration", "30", "--interval", "0.2", "--top", "3"]);
    await text.ready;
    // open files through the window so the report has rows however quiet the machine is
    const until = Date.now() + 600;
    while (Date.now() < until) {
      closeSync(openSync("/proc/self/stat", "r"));
      await new Promise((res) => setTimeout(res, 20));
    }
    text.kill("SIGINT");
    const t = await text.done;
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^\[\ds\]$/m);
    expect(t.stdout).toMatch(/^ +PID {2}COMM +OPENS$/m);
    // elapsed times depend on machine load: any "N.Ns"
    expect(t.stdout).toMatch(/^Top [1-3] after \d+\.\ds$/m);
    expect(t.stdout).toMatch(/\n\d+ opens by \d+ processes in \d+\.\ds\.\n$/);
  });

  test("opensnoop | head: a reader closing the pipe ends the tool cleanly, like Ctrl-C", async () => {
    const child = spawn(process.execPath, [path.join(root, "examples/out/opensnoop/main.js"), "--duration", "30", "--pid", String(process.pid)], {
      cwd: root, env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => {
      child.on("close", (c) => resolve(c));
      // opens by this process make the tool write, and find the pipe closed
      const t = setInterval(() => closeSync(openSync("/proc/self/stat", "r")), 20);
      child.on("close", () => clearInterval(t));
    });
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Error/);
  });
});
