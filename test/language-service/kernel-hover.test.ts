/**
 * Hover on kernel struct reads inside `bpf` templates, in a real tsserver driven over its
 * protocol. The server reads the running kernel's BTF (WHISTLER_KERNEL_BTF points at it), and
 * every expected offset and size comes from `bpftool btf dump` of that same file, parsed here
 * (bpftool-btf.ts), never from the compiler's own BTF reader.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { FixtureEditor, type QuickInfo } from "./fixture-editor.js";
import { BpftoolBtf, type FlatMember } from "./bpftool-btf.js";
import { locate, TsServer, type Location } from "./tsserver.js";

const VMLINUX = "/sys/kernel/btf/vmlinux";
let editor: FixtureEditor;
let server: TsServer;
let file: string;
let text: string;

let btf: BpftoolBtf;

beforeAll(async () => {
  if (!existsSync(VMLINUX)) throw new Error(`${VMLINUX} is missing: this suite compares hover with the running kernel's BTF (a kernel built with CONFIG_DEBUG_INFO_BTF=y)`);
  btf = new BpftoolBtf(VMLINUX);
  editor = await FixtureEditor.open("kernel-structs.ts", { WHISTLER_KERNEL_BTF: VMLINUX });
  ({ server, file, text } = editor);
});

afterAll(async () => {
  await editor?.close();
});

const hover = (needle: string, delta: number): Promise<QuickInfo | undefined> => editor.hover(needle, delta);

function member(struct: string, name: string): FlatMember {
  const m = btf.struct(struct).members.find((x) => x.name === name);
  if (!m) throw new Error(`bpftool: struct ${struct} has no ${name}`);
  return m;
}

/** The `off  sz  type  name` row the hover's table has for `m`. */
function row(m: FlatMember): RegExp {
  return new RegExp(`^ +${Math.floor(m.bitOffset / 8)} +${btf.sizeOf(m.typeId)} +\\S.* ${m.name}$`, "m");
}

