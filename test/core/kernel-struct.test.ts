/**
 * KernelStruct<"task_struct"> in templates, on the running kernel: reads compiled to
 * bpf_probe_read_kernel at CO-RE relocated offsets, with the records written by our compiler.
 *
 * - A child process's exec: its parent's tgid (task->real_parent->tgid) is this process, its
 *   comm the program it ran, its uid (task->real_cred->uid.val, through an anonymous struct)
 *   this process's.
 * - The same object loaded by libbpf (a C loader built with gcc and libbpf-dev): same
 *   results for its own process and the same translated instructions as our loader.
 * - Synthetic target BTF (test/core/targets.ts) where fields moved or vanished: both loaders
 *   relocate our object alike; a vanished field read unguarded fails the load naming it.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bpf, char, defstruct, HashMap, i32, load, u32, u64 } from "../../index.js";
import { parseObject, type MapHandle } from "../../loader/index.js";
import { vmlinuxBtf } from "../../loader/link/vmlinux-btf.js";
import { VerifierError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildLibbpfProgram } from "../helpers/libbpf-program.js";
import { describeKernel } from "../helpers/kernel.js";
import { compileAtRunTime } from "../../transformer/runtime-compile.js";
import { libbpfReport, normalizedListing, xlatedInsns } from "./kernel-dump.js";
import { writeTarget, type Member } from "./targets.js";
import { bpftool, scratch, writeObject } from "../interop/bpftool-util.js";

export const ExecInfo = defstruct("exec_info", { ppid: i32, pid: i32, uid: u32, has_parent: u32, in_execve: u32, comm: char(16) });
export const execs = new HashMap({ key: u32, value: ExecInfo, maxEntries: 1024 });

export const onExec = bpf`
  export function on_exec(ctx: Tracepoint<"sched/sched_process_exec">): i32 {
    const task = get_current_task() as KernelStruct<"task_struct">;
    const pid = (get_current_pid_tgid() >> 32) as u32;
    if (task.mm == null) return 0; // kernel threads have no mm; a process that exec'd has one
    let e: ${ExecInfo};
    e.ppid = task.real_parent.tgid;
    e.pid = task.tgid;
    e.uid = task.real_cred.uid.val;
    e.has_parent = field_exists(task.real_parent);
    e.in_execve = task.in_execve;
    probe_read_kernel_str(e.comm, task.comm);
    ${execs}.update(pid, e);
    return 0;
  }
`;

export const execsBtf = new HashMap({ key: u32, value: ExecInfo, maxEntries: 1024 });

/** The same reads from a BTF raw tracepoint: ctx.args[0] is the task, read with direct loads. */
export const onExecBtf = bpf`
  export function on_exec_btf(ctx: TpBtf<"sched_process_exec">): i32 {
    const task = ctx.args[0];
    let e: ${ExecInfo};
    e.ppid = task.real_parent.tgid;
    e.pid = ctx.args[1];
    e.uid = task.real_cred.uid.val;
    e.has_parent = field_exists(task.real_parent);
    probe_read_kernel_str(e.comm, task.comm);
    ${execsBtf}.update(task.tgid as u32, e);
    return 0;
  }
`;

/** Elements of arrays inside kernel structs: an array of structs (`signal->rlim[RLIMIT_NOFILE]`)
 * and an integer array (`comm[0]`), each element at a CO-RE relocated offset. */
export const Limits = defstruct("limits_info", { nofile_cur: u64, nofile_max: u64, comm0: u32, pad: u32 });
export const limits = new HashMap({ key: u32, value: Limits, maxEntries: 1024 });
export const limitsBtf = new HashMap({ key: u32, value: Limits, maxEntries: 1024 });
export const onExecLimits = bpf`
  export function on_exec_limits(ctx: Tracepoint<"sched/sched_process_exec">): i32 {
    const task = get_current_task() as KernelStruct<"task_struct">;
    let l: ${Limits};
    l.nofile_cur = task.signal.rlim[7].rlim_cur;
    l.nofile_max = task.signal.rlim[7].rlim_max;
    l.comm0 = task.comm[0] as u32;
    ${limits}.update((get_current_pid_tgid() >> 32) as u32, l);
    return 0;
  }

  /** The same elements through a BTF task pointer: direct loads, no probe reads. */
  export function on_exec_limits_btf(ctx: TpBtf<"sched_process_exec">): i32 {
    const task = ctx.args[0];
    let l: ${Limits};
    l.nofile_cur = task.signal.rlim[7].rlim_cur;
    l.nofile_max = task.signal.rlim[7].rlim_max;
    l.comm0 = task.comm[0] as u32;
    ${limitsBtf}.update(task.tgid as u32, l);
    return 0;
  }
`;

