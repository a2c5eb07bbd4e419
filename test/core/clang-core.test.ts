/**
 * clang's CO-RE objects (BPF_CORE_READ, __builtin_preserve_access_index, field/type/enum
 * existence and values, ___flavor structs, relocatable context loads) loaded by our loader
 * against this kernel's BTF, and by libbpf (a C loader built here with gcc and libbpf-dev):
 * the programs' results and the kernel's translated instructions must be the same.
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load, parseObject, type MapHandle } from "../../loader/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { buildLibbpfProgram } from "../helpers/libbpf-program.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture, fixturePath } from "../loader/fixtures.js";
import { libbpfReport, normalizedListing, xlatedInsns } from "./kernel-dump.js";

const here = fileURLToPath(new URL(".", import.meta.url));
let dir = "";
let loader = "";

function value(m: MapHandle<unknown, unknown>): Uint8Array {
  const v = m.get(new Uint8Array(4) as never);
  if (!(v instanceof Uint8Array)) throw new Error("expected raw bytes");
  return v;
}

/** struct core_results of core_task.bpf.c, in declaration order (all __u64). */
const TASK_FIELDS = [
  "pid", "tgid", "ppid", "flavor_pid", "flavor_tgid", "comm_size", "pid_offset", "task_size", "state_exists", "old_state_exists",
  "task_exists", "missing_type_exists", "enum_exists", "enum_value", "fake_enum_exists", "state", "state_branch",
] as const;

function taskResults(bss: Uint8Array): Record<(typeof TASK_FIELDS)[number], bigint> {
  const v = new DataView(bss.buffer, bss.byteOffset, bss.byteLength);
  return Object.fromEntries(TASK_FIELDS.map((f, i) => [f, v.getBigUint64(i * 8, true)])) as Record<(typeof TASK_FIELDS)[number], bigint>;
}

describeKernel("clang CO-RE objects: our loader and libbpf resolve them the same", () => {
  checkNoFdLeaks();

  beforeAll(() => {
    ({ dir, binary: loader } = buildLibbpfProgram(join(here, "c/core_load.c"), "whistler-core-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the objects carry CO-RE records, placed at their instructions", () => {
    const task = parseObject(fixture("core_task.bpf.o")).programs[0]!;
    expect(task.coreRelos.length).toBe(16);
    const [skb, sub] = parseObject(fixture("core_skb.bpf.o")).programs;
    // core_skb is 16 instructions, core_skb_sub 3: the .text function's two records follow each.
    expect(skb!.coreRelos.map((r) => [r.insn, r.access, r.section])).toEqual([
      [1, "0:0", "tc"], [5, "0:2", "tc"], [7, "0:8", "tc"], [9, "0:33", "tc"], [14, "0:0", "tc"], [16, "0:2", ".text"], [17, "0:0", ".text"],
    ]);
    expect(sub!.coreRelos.map((r) => [r.insn, r.access, r.section])).toEqual([[3, "0:2", ".text"], [4, "0:0", ".text"]]);
  });

  test("core_task: task fields, flavors, existence, sizes and enum values equal libbpf's; so do the xlated instructions", async () => {
    const theirs = libbpfReport(loader, fixturePath("core_task.bpf.o"));
    await using obj = await load(fixture("core_task.bpf.o"));
    const prog = obj.program("core_task");
    expect(prog.testRun({}).retval).toBe(0);
    const ours = taskResults(value(obj.map(".bss")));
    const libbpf = taskResults(theirs.maps.get(".bss")!);
    // The task-specific values are each loader's own process; the rest must be identical.
    expect(ours).toMatchObject({ pid: BigInt(process.pid), tgid: BigInt(process.pid), ppid: BigInt(process.ppid), flavor_pid: BigInt(process.pid), flavor_tgid: BigInt(process.pid) });
    expect(libbpf).toMatchObject({ pid: BigInt(theirs.pid), tgid: BigInt(theirs.pid), ppid: BigInt(theirs.ppid), flavor_pid: BigInt(theirs.pid) });
    const same = (r: typeof ours) => ({ ...r, pid: 0n, tgid: 0n, ppid: 0n, flavor_pid: 0n, flavor_tgid: 0n });
    expect(same(ours)).toEqual(same(libbpf));
    expect(ours).toMatchObject({
      comm_size: 16n, state_exists: 1n, old_state_exists: 0n, task_exists: 1n, missing_type_exists: 0n,
      enum_exists: 1n, enum_value: 130n, fake_enum_exists: 0n, state: 0n, state_branch: 2n,
    });
    expect(normalizedListing(xlatedInsns(prog.fd.raw))).toEqual(normalizedListing(theirs.xlated.get("core_task")!));
  });

  test("core_skb: relocatable context loads, in programs and a shared subprogram, give libbpf's results and instructions", async () => {
    const theirs = libbpfReport(loader, fixturePath("core_skb.bpf.o"));
    await using obj = await load(fixture("core_skb.bpf.o"));
    const run = { data: new Uint8Array(64), skb: { mark: 777, priority: 5 } };
    expect(obj.program("core_skb").testRun(run).retval).toBe(64);
    expect(obj.program("core_skb_sub").testRun(run).retval).toBe(64 * 2 + 777 + 1);
    expect(Object.fromEntries(theirs.retval)).toEqual({ core_skb: 64, core_skb_sub: 64 * 2 + 777 + 1 });
    const bss = value(obj.map(".bss"));
    expect([...new Uint32Array(bss.slice().buffer)]).toEqual([64, 777, 5, 1, 64 * 2 + 777]);
    expect(bss).toEqual(new Uint8Array(theirs.maps.get(".bss")!));
    for (const name of ["core_skb", "core_skb_sub"]) {
      expect(normalizedListing(xlatedInsns(obj.program(name).fd.raw))).toEqual(normalizedListing(theirs.xlated.get(name)!));
    }
  });
});
