// Every diagnostic code beside its near miss: for each code in transformer/diagnostics.ts, a
// program that reports it and the closest program that must compile with no diagnostic at
// all (one token, type, bound or call away). A code added to the table without a row here
// fails the coverage test. WBPF4001 (a defstruct the build cannot lay out) is reported by
// the struct evaluator on a host file, so its pair compiles two small files.
import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u32, u64, u8 } from "../../runtime/types.js";
import { compileTemplate } from "../../transformer/compile.js";
import { DIAGNOSTICS, type DiagnosticCode } from "../../transformer/diagnostics.js";
import { structsOfFile } from "../../transformer/structs/collect.js";
import { describeDiagnostics, hashMap, template, type SlotSpec } from "./helpers.js";

const SLOTS: Record<string, SlotSpec> = {
  m: hashMap("u32", "u64"),
  a: { map: { kind: "array", key: "u32", value: "u64", maxEntries: 4 } },
  rb: { map: { kind: "ringbuf", key: "u32", value: "u32", maxEntries: 4096 } },
  Ev: layoutStruct("ev", [["pid", scalarFieldType(u32)], ["ts", scalarFieldType(u64)]]),
  Big: layoutStruct("big", [["vals", arrayFieldType(scalarFieldType(u64), 40)]]),
  K: { kind: "int", value: 7n },
  U: { kind: "unresolved", reason: "not a constant the build can evaluate" },
  S: layoutStruct("s", [["x", scalarFieldType(u8)]]),
};

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}`;
const xdp = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n}`;
const many = (n: number) => tp(`${Array.from({ length: n }, (_, k) => `  const t${k} = ktime_get_ns();`).join("\n")}\n  return (${Array.from({ length: n }, (_, k) => `t${k}`).join(" ^ ")}) as i32;`);

