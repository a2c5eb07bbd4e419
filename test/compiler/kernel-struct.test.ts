// KernelStruct<"name"> at compile time: the code BPF_CORE_READ would give, the CO-RE records
// and local BTF the object carries, where layouts come from (snapshot, WHISTLER_KERNEL_BTF),
// and the diagnostics of misuse, each beside a near miss that compiles.
import { afterEach, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { parseObject } from "../../loader/index.js";
import { Btf } from "../../loader/btf/index.js";
import { SNAPSHOT_TYPES } from "../../transformer/kernel/kernel-types.js";
import { readElf } from "../../transformer/elf/reader.js";
import { buildTarget } from "../core/targets.js";
import { charFieldType, layoutStruct } from "../../runtime/struct/layout.js";
import { describeDiagnostics, template } from "./helpers.js";

const prog = (body: string) => `
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const task = get_current_task() as KernelStruct<"task_struct">;
${body}
}
`;

function diag(text: string): string[] {
  const src = template(text);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

function compile(text: string): Uint8Array {
  const r = compileTemplate(template(text));
  expect(r.diagnostics).toEqual([]);
  return r.elf!;
}

const TASK = SNAPSHOT_TYPES.composite("task_struct")!;
const offsetOf = (name: string) => TASK.members.find((m) => m.name === name)!.bitOffset / 8;

describe("KernelStruct", () => {
  afterEach(() => {
    delete process.env.WHISTLER_KERNEL_BTF;
  });

  test("task.real_parent.tgid: two probe_read_kernel calls into the stack, each offset a relocated mov", () => {
    const elf = compile(prog("  return task.real_parent.tgid;"));
    const listing = disassemble(elf);
    expect(listing.match(/call bpf_probe_read_kernel#113/g)?.length).toBe(2);
    expect(listing).toContain(`= ${offsetOf("real_parent")}\n`);
    expect(listing).toContain(`= ${offsetOf("tgid")}\n`);
    const p = parseObject(elf).programs[0]!;
    // Local task_struct holds tgid and real_parent, in offset order: one record each.
    const [first, second] = offsetOf("tgid") < offsetOf("real_parent") ? ["tgid", "real_parent"] : ["real_parent", "tgid"];
    expect(p.coreRelos.map((r) => `${r.kind} ${r.access}`).sort()).toEqual(["0 0:0", "0 0:1"]);
    expect([first, second]).toEqual(["tgid", "real_parent"]);
    // Each record sits on a `mov64 rX, imm` holding the offset the local BTF gives.
    for (const r of p.coreRelos) {
      expect(p.insns[r.insn * 8]).toBe(0xb7);
    }
  });

  test("the object's BTF has minimal local definitions: only the members read, at the build's offsets", () => {
    const elf = compile(prog("  const u = task.real_cred.uid.val;\n  return task.pid + (u as i32);"));
    const btf = Btf.parse(readElf(elf).sections.find((x) => x.name === ".BTF")!.data);
    const task = btf.find("STRUCT", "task_struct")!;
    expect(task.size).toBe(TASK.size);
    expect(task.members.map((m) => [m.name, m.bitOffset / 8])).toEqual(
      [["pid", offsetOf("pid")], ["real_cred", offsetOf("real_cred")]].sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
    const cred = btf.find("STRUCT", "cred")!;
    expect(cred.members.map((m) => m.name)).toEqual(["uid"]);
    // uid is kuid_t, an anonymous struct: the access goes through it ("0:0:0").
    const p = parseObject(elf).programs[0]!;
    expect(p.coreRelos.map((r) => r.access)).toContain("0:0:0");
  });

  test("integer fields keep the kernel's sign: task.pid is i32 (sign-extended to i64), task.flags u32", () => {
    expect(diag(prog("  const x: i64 = task.pid;\n  const y: u64 = task.flags;\n  return 0;"))).toEqual([]);
    expect(diag(prog("  const x: u64 = task.pid;\n  return 0;"))[0]).toMatch(/^WBPF1003 .*i32/);
  });

  test("char arrays are kernel addresses for probe_read_kernel_str; field_exists is a u32; a char array is no integer", () => {
    const EV = layoutStruct("ev", [["comm", charFieldType(16)]]);
    const text = `
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const task = get_current_task() as KernelStruct<"task_struct">;
  let e: \${Ev};
  probe_read_kernel_str(e.comm, task.comm);
  return field_exists(task.real_parent) as i32;
}
`;
    const src = template(text, { Ev: EV });
    expect(compileTemplate(src).diagnostics).toEqual([]);
    const bad = template(text.replace("return field_exists(task.real_parent) as i32;", "return task.comm as i32;"), { Ev: EV });
    expect(compileTemplate(bad).diagnostics.map((d) => d.code)).toEqual(["WBPF1003"]);
  });

  test("unknown struct: WBPF1017 at the name with the nearest one; the right name compiles", () => {
    const text = `
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const task = get_current_task() as KernelStruct<"task_strct">;
  return 0;
}
`;
    expect(diag(text)).toEqual([expect.stringMatching(/^WBPF1017 3:52 "task_strct" unknown kernel struct 'task_strct'; did you mean 'task_struct'\?/)]);
    expect(diag(text.replace("task_strct", "task_struct"))).toEqual([]);
  });

  test("unknown field: WBPF1017 at the field, through a pointer too; the right field compiles", () => {
    expect(diag(prog("  return task.real_parent.tgd;"))).toEqual([expect.stringMatching(/^WBPF1017 4:27 "tgd" struct task_struct has no field 'tgd'; did you mean 'tgid'\?/)]);
    expect(diag(prog("  return task.real_parnt.tgid;"))[0]).toMatch(/^WBPF1017 4:15 "real_parnt" .*did you mean 'real_parent'/);
    expect(diag(prog("  return task.real_parent.tgid;"))).toEqual([]);
  });

  test("a bitfield reads as BPF_CORE_READ_BITFIELD_PROBED does; an anonymous struct kept in a local is WBPF1018", () => {
    const listing = disassemble(compile(prog("  return task.in_execve as i32;")));
    // A zeroed u64, a probe read of the relocated size, then the two relocated shifts.
    expect(listing).toMatch(/\*\(u64 \*\)\(r10 - 8\) = 0[\s\S]*call bpf_probe_read_kernel#113[\s\S]*<<= r\d[\s\S]*>>= r\d/);
    expect(diag(prog("  const l = task.loginuid;\n  return l.val as i32;"))[0]).toMatch(/^WBPF1018 5:10 "l" an anonymous kernel struct has no name to relocate against/);
    expect(diag(prog("  return task.loginuid.val as i32;"))).toEqual([]);
  });

  test("array elements: the constant index is an access-string step, the offset the element's; the local BTF has the array of structs", () => {
    const signal = SNAPSHOT_TYPES.composite("signal_struct")!;
    const rlim = signal.members.find((m) => m.name === "rlim")!;
    const rlimit = SNAPSHOT_TYPES.composite("rlimit")!;
    const elf = compile(prog("  return (task.signal.rlim[7].rlim_max + task.comm[1] as u64 + (task.pid_links[2].next == null ? 1 : 0)) as i32;"));
    const p = parseObject(elf).programs[0]!;
    // Local task_struct: pid_links, comm, signal (members 0-2, in offset order); signal_struct
    // holds rlim only, rlimit rlim_max only, hlist_node next only (member 0 each).
    expect(p.coreRelos.map((r) => r.access).sort()).toEqual(["0:0:2:0", "0:1:1", "0:2", "0:0:7:0"].sort());
    const listing = disassemble(elf);
    const rlimMax = rlimit.members.find((m) => m.name === "rlim_max")!.bitOffset / 8;
    expect(listing).toContain(`= ${rlim.bitOffset / 8 + 7 * rlimit.size + rlimMax}\n`);
    expect(listing).toContain(`= ${offsetOf("comm") + 1}\n`);
    // The object's BTF: signal_struct's rlim is an array of 16 rlimit structs.
    const btf = Btf.parse(readElf(elf).sections.find((x) => x.name === ".BTF")!.data);
    const local = btf.find("STRUCT", "signal_struct")!;
    expect(local.members.map((m) => m.name)).toEqual(["rlim"]);
    const arr = btf.resolve(local.members[0]!.type);
    expect(arr.kind === "ARRAY" && arr.nelems).toBe(rlim.type.k === "array" ? rlim.type.length : -1);
    expect(arr.kind === "ARRAY" && btf.resolve(arr.type)).toMatchObject({ kind: "STRUCT", name: "rlimit" });
  });

  test("array indices: a constant inside the array; an array kept in a local is WBPF1002", () => {
    expect(diag(prog("  return task.comm[16] as i32;"))[0]).toMatch(/^WBPF1008 4:20 "16" index 16 is outside kernel char\[16\] \(0 to 15\)/);
    expect(diag(prog("  return task.comm[15] as i32;"))).toEqual([]);
    expect(diag(prog("  const i = get_current_pid_tgid() & 3;\n  return task.pid_links[i].next == null ? 1 : 0;"))[0]).toMatch(/^WBPF1008 5:25 "i" an index into a kernel struct's array must be a compile-time constant/);
    expect(diag(prog("  const i = 3;\n  return task.pid_links[i].next == null ? 1 : 0;"))).toEqual([]);
    expect(diag(prog("  const r = task.signal.rlim;\n  return r[7].rlim_cur as i32;"))[0]).toMatch(/^WBPF1002 5:10 "r\[7\]" kernel struct rlimit\[16\] kept in a local cannot be indexed/);
    expect(diag(prog("  const r = task.signal.rlim[7];\n  return r.rlim_cur as i32;"))).toEqual([]);
  });

  test("kernel addresses compare with null and 0 and test as conditions; a struct value does not", () => {
    expect(diag(prog("  if (task.mm == null) return 0;\n  if (!task.real_parent) return 1;\n  if (task.real_parent != 0) return 2;\n  return task.mm ? 3 : 4;"))).toEqual([]);
    expect(diag(prog("  if (task.pid == null) return 0;\n  return 1;"))[0]).toMatch(/^WBPF1003 /);
  });

  test("helper functions take KernelStruct parameters, inlined or as .text subprograms; another struct is WBPF1003", () => {
    const fn = (tag: string, arg: string) => `
/** ${tag} */
function parent_tgid(t: KernelStruct<"task_struct">): i32 {
  return t.real_parent.tgid;
}
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const task = get_current_task() as KernelStruct<"task_struct">;
  return parent_tgid(${arg});
}
`;
    expect(diag(fn("@inline", "task"))).toEqual([]);
    const listing = disassemble(compile(fn("@noinline", "task")));
    expect(listing).toContain("parent_tgid (section .text");
    expect(diag(fn("@noinline", "get_current_task()"))).toEqual([]);
    expect(diag(fn("@noinline", "task.real_cred"))[0]).toMatch(/^WBPF1003 .*parameter 't' of 'parent_tgid' is a KernelStruct<"task_struct">, not KernelStruct<"cred">/);
    expect(diag(fn("@noinline", "task").replace('KernelStruct<"task_struct">): i32', 'KernelStruct<"task_strct">): i32'))[0]).toMatch(/^WBPF1017 .*did you mean 'task_struct'/);
  });

  test("only a u64 casts to a KernelStruct; a u32 is WBPF1003", () => {
    const text = `
export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const a = ctx.args[0];
  const t = a as KernelStruct<"task_struct">;
  const u = (a as u32) as KernelStruct<"task_struct">;
  return t.pid;
}
`;
    expect(diag(text)).toEqual([expect.stringMatching(/^WBPF1003 5:14 "a as u32" only a u64 address/)]);
    expect(diag(text.replace("  const u = (a as u32) as KernelStruct<\"task_struct\">;\n", ""))).toEqual([]);
  });

  test("TpBtf: ctx.args are typed by the tracepoint's prototype; an unknown tracepoint is WBPF1004 with the nearest name", () => {
    const tp = (name: string, body: string) => `
export function p(ctx: TpBtf<"${name}">): i32 {
${body}
}
`;
    const listing = disassemble(compile(tp("sched_process_exec", "  const t = ctx.args[0];\n  return t.real_parent.tgid + ctx.args[1];")));
    // Direct loads through the BTF pointer: no probe_read call at all.
    expect(listing).not.toContain("probe_read");
    expect(listing).toContain("section tp_btf/sched_process_exec");
    expect(diag(tp("sched_process_exec", "  const x: u32 = ctx.args[1];\n  return 0;"))[0]).toMatch(/^WBPF1003 .*i32/);
    expect(diag(tp("sched_process_exec", "  return ctx.args[3] as i32;"))[0]).toMatch(/^WBPF1008 .*argument index 3 is out of range/);
    expect(diag(tp("sched_proces_exec", "  return 0;"))[0]).toMatch(/^WBPF1004 .*no BTF raw tracepoint 'sched_proces_exec'.*did you mean 'sched_process_exec'/);
  });

  test("type and enum builtins: string literals naming what the build knows; WBPF1017 near misses, WBPF1015, WBPF1006", () => {
    const body = (b: string) => prog(`  ${b}\n  return 0;`);
    expect(diag(body('const a = type_size("task_struct") + type_exists("cred") + (enum_value("pid_type", "PIDTYPE_TGID") as u32);'))).toEqual([]);
    expect(diag(body('const a = enum_value("pid_typ", "PIDTYPE_TGID");'))[0]).toMatch(/^WBPF1017 4:\d+ "pid_typ" unknown kernel enum 'pid_typ'; did you mean 'pid_type'\?/);
    expect(diag(body('const a = enum_value("pid_type", "PIDTYPE_TGD");'))[0]).toMatch(/^WBPF1017 4:\d+ "PIDTYPE_TGD" enum pid_type has no enumerator 'PIDTYPE_TGD'; did you mean 'PIDTYPE_TGID'\?/);
    expect(diag(body('const a = type_size("task_strct");'))[0]).toMatch(/^WBPF1017 4:\d+ "task_strct" .*did you mean 'task_struct'/);
    expect(diag(body("const n = 1;\n  const a = type_size(n);"))[0]).toMatch(/^WBPF1015 .*string literal/);
    expect(diag(body('const a = enum_value("pid_type");'))[0]).toMatch(/^WBPF1006 /);
  });

  test("WHISTLER_KERNEL_BTF=snapshot builds as a machine without vmlinux BTF: snapshot structs and tracepoints compile, the rest is WBPF1017/WBPF1004", () => {
    process.env.WHISTLER_KERNEL_BTF = "snapshot";
    expect(diag(prog("  return task.real_parent.tgid + (task.real_cred.uid.val as i32);"))).toEqual([]);
    expect(diag(`
export function p(ctx: TpBtf<"sched_switch">): i32 {
  return ctx.args[1].tgid;
}
`)).toEqual([]);
    // bpf_prog is in vmlinux but not in the snapshot; enums come from vmlinux only.
    expect(diag(prog('  const p = 0 as u64 as KernelStruct<"bpf_prog">;\n  return 0;'))[0]).toMatch(/^WBPF1017 .*unknown kernel struct 'bpf_prog'/);
    expect(diag(prog('  return enum_value("pid_type", "PIDTYPE_TGID") as i32;'))[0]).toMatch(/^WBPF1017 .*unknown kernel enum 'pid_type'/);
    expect(diag(`
export function p(ctx: TpBtf<"xdp_exception">): i32 {
  return 0;
}
`)[0]).toMatch(/^WBPF1004 .*no BTF raw tracepoint 'xdp_exception'/);
  });

  test("the snapshot has the common structs; WHISTLER_KERNEL_BTF compiles against another kernel's layout", () => {
    for (const s of ["task_struct", "cred", "file", "dentry", "sock", "sk_buff", "mm_struct"]) expect(SNAPSHOT_TYPES.composite(s)).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "whistler-kbtf-"));
    try {
      const path = join(dir, "other.btf");
      writeFileSync(path, buildTarget({ structs: [{ name: "task_struct", size: 256, members: [["pid", 40, (t) => t.int], ["tgid", 44, (t) => t.int]] }] }));
      process.env.WHISTLER_KERNEL_BTF = path;
      const listing = disassemble(compile(prog("  return task.tgid;")));
      expect(listing).toMatch(/r\d = 44\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
