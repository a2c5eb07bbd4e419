// printk on the kernel: a tracepoint program formats a line into the trace buffer with its
// format in .rodata (bpf_trace_printk for up to 3 arguments, bpf_trace_vprintk for more),
// and the formatted text is read back from /sys/kernel/tracing/trace.
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { bpf, char, defstruct, load } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

// A marker unique to this run, so lines of other runs (or other suites) never match.
const MARK = Math.floor(Math.random() * 0x7fffffff);

const Comm = defstruct("comm_buf", { comm: char(16) });

const prog = bpf`
  const target: u32 = 0;
  const mark: u32 = 0;
  export function opened(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    if ((get_current_pid_tgid() >> 32) as u32 != target) return 0;
    printk("whistler-open %u %s\n", mark, ctx.filename);
    return 0;
  }
  export function say(ctx: Tracepoint<"syscalls/sys_enter_getgid">): i32 {
    const pid = (get_current_pid_tgid() >> 32) as u32;
    if (pid != target) return 0;
    const neg: i32 = -5;
    printk("whistler-printk %u pid=%d neg=%d\n", mark, pid, neg);
    let c: ${Comm};
    get_current_comm(c.comm);
    printk("whistler-vprintk %u %x %llu %d %s\n", mark, 255, 1n << 40n, neg, c.comm);
    return 0;
  }
`;

function traceLines(): string[] {
  return readFileSync("/sys/kernel/tracing/trace", "utf8").split("\n").filter((l) => l.includes(String(MARK)));
}

describeKernel("printk", () => {
  checkNoFdLeaks();

  test("formatted lines reach the trace buffer", async () => {
    await using obj = await load(prog, { globals: { target: process.pid, mark: MARK } });
    obj.attachAll();
    const deadline = Date.now() + 5000;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      process.getgid!();
      try { readFileSync(`/nonexistent-${MARK}`); } catch { /* the open is what counts */ }
      lines = traceLines();
      if (lines.some((l) => l.includes("whistler-vprintk")) && lines.some((l) => l.includes(`/nonexistent-${MARK}`))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines.find((l) => l.includes("whistler-printk"))).toMatch(new RegExp(`whistler-printk ${MARK} pid=${process.pid} neg=-5$`));
    // The comm of the thread that called getgid: this process's main thread.
    const comm = readFileSync(`/proc/${process.pid}/task/${process.pid}/comm`, "utf8").trim();
    expect(lines.find((l) => l.includes("whistler-vprintk"))!.endsWith(`whistler-vprintk ${MARK} ff 1099511627776 -5 ${comm}`)).toBe(true);
    // %s of a user-space pointer (openat's filename argument).
    expect(lines.some((l) => l.endsWith(`whistler-open ${MARK} /nonexistent-${MARK}`))).toBe(true);
  });
});
