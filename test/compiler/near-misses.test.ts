// Near misses of WBPF2002 (map value type), WBPF1014 (interpolation of the wrong kind) and
// WBPF1009 (assignment): each trigger beside the closest program that must compile clean.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u32 } from "../../runtime/types.js";
import { describeDiagnostics, hashMap, template, type SlotSpec } from "./helpers.js";

const SLOTS: Record<string, SlotSpec> = {
  m: hashMap("u32", "u64"),
  q: { map: { kind: "queue", key: "u32", value: "u32", maxEntries: 8 } },
  S: layoutStruct("s", [["x", scalarFieldType(u32)]]),
  N: { kind: "int", value: 7n },
};

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}\n`;

function codes(body: string): string[] {
  const src = template(tp(body), SLOTS);
  return compileTemplate(src).diagnostics.map((d) => describeDiagnostics(src, [d])[0]!.split(" ")[0]!);
}

describe("near misses", () => {
  test.each([
    ["WBPF2002 negative value", "${m}.update(1, -5);\nreturn 0;", ["WBPF2002"]],
    ["near miss: a value that fits", "${m}.update(1, 5);\nreturn 0;", []],
    ["WBPF2002 signed local", "const v: i32 = 5;\n${m}.update(1, v);\nreturn 0;", ["WBPF2002"]],
    ["near miss: the same local cast", "const v: i32 = 5;\n${m}.update(1, v as u64);\nreturn 0;", []],
    ["near miss: an unsigned local widens", "const v: u32 = 5;\n${m}.update(1, v);\nreturn 0;", []],
    ["WBPF2002 queue push too wide", "const v: u64 = 5;\n${q}.push(v);\nreturn 0;", ["WBPF2002"]],
    ["near miss: queue push of its type", "const v: u32 = 5;\n${q}.push(v);\nreturn 0;", []],
    ["WBPF1014 map as a value", "const x = ${m};\nreturn 0;", ["WBPF1014"]],
    ["near miss: the map's method", "const x = ${m}.lookup(1);\nreturn x ? 1 : 0;", []],
    ["WBPF1014 struct as a value", "const x = ${S};\nreturn 0;", ["WBPF1014"]],
    ["near miss: a struct local", "let x: ${S};\nx.x = 1;\nreturn x.x as i32;", []],
    ["near miss: an integer interpolation is a value", "return ${N};", []],
    ["WBPF1009 assigning a const", "const x: u32 = 1;\nx = 2;\nreturn 0;", ["WBPF1009"]],
    ["near miss: assigning a let", "let x: u32 = 1;\nx = 2;\nreturn x as i32;", []],
    ["WBPF1009 a struct from an integer", "let s: ${S};\ns = 1;\nreturn 0;", ["WBPF1009"]],
    ["near miss: a struct from a struct", "let s: ${S};\nlet t: ${S};\nt.x = 3;\ns = t;\nreturn s.x as i32;", []],
  ])("%s", (_name, body, want) => {
    expect(codes(body)).toEqual(want);
  });
});