/** Results in .bss, all u64 in declaration order; run by BPF_PROG_TEST_RUN as the caller. */
export const selfTask = bpf`
  let r_pid: u64;
  let r_tgid: u64;
  let r_ppid: u64;
  let r_has_parent: u64;
  let r_in_execve: u64;

  export function self_task(ctx: RawTracepoint<"sys_enter">): i32 {
    const task = get_current_task() as KernelStruct<"task_struct">;
    r_pid = task.pid as u64;
    r_tgid = task.tgid as u64;
    r_has_parent = field_exists(task.real_parent) as u64;
    if (field_exists(task.real_parent) != 0) r_ppid = task.real_parent.tgid as u64;
    // Guarded: the synthetic targets below have no bitfields.
    if (field_exists(task.in_execve) != 0) r_in_execve = task.in_execve as u64;
    if (field_exists(task.in_iowait) != 0) r_in_execve += 2 * (task.in_iowait as u64);
    return 0;
  }
`;

/** A uprobe program reads the same way: each process calling malloc, with its parent (read
 * in a .text subprogram taking the task). */
export const parentOf = new HashMap({ key: u32, value: u32, maxEntries: 4096 });
export const onMalloc = bpf`
  /** @noinline */
  function parent_tgid(t: KernelStruct<"task_struct">): u32 {
    return t.real_parent.tgid as u32;
  }

  export function on_malloc_parent(ctx: Uprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">): i32 {
    const task = get_current_task() as KernelStruct<"task_struct">;
    ${parentOf}.update(task.tgid as u32, parent_tgid(task));
    return 0;
  }
`;

/** And a perf_event program: on CPU clock samples, the interrupted task and its parent. */
export const sampledParent = new HashMap({ key: u32, value: u32, maxEntries: 4096 });
export const onSample = bpf`
  export function on_sample_parent(ctx: PerfEvent): i32 {
    const task = get_current_task() as KernelStruct<"task_struct">;
    ${sampledParent}.update(task.tgid as u32, task.real_parent.tgid as u32);
    return 0;
  }
`;

/** Type and enum relocations, each value guarded by its existence check as libbpf users do. */
export const typeKinds = bpf`
  let t_exists: u64;
  let t_size: u64;
  let e_exists: u64;
  let e_value: u64;
  let f_size: u64;
  let f_offset: u64;

  export function kinds(ctx: RawTracepoint<"sys_enter">): i32 {
    t_exists = type_exists("task_struct") as u64;
    if (type_exists("task_struct") != 0) t_size = type_size("task_struct") as u64;
    e_exists = enum_exists("pid_type", "PIDTYPE_SID") as u64;
    if (enum_exists("pid_type", "PIDTYPE_TGID") != 0) e_value = enum_value("pid_type", "PIDTYPE_TGID") as u64;
    const task = get_current_task() as KernelStruct<"task_struct">;
    if (field_exists(task.comm) != 0) {
      f_size = field_size(task.comm) as u64;
      f_offset = field_offset(task.comm) as u64;
    }
    return 0;
  }
`;

/** Enumerators of 64-bit enums (ENUM64): ld_imm64 relocations that may use all 64 bits. */
export const wideEnums = bpf`
  let callchain_kernel: u64;
  let iv0: u64;
  let iv1: u64;

  export function wide(ctx: RawTracepoint<"sys_enter">): i32 {
    callchain_kernel = enum_value("perf_callchain_context", "PERF_CONTEXT_KERNEL") as u64;
    iv0 = enum_value("blake2b_iv", "BLAKE2B_IV0") as u64;
    if (enum_exists("blake2b_iv", "BLAKE2B_IV1") != 0) iv1 = enum_value("blake2b_iv", "BLAKE2B_IV1") as u64;
    return 0;
  }
`;

