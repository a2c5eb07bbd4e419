// Context kinds in the kernel: one program per kind, loaded by bpftool (libbpf picks the
// program type from our section names), and the packet kinds run through BPF_PROG_TEST_RUN
// with their context fields (ctx.len, ctx.mark written by tc, ctx.args of tracing kinds).
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileTemplate } from "../../transformer/compile.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { template } from "../compiler/helpers.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";

export const CTX_KINDS_SRC = `
export function on_switch(ctx: RawTracepoint<"sched_switch">): i32 {
  return (ctx.args[1] & 1) as i32;
}
export function on_malloc(ctx: Uprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">): i32 {
  return (ctx.args[0] > 4096) as i32;
}
export function on_malloc_ret(ctx: Uretprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">): i32 {
  return (ctx.ret == 0) as i32;
}
export function on_sample(ctx: PerfEvent): i32 {
  return (ctx.sample_period > 0) as i32;
}
export function tc_mark(ctx: Tc): i32 {
  const d = ctx.data;
  if (d + 34 > ctx.data_end) return 0;
  if (load_u8(d, 23) == 17) ctx.mark = 0x42;
  return ctx.mark as i32;
}
export function egress(ctx: CgroupSkb<"egress">): i32 {
  return (ctx.len > 40) as i32;
}
export function sock(ctx: SocketFilter): i32 {
  return ctx.len as i32;
}
`;

describeKernel("context kinds load and run in the kernel", () => {
  checkNoFdLeaks();
  let s: ReturnType<typeof scratch>;
  beforeAll(() => {
    s = scratch("ctx-kinds");
    const r = compileTemplate(template(CTX_KINDS_SRC));
    expect(r.diagnostics).toEqual([]);
    bpftool(["prog", "loadall", writeObject(s.tmp, "kinds", r.elf!), s.pinDir]);
  });
  afterAll(() => s?.cleanup());

  test("every program passes the verifier with the program type its section names", () => {
    expect(readdirSync(s.pinDir).sort()).toEqual(["egress", "on_malloc", "on_malloc_ret", "on_sample", "on_switch", "sock", "tc_mark"]);
    const type = (n: string) => (JSON.parse(bpftool(["prog", "show", "pinned", join(s.pinDir, n), "--json"])) as { type: string }).type;
    expect(["on_switch", "on_malloc", "on_malloc_ret", "on_sample", "tc_mark", "egress", "sock"].map(type)).toEqual([
      "raw_tracepoint", "kprobe", "kprobe", "perf_event", "sched_cls", "cgroup_skb", "socket_filter",
    ]);
  });

  const run = (prog: string, pkt: Buffer) => {
    const file = join(s.tmp, `${prog}.bin`);
    writeFileSync(file, pkt);
    return Number(/Return value: (\d+)/.exec(bpftool(["prog", "run", "pinned", join(s.pinDir, prog), "data_in", file]))![1]);
  };
  const ipv4 = (proto: number, len = 64) => {
    const p = Buffer.alloc(len);
    p.writeUInt16BE(0x0800, 12);
    p[14] = 0x45;
    p.writeUInt16BE(len - 14, 16);
    p[23] = proto;
    return p;
  };

  test("tc writes ctx.mark for UDP and reads it back", () => {
    expect(run("tc_mark", ipv4(17))).toBe(0x42);
    expect(run("tc_mark", ipv4(6))).toBe(0);
  });

  test("socket filter and cgroup_skb read ctx.len", () => {
    // The test run strips the 14-byte Ethernet header as receive does: skb->len is 66.
    expect(run("sock", ipv4(6, 80))).toBe(66);
    expect(run("egress", ipv4(6, 80))).toBe(1);
  });
});
