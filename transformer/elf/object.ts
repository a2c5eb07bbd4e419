/**
 * A BPF object file as libbpf expects it (what clang emits for libbpf-style C):
 *
 *   .text               subprograms (static FUNC symbols), when programs call functions
 *   <program sections>  "xdp", "tracepoint/syscalls/...": code, SHF_ALLOC|SHF_EXECINSTR;
 *                       programs sharing a section name share the section
 *   .rel<section>       R_BPF_64_64 at each ld_imm64 of a map, against the map's symbol;
 *                       R_BPF_64_32 at each call of a subprogram, against its symbol;
 *                       R_BPF_64_64 at each ld_imm64 of a callback, against `.text`'s
 *                       section symbol with the callee's byte offset in imm
 *   license             "GPL\0", symbol LICENSE
 *   .rodata .data .bss  global variables (OBJECT symbols; `.bss` is NOBITS)
 *   .maps               zero-filled map definitions, one OBJECT symbol per map
 *   .BTF                types of maps, programs and license (`../btf/object.ts`)
 *   .BTF.ext            func_info and line_info (host-file lines of the TS source)
 *   .symtab .strtab .shstrtab
 */
import type { MapSlotInfo } from "../api.js";
import { buildObjectBtf, type BtfKfunc, type LineRecord } from "../btf/object.js";
import type { CtxBtf } from "../frontend/ctx.js";
import type { CoreSite } from "../btf/core.js";
import { R_BPF_64_32, R_BPF_64_64, SHF, SHT, STB, STT } from "./format.js";
import type { ScalarName } from "../../runtime/types.js";
import type { DataLayout } from "./data.js";
import { ElfWriter, sectionSymbol } from "./writer.js";

const LD_IMM64 = 0x18;

export interface ObjectProgram {
  readonly name: string;
  readonly section: string;
  /** Encoded instructions. */
  readonly code: Uint8Array;
  /** ld_imm64 instruction indexes referring to maps (by index in `maps`). */
  readonly relocs: readonly { readonly insn: number; readonly map: number }[];
  readonly ctx: CtxBtf;
  /** Host-file positions of instructions, for `.BTF.ext` line info. */
  readonly lines: readonly LineRecord[];
  /** BPF-to-BPF calls, and ld_imm64 of a callback's address (bpf_loop): instruction index
   * and the callee's name (an `ObjectFunction`). */
  readonly calls?: readonly { readonly insn: number; readonly func: string }[];
  /** ld_imm64 of global variables: instruction index and the variable's name. */
  readonly globalRelocs?: readonly { readonly insn: number; readonly global: string }[];
  /** Instructions holding kernel struct offsets: CO-RE relocations in `.BTF.ext`. */
  readonly cores?: readonly CoreSite[];
}

/** A subprogram in `.text`, called from programs or other subprograms. */
export interface ObjectFunction {
  readonly name: string;
  readonly code: Uint8Array;
  readonly relocs: readonly { readonly insn: number; readonly map: number }[];
  readonly calls: readonly { readonly insn: number; readonly func: string }[];
  readonly lines: readonly LineRecord[];
  readonly params: readonly { readonly name: string; readonly type: ScalarName | "ptr" }[];
  readonly ret: ScalarName | "void";
  readonly globalRelocs?: readonly { readonly insn: number; readonly global: string }[];
  readonly cores?: readonly CoreSite[];
}

export interface ObjectSpec {
  readonly programs: readonly ObjectProgram[];
  readonly maps: readonly { readonly name: string; readonly info: MapSlotInfo }[];
  readonly license: string;
  /** Host file the source came from (line info names it). */
  readonly fileName: string;
  readonly functions?: readonly ObjectFunction[];
  /** Global variables, laid out (`data.ts`). */
  readonly data?: DataLayout;
  /** Kernel functions called (undefined symbols; calls name them in `calls`). */
  readonly kfuncs?: readonly BtfKfunc[];
}

const UTF8 = new TextEncoder();

