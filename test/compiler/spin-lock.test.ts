// spin_lock/spin_unlock: allowed in networking programs on a map value's lock field, refused
// for tracing programs (WBPF1005), the lock struct emitted in the value's BTF.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u32, u64 } from "../../runtime/types.js";
import { Btf } from "../../loader/btf/reader.js";
import { ElfFile } from "../../loader/elf/reader.js";
import { template, type SlotSpec } from "./helpers.js";

const LOCK = layoutStruct("bpf_spin_lock", [["val", scalarFieldType(u32)]]);
const TOTALS = layoutStruct("totals", [["lock", LOCK], ["packets", scalarFieldType(u64)]]);
const SLOTS: Record<string, SlotSpec> = { totals: { map: { kind: "array", key: "u32", value: "u8", valueStruct: TOTALS, maxEntries: 1 } } };
const body = "  const t = ${totals}.lookup(0);\n  if (!t) return 0;\n  spin_lock(t.lock);\n  t.packets += 1;\n  spin_unlock(t.lock);\n  return 0;";

describe("spin locks", () => {
  test("xdp: two helper calls on the lock's address; the value's BTF names bpf_spin_lock", () => {
    const r = compileTemplate(template(`export function f(ctx: Xdp): i32 {\n${body}\n}\n`, SLOTS));
    expect(r.diagnostics).toEqual([]);
    expect(disassemble(r.elf!)).toMatch(/call bpf_spin_lock#93[\s\S]*call bpf_spin_unlock#94/);
    const btf = Btf.parse(ElfFile.parse(r.elf!).section(".BTF")!.data);
    expect(btf.types.some((t) => t.name === "bpf_spin_lock" && (t as unknown as { size: number }).size === 4)).toBe(true);
  });

  test("a tracepoint program may not take a spin lock (WBPF1005)", () => {
    const r = compileTemplate(template(`export function f(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}\n`, SLOTS));
    expect(r.diagnostics.map((d) => d.code)).toContain("WBPF1005");
  });
});
