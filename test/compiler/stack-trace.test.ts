// Stack trace maps: the definition carries key_size/value_size (the kernel refuses BTF types
// for them), get_stackid takes only a stack trace map (WBPF2003), and the map has no methods.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { STACK_TRACE_LAYOUT } from "../../runtime/map-decl.js";
import { Btf } from "../../loader/btf/reader.js";
import { ElfFile } from "../../loader/elf/reader.js";
import { template, type SlotSpec } from "./helpers.js";

const SLOTS: Record<string, SlotSpec> = {
  stacks: { map: { kind: "stack_trace", key: "u32", value: "u8", valueStruct: STACK_TRACE_LAYOUT, maxEntries: 16 } },
  counts: { map: { kind: "hash", key: "u32", value: "u64", maxEntries: 16 } },
};
const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\nreturn 0;\n}`;

describe("stack trace maps", () => {
  test("get_stackid(ctx, stacks, flags) is helper 27 on the map; the definition has sizes, not types", () => {
    const r = compileTemplate(template(tp("const id = get_stackid(ctx, ${stacks}, BPF_F_USER_STACK);\nif (id < 0) return 0;"), SLOTS));
    expect(r.diagnostics).toEqual([]);
    expect(disassemble(r.elf!)).toMatch(/r2 = map\[stacks\] ll[\s\S]*r3 = 256[\s\S]*call bpf_get_stackid#27/);
    const btf = Btf.parse(ElfFile.parse(r.elf!).section(".BTF")!.data);
    const def = btf.types.find((t) => t.kind === "STRUCT" && (t as unknown as { members: { name: string }[] }).members.some((m) => m.name === "value_size"));
    expect((def as unknown as { members: { name: string }[] }).members.map((m) => m.name)).toEqual(["type", "key_size", "value_size", "max_entries"]);
  });

  test("another map kind is WBPF2003; methods on the stack trace map too", () => {
    const bad = compileTemplate(template(tp("get_stackid(ctx, ${counts}, 0);"), SLOTS));
    expect(bad.diagnostics.map((d) => [d.code, d.message])).toEqual([["WBPF2003", "'get_stackid' needs a stack_trace map; 'counts' is a hash map"]]);
    const lookup = compileTemplate(template(tp("${stacks}.lookup(1);"), SLOTS));
    expect(lookup.diagnostics.map((d) => d.code)).toEqual(["WBPF2003"]);
  });
});
