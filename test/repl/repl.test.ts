/**
 * `whistler repl` on the real kernel: a scripted session (stdin piped, one line at a time
 * after each prompt) declares a map, writes a tracepoint template, loads and attaches it,
 * opens files, and reads the counts back; the REPL's commands list maps and programs.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { expect, test } from "@jest/globals";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");

const SESSION = String.raw`
const counts = new HashMap({ key: u32, value: u64, maxEntries: 1024, name: "counts" })
const prog = bpf${"`"}
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${"${counts}"}.increment(pid);
    return 0;
  }
${"`"}
const obj = await load(prog)
obj.attachAll().length
const fs = await import("node:fs")
for (let i = 0; i < 20; i++) fs.closeSync(fs.openSync("/etc/hostname", "r"))
obj.map(counts).get(process.pid) >= 20n
obj.map(counts)
.maps
.programs
disasm(prog)
await load(bpf${"`"}export function bad(ctx: Xdp): i32 { return nope; }${"`"})
.dispose
`;

function runSession(input: string): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "repl"], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`repl session timed out:\n${out}`)); }, 45_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
    child.stdin.end(input);
  });
}

/** What the REPL printed for the input line `line` (up to the next prompt). */
function answer(out: string, line: string): string {
  const at = out.indexOf(`whistler> ${line}\n`);
  if (at < 0) throw new Error(`line not echoed: ${line}\n${out}`);
  const from = at + `whistler> ${line}\n`.length;
  const next = out.indexOf("whistler> ", from);
  return out.slice(from, next < 0 ? undefined : next).trimEnd();
}

describeKernel("whistler repl", () => {
  checkNoFdLeaks();

  test("write, load, attach and read a tracepoint program interactively", async () => {
    const { out, code } = await runSession(SESSION);
    expect(code).toBe(0);
    expect(answer(out, "const obj = await load(prog)")).toBe("");
    expect(answer(out, "obj.attachAll().length")).toBe("1");
    expect(answer(out, "obj.map(counts).get(process.pid) >= 20n")).toBe("true");

    const map = answer(out, "obj.map(counts)");
    expect(map).toMatch(/^map counts: hash, key 4 B, value 8 B, \d+\/1024 entries$/m);
    expect(map).toMatch(/^ {2}\d+ => \d+n$/m);
    expect(answer(out, ".maps")).toMatch(/^map counts: hash, key 4 B, value 8 B, \d+\/1024 entries$/m);

    expect(answer(out, ".programs")).toMatch(/^ {2}program count_opens: tracepoint, \d+ insns, section tracepoint\/syscalls\/sys_enter_openat$/m);
    expect(answer(out, "disasm(prog)")).toMatch(/^count_opens \(section tracepoint\/syscalls\/sys_enter_openat, \d+ insns\):$/m);

    // A compile error is reported and the session goes on.
    const err = answer(out, "await load(bpf`export function bad(ctx: Xdp): i32 { return nope; }`)");
    expect(err).toMatch(/^Uncaught CompileError: bpf template failed to compile:\n.*:1:45 - error WBPF1001: unknown identifier 'nope'/);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace for our errors
    expect(answer(out, ".dispose")).toBe("closed 1 object");
  }, 60_000);
});
