// BPF timers: helpers 169-172 on a bpf_timer field of a map value, the callback as a
// BPF_PSEUDO_FUNC address of a .text function, the value's BTF naming struct bpf_timer, and
// each diagnostic with a near miss.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u32, u64 } from "../../runtime/types.js";
import { Btf } from "../../loader/btf/reader.js";
import { ElfFile } from "../../loader/elf/reader.js";
import { template, type SlotSpec } from "./helpers.js";

const TIMER = layoutStruct("bpf_timer", [["opaque", arrayFieldType(scalarFieldType(u64), 2)]]);
const SLOT = layoutStruct("slot", [["timer", TIMER], ["fires", scalarFieldType(u32)], ["n", scalarFieldType(u64)]]);
const SLOTS: Record<string, SlotSpec> = {
  slots: { map: { kind: "array", key: "u32", value: "u8", valueStruct: SLOT, maxEntries: 1 } },
  events: { map: { kind: "ringbuf", key: "u32", value: "u32", maxEntries: 4096 } },
  Slot: SLOT,
};
const CB = "function fired(map: u64, key: u64, v: ${Slot}): i64 {\n  v.fires += 1;\n  return 0;\n}\n";
const prog = (body: string, ctx = "Xdp") => `${CB}export function p(ctx: ${ctx}): i32 {\n  const v = \${slots}.lookup(0);\n  if (!v) return 0;\n${body}\n  return 0;\n}\n`;
const ARM = "  timer_init(v.timer, ${slots}, CLOCK_MONOTONIC);\n  timer_set_callback(v.timer, fired);\n  timer_start(v.timer, 1000, 0);\n  timer_cancel(v.timer);";

function codes(src: string): string[] {
  return compileTemplate(template(src, SLOTS)).diagnostics.map((d) => `${d.code} ${d.message}`);
}

describe("timers", () => {
  test("helpers 169-172, the callback by address, bpf_timer in the value's BTF", () => {
    const r = compileTemplate(template(prog(ARM), SLOTS));
    expect(r.diagnostics).toEqual([]);
    const text = disassemble(r.elf!);
    expect(text).toMatch(/call bpf_timer_init#169[\s\S]*r2 = .*ll[\s\S]*call bpf_timer_set_callback#170[\s\S]*r2 = 1000[\s\S]*call bpf_timer_start#171[\s\S]*call bpf_timer_cancel#172/);
    expect(text).toMatch(/fired/);
    const btf = Btf.parse(ElfFile.parse(r.elf!).section(".BTF")!.data);
    expect(btf.types.some((t) => t.name === "bpf_timer" && (t as unknown as { size: number }).size === 16)).toBe(true);
  });

  test("tracing program types may not use timers (WBPF1005); xdp may", () => {
    expect(codes(prog(ARM, 'Tracepoint<"syscalls/sys_enter_openat">'))[0]).toMatch(/^WBPF1005 'timer_init' is not available to tracepoint programs/);
    expect(codes(prog(ARM, "Tc"))).toEqual([]);
  });

  test("the timer argument must be a bpf_timer field (WBPF1003)", () => {
    expect(codes(prog("  timer_cancel(v.fires);"))).toEqual([expect.stringMatching(/^WBPF1003 the first argument of 'timer_cancel' is a bpf_timer field/)]);
    expect(codes(prog("  timer_cancel(v.timer);"))).toEqual([]);
  });

  test("the callback's shape (WBPF1003) and its return (WBPF1008)", () => {
    const bad = prog(ARM).replace("function fired(map: u64, key: u64, v: ${Slot}): i64", "function fired(map: u32, key: u64, v: ${Slot}): i64");
    expect(codes(bad)).toEqual([expect.stringMatching(/^WBPF1003 'fired' cannot be a timer callback/)]);
    const ret1 = prog(ARM).replace("v.fires += 1;\n  return 0;", "v.fires += 1;\n  return 1;");
    expect(codes(ret1)).toEqual(["WBPF1008 'fired' is a timer callback: it must return 0, and the verifier rejects 1"]);
    // Near miss: a callback taking only the map and key pointers is fine.
    const short = prog(ARM).replace("function fired(map: u64, key: u64, v: ${Slot}): i64 {\n  v.fires += 1;", "function fired(map: u64, key: u64): i64 {");
    expect(codes(short)).toEqual([]);
  });

  test("timer_init needs an array or hash map (WBPF2003)", () => {
    expect(codes(prog("  timer_init(v.timer, ${events}, CLOCK_MONOTONIC);"))).toEqual(["WBPF2003 timers live in array or hash map values; 'events' is a ringbuf map"]);
  });
});
