// CO-RE wiring without the kernel: records placed in linked programs, relocations in words,
// the poison hint, target BTF selection and caching, unsigned fields that change size.
import { describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf } from "../../loader/btf/index.js";
import { parseObject } from "../../loader/index.js";
import { coreTarget, relocateCore } from "../../loader/object/core-relocate.js";
import {
  applyCoreRelocations, CoreCandidates, CoreReloKind as K, coreVerifierHint, describeCoreRelo, linkCoreRelos, POISON_HELPER,
  type CodeFunction, type LinkedProgram, type PlacedCoreResult,
} from "../../loader/reloc/index.js";
import { BtfError, WhistlerError } from "../../runtime/errors.js";
import { fixture } from "../loader/fixtures.js";
import { buildTarget } from "./targets.js";
import { compileTemplate } from "../../transformer/compile.js";

const skbTarget = (len: "u16" | "u32" | "u64") => buildTarget({
  structs: [{ name: "__sk_buff", size: 192, members: [["len", 0, (t) => t[len]], ["mark", 8, (t) => t.u32], ["priority", 32, (t) => t.u32]] }],
});

describe("CO-RE records in linked programs", () => {
  const fn = (name: string, section: string, start: number, end: number): CodeFunction =>
    ({ name, section: { name: section }, start, end }) as unknown as CodeFunction;
  const prog = (layout: [CodeFunction, number][]): LinkedProgram => ({ insns: new Uint8Array(0), relocations: [], layout: layout.map(([f, base]) => ({ fn: f, base })) });
  const rec = (insnOff: number) => ({ insnOff, typeId: 1, access: "0:0", kind: K.FIELD_BYTE_OFFSET });

  test("each laid-out function's records move to where it landed; other functions' records stay out", () => {
    const main = fn("main", "tc", 16, 48);
    const helper = fn("helper", ".text", 8, 24);
    const relos = new Map([["tc", [rec(0), rec(24)]], [".text", [rec(0), rec(16)]]]);
    expect(linkCoreRelos(prog([[main, 0], [helper, 4]]), relos).map((r) => [r.insn, r.section])).toEqual([[1, "tc"], [5, ".text"]]);
    expect(linkCoreRelos(prog([[main, 0]]), undefined)).toEqual([]);
  });

  test("a record between instructions is a BtfError", () => {
    expect(() => linkCoreRelos(prog([[fn("main", "tc", 0, 16), 0]]), new Map([["tc", [rec(4)]]]))).toThrow(BtfError);
  });
});

describe("relocations in words and the poison hint", () => {
  const task = parseObject(fixture("core_task.bpf.o"));
  const local = task.parsedBtf!;
  const p = task.programs[0]!;

  test("every record of the task fixture, spelled as C", () => {
    expect(p.coreRelos.map((r) => describeCoreRelo(local, r))).toEqual([
      // real_parent->tgid reuses the tgid offset clang already relocated
      "struct task_struct.pid", "struct task_struct.tgid", "struct task_struct.real_parent", "struct task_struct___ids.pid", "struct task_struct___ids.tgid", "struct task_struct.comm", "struct task_struct",
      "struct task_struct.__state", "struct task_struct", "struct whistler_no_such_kernel_type",
      "enum bpf_func_id::BPF_FUNC_ringbuf_output", "struct task_struct___pre514.state", "enum bpf_func_id::BPF_FUNC_ringbuf_output",
      "enum bpf_func_id___fake::BPF_FUNC_whistler_no_such_helper", "struct task_struct___pre514.state", "struct task_struct.__state",
    ]);
  });

  test("the hint names the poisoned record at the failing instruction, and only for the poison call", () => {
    const placed = (insn: number, what: string): PlacedCoreResult => ({
      relo: { insnOff: 0, typeId: 1, access: "0:3", kind: K.FIELD_BYTE_OFFSET }, kindName: "field_byte_offset",
      localValue: 8, targetValue: 0, poisoned: true, insn, what,
    });
    const log = `7: (85) call unknown#${POISON_HELPER}\ninvalid func unknown#${POISON_HELPER}\n`;
    const both = [placed(3, "struct a.x"), placed(7, "struct b.y")];
    expect(coreVerifierHint(log, 7, both)).toMatch(/field_byte_offset of struct b\.y \(access "0:3", instruction 7\)/);
    expect(coreVerifierHint(log, 7, both)).not.toMatch(/struct a\.x/);
    expect(coreVerifierHint(log, undefined, both)).toMatch(/struct a\.x.*struct b\.y/);
    expect(coreVerifierHint("R0 !read_ok", 7, both)).toBeUndefined();
    expect(coreVerifierHint(log, 7, [])).toBeUndefined();
  });
});