export function writeBpfObject(spec: ObjectSpec): Uint8Array {
  const elf = new ElfWriter();
  // Group programs by section name, keeping first-appearance order.
  const groups = new Map<string, ObjectProgram[]>();
  const offsetIn = new Map<ObjectProgram, number>();
  for (const p of spec.programs) {
    const g = groups.get(p.section);
    offsetIn.set(p, g ? g.reduce((n, q) => n + q.code.length, 0) : 0);
    if (g) g.push(p);
    else groups.set(p.section, [p]);
  }
  const btfPrograms = spec.programs.map((p) => ({ name: p.name, ctx: p.ctx, section: p.section, offset: offsetIn.get(p)!, lines: p.lines, cores: p.cores ?? [] }));
  const functions = spec.functions ?? [];
  const textOffsets: number[] = [];
  let textSize = 0;
  for (const f of functions) {
    textOffsets.push(textSize);
    textSize += f.code.length;
  }
  const btfFunctions = functions.map((f, n) => ({ name: f.name, params: f.params, ret: f.ret, offset: textOffsets[n]!, lines: f.lines, cores: f.cores ?? [] }));
  const btf = buildObjectBtf(spec.maps, btfPrograms, spec.license, spec.fileName, btfFunctions, spec.data, spec.kfuncs);
  const textOffset = new Map(functions.map((f, n) => [f.name, textOffsets[n]!]));
  // A call is R_BPF_64_32 against the callee's symbol. An ld_imm64 of a callback's address
  // is what clang writes for a static function: R_BPF_64_64 against the `.text` section
  // symbol with the callee's byte offset in imm (libbpf only accepts section symbols
  // there for local functions).
  const callRelocs = (idx: number, base: number, code: Uint8Array, calls: readonly { insn: number; func: string }[]) => {
    for (const c of calls) {
      if (code[base + c.insn * 8] !== LD_IMM64) {
        elf.reloc(idx, { offset: base + c.insn * 8, symbol: c.func, type: R_BPF_64_32 });
        continue;
      }
      new DataView(code.buffer, code.byteOffset).setInt32(base + c.insn * 8 + 4, textOffset.get(c.func)!, true);
      elf.reloc(idx, { offset: base + c.insn * 8, symbol: sectionSymbol(textIdx), type: R_BPF_64_64 });
    }
  };
  let textIdx = 0;
  const mapRelocs = (idx: number, base: number, relocs: readonly { insn: number; map: number }[], globals: readonly { insn: number; global: string }[] = []) => {
    for (const r of relocs) elf.reloc(idx, { offset: base + r.insn * 8, symbol: spec.maps[r.map]!.name, type: R_BPF_64_64 });
    for (const r of globals) elf.reloc(idx, { offset: base + r.insn * 8, symbol: r.global, type: R_BPF_64_64 });
  };
  if (functions.length) {
    // Subprograms first, in `.text`, as clang lays them out; static (local) symbols.
    const data = new Uint8Array(textSize);
    const idx = elf.section({ name: ".text", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, align: 8 });
    textIdx = idx;
    elf.symbol({ name: "", bind: STB.LOCAL, type: STT.SECTION, section: idx, value: 0, size: 0 });
    functions.forEach((f, n) => {
      const off = textOffsets[n]!;
      data.set(f.code, off);
      elf.symbol({ name: f.name, bind: STB.LOCAL, type: STT.FUNC, section: idx, value: off, size: f.code.length });
      mapRelocs(idx, off, f.relocs, f.globalRelocs);
      callRelocs(idx, off, data, f.calls);
    });
  }
  for (const [name, progs] of groups) {
    const size = progs.reduce((n, p) => n + p.code.length, 0);
    const data = new Uint8Array(size);
    let off = 0;
    const idx = elf.section({ name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data, align: 8 });
    elf.symbol({ name: "", bind: STB.LOCAL, type: STT.SECTION, section: idx, value: 0, size: 0 });
    for (const p of progs) {
      data.set(p.code, off);
      elf.symbol({ name: p.name, bind: STB.GLOBAL, type: STT.FUNC, section: idx, value: off, size: p.code.length });
      mapRelocs(idx, off, p.relocs, p.globalRelocs);
      callRelocs(idx, off, data, p.calls ?? []);
      off += p.code.length;
    }
  }
  // Kernel functions: undefined global symbols, as clang leaves `extern ... __ksym` calls.
  for (const k of spec.kfuncs ?? []) elf.symbol({ name: k.name, bind: STB.GLOBAL, type: STT.NOTYPE, section: 0, value: 0, size: 0 });
  const license = UTF8.encode(spec.license + "\0");
  const licIdx = elf.section({ name: "license", type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data: license, align: 1 });
  elf.symbol({ name: "LICENSE", bind: STB.GLOBAL, type: STT.OBJECT, section: licIdx, value: 0, size: license.length });
  for (const s of spec.data?.sections ?? []) {
    const bss = s.name === ".bss";
    const flags = s.name === ".rodata" ? SHF.ALLOC : SHF.WRITE | SHF.ALLOC;
    const idx = elf.section({ name: s.name, type: bss ? SHT.NOBITS : SHT.PROGBITS, flags, data: bss ? new Uint8Array() : s.bytes, align: 8, size: s.size });
    elf.symbol({ name: "", bind: STB.LOCAL, type: STT.SECTION, section: idx, value: 0, size: 0 });
    for (const g of spec.data!.globals) {
      if (g.section === s.name) elf.symbol({ name: g.name, bind: STB.GLOBAL, type: STT.OBJECT, section: idx, value: g.offset, size: g.size });
    }
  }
  if (spec.maps.length) {
    const mapsIdx = elf.section({ name: ".maps", type: SHT.PROGBITS, flags: SHF.WRITE | SHF.ALLOC, data: new Uint8Array(btf.mapsSize), align: 8 });
    spec.maps.forEach((m, n) => {
      const next = btf.mapOffsets[n + 1] ?? btf.mapsSize;
      elf.symbol({ name: m.name, bind: STB.GLOBAL, type: STT.OBJECT, section: mapsIdx, value: btf.mapOffsets[n]!, size: next - btf.mapOffsets[n]! });
    });
  }
  elf.section({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btf.bytes, align: 4 });
  elf.section({ name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: btf.ext, align: 4 });
  return elf.bytes();
}
