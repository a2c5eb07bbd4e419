/**
 * CO-RE through the whole load path against synthetic target BTF (test/core/targets.ts): the
 * same clang objects loaded as if on kernels where fields moved, changed size or vanished,
 * by our loader and by libbpf (btf_custom_path) with the same BTF file. Moved and resized
 * fields give the same results and translated instructions from both; a vanished field
 * poisons its instruction, and the load error names the relocation.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load, type BpfObject, type MapHandle } from "../../loader/index.js";
import { vmlinuxBtf } from "../../loader/link/vmlinux-btf.js";
import { VerifierError } from "../../runtime/errors.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildLibbpfProgram } from "../helpers/libbpf-program.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture, fixturePath } from "../loader/fixtures.js";
import { libbpfReport, normalizedListing, xlatedInsns, type LibbpfReport } from "./kernel-dump.js";
import { writeTarget, type Member, type TargetSpec } from "./targets.js";

const here = fileURLToPath(new URL(".", import.meta.url));
let dir = "";
let loader = "";

function value(m: MapHandle<unknown, unknown>): Uint8Array {
  const v = m.get(new Uint8Array(4) as never);
  if (!(v instanceof Uint8Array)) throw new Error("expected raw bytes");
  return v;
}

/** Byte offset of a member of a struct in this kernel's BTF. */
function realOffset(struct: string, member: string): number {
  const t = vmlinuxBtf().find("STRUCT", struct);
  const m = t?.members.find((x) => x.name === member);
  if (!m) throw new Error(`this kernel's ${struct} has no ${member}`);
  return m.bitOffset / 8;
}

function expectSameXlated(obj: BpfObject, theirs: LibbpfReport, names: readonly string[]): void {
  for (const name of names) {
    expect(normalizedListing(xlatedInsns(obj.program(name).fd.raw))).toEqual(normalizedListing(theirs.xlated.get(name)!));
  }
}

const SKB_RUN = { data: new Uint8Array(64), skb: { mark: 777, priority: 5 } };

function skbTarget(members: readonly Member[]): TargetSpec {
  return { structs: [{ name: "__sk_buff", size: 192, members }] };
}

/** struct core_results of core_task.bpf.c, in declaration order (all __u64). */
const TASK_FIELDS = [
  "pid", "tgid", "ppid", "flavor_pid", "flavor_tgid", "comm_size", "pid_offset", "task_size", "state_exists", "old_state_exists",
  "task_exists", "missing_type_exists", "enum_exists", "enum_value", "fake_enum_exists", "state", "state_branch",
] as const;
type TaskResults = Record<(typeof TASK_FIELDS)[number], bigint>;

function taskResults(bss: Uint8Array): TaskResults {
  const v = new DataView(bss.buffer, bss.byteOffset, bss.byteLength);
  return Object.fromEntries(TASK_FIELDS.map((f, i) => [f, v.getBigUint64(i * 8, true)])) as TaskResults;
}

/** What does not depend on which process ran the program. */
const processFree = (r: TaskResults): TaskResults => ({ ...r, pid: 0n, tgid: 0n, ppid: 0n, flavor_pid: 0n, flavor_tgid: 0n, state: 0n });

/**
 * A pre-5.14 kernel's task_struct as far as the fixture can tell: `state` (a long) where this
 * kernel has `__state`, a 32-byte comm, another size; pid/tgid/real_parent where they really
 * are (the program reads this kernel's memory), minus `drop`.
 */
function olderTask(drop: readonly string[] = [], enumValues: readonly (readonly [string, number])[] = [["BPF_FUNC_unspec", 0], ["BPF_FUNC_ringbuf_output", 99]]): TargetSpec {
  const members: Member[] = [
    ["state", realOffset("task_struct", "__state"), (t) => t.long],
    ["pid", realOffset("task_struct", "pid"), (t) => t.int],
    ["tgid", realOffset("task_struct", "tgid"), (t) => t.int],
    ["real_parent", realOffset("task_struct", "real_parent"), (t) => t.ptr],
    ["comm", realOffset("task_struct", "comm"), (t) => t.chars(32)],
  ];
  return {
    structs: [{ name: "task_struct", size: 9000, members: members.filter(([n]) => !drop.includes(n)) }],
    enums: enumValues.length ? [{ name: "bpf_func_id", values: enumValues }] : [],
  };
}