describe("target BTF", () => {
  const skb = parseObject(fixture("core_skb.bpf.o"));
  const p = skb.programs[0]!;

  test("unsigned fields that change size: loads shrink or grow with them", () => {
    for (const [len, code] of [["u16", 0x69], ["u64", 0x79], ["u32", 0x61]] as const) {
      const { insns, results } = relocateCore(p, skb.parsedBtf, () => new CoreCandidates(Btf.parse(skbTarget(len))));
      const first = results.find((r) => r.relo.access === "0:0")!;
      expect(first.poisoned).toBe(false);
      expect(insns[first.insn * 8]).toBe(code);
    }
  });

  test("array elements: an element's offset moves with the array and grows with the target's element size", () => {
    const text = `export function p(ctx: RawTracepoint<"sys_enter">): i32 {
  const task = get_current_task() as KernelStruct<"task_struct">;
  return (task.signal.rlim[7].rlim_max + task.comm[3] as u64) as i32;
}`;
    const compiled = compileTemplate({ fileName: "t.ts", hostText: text, start: 0, text, slots: [] });
    expect(compiled.diagnostics).toEqual([]);
    const obj = parseObject(compiled.elf!);
    // rlimit grew to 24 bytes (rlim_max at 16), rlim and comm moved, signal moved.
    const target = buildTarget({
      structs: [
        { name: "rlimit", size: 24, members: [["rlim_cur", 0, (t) => t.u64], ["rlim_max", 16, (t) => t.u64]] },
        { name: "signal_struct", size: 1024, members: [["rlim", 200, (t) => t.array(t.struct("rlimit"), 16)]] },
        { name: "task_struct", size: 4096, members: [["comm", 100, (t) => t.chars(16)], ["signal", 300, (t) => t.ptr]] },
      ],
    });
    const { results } = relocateCore(obj.programs[0]!, obj.parsedBtf, () => new CoreCandidates(Btf.parse(target)));
    const by = new Map(results.map((r) => [r.relo.access, r]));
    expect(results.every((r) => !r.poisoned)).toBe(true);
    expect(by.get("0:0:7:0")!.targetValue).toBe(200 + 7 * 24 + 16);
    expect(by.get("0:0:3")!.targetValue).toBe(103);
    expect(by.get("0:1")!.targetValue).toBe(300);
    // An index past the target's array is no match: the read is poisoned, as libbpf does.
    const short = buildTarget({
      structs: [
        { name: "rlimit", size: 16, members: [["rlim_cur", 0, (t) => t.u64], ["rlim_max", 8, (t) => t.u64]] },
        { name: "signal_struct", size: 1024, members: [["rlim", 200, (t) => t.array(t.struct("rlimit"), 4)]] },
        { name: "task_struct", size: 4096, members: [["comm", 100, (t) => t.chars(16)], ["signal", 300, (t) => t.ptr]] },
      ],
    });
    const poisoned = relocateCore(obj.programs[0]!, obj.parsedBtf, () => new CoreCandidates(Btf.parse(short))).results;
    expect(poisoned.find((r) => r.relo.access === "0:0:7:0")!.poisoned).toBe(true);
    expect(poisoned.find((r) => r.relo.access === "0:0:3")!.poisoned).toBe(false);
  });

  test("programs without records never ask for a target", () => {
    const plain = parseObject(fixture("count_opens.bpf.o")).programs[0]!;
    const r = relocateCore(plain, undefined, () => { throw new Error("asked"); });
    expect(r.insns).toBe(plain.insns);
  });

  test("targets are indexed once per Btf and per byte array; a path is read; an unreadable one says what to pass", () => {
    const bytes = skbTarget("u32");
    expect(coreTarget(bytes)).toBe(coreTarget(bytes));
    const btf = Btf.parse(bytes);
    expect(coreTarget(btf)).toBe(coreTarget(btf));
    const dir = mkdtempSync(join(tmpdir(), "whistler-core-btf-"));
    try {
      writeFileSync(join(dir, "t.btf"), bytes);
      expect(coreTarget(join(dir, "t.btf")).target.types.length).toBe(btf.types.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => coreTarget("/nonexistent/vmlinux.btf")).toThrow(WhistlerError);
    expect(() => coreTarget("/nonexistent/vmlinux.btf")).toThrow(/cannot read the target BTF \/nonexistent\/vmlinux\.btf \(ENOENT\)/);
    expect(() => applyCoreRelocations(p.insns, p.coreRelos, skb.parsedBtf!, coreTarget(new Uint8Array(8)), p.name)).toThrow(BtfError);
  });
});