const here = fileURLToPath(new URL(".", import.meta.url));
let dir = "";
let loader = "";
let objectPath = "";
/** The object's bytes (compiled here when no build-time transformer ran). */
const selfTaskElf = async (): Promise<Uint8Array> => selfTask.elfBytes() ?? (await compileAtRunTime(selfTask)).elf;

function results(bss: Uint8Array): { pid: bigint; tgid: bigint; ppid: bigint; hasParent: bigint } {
  const v = new DataView(bss.buffer, bss.byteOffset, bss.byteLength);
  return { pid: v.getBigUint64(0, true), tgid: v.getBigUint64(8, true), ppid: v.getBigUint64(16, true), hasParent: v.getBigUint64(24, true) };
}

function bss(m: MapHandle<unknown, unknown>): Uint8Array {
  const v = m.get(new Uint8Array(4) as never);
  if (!(v instanceof Uint8Array)) throw new Error("expected raw bytes");
  return v;
}

/** Byte offset of a member of a struct in this kernel's BTF. */
function realOffset(struct: string, member: string): number {
  const m = vmlinuxBtf().find("STRUCT", struct)?.members.find((x) => x.name === member);
  if (!m) throw new Error(`this kernel's ${struct} has no ${member}`);
  return m.bitOffset / 8;
}

/** The instructions bpftool (libbpf) loads `program` of `elf` as, after the kernel's translation. */
function bpftoolXlated(elf: Uint8Array, program: string): ReturnType<typeof normalizedListing> {
  const s = scratch("kstruct");
  try {
    bpftool(["prog", "load", writeObject(s.tmp, program, elf), s.pinDir]);
    const raw = join(s.tmp, `${program}.xlated`);
    bpftool(["prog", "dump", "xlated", "pinned", s.pinDir, "file", raw]);
    return normalizedListing(new Uint8Array(readFileSync(raw)));
  } finally {
    s.cleanup();
  }
}

/** Immediates of the `mov64 rX, imm` instructions of a translated program. */
function movImmediates(insns: Uint8Array): number[] {
  const v = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= insns.length; i += 8) if (insns[i] === 0xb7) out.push(v.getInt32(i + 4, true));
  return out;
}

