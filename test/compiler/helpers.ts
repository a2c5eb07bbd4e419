/**
 * Test helpers for the compiler: build a `TemplateSource` from a template body written with
 * `${name}` interpolations, the way the plugin does (each `${name}` becomes a same-length
 * placeholder identifier, so offsets stay 1:1), and turn host offsets into line/column.
 */
import type { Diagnostic, MapSlotInfo, Slot, SlotValue, TemplateSource } from "../../transformer/api.js";

export type SlotSpec = SlotValue | { map: MapSlotInfo; name?: string };

/** `body` uses `${name}`; `slots[name]` says what each name resolved to. */
export function template(body: string, slots: Record<string, SlotSpec> = {}, fileName = "test.ts"): TemplateSource {
  const out: Slot[] = [];
  let text = "";
  let last = 0;
  let n = 0;
  for (const m of body.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    const name = m[1]!;
    const whole = m[0];
    text += body.slice(last, m.index);
    const prefix = `$${n++}`;
    const placeholder = (prefix + "_".repeat(whole.length)).slice(0, whole.length);
    const spec = slots[name];
    if (!spec) throw new Error(`template(): no slot value for \${${name}}`);
    const value: SlotValue = "kind" in spec ? spec : { kind: "map", name: spec.name ?? name, map: spec.map };
    out.push({ placeholder, start: text.length, length: whole.length, value });
    text += placeholder;
    last = m.index! + whole.length;
  }
  text += body.slice(last);
  return { fileName, hostText: text, start: 0, text, slots: out };
}

export function hashMap(key: MapSlotInfo["key"], value: MapSlotInfo["value"], maxEntries = 1024): SlotSpec {
  return { map: { kind: "hash", key, value, maxEntries } };
}

export function arrayMap(value: MapSlotInfo["value"], maxEntries = 256): SlotSpec {
  return { map: { kind: "array", key: "u32", value, maxEntries } };
}

/** 1-based line and column of a host offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** Diagnostics as `code line:col "source text"` strings, for readable assertions. */
export function describeDiagnostics(src: TemplateSource, diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => {
    const { line, col } = lineCol(src.hostText, d.start);
    return `${d.code} ${line}:${col} ${JSON.stringify(src.hostText.slice(d.start, d.start + d.length))}`;
  });
}

export const COUNT_OPENS = `
export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
  const pid = (get_current_pid_tgid() >> 32n) as u32;
  \${counts}.increment(pid);
  return 0;
}
`;

export const COUNT_OPENS_SLOTS: Record<string, SlotSpec> = {
  counts: { map: { kind: "hash", key: "u32", value: "u64", maxEntries: 10240 } },
};

export const XDP_PROTO_COUNT = `
export function xdp_proto_count(ctx: Xdp): i32 {
  const data = ctx.data;
  const end = ctx.data_end;
  if (data + 34 > end) return XDP_PASS;          // Ethernet (14) + minimal IPv4 (20)
  if (ntohs(load_u16(data, 12)) != 0x0800) return XDP_PASS;
  const proto = load_u8(data, 23);
  \${protoCounts}.increment(proto);
  return XDP_PASS;
}
`;

/** Two programs sharing an out-of-line function and an inlined one. */
export const SHARED = `
/** @noinline */
function mix(a: u32, b: u32): u32 {
  let x = a ^ (b << 3);
  x = x * 2654435761;
  x = x ^ (x >> 16);
  return x + 1;
}

function twice(v: u32): u32 {
  return v + v;
}

export function first(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return -1;
  return mix(load_u32(d, 0), load_u32(d, 4)) as i32;
}

export function second(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return -1;
  return twice(mix(load_u32(d, 4), 7)) as i32;
}
`;

/** Global data: .rodata knobs, .data and .bss variables, a folded constant. */
export const GLOBALS = `
const verdict: u32 = XDP_PASS;
const scale: u32 = 3;
let packets: u64 = 100;
let last: u32;
const K = 7;

function bump(): void {
  packets += 1;
}

export function global_data(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 4 > ctx.data_end) return XDP_ABORTED;
  bump();
  last = load_u32(d, 0) * scale + K;
  return verdict as i32;
}
`;

export const XDP_PROTO_COUNT_SLOTS: Record<string, SlotSpec> = {
  protoCounts: { map: { kind: "array", key: "u32", value: "u64", maxEntries: 256 }, name: "proto_counts" },
};

import { DiagnosticSink } from "../../transformer/diagnostics.js";
import { parseTemplate } from "../../transformer/frontend/parse.js";
import { checkTemplate } from "../../transformer/frontend/check.js";
import { lowerProgram } from "../../transformer/frontend/lower.js";
import { optimize } from "../../transformer/passes/pipeline.js";
import type { Fn } from "../../transformer/ir/ir.js";

/** Front end + lowering (+ optimisation unless `raw`) of the first program; throws on diagnostics. */
export function toIr(body: string, slots: Record<string, SlotSpec> = {}, raw = false): Fn {
  const src = template(body, slots);
  const sink = new DiagnosticSink(0);
  const checked = checkTemplate(parseTemplate(src.text, sink), src.slots, sink);
  if (sink.list.length) throw new Error(`unexpected diagnostics: ${describeDiagnostics(src, sink.list).join("; ")}`);
  const fn = lowerProgram(checked.programs[0]!);
  return raw ? fn : optimize(fn);
}
