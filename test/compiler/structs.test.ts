// Structs in templates: struct slots as ring buffer records and stack locals, field reads and
// writes at the defstruct offsets, nested structs, char arrays as helper buffers, array
// indexing with bounds, tracepoint ctx fields from the tracefs formats; and the diagnostics of
// misuse, each with a near miss.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType, charFieldType, arrayFieldType } from "../../runtime/struct/layout.js";
import { u8, u16, u32, u64, i8, i32 } from "../../runtime/types.js";
import type { StructSlotInfo } from "../../transformer/api.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

export const OPEN_EVENT: StructSlotInfo = layoutStruct("open_event", [
  ["pid", scalarFieldType(u32)], ["uid", scalarFieldType(u32)], ["ts", scalarFieldType(u64)], ["flags", scalarFieldType(i32)],
  ["comm", charFieldType(16)], ["filename", charFieldType(256)],
]);
const INNER = layoutStruct("inner", [["a", scalarFieldType(u16)], ["b", scalarFieldType(i8)], ["c", scalarFieldType(u64)]]);
export const OUTER: StructSlotInfo = layoutStruct("outer", [
  ["tag", scalarFieldType(u8)], ["in", INNER], ["vals", arrayFieldType(scalarFieldType(u32), 8)], ["name", charFieldType(8)],
]);

/** The program of DESIGN.md's "How a user sees it". */
export const OPENSNOOP = `
export function opensnoop(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
  const pid = (get_current_pid_tgid() >> 32) as u32;
  \${counts}.increment(pid);
  const e = \${events}.reserve(\${OpenEvent});
  if (!e) return 0;
  e.pid = pid;
  e.ts = ktime_get_ns();
  e.flags = ctx.flags as i32;
  get_current_comm(e.comm);
  probe_read_user_str(e.filename, ctx.filename);
  \${events}.submit(e);
  return 0;
}
`;

export const OPENSNOOP_SLOTS: Record<string, SlotSpec> = {
  counts: { map: { kind: "hash", key: "u32", value: "u64", maxEntries: 10240 } },
  events: { map: { kind: "ringbuf", key: "u32", value: "u32", maxEntries: 256 * 1024 } },
  OpenEvent: OPEN_EVENT,
};

function diag(body: string, slots: Record<string, SlotSpec> = OPENSNOOP_SLOTS): string[] {
  const src = template(body, slots);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("structs in templates", () => {
  test("opensnoop compiles: reserve, field stores at the layout's offsets, comm and filename buffers, submit", () => {
    const r = compileTemplate(template(OPENSNOOP, OPENSNOOP_SLOTS));
    expect(r.diagnostics).toEqual([]);
    const listing = disassemble(r.elf!);
    expect(listing).toMatch(/call bpf_ringbuf_reserve#131/);
    expect(listing).toMatch(/call bpf_ringbuf_submit#132/);
    expect(listing).toMatch(/call bpf_get_current_comm#16/);
    expect(listing).toMatch(/call bpf_probe_read_user_str#114/);
  });
});