describe("hover on kernel struct reads", () => {
  test("the chain's root: the struct's size and leading fields, on the declaration and on uses", async () => {
    const task = btf.struct("task_struct");
    const decl = await hover("const task", 6);
    expect(decl?.displayString).toBe('(local) task: KernelStruct<"task_struct">');
    expect(decl?.documentation).toContain(`Kernel struct task_struct, ${task.size} bytes, ${task.members.length} fields (anonymous members flattened). Leading fields:`);
    for (const m of task.members.slice(0, 8)) expect(decl?.documentation).toMatch(row(m));
    expect(decl?.documentation).not.toMatch(row(task.members[8]!));
    expect(decl?.documentation).toContain(`... and ${task.members.length - 8} more: type \`task.\` for all of them.`);
    expect(decl?.documentation).toContain("CO-RE");
    const use = await hover("task.real_parent.tgid;", 2);
    expect(use?.displayString).toBe(decl?.displayString);
    expect(use?.start).toEqual(locate(text, "task.real_parent.tgid;"));
    // The struct named in the cast: the same layout.
    const named = await hover('KernelStruct<"task_struct">;', 15);
    expect(named?.displayString).toBe(`(kernel struct) task_struct: ${task.size} bytes, ${task.members.length} fields`);
    expect(named?.documentation).toMatch(row(task.members[0]!));
    expect(named?.documentation).toContain(`... and ${task.members.length - 8} more.`);
    // A KernelStruct parameter of a template function roots chains too.
    expect((await hover("t.real_parent", 0))?.displayString).toBe('(parameter) t: KernelStruct<"task_struct">');
  });

  test("a field through a pointer: C declaration, struct, offset and size", async () => {
    const tgid = member("task_struct", "tgid");
    const q = await hover("task.real_parent.tgid;", 18);
    expect(btf.resolve(tgid.typeId).name).toBe("int");
    expect(q?.displayString).toBe("(field) struct task_struct.tgid: int");
    expect(q?.documentation).toContain("```c\nint tgid;\n```");
    expect(q?.documentation).toContain(`Field of struct task_struct (${btf.struct("task_struct").size} bytes): offset ${tgid.bitOffset / 8}, size ${btf.sizeOf(tgid.typeId)} bytes.`);
    expect(q?.documentation).toContain("relocates every read to the kernel the object loads into (CO-RE)");
    expect(q?.start).toEqual(locate(text, "task.real_parent.tgid;", 17));
    expect(q?.end).toEqual(locate(text, "task.real_parent.tgid;", 21));
    // The pointer itself, mid-chain.
    const parent = member("task_struct", "real_parent");
    const p = await hover("task.real_parent.tgid;", 8);
    expect(p?.displayString).toBe("(field) struct task_struct.real_parent: struct task_struct *");
    expect(p?.documentation).toContain("struct task_struct *real_parent;");
    expect(p?.documentation).toContain(`offset ${parent.bitOffset / 8}, size 8 bytes.`);
    // The same field from a parameter's chain.
    expect((await hover("t.real_parent.tgid", 15))?.displayString).toBe(q?.displayString);
  });

  test("an array field: task.comm", async () => {
    const comm = member("task_struct", "comm");
    const q = await hover("task.comm", 6);
    expect(q?.displayString).toBe(`(field) struct task_struct.comm: char[${btf.sizeOf(comm.typeId)}]`);
    expect(q?.documentation).toContain(`char comm[${btf.sizeOf(comm.typeId)}];`);
    expect(q?.documentation).toContain(`offset ${comm.bitOffset / 8}, size ${btf.sizeOf(comm.typeId)} bytes.`);
  });

  test("a field of an anonymous struct: task.real_cred.uid.val, at its byte in struct cred", async () => {
    const cred = btf.struct("cred");
    const uid = member("cred", "uid");
    const val = btf.anonMembers("cred", "uid").find((m) => m.name === "val")!;
    const q = await hover("uid.val", 5);
    expect(q?.displayString).toBe(`(field) struct cred.uid.val: ${btf.resolve(val.typeId).name}`);
    expect(q?.documentation).toContain(`Field of struct cred.uid (${btf.sizeOf(uid.typeId)} bytes): offset ${val.bitOffset / 8}, size ${btf.sizeOf(val.typeId)} bytes.`);
    expect(q?.documentation).toContain(`At byte ${(uid.bitOffset + val.bitOffset) / 8} of struct cred, which its reads are relocated against.`);
    const realCred = await hover("task.real_cred", 6);
    expect(realCred?.displayString).toBe("(field) struct task_struct.real_cred: struct cred *");
    expect(realCred?.documentation).toContain(`offset ${member("task_struct", "real_cred").bitOffset / 8}, size 8 bytes.`);
    expect(cred.size).toBeGreaterThan(0);
  });

  test("a field of an embedded named struct: task.se.sum_exec_runtime", async () => {
    const se = member("task_struct", "se");
    const sum = member("sched_entity", "sum_exec_runtime");
    const q = await hover("se.sum_exec_runtime", 4);
    expect(q?.displayString).toBe(`(field) struct sched_entity.sum_exec_runtime: ${btf.resolve(sum.typeId).name}`);
    expect(q?.documentation).toContain(`Field of struct sched_entity (${btf.struct("sched_entity").size} bytes): offset ${sum.bitOffset / 8}, size 8 bytes.`);
    expect(q?.documentation).toContain(`At byte ${(se.bitOffset + sum.bitOffset) / 8} of struct task_struct`);
  });

  test("an element of an array of structs: task.signal.rlim[7].rlim_cur, at its byte in struct signal_struct", async () => {
    const rlim = member("signal_struct", "rlim");
    const cur = member("rlimit", "rlim_cur");
    const size = btf.struct("rlimit").size;
    const q = await hover("rlim[7].rlim_cur", 8);
    expect(q?.displayString).toBe(`(field) struct rlimit.rlim_cur: ${btf.resolve(cur.typeId).name}`);
    expect(q?.documentation).toContain(`Field of struct rlimit (${size} bytes): offset ${cur.bitOffset / 8}, size 8 bytes.`);
    expect(q?.documentation).toContain(`At byte ${rlim.bitOffset / 8 + 7 * size + cur.bitOffset / 8} of struct signal_struct, which its reads are relocated against.`);
    const both = await editor.detailsBesideHover({ needle: "rlim[7].rlim_cur", delta: 8, name: "rlim_cur" }, { needle: "rlim[7].rlim_cur", delta: 9 });
    expect(both.details).toEqual(both.hover);
  });

  test("locals a chain initialises root chains too: const parent = task.real_parent; const lim = task.signal.rlim[7];", async () => {
    const tgid = await hover("parent.tgid", 7);
    expect(tgid?.displayString).toBe("(field) struct task_struct.tgid: int");
    expect(tgid?.documentation).toContain(`offset ${member("task_struct", "tgid").bitOffset / 8}, size 4 bytes.`);
    const max = member("rlimit", "rlim_max");
    const q = await hover("lim.rlim_max", 4);
    expect(q?.displayString).toBe(`(field) struct rlimit.rlim_max: ${btf.resolve(max.typeId).name}`);
    expect(q?.documentation).toContain(`Field of struct rlimit (${btf.struct("rlimit").size} bytes): offset ${max.bitOffset / 8}, size 8 bytes.`);
    // Completions after `lim.` are rlimit's fields, described as hover describes them.
    const both = await editor.detailsBesideHover({ needle: "lim.rlim_max", delta: 4, name: "rlim_max" }, { needle: "lim.rlim_max", delta: 5 });
    expect(both.details).toEqual(both.hover);
  });

  test("a bitfield: bit offset and width", async () => {
    const f = member("task_struct", "in_execve");
    expect(f.bitfieldSize).toBeGreaterThan(0);
    const unit = btf.resolve(f.typeId);
    const q = await hover("task.in_execve", 7);
    expect(q?.displayString).toBe(`(field) struct task_struct.in_execve: ${unit.name} : ${f.bitfieldSize}`);
    expect(q?.documentation).toContain(`${unit.name} in_execve: ${f.bitfieldSize};`);
    expect(q?.documentation).toContain(
      `bit offset ${f.bitOffset} (byte ${Math.floor(f.bitOffset / 8)}, bit ${f.bitOffset % 8}), ${f.bitfieldSize} bit${f.bitfieldSize === 1 ? "" : "s"} wide, in a ${btf.sizeOf(f.typeId)}-byte ${unit.name}.`);
  });

  test("completion details and hover agree (one resolver)", async () => {
    const both = await editor.detailsBesideHover({ needle: "task.real_parent.tgid;", delta: 17, name: "tgid" }, { needle: "task.real_parent.tgid;", delta: 18 });
    expect(both.details).toEqual(both.hover);
  });

  test("an unknown field has no hover; the build's WBPF1017 names it", async () => {
    expect(await hover("no_such_field", 3)).toBeUndefined();
    const ds = await server.request<{ start: Location; text: string }[]>("semanticDiagnosticsSync", { file });
    expect(ds.map((d) => d.text.slice(0, 8))).toEqual(["WBPF1017"]);
    expect(ds[0]!.start).toEqual(locate(text, "no_such_field"));
    expect(ds[0]!.text).toContain("struct task_struct has no field 'no_such_field'");
  });
});
