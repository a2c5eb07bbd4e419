// bpf_loop: the callback is a static .text function whose address is an ld_imm64
// relocated against .text (R_BPF_64_64, byte offset in imm) as clang writes it; its BTF is
// (u64 index, void *ctx); misuse is reported at the argument.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { R_BPF_64_64, STB, STT } from "../../transformer/elf/format.js";
import { readElf } from "../../transformer/elf/reader.js";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u8, u64 } from "../../runtime/types.js";
import type { StructSlotInfo } from "../../transformer/api.js";
import { BPF_LOOP_SUM, LOOP_CTX } from "./bpf-loop-program.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

const OTHER: StructSlotInfo = layoutStruct("other", [["x", scalarFieldType(u64)]]);
const BIG: StructSlotInfo = layoutStruct("big", [["bytes", arrayFieldType(scalarFieldType(u8), 300)]]);
const SLOTS: Record<string, SlotSpec> = { LoopCtx: LOOP_CTX, Other: OTHER, Big: BIG }; // struct layouts are struct slots as they are

function diag(body: string): string[] {
  const src = template(body, SLOTS);
  const r = compileTemplate(src);
  return r.diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

const prog = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n  return 0;\n}`;
const step = "function step(i: u64, c: ${LoopCtx}): i64 { c.total += i; return 0; }\n";

describe("bpf_loop", () => {
  test("callbacks are .text functions referenced by ld_imm64 against the .text section symbol", () => {
    const src = template(BPF_LOOP_SUM, SLOTS);
    const r = compileTemplate(src);
    expect(describeDiagnostics(src, r.diagnostics)).toEqual([]);
    const elf = readElf(r.elf!);
    const text = elf.sections.find((s) => s.name === ".text")!;
    const fns = elf.symbols.filter((s) => s.section === text.index && s.type === STT.FUNC);
    // Each callback is used once, yet stays out of line: its address is taken.
    expect(fns.map((f) => [f.name, f.bind])).toEqual([["add_one", STB.LOCAL], ["count_only", STB.LOCAL]]);
    const xdp = elf.sections.find((s) => s.name === "xdp")!;
    const refs = elf.relocs.get(xdp.index)!.filter((x) => elf.symbols[x.symbol]!.type === STT.SECTION && elf.symbols[x.symbol]!.section === text.index);
    expect(refs.map((x) => x.type)).toEqual([R_BPF_64_64, R_BPF_64_64]);
    const view = new DataView(xdp.data.buffer, xdp.data.byteOffset);
    // imm holds the callee's byte offset in .text; src_reg stays 0 (loaders set PSEUDO_FUNC)
    expect(refs.map((x) => view.getInt32(x.offset + 4, true))).toEqual(fns.map((f) => f.value));
    expect(refs.map((x) => xdp.data[x.offset]! === 0x18 && xdp.data[x.offset + 1]! >> 4)).toEqual([0, 0]);
    const listing = disassemble(r.elf!);
    expect(listing).toMatch(/r2 = func\[add_one\] ll/);
    expect(listing).toMatch(/r2 = func\[count_only\] ll/);
    expect(listing).toMatch(/call bpf_loop#181/);
    // null context: r3 = 0
    expect(listing).toMatch(/r3 = 0\n.*r4 = 0\n.*call bpf_loop#181/);
  });

  test("the callback's stack frame counts toward the 512 bytes (WBPF3001 names the chain)", () => {
    const deep = "function deep(i: u64, c: ${LoopCtx}): i64 {\n  let b: ${Big};\n  b.bytes[i & 255] = 1;\n  c.total += b.bytes[0];\n  return 0;\n}\n";
    const ok = compileTemplate(template(deep + prog("let c: ${LoopCtx};\nbpf_loop(4, deep, c);"), SLOTS));
    expect(ok.diagnostics).toEqual([]);
    const over = diag(deep + prog("let c: ${LoopCtx};\nlet b: ${Big};\nb.bytes[1] = 2;\nbpf_loop(4, deep, c);\nreturn b.bytes[1] as i32;"));
    expect(over).toEqual([expect.stringMatching(/^WBPF3001 .*through calls p -> deep/)]);
  });

  test("misuse: callback, signature, context and count are checked at the argument", () => {
    expect(diag(prog("let c: ${LoopCtx};\nbpf_loop(4, nope, c);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*second argument of 'bpf_loop' is the callback/),
    ]);
    expect(diag("function f(a: u64, b: u64): i64 { return 0; }\n" + prog("bpf_loop(4, f, null);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*'f' cannot be a bpf_loop callback/),
    ]);
    expect(diag("function f(i: u64, c: ${LoopCtx}): void { c.total = i; }\n" + prog("let c: ${LoopCtx};\nbpf_loop(4, f, c);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*return an integer, 0 to continue or 1 to stop/),
    ]);
    expect(diag(step + prog("let o: ${Other};\nbpf_loop(4, step, o);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*'step' takes a loop_ctx, but this is a other/),
    ]);
    expect(diag(step + prog("bpf_loop(4, step, null);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*'step' reads its context 'c' \(loop_ctx\)/),
    ]);
    const withMap = (body: string) => {
      const src = template(body, { ...SLOTS, stats: { map: { kind: "array", key: "u32", value: "u8", valueStruct: LOOP_CTX, maxEntries: 1 } } });
      return compileTemplate(src).diagnostics.map((d) => `${d.code} ${d.message}`);
    };
    // bpf_loop takes only a stack pointer (the verifier: "R3 type=map_value expected=fp")
    expect(withMap(step + prog("const v = ${stats}.lookup(0);\nif (!v) return 1;\nbpf_loop(4, step, v);"))).toEqual([
      expect.stringMatching(/^WBPF1003 a map value cannot be bpf_loop's context: the kernel accepts only a stack pointer/),
    ]);
    expect(diag(step + prog("const x: u64 = 5;\nbpf_loop(4, step, x);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*context of 'bpf_loop' is a stack struct local or null, not u64/),
    ]);
    expect(diag(step + prog("let c: ${LoopCtx};\nbpf_loop(8388609, step, c);"))).toEqual([
      expect.stringMatching(/^WBPF1008 .*at most 8388608/),
    ]);
    expect(diag(step + prog("let c: ${LoopCtx};\nbpf_loop(4, step);"))).toEqual([
      expect.stringMatching(/^WBPF1006 .*'bpf_loop' takes 3 arguments/),
    ]);
    expect(diag(step + prog("let c: ${LoopCtx};\nbpf_loop(4, step, c, 1);"))).toEqual([
      expect.stringMatching(/^WBPF1003 .*flags of 'bpf_loop' must be 0/),
    ]);
  });

  test("near misses compile: u32 index, 8388608 iterations, explicit 0 flags, 0 as null", () => {
    expect(diag("function f(i: u32): i64 { return 0; }\n" + prog("bpf_loop(8388608, f, 0, 0);"))).toEqual([]);
    expect(diag(step + prog("let c: ${LoopCtx};\nconst n = ctx.rx_queue_index;\nbpf_loop(n, step, c);"))).toEqual([]);
    expect(diag(step + prog("let c: ${LoopCtx};\nbpf_loop(4, step, addr(c));"))).toEqual([]);
  });

  test("a callback's constant returns are 0 or 1 (WBPF1008); computed ones are left to the verifier", () => {
    expect(diag("function f(i: u64): i64 {\n  if (i > 3) return 2;\n  return 0;\n}\n" + prog("bpf_loop(4, f, null);"))).toEqual([
      expect.stringMatching(/^WBPF1008 2:21 "2" 'f' is a bpf_loop callback: it returns 0 to continue or 1 to stop, and the verifier rejects 2/),
    ]);
    expect(diag("function f(i: u64): i64 {\n  if (i > 3) return 1;\n  return (i & 1) as i64;\n}\n" + prog("bpf_loop(4, f, null);"))).toEqual([]);
    // the same function called directly may return anything
    expect(diag("function f(i: u64): i64 {\n  return -1;\n}\n" + prog("return f(2) as i32;"))).toEqual([]);
  });

  test("recursion through a callback is rejected like any recursion", () => {
    const src = "function f(i: u64): i64 { bpf_loop(2, f, null); return 0; }\n" + prog("bpf_loop(2, f, null);");
    expect(diag(src)).toEqual([expect.stringMatching(/^WBPF1002 .*recurs/)]);
  });
});
