// Global data: module-level variables in .rodata/.data/.bss with OBJECT symbols, R_BPF_64_64
// relocations on the ld_imm64 that addresses them, DATASEC BTF, the layout in
// CompileResult.globals, and the diagnostics of misuse (each with a near miss).
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { R_BPF_64_64, SHF, SHT, STT } from "../../transformer/elf/format.js";
import { readElf } from "../../transformer/elf/reader.js";
import { GLOBALS, describeDiagnostics, template } from "./helpers.js";

function diag(body: string): string[] {
  const src = template(body);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}
const prog = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n}`;

describe("global data", () => {
  const r = compileTemplate(template(GLOBALS));
  const elf = readElf(r.elf!);
  const sec = (n: string) => elf.sections.find((s) => s.name === n)!;

  test("layout in CompileResult.globals; untyped consts are folded, not stored", () => {
    expect(r.diagnostics).toEqual([]);
    expect(r.globals).toEqual([
      { name: "verdict", section: ".rodata", offset: 0, size: 4, type: "u32", init: 2n },
      { name: "scale", section: ".rodata", offset: 4, size: 4, type: "u32", init: 3n },
      { name: "packets", section: ".data", offset: 0, size: 8, type: "u64", init: 100n },
      { name: "last", section: ".bss", offset: 0, size: 4, type: "u32", init: 0n },
    ]);
  });

  test("sections, symbols and initial bytes", () => {
    expect([sec(".rodata").type, sec(".rodata").flags]).toEqual([SHT.PROGBITS, SHF.ALLOC]);
    expect([...sec(".rodata").data]).toEqual([2, 0, 0, 0, 3, 0, 0, 0]);
    expect([sec(".data").type, sec(".data").flags]).toEqual([SHT.PROGBITS, SHF.WRITE | SHF.ALLOC]);
    expect([...sec(".data").data]).toEqual([100, 0, 0, 0, 0, 0, 0, 0]);
    expect([sec(".bss").type, sec(".bss").data.length]).toEqual([SHT.NOBITS, 4]);
    const objs = elf.symbols.filter((s) => s.type === STT.OBJECT && s.name !== "LICENSE");
    expect(objs.map((s) => [s.name, elf.sections[s.section]!.name, s.value, s.size])).toEqual([
      ["verdict", ".rodata", 0, 4], ["scale", ".rodata", 4, 4], ["packets", ".data", 0, 8], ["last", ".bss", 0, 4],
    ]);
  });

  test("each access is an ld_imm64 relocated against the variable", () => {
    const xdp = sec("xdp");
    const rels = elf.relocs.get(xdp.index)!;
    expect(rels.every((x) => x.type === R_BPF_64_64 && xdp.data[x.offset] === 0x18)).toBe(true);
    expect(new Set(rels.map((x) => elf.symbols[x.symbol]!.name))).toEqual(new Set(["verdict", "scale", "packets", "last"]));
    expect(disassemble(r.elf!)).not.toMatch(/K\b/);
  });

  test("BTF has a DATASEC per section with its variables", () => {
    const btf = sec(".BTF").data;
    const text = new TextDecoder().decode(btf);
    for (const n of [".rodata", ".data", ".bss", "verdict", "scale", "packets", "last"]) expect(text).toContain(`\0${n}\0`);
  });
});

describe("global data diagnostics (trigger and near miss)", () => {
  test("assigning a .rodata const is WBPF1009; a let is fine", () => {
    expect(diag(`const limit: u32 = 5;\n${prog("limit = 6;\nreturn 0;")}`)).toEqual([
      `WBPF1009 3:1 "limit" 'limit' is read-only in BPF code (it lives in .rodata, set before load); declare it with \`let\` to change it at run time`,
    ]);
    expect(diag(`let limit: u32 = 5;\n${prog("limit = 6;\nreturn 0;")}`)).toEqual([]);
  });

  test("a non-constant initial value is WBPF1015; constant expressions are fine", () => {
    expect(diag(`let t: u64 = ktime_get_ns();\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1015 1:14 "ktime_get_ns\(\)" the initial value of global 't' must be a constant/);
    expect(diag(`const A = 3;\nlet t: u64 = A * 1000 + XDP_PASS;\n${prog("return t as i32;")}`)).toEqual([]);
  });

  test("globals share the namespace (WBPF1010) and cannot be exported (WBPF1002)", () => {
    expect(diag(`let x: u32 = 1;\nlet x: u32 = 2;\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1010 2:5 "x"/);
    expect(diag(`let p: u32 = 1;\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1010 1:5 "p"/);
    expect(diag(`export const x: u32 = 1;\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1002 1:1 "export" global variables are not exported/);
  });

  test("a value that does not fit its type is WBPF1008", () => {
    expect(diag(`const b: u8 = 300;\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1008 1:15 "300"/);
  });
});