describeKernel("CO-RE against synthetic target BTF: moved, resized and vanished fields, our loader beside libbpf", () => {
  checkNoFdLeaks();

  beforeAll(() => {
    ({ dir, binary: loader } = buildLibbpfProgram(join(here, "c/core_load.c"), "whistler-core-target-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("__sk_buff with len and mark swapped: both loaders read each from the other's place", async () => {
    const target = writeTarget(dir, "skb-moved", skbTarget([["mark", 0, (t) => t.u32], ["len", 8, (t) => t.u32], ["priority", 32, (t) => t.u32]]));
    const theirs = libbpfReport(loader, fixturePath("core_skb.bpf.o"), target.path);
    await using obj = await load(fixture("core_skb.bpf.o"), { targetBtf: target.bytes });
    expect(obj.program("core_skb").testRun(SKB_RUN).retval).toBe(777);
    expect(obj.program("core_skb_sub").testRun(SKB_RUN).retval).toBe(777 * 2 + 64 + 1);
    expect(Object.fromEntries(theirs.retval)).toEqual({ core_skb: 777, core_skb_sub: 777 * 2 + 64 + 1 });
    const bss = value(obj.map(".bss"));
    // len, mark, priority, hwtstamp_exists (no hwtstamp in this target), weighted
    expect([...new Uint32Array(bss.slice().buffer)]).toEqual([777, 64, 5, 0, 777 * 2 + 64]);
    expect(bss).toEqual(new Uint8Array(theirs.maps.get(".bss")!));
    expectSameXlated(obj, theirs, ["core_skb", "core_skb_sub"]);
  });

  test("__sk_buff.len as a u16: the loads shrink to 2 bytes, as libbpf's do", async () => {
    const target = writeTarget(dir, "skb-resized", skbTarget([
      ["len", 0, (t) => t.u16], ["mark", 8, (t) => t.u32], ["priority", 32, (t) => t.u32], ["hwtstamp", realOffset("__sk_buff", "hwtstamp"), (t) => t.u64],
    ]));
    const theirs = libbpfReport(loader, fixturePath("core_skb.bpf.o"), target.path);
    await using obj = await load(fixture("core_skb.bpf.o"), { targetBtf: target.path });
    expect(obj.program("core_skb").testRun(SKB_RUN).retval).toBe(64);
    expect([...new Uint32Array(value(obj.map(".bss")).slice().buffer)]).toEqual([64, 777, 5, 1, 64 * 2 + 777]);
    expectSameXlated(obj, theirs, ["core_skb", "core_skb_sub"]);
    await using native = await load(fixture("core_skb.bpf.o"));
    expect(normalizedListing(xlatedInsns(obj.program("core_skb").fd.raw))).not.toEqual(normalizedListing(xlatedInsns(native.program("core_skb").fd.raw)));
  });

  test("__sk_buff without priority: the read is poisoned, the verifier error names the relocation; libbpf fails too", async () => {
    const target = writeTarget(dir, "skb-vanished", skbTarget([["len", 0, (t) => t.u32], ["mark", 8, (t) => t.u32]]));
    expect(() => libbpfReport(loader, fixturePath("core_skb.bpf.o"), target.path)).toThrow(/load failed/);
    const err = await load(fixture("core_skb.bpf.o"), { targetBtf: target.bytes }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.program).toBe("core_skb");
    expect(v.log).toMatch(/unknown#195896080/);
    expect(v.hint).toMatch(/CO-RE relocation failed: .*field_byte_offset of struct __sk_buff\.priority \(access "0:8", instruction 7\)/);
  });

  test("task_struct of an older kernel: the ___flavor branch runs, sizes and enum values follow the target, as with libbpf", async () => {
    const target = writeTarget(dir, "task-older", olderTask());
    const theirs = libbpfReport(loader, fixturePath("core_task.bpf.o"), target.path);
    await using obj = await load(fixture("core_task.bpf.o"), { targetBtf: target.path });
    expect(obj.program("core_task").testRun({}).retval).toBe(0);
    const ours = taskResults(value(obj.map(".bss")));
    const pid = BigInt(process.pid);
    expect(ours).toMatchObject({
      pid, tgid: pid, ppid: BigInt(process.ppid), flavor_pid: pid, flavor_tgid: pid,
      comm_size: 32n, task_size: 9000n, state_exists: 0n, old_state_exists: 1n, state_branch: 1n,
      task_exists: 1n, missing_type_exists: 0n, enum_exists: 1n, enum_value: 99n, fake_enum_exists: 0n,
    });
    const libbpf = taskResults(theirs.maps.get(".bss")!);
    expect(libbpf).toMatchObject({ pid: BigInt(theirs.pid), ppid: BigInt(theirs.ppid) });
    expect(processFree(ours)).toEqual(processFree(libbpf));
    expectSameXlated(obj, theirs, ["core_task"]);
  });

  test("task_struct without real_parent: the error names the relocation; without bpf_func_id, the enum value's", async () => {
    const noParent = writeTarget(dir, "task-no-parent", olderTask(["real_parent"]));
    expect(() => libbpfReport(loader, fixturePath("core_task.bpf.o"), noParent.path)).toThrow(/load failed/);
    const err = await load(fixture("core_task.bpf.o"), { targetBtf: noParent.bytes }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).hint).toMatch(/field_byte_offset of struct task_struct\.real_parent \(access "0:\d+", instruction 28\)/);

    const noEnum = writeTarget(dir, "task-no-enum", olderTask([], []));
    expect(() => libbpfReport(loader, fixturePath("core_task.bpf.o"), noEnum.path)).toThrow(/load failed/);
    const err2 = await load(fixture("core_task.bpf.o"), { targetBtf: noEnum.bytes }).then(() => undefined, (e: unknown) => e);
    expect((err2 as VerifierError).hint).toMatch(/enumval_value of enum bpf_func_id::BPF_FUNC_ringbuf_output/);
  });
});
