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

const TP = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}`;
const XDP = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n}`;
const SLOTS: Record<string, SlotSpec> = {
  ...OPENSNOOP_SLOTS,
  Outer: OUTER,
  q: { map: { kind: "queue", key: "u32", value: "u32", maxEntries: 8 } },
};
const codes = (body: string) => diag(body, SLOTS).map((d) => d.split(" ")[0]);

describe("struct and map-method diagnostics (trigger and near miss)", () => {
  test.each([
    ["WBPF2004 record not submitted on a path", TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\nif (e.pid == 1) return 1;\n${events}.submit(e);\nreturn 0;"), ["WBPF2004"]],
    ["near miss: discarded on that path", TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\nif (e.pid == 1) { ${events}.discard(e); return 1; }\n${events}.submit(e);\nreturn 0;"), []],
    ["WBPF2004 a dropped reservation", TP("${events}.reserve(${OpenEvent});\nreturn 0;"), ["WBPF2004"]],
    ["WBPF1007 field of an unchecked record", TP("const e = ${events}.reserve(${OpenEvent});\ne.pid = 1;\nif (e) ${events}.submit(e);\nreturn 0;"), ["WBPF1007"]],
    ["WBPF1007 submit of an unchecked record", TP("const e = ${events}.reserve(${OpenEvent});\n${events}.submit(e);\nreturn 0;"), ["WBPF1007"]],
    ["near miss: checked with !== null", TP("const e = ${events}.reserve(${OpenEvent});\nif (e !== null) { e.pid = 1; ${events}.submit(e); }\nreturn 0;"), []],
    ["WBPF1003 submit of a field pointer", TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\n${events}.submit(e.comm);\nreturn 0;"), ["WBPF1003"]],
    ["WBPF1004 unknown field, with a suggestion", TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\ne.pdi = 1;\n${events}.submit(e);\nreturn 0;"), ["WBPF1004"]],
    ["WBPF1008 constant index out of bounds", XDP("let s: ${Outer};\ns.vals[8] = 1;\nreturn 0;"), ["WBPF1008"]],
    ["near miss: last element", XDP("let s: ${Outer};\ns.vals[7] = 1;\nreturn s.vals[7] as i32;"), []],
    ["WBPF1008 unbounded variable index", XDP("let s: ${Outer};\nconst i = ctx.rx_queue_index;\nreturn s.vals[i] as i32;"), ["WBPF1008"]],
    ["near miss: masked index", XDP("let s: ${Outer};\nconst i = ctx.rx_queue_index & 7;\nreturn s.vals[i] as i32;"), []],
    ["WBPF2003 reserve on a hash map", TP("const e = ${counts}.reserve(${OpenEvent});\nreturn 0;"), ["WBPF2003"]],
    ["WBPF2003 pop on a ring buffer", TP("const v = ${events}.pop();\nreturn 0;"), ["WBPF2003"]],
    ["near miss: pop on a queue", XDP("const v = ${q}.pop();\nif (v === null) return 1;\nreturn v[0] as i32;"), []],
    ["WBPF2002 push of the wrong type", XDP("${q}.push(ctx.rx_queue_index as u64);\nreturn 0;"), ["WBPF2002"]],
    ["WBPF1005 xdp_adjust_head in a tracepoint", TP("xdp_adjust_head(ctx, 4);\nreturn 0;"), ["WBPF1005"]],
    ["near miss: xdp_adjust_head in XDP", XDP("xdp_adjust_head(ctx, -4);\nreturn 0;"), []],
    ["WBPF1003 buffer argument that is an integer", TP("get_current_comm(5);\nreturn 0;"), ["WBPF1003"]],
    ["WBPF1014 struct used as a value", TP("const x = ${OpenEvent};\nreturn 0;"), ["WBPF1014"]],
    ["WBPF1009 whole struct assignment", XDP("let s: ${Outer};\ns.in = 1;\nreturn 0;"), ["WBPF1009"]],
  ])("%s", (_name, body, want) => {
    expect(codes(body)).toEqual(want);
  });

  test("unknown tracepoint: WBPF1004 with the nearest names; a known one compiles", () => {
    const d = diag(`export function p(ctx: Tracepoint<"syscalls/sys_enter_opnat">): i32 { return 0; }`, SLOTS);
    expect(d.length).toBe(1);
    expect(d[0]).toMatch(/^WBPF1004 .*did you mean 'syscalls\/sys_enter_openat'/);
    expect(diag(`export function p(ctx: Tracepoint<"ext4/ext4_unknown_group_ok">): i32 { return 0; }`, SLOTS)).toEqual([]);
  });

  test("messages say what to write", () => {
    const [leak] = diag(TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\nif (e.pid == 1) return 1;\n${events}.submit(e);\nreturn 0;"), SLOTS);
    expect(leak).toMatch(/record 'e' .*submit\(e\).*discard\(e\)/);
    const [field] = diag(TP("const e = ${events}.reserve(${OpenEvent});\nif (!e) return 0;\ne.pdi = 1;\n${events}.submit(e);\nreturn 0;"), SLOTS);
    expect(field).toMatch(/did you mean 'pid'/);
    const [idx] = diag(XDP("let s: ${Outer};\nconst i = ctx.rx_queue_index;\nreturn s.vals[i] as i32;"), SLOTS);
    expect(idx).toMatch(/i & 7/);
  });

  test("an object literal fills a struct local as field stores would: the same code; nested literals for nested structs", () => {
    const code = (body: string) => {
      const r = compileTemplate(template(XDP(body), SLOTS));
      expect(r.diagnostics).toEqual([]);
      return disassemble(r.elf!).replace(/^;.*$/gm, ""); // line info differs, the instructions not
    };
    const tag = "const tag = ctx.rx_queue_index as u8;\n";
    const literal = code(`${tag}let s: \${Outer} = { tag, in: { a: 7, c: 9 }, };\nreturn (s.tag + s.in.a + (s.in.c as u16)) as i32;`);
    const stores = code(`${tag}let s: \${Outer};\ns.tag = tag;\ns.in.a = 7;\ns.in.c = 9;\nreturn (s.tag + s.in.a + (s.in.c as u16)) as i32;`);
    expect(literal).toEqual(stores);
    expect(literal).toMatch(/\*\(u16 \*\)\(r10 -/);
  });

  test("object literals: the diagnostics of a field store, a repeated field, and a literal anywhere but a struct local", () => {
    expect(diag(XDP("let s: ${Outer} = { tga: 1 };\nreturn 0;"), SLOTS)[0]).toMatch(/^WBPF1004 2:21 "tga" struct outer has no field 'tga'; did you mean 'tag'\?/);
    expect(diag(XDP("let s: ${Outer} = { tag: 1, tag: 2 };\nreturn 0;"), SLOTS)).toEqual(['WBPF1010 2:29 "tag" field \'tag\' is given twice in this object literal']);
    expect(diag(XDP("let s: ${Outer} = { in: { a: 70000 } };\nreturn 0;"), SLOTS)[0]).toMatch(/^WBPF1008 .*constant 70000 does not fit u16/);
    const [scalar] = diag(XDP("let x: u32 = { a: 1 };\nreturn 0;"), SLOTS);
    expect(scalar).toMatch(/^WBPF1002 2:14 "\{ a: 1 \}" an object literal gives a struct local its fields \(`let e: \$\{Event\} = \{ pid: 1 \}`\), or a map method its struct key or value/);
  });

  test("tracepoint fields: pointers are u64 addresses, __data_loc strings the address in the record", () => {
    const r = compileTemplate(template(`export function p(ctx: Tracepoint<"sched/sched_process_exec">): i32 {
  let s: \${Outer};
  probe_read_kernel_str(s.name, ctx.filename);
  return ctx.pid as i32;
}`, SLOTS));
    expect(r.diagnostics).toEqual([]);
    expect(disassemble(r.elf!)).toMatch(/call bpf_probe_read_kernel_str#115/);
  });
});