describeKernel("KernelStruct in templates: CO-RE records from our compiler", () => {
  checkNoFdLeaks();

  beforeAll(async () => {
    ({ dir, binary: loader } = buildLibbpfProgram(join(here, "c/core_load.c"), "whistler-kstruct-"));
    objectPath = join(dir, "self_task.o");
    writeFileSync(objectPath, await selfTaskElf());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the object carries one record per relocated instruction, against local task_struct types", async () => {
    const prog = parseObject(await selfTaskElf()).programs[0]!;
    // pid, tgid, two existence checks of real_parent, real_parent (pointer), its tgid.
    // bpf_core_relo_kind: 0 field_byte_offset, 2 field_exists. Local task_struct members in
    // offset order: in_execve, in_iowait, pid, tgid, real_parent.
    // The bitfields in_execve and in_iowait come first (members 0 and 1): byte offset, byte
    // size, left and right shift (kinds 0, 1, 4, 5) and their existence check each.
    const bits = ["0:0", "0:1"].flatMap((a) => [`0 ${a}`, `1 ${a}`, `4 ${a}`, `5 ${a}`, `2 ${a}`]);
    expect(prog.coreRelos.map((r) => `${r.kind} ${r.access}`).sort()).toEqual(["0 0:2", "0 0:3", "0 0:3", "0 0:4", "2 0:4", "2 0:4", ...bits].sort());
  });

  test("a child's exec: real_parent->tgid is this process, comm the program, real_cred->uid.val our uid", async () => {
    await using obj = await load(onExec);
    obj.attachAll();
    const child = spawnSync("/bin/true");
    expect(child.status).toBe(0);
    const e = obj.map(execs).get(child.pid);
    expect(e).toBeDefined();
    expect(e!.ppid).toBe(process.pid);
    expect(e!.pid).toBe(child.pid);
    expect(e!.uid).toBe(process.getuid!());
    expect(e!.has_parent).toBe(1);
    expect(e!.in_execve).toBe(1); // a 1-bit bitfield, set while execve() runs
    expect(e!.comm).toBe("true");
  });

  test("array elements: a child's signal->rlim[RLIMIT_NOFILE] is the soft limit it set and our hard one, comm[0] its first letter; libbpf relocates them alike", async () => {
    const elf = onExecLimits.elfBytes() ?? (await compileAtRunTime(onExecLimits)).elf;
    // The access strings name the element: rlim is member 0 of the local signal_struct, 7 its
    // element. The local task_struct (shared by both programs) holds tgid, comm and signal, in
    // offset order; task.signal is read once per element.
    const programs = parseObject(elf).programs;
    expect(programs.find((p) => p.name === "on_exec_limits")!.coreRelos.map((r) => r.access).sort()).toEqual(["0:0:7:0", "0:0:7:1", "0:1:0", "0:2", "0:2"]);
    await using obj = await load(onExecLimits);
    obj.attachAll();
    // The shell lowers its soft limit, then becomes /bin/true: the last exec is true's.
    const child = spawnSync("sh", ["-c", "ulimit -Sn 321 && exec /bin/true"]);
    expect(child.status).toBe(0);
    const hard = /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))![1]!;
    const want = { nofile_cur: 321n, nofile_max: BigInt(hard), comm0: "t".charCodeAt(0) };
    expect(obj.map(limits).get(child.pid)).toMatchObject(want);
    expect(obj.map(limitsBtf).get(child.pid)).toMatchObject(want);
    // Through the BTF pointer the only helper call is the map update.
    const direct = [...normalizedListing(xlatedInsns(obj.program("on_exec_limits_btf").fd.raw))].filter((h) => h.startsWith("85"));
    expect(direct.length).toBe(1);
    // libbpf (through bpftool) relocates our records to the same instructions.
    expect(bpftoolXlated(elf, "on_exec_limits")).toEqual(normalizedListing(xlatedInsns(obj.program("on_exec_limits").fd.raw)));
  });

  test("TpBtf<\"sched_process_exec\">: ctx.args[0] is a BTF task pointer read with direct loads; bpftool loads the object alike", async () => {
    const elf = onExecBtf.elfBytes() ?? (await compileAtRunTime(onExecBtf)).elf;
    await using obj = await load(onExecBtf);
    obj.attachAll();
    const child = spawnSync("/bin/true");
    const e = obj.map(execsBtf).get(child.pid);
    expect(e).toMatchObject({ ppid: process.pid, pid: child.pid, uid: process.getuid!(), has_parent: 1, comm: "true" });
    // Direct loads: the only helper calls are the comm copy and the map update.
    const ours = xlatedInsns(obj.program("on_exec_btf").fd.raw);
    const calls = [...normalizedListing(ours)].filter((h) => h.startsWith("85"));
    expect(calls.length).toBe(2);
    // libbpf (through bpftool) relocates our records to the same instructions.
    expect(bpftoolXlated(elf, "on_exec_btf")).toEqual(normalizedListing(ours));
  });

  test("a uprobe on malloc: the calling shell's real_parent->tgid (read in a subprogram) is this process", async () => {
    await using obj = await load(onMalloc);
    obj.attachAll();
    const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    const pid = Number(child.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(obj.map(parentOf).get(pid)).toBe(process.pid);
  });

  test("a perf_event program on CPU clock samples: this process's parent, sampled while it spins", async () => {
    await using obj = await load(onSample);
    {
      using _link = obj.program("on_sample_parent").attach({ frequency: 1000 });
      const end = Date.now() + 300;
      let x = 0;
      while (Date.now() < end) x += Math.sqrt(x + 1);
    }
    expect(obj.map(sampledParent).get(process.pid)).toBe(process.ppid);
  });

  test("libbpf loads our object: same results for its own process, same translated instructions", async () => {
    const theirs = libbpfReport(loader, objectPath);
    await using obj = await load(selfTask);
    const prog = obj.program("self_task");
    expect(prog.testRun({}).retval).toBe(0);
    const ours = results(bss(obj.map(".bss")));
    expect(ours).toEqual({ pid: BigInt(process.pid), tgid: BigInt(process.pid), ppid: BigInt(process.ppid), hasParent: 1n });
    expect(results(theirs.maps.get(".bss")!)).toEqual({ pid: BigInt(theirs.pid), tgid: BigInt(theirs.pid), ppid: BigInt(theirs.ppid), hasParent: 1n });
    // Bitfields (not in execve, not waiting on I/O while running this): 0 from both.
    const word4 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(32, true);
    expect([word4(bss(obj.map(".bss"))), word4(theirs.maps.get(".bss")!)]).toEqual([0n, 0n]);
    expect(normalizedListing(xlatedInsns(prog.fd.raw))).toEqual(normalizedListing(theirs.xlated.get("self_task")!));
  });

  test("type_exists, type_size, enum_exists, enum_value, field_size, field_offset: this kernel's values, and a synthetic kernel's, alike from both loaders", async () => {
    const file = join(dir, "kinds.o");
    writeFileSync(file, typeKinds.elfBytes() ?? (await compileAtRunTime(typeKinds)).elf);
    const words = (b: Uint8Array) => [0, 1, 2, 3, 4, 5].map((i) => new DataView(b.buffer, b.byteOffset).getBigUint64(i * 8, true));
    const run = async (targetBtf?: Uint8Array) => {
      await using obj = await load(typeKinds, targetBtf ? { targetBtf } : {});
      expect(obj.program("kinds").testRun({}).retval).toBe(0);
      return { values: words(bss(obj.map(".bss"))), xlated: normalizedListing(xlatedInsns(obj.program("kinds").fd.raw)) };
    };
    const taskSize = BigInt(vmlinuxBtf().find("STRUCT", "task_struct")!.size);
    const tgid = vmlinuxBtf().find("ENUM", "pid_type")!.values.find((v) => v.name === "PIDTYPE_TGID")!.value;
    const here = await run();
    const comm = vmlinuxBtf().find("STRUCT", "task_struct")!.members.find((m) => m.name === "comm")!.bitOffset / 8;
    expect(here.values).toEqual([1n, taskSize, 1n, tgid, 16n, BigInt(comm)]);
    const theirs = libbpfReport(loader, file);
    expect(words(theirs.maps.get(".bss")!)).toEqual(here.values);
    expect(theirs.xlated.get("kinds") && normalizedListing(theirs.xlated.get("kinds")!)).toEqual(here.xlated);
    // Another kernel: a 4096-byte task_struct with a 32-byte comm at 100, PIDTYPE_TGID = 7, no PIDTYPE_SID.
    const other = writeTarget(dir, "kinds-other", { structs: [{ name: "task_struct", size: 4096, members: [["comm", 100, (t) => t.chars(32)]] }], enums: [{ name: "pid_type", values: [["PIDTYPE_PID", 0], ["PIDTYPE_TGID", 7]] }] });
    const there = await run(other.bytes);
    expect(there.values).toEqual([1n, 4096n, 0n, 7n, 32n, 100n]);
    expect(words(libbpfReport(loader, file, other.path).maps.get(".bss")!)).toEqual(there.values);
    // A kernel with neither: the existence checks give 0 and the guarded values never run.
    const none = writeTarget(dir, "kinds-none", { structs: [{ name: "cred", size: 8, members: [] }] });
    expect((await run(none.bytes)).values).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    expect(words(libbpfReport(loader, file, none.path).maps.get(".bss")!)).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
  });

  test("64-bit enumerators (ENUM64): exact on this kernel and a synthetic one, alike from both loaders", async () => {
    const file = join(dir, "wide.o");
    writeFileSync(file, wideEnums.elfBytes() ?? (await compileAtRunTime(wideEnums)).elf);
    const words = (b: Uint8Array) => [0, 1, 2].map((i) => new DataView(b.buffer, b.byteOffset).getBigUint64(i * 8, true));
    const run = async (targetBtf?: Uint8Array) => {
      await using obj = await load(wideEnums, targetBtf ? { targetBtf } : {});
      expect(obj.program("wide").testRun({}).retval).toBe(0);
      return words(bss(obj.map(".bss")));
    };
    const value = (en: string, name: string) => BigInt.asUintN(64, BigInt(vmlinuxBtf().find("ENUM64", en)!.values.find((v) => v.name === name)!.value));
    const mine = [value("perf_callchain_context", "PERF_CONTEXT_KERNEL"), value("blake2b_iv", "BLAKE2B_IV0"), value("blake2b_iv", "BLAKE2B_IV1")];
    expect(mine[0]).toBe((1n << 64n) - 128n); // (u64)-128, as include/uapi/linux/perf_event.h defines it
    expect(await run()).toEqual(mine);
    expect(words(libbpfReport(loader, file).maps.get(".bss")!)).toEqual(mine);
    // Another kernel: other values, and no BLAKE2B_IV1 (its guarded read never runs).
    const other = writeTarget(dir, "wide-other", { enums: [
      { name: "perf_callchain_context", values: [["PERF_CONTEXT_HV", -32n], ["PERF_CONTEXT_KERNEL", -512n]] },
      { name: "blake2b_iv", values: [["BLAKE2B_IV0", 0x1122334455667788n]] },
    ] });
    const theirs = [(1n << 64n) - 512n, 0x1122334455667788n, 0n];
    expect(await run(other.bytes)).toEqual(theirs);
    expect(words(libbpfReport(loader, file, other.path).maps.get(".bss")!)).toEqual(theirs);
  });

  test("synthetic targets: moved fields are relocated and a vanished one reads as absent, by both loaders alike", async () => {
    const pid = realOffset("task_struct", "pid");
    const tgid = realOffset("task_struct", "tgid");
    const parent = realOffset("task_struct", "real_parent");
    const int = (t: { int: number }) => t.int;
    const ptr = (t: { ptr: number }) => t.ptr;
    // pid and tgid swapped: the relocated offsets are the target's, not the build's.
    const swapped: Member[] = [["pid", tgid, int], ["tgid", pid, int], ["real_parent", parent, ptr]];
    const moved = writeTarget(dir, "swapped", { structs: [{ name: "task_struct", size: 4096, members: swapped }] });
    const theirs = libbpfReport(loader, objectPath, moved.path);
    {
      await using obj = await load(selfTask, { targetBtf: moved.bytes });
      const xl = xlatedInsns(obj.program("self_task").fd.raw);
      expect(normalizedListing(xl)).toEqual(normalizedListing(theirs.xlated.get("self_task")!));
      const imms = movImmediates(xl);
      expect(imms).toEqual(expect.arrayContaining([tgid, pid, parent]));
      expect(obj.program("self_task").testRun({}).retval).toBe(0);
      expect(results(bss(obj.map(".bss"))).hasParent).toBe(1n);
    }
    // No real_parent: field_exists gives 0, the guarded read is poisoned but never runs.
    const orphan = writeTarget(dir, "orphan", { structs: [{ name: "task_struct", size: 4096, members: [["pid", pid, int], ["tgid", tgid, int]] }] });
    const theirsOrphan = libbpfReport(loader, objectPath, orphan.path);
    {
      await using obj = await load(selfTask, { targetBtf: orphan.bytes });
      expect(obj.program("self_task").testRun({}).retval).toBe(0);
      expect(results(bss(obj.map(".bss")))).toEqual({ pid: BigInt(process.pid), tgid: BigInt(process.pid), ppid: 0n, hasParent: 0n });
      expect(results(theirsOrphan.maps.get(".bss")!)).toMatchObject({ ppid: 0n, hasParent: 0n });
      expect(normalizedListing(xlatedInsns(obj.program("self_task").fd.raw))).toEqual(normalizedListing(theirsOrphan.xlated.get("self_task")!));
    }
    // No pid, read unguarded: the load fails and says which relocation.
    const noPid = writeTarget(dir, "nopid", { structs: [{ name: "task_struct", size: 4096, members: [["tgid", tgid, int], ["real_parent", parent, ptr]] }] });
    await expect(load(selfTask, { targetBtf: noPid.bytes })).rejects.toThrow(VerifierError);
    await expect(load(selfTask, { targetBtf: noPid.bytes })).rejects.toThrow(/field_byte_offset of struct task_struct\.pid \(access "0:2"/);
    expect(() => libbpfReport(loader, objectPath, noPid.path)).toThrow(/libbpf could not load/);
  });
});
