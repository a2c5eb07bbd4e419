// Context kinds: the ctx parameter's type gives the section libbpf expects and the fields
// the program may read (and write); misuse is a diagnostic (each with a near miss).
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { describeDiagnostics, hashMap, template } from "./helpers.js";

const one = (ctx: string, body = "return 0;") => `export function p(ctx: ${ctx}): i32 {\n${body}\n}`;
function diag(body: string): string[] {
  const src = template(body);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("sections", () => {
  test.each([
    ['Tracepoint<"syscalls/sys_enter_openat">', "tracepoint/syscalls/sys_enter_openat"],
    ['RawTracepoint<"sched_switch">', "raw_tp/sched_switch"],
    ['Kprobe<"do_sys_openat2">', "kprobe/do_sys_openat2"],
    ['Kretprobe<"do_sys_openat2">', "kretprobe/do_sys_openat2"],
    ['Uprobe<"/usr/lib/libc.so.6:malloc">', "uprobe//usr/lib/libc.so.6:malloc"],
    ['Uretprobe<"/usr/lib/libc.so.6:malloc">', "uretprobe//usr/lib/libc.so.6:malloc"],
    ['Usdt<"/usr/bin/python3:python:function__entry">', "usdt//usr/bin/python3:python:function__entry"],
    ['Usdt<"libc.so.6:libc:setjmp">', "usdt/libc.so.6:libc:setjmp"],
    ['Fentry<"do_unlinkat">', "fentry/do_unlinkat"],
    ['Fexit<"do_unlinkat">', "fexit/do_unlinkat"],
    ["PerfEvent", "perf_event"],
    ["Xdp", "xdp"],
    ["Tc", "tc"],
    ['CgroupSkb<"ingress">', "cgroup_skb/ingress"],
    ['CgroupSkb<"egress">', "cgroup_skb/egress"],
    ["SocketFilter", "socket"],
  ])("%s -> %s", (ctx, section) => {
    const r = compileTemplate(template(one(ctx)));
    expect(r.diagnostics).toEqual([]);
    expect(r.programs.map((p) => p.section)).toEqual([section]);
  });
});

describe("context diagnostics (trigger and near miss)", () => {
  test("ctx.args needs a constant index in range", () => {
    expect(diag(one('RawTracepoint<"sched_switch">', "return ctx.args[1] as i32;"))).toEqual([]);
    expect(diag(one('RawTracepoint<"sched_switch">', "const i: u32 = 1;\nreturn ctx.args[i] as i32;"))[0]).toMatch(/^WBPF1015 3:17 "i" `ctx.args` takes a constant index/);
    expect(diag(one('Kprobe<"f">', "return ctx.args[6] as i32;"))[0]).toMatch(/^WBPF1008 2:17 "6" argument index 6 is out of range \(0 to 5\)/);
    expect(diag(one('RawTracepoint<"sched_switch">', "return ctx.args as i32;"))[0]).toMatch(/^WBPF1004 2:8 "ctx.args" `ctx.args` is an array of u64/);
  });

  test("USDT arguments: a constant index up to 11, read through the object's spec table", () => {
    const usdt = 'Usdt<"/usr/bin/python3:python:function__entry">';
    const reads = compileTemplate(template(one(usdt, "return ctx.args[11] as i32;")));
    expect(reads.diagnostics).toEqual([]);
    expect(reads.maps).toEqual(["__usdt_specs"]);
    // No argument read, no table: the loader then attaches without spec cookies.
    expect(compileTemplate(template(one(usdt, "return ctx.ip as i32;"))).maps).toEqual([]);
    expect(diag(one(usdt, "return ctx.args[12] as i32;"))[0]).toMatch(/^WBPF1008 2:17 "12" argument index 12 is out of range \(0 to 11\)/);
    expect(diag(one(usdt, "const i: u32 = 1;\nreturn ctx.args[i] as i32;"))[0]).toMatch(/^WBPF1015 3:17 "i" `ctx.args` takes a constant index/);
    expect(diag(one('Usdt<"/usr/bin/python3:function__entry">'))[0]).toMatch(/^WBPF1004 1:24 .* the USDT probe '\/usr\/bin\/python3:function__entry' must look like "\/path\/to\/binary:provider:name"/);
    expect(diag(one(usdt, "return ctx.di as i32;"))[0]).toMatch(/^WBPF1004 2:12 "di" Usdt context has no field 'di'.* Fields: ip, sp, arg_count/);
    expect(diag(one(usdt, "return ctx.arg_cont as i32;"))[0]).toMatch(/no field 'arg_cont'; did you mean 'arg_count'\?/);
    const count = compileTemplate(template(one(usdt, "return ctx.arg_count as i32;")));
    expect(count.diagnostics).toEqual([]);
    expect(count.maps).toEqual(["__usdt_specs"]);
    expect(diag(one('Uprobe<"/bin/x:f">', "return ctx.arg_count as i32;"))[0]).toMatch(/Uprobe context has no field 'arg_count'/);
    // The table's name is the loader's: a template map of that name is refused where it would clash.
    const clash = template(one(usdt, "${__usdt_specs}.increment(1);\nreturn ctx.args[0] as i32;"), { __usdt_specs: hashMap("u32", "u64", 8) });
    expect(describeDiagnostics(clash, compileTemplate(clash).diagnostics)).toEqual([expect.stringMatching(/^WBPF1010 3:8 "ctx.args\[0\]"/)]);
    expect(compileTemplate(clash).diagnostics[0]!.message).toBe("the map '__usdt_specs' holds USDT argument specs; rename the template's map of that name");
  });

  test("writable fields are writable; others are WBPF1009 listing the writable ones", () => {
    expect(diag(one("Tc", "ctx.mark = 1;\nreturn 0;"))).toEqual([]);
    expect(diag(one("Tc", "ctx.len = 1;\nreturn 0;"))[0]).toMatch(/^WBPF1009 2:1 "ctx.len" this context field is read-only in sched_cls programs; writable fields: mark, queue_mapping, priority/);
    expect(diag(one("SocketFilter", "ctx.mark = 1;\nreturn 0;"))[0]).toMatch(/^WBPF1009 2:1 "ctx.mark" this context field is read-only in socket_filter programs; writable fields: cb0/);
  });

  test("type arguments are checked (WBPF1004)", () => {
    expect(diag(one('CgroupSkb<"sideways">'))[0]).toMatch(/^WBPF1004 1:24 .* cgroup_skb direction 'sideways' must be "ingress" or "egress"/);
    expect(diag(one('Uprobe<"malloc">'))[0]).toMatch(/^WBPF1004 1:24 .* the probe target 'malloc' must look like "\/path\/to\/binary:symbol"/);
    expect(diag(one("Tc<\"x\">"))[0]).toMatch(/^WBPF1004 1:24 .* context type 'Tc' takes 0 type argument/);
  });

  test("packet pointers exist where the kernel allows direct packet access", () => {
    expect(diag(one("Tc", "const d = ctx.data;\nif (d + 14 > ctx.data_end) return 0;\nreturn load_u8(d, 0) as i32;"))).toEqual([]);
    expect(diag(one("SocketFilter", "const d = ctx.data;\nreturn 0;"))[0]).toMatch(/^WBPF1004 2:15 "data" SocketFilter context has no field 'data'/);
  });
});