/** Template pairs: [trigger, near miss]. */
const PAIRS: Partial<Record<DiagnosticCode, readonly [string, string]>> = {
  WBPF1000: [tp("const x: u32 = (1 + ;\nreturn 0;"), tp("const x: u32 = (1 + 2);\nreturn x as i32;")],
  WBPF1001: [tp("const pid = 1;\nreturn pdi;"), tp("const pid = 1;\nreturn pid;")],
  WBPF1002: [tp("let n: u32 = 0;\ndo { n++; } while (n < 3);\nreturn n as i32;"), tp("let n: u32 = 0;\nwhile (n < 3) { n++; }\nreturn n as i32;")],
  WBPF1003: [tp("const a: u32 = 1;\nconst b: i32 = 2;\nreturn (a + b) as i32;"), tp("const a: u32 = 1;\nconst b: i32 = 2;\nreturn (a + (b as u32)) as i32;")],
  WBPF1004: [xdp("return ctx.ingres_ifindex as i32;"), xdp("return ctx.ingress_ifindex as i32;")],
  WBPF1005: [tp("return redirect(1, 0) as i32;"), xdp("return redirect(1, 0) as i32;")],
  WBPF1006: [tp("return ktime_get_ns(1) as i32;"), tp("return ktime_get_ns() as i32;")],
  WBPF1007: [tp("const p = ${m}.lookup(1);\np[0] += 1;\nreturn 0;"), tp("const p = ${m}.lookup(1);\nif (p) p[0] += 1;\nreturn 0;")],
  WBPF1008: [tp("const x: u8 = 256;\nreturn x as i32;"), tp("const x: u8 = 255;\nreturn x as i32;")],
  WBPF1009: [tp("const x: u32 = 1;\nx = 2;\nreturn x as i32;"), tp("let x: u32 = 1;\nx = 2;\nreturn x as i32;")],
  WBPF1010: [tp("let x: i32 = 1;\nlet x: i32 = 2;\nreturn x;"), tp("let x: i32 = 1;\nx = 2;\nreturn x;")],
  WBPF1011: [tp("if (ktime_get_ns() > 5) return 1;"), tp("if (ktime_get_ns() > 5) return 1;\nreturn 0;")],
  WBPF1012: ["function p(ctx: Xdp): i32 { return XDP_PASS; }", "export function p(ctx: Xdp): i32 { return XDP_PASS; }"],
  WBPF1013: [tp("return ${U};"), tp("return ${K};")],
  WBPF1014: [tp("return ${m};"), tp("return ${K};")],
  WBPF1015: [xdp("const n: u32 = ctx.rx_queue_index;\nreturn load_u8(ctx.data, n) as i32;"), xdp("if (ctx.data + 4 > ctx.data_end) return XDP_PASS;\nreturn load_u8(ctx.data, 3) as i32;")],
  WBPF1016: [xdp("if (ctx.data + 4 > ctx.data_end) return XDP_PASS;\nreturn load_u8(ctx.data, 4) as i32;"), xdp("if (ctx.data + 5 > ctx.data_end) return XDP_PASS;\nreturn load_u8(ctx.data, 4) as i32;")],
  WBPF1017: [tp('const t = get_current_task() as KernelStruct<"task_struct">;\nreturn t.tgd;'), tp('const t = get_current_task() as KernelStruct<"task_struct">;\nreturn t.tgid;')],
  WBPF1018: [tp('const t = get_current_task() as KernelStruct<"task_struct">;\nconst l = t.loginuid;\nreturn l.val as i32;'), tp('const t = get_current_task() as KernelStruct<"task_struct">;\nreturn t.loginuid.val as i32;')],
  WBPF1020: [tp('printk("pid %d\\n", get_current_pid_tgid());\nreturn 0;'), tp('printk("pid %llu\\n", get_current_pid_tgid());\nreturn 0;')],
  WBPF1030: [tp("let n: u32 = 0;\nfor (let i: u32 = 0; i < 10; i += 0) n += i;\nreturn n as i32;"), tp("let n: u32 = 0;\nfor (let i: u32 = 0; i < 10; i += 1) n += i;\nreturn n as i32;")],
  WBPF1031: [tp("const a = get_current_pid_tgid() as u32;\nswitch (a) { case 1: break; case 1: break; }\nreturn 0;"), tp("const a = get_current_pid_tgid() as u32;\nswitch (a) { case 1: break; case 2: break; }\nreturn 0;")],
  WBPF2001: [tp("${m}.increment(get_current_pid_tgid());\nreturn 0;"), tp("${m}.increment(get_current_pid_tgid() as u32);\nreturn 0;")],
  WBPF2002: [tp("${m}.update(1, -1);\nreturn 0;"), tp("${m}.update(1, 1);\nreturn 0;")],
  WBPF2003: [tp("${a}.delete(1);\nreturn 0;"), tp("${m}.delete(1);\nreturn 0;")],
  WBPF2004: [tp("const e = ${rb}.reserve(${Ev});\nif (!e) return 0;\ne.pid = 1;\nreturn 0;"), tp("const e = ${rb}.reserve(${Ev});\nif (!e) return 0;\ne.pid = 1;\n${rb}.submit(e);\nreturn 0;")],
  WBPF3001: [
    tp("let x: ${Big};\nlet y: ${Big};\nx.vals[0] = 1;\ny.vals[0] = 2;\n${rb}.output(x);\n${rb}.output(y);\nreturn 0;"),
    tp("let x: ${Big};\nx.vals[0] = 1;\n${rb}.output(x);\nx.vals[0] = 2;\n${rb}.output(x);\nreturn 0;"),
  ],
  WBPF3002: [tp("let n: u64 = 0;\nfor (let i: u32 = 0; i < 1000000; i++) n += i;\nreturn n as i32;"), tp("let n: u64 = 0;\nfor (let i: u32 = 0; i < 1000; i++) n += i;\nreturn n as i32;")],
  WBPF3003: [many(70), many(60)],
};

function codesOf(body: string): string[] {
  const src = template(body, SLOTS);
  return describeDiagnostics(src, compileTemplate(src).diagnostics);
}

const dir = mkdtempSync(path.join(tmpdir(), "whistler-near-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** WBPF4001 lines for a host file declaring `decl` (imports the struct API of this checkout). */
function structErrors(name: string, decl: string): readonly string[] {
  const file = path.join(dir, `${name}.ts`);
  const api = (m: string) => JSON.stringify(path.resolve(import.meta.dirname, `../../runtime/${m}.js`));
  writeFileSync(file, `import { defstruct } from ${api("struct/defstruct")};\nimport { u32 } from ${api("types")};\n${decl}\n`);
  return structsOfFile(file).errors;
}

describe("every code has a trigger and a near miss", () => {
  test("the table covers every code (WBPF4001 below)", () => {
    expect([...Object.keys(PAIRS), "WBPF4001"].sort()).toEqual(Object.keys(DIAGNOSTICS).sort());
  });

  test.each(Object.entries(PAIRS).map(([code, pair]) => [code, pair![0], pair![1]] as const))("%s", (code, trigger, nearMiss) => {
    expect(codesOf(trigger).map((d) => d.split(" ")[0])).toContain(code);
    expect(codesOf(nearMiss)).toEqual([]);
  });

  test("WBPF4001", () => {
    expect(structErrors("bad", "const fields = { pid: u32 };\nexport const Ev = defstruct(\"ev\", fields);")).toEqual([expect.stringMatching(/error WBPF4001/)]);
    expect(structErrors("good", "export const Ev = defstruct(\"ev\", { pid: u32 });")).toEqual([]);
  }, 30_000);
});
