// Syscall tracepoint arguments are u64s (the format stores each in 8 unsigned bytes), even
// when C declares them int: `ctx.dfd == -100` is WBPF1008, whose message gives the spelling
// that works, `ctx.dfd as i32 == -100`, checked here on this process's own openat calls.
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { bpf, HashMap, load, u32 } from "../../index.js";
import { compileTemplate } from "../../transformer/compile.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { template } from "../compiler/helpers.js";

export const cwdOpens = new HashMap({ key: u32, value: u32, maxEntries: 1024 });
export const prog = bpf`
  export function cwd_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    if (ctx.dfd as i32 == -100) ${cwdOpens}.increment(pid);
    return 0;
  }
`;

test("ctx.dfd == -100 is WBPF1008, and the message says to compare ctx.dfd as i32", () => {
  const src = 'export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n  return ctx.dfd == -100 ? 1 : 0;\n}';
  const r = compileTemplate(template(src));
  expect(r.diagnostics.map((d) => d.code)).toEqual(["WBPF1008"]);
  expect(r.diagnostics[0]!.message).toContain("`x as i32 == -100` for an int");
});

describeKernel("syscall tracepoint arguments", () => {
  checkNoFdLeaks();

  test("openat's dfd compared as i32 is AT_FDCWD (-100) for a relative open by this process", async () => {
    await using obj = await load(prog);
    obj.attachAll();
    readFileSync("package.json"); // openat(AT_FDCWD, "package.json", ...)
    expect(obj.map(cwdOpens).get(process.pid)).toBeGreaterThanOrEqual(1);
  });
});
