/**
 * Linking one program: its entry function, then every function it calls (directly, or through
 * a callback pointer), each appended once, the way libbpf lays programs out. Call immediates
 * become offsets in the linked program; ld_imm64 relocations become map and map-value
 * references for the load step. Pure.
 */
import { ElfError, NotSupportedError } from "../../runtime/errors.js";
import {
  HEAP_BYTES, R_BPF_64_32, R_BPF_64_64, SHF_EXECINSTR, SHN_UNDEF, STT_SECTION,
  type ByteArena, type ElfFile, type ElfSection, type ElfSymbol,
} from "../elf/index.js";
import type { CodeFunction, CodeIndex } from "./code-index.js";
import type { Relocation } from "./types.js";

const BPF_CALL = 0x85;
const BPF_LD_IMM64 = 0x18;
const BPF_PSEUDO_CALL = 1;
const BPF_PSEUDO_FUNC = 4;
const BPF_PSEUDO_KFUNC_CALL = 2;

/** What a relocated symbol names; the object parser knows which sections hold maps and data. */
export interface RelocTargets {
  /** The map a reference into a map section names (`imm` is the offset for section symbols). */
  mapAt(section: ElfSection, symbol: ElfSymbol, imm: number): string | undefined;
  /** The map holding a global-data section (`.rodata`, `.data`, `.bss`, ...). */
  dataMap(section: ElfSection): string | undefined;
  /** Offset of a kconfig extern in the `.kconfig` map. */
  kconfigOffset(name: string): number | undefined;
}

export const KCONFIG_MAP = ".kconfig";

export interface LinkedProgram {
  readonly insns: Uint8Array;
  readonly relocations: readonly Relocation[];
  /** Functions in layout order with the index of their first instruction. */
  readonly layout: readonly { readonly fn: CodeFunction; readonly base: number }[];
}

/** `bytes`: where the linked copy is made (a parse's arena; by default a buffer of its own). */
export function linkProgram(
  entry: CodeFunction, elf: ElfFile, index: CodeIndex, targets: RelocTargets, bytes: Pick<ByteArena, "alloc" | "copy"> = HEAP_BYTES,
): LinkedProgram {
  const symbols = elf.symbols();
  const layout: { fn: CodeFunction; base: number }[] = [];
  const placed = new Map<CodeFunction, number>();
  const chunks: Uint8Array[] = [];
  const relocations: Relocation[] = [];
  let total = 0;
  const place = (fn: CodeFunction): number => {
    const known = placed.get(fn);
    if (known !== undefined) return known;
    const base = total;
    placed.set(fn, base);
    layout.push({ fn, base });
    chunks.push(bytes.copy(fn.section.data.subarray(fn.start, fn.end)));
    total += (fn.end - fn.start) / 8;
    return base;
  };
  place(entry);
  const where = (fn: CodeFunction, off: number): string => `${fn.section.name}+${off} (in "${fn.name}", program "${entry.name}")`;
  const target = (fn: CodeFunction, off: number, section: number, at: number, what: string): CodeFunction => {
    const t = index.functionAt(section, at);
    if (!t) throw new ElfError(fn.section.name, fn.section.offset + off, `${what} at ${where(fn, off)} targets offset ${at} of section #${section}, which is not the start of a function`);
    return t;
  };

  for (let k = 0; k < layout.length; k++) {
    const { fn, base } = layout[k]!;
    const code = chunks[k]!;
    const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
    const n = code.length / 8;
    // Looked up once per function: most instructions have no relocation and are neither call nor ld_imm64.
    const relocs = index.relocationsIn(fn.section.index);
    for (let i = 0; i < n; i++) {
      const opcode = code[i * 8]!;
      const off = fn.start + i * 8;
      const rel = relocs?.get(off);
      if (opcode !== BPF_CALL && opcode !== BPF_LD_IMM64 && !rel) continue;
      const src = code[i * 8 + 1]! >> 4;
      const imm = view.getInt32(i * 8 + 4, true);
      const sym = rel ? symbols[rel.symbol]! : undefined;
      if (opcode === BPF_CALL) {
        let callee: CodeFunction;
        if (rel && sym) {
          if (rel.type !== R_BPF_64_32) throw new ElfError(fn.section.name, fn.section.offset + off, `call at ${where(fn, off)} has relocation type ${rel.type}, expected R_BPF_64_32`);
          if (sym.shndx === SHN_UNDEF) {
            // A kfunc: the load step puts its BTF id in imm (clang leaves src_reg 1 and imm -1).
            code[i * 8 + 1] = (code[i * 8 + 1]! & 0x0f) | (BPF_PSEUDO_KFUNC_CALL << 4);
            view.setInt16(i * 8 + 2, 0, true);
            view.setInt32(i * 8 + 4, 0, true);
            relocations.push({ kind: "kfunc", insn: base + i, name: sym.name });
            continue;
          }
          const sec = elf.sectionAt(sym.shndx);
          if (!sec || (sec.flags & SHF_EXECINSTR) === 0) throw new ElfError(fn.section.name, fn.section.offset + off, `call at ${where(fn, off)} targets "${symbolName(elf, sym, rel.symbol)}", which is not code`);
          callee = target(fn, off, sym.shndx, sym.value + (imm + 1) * 8, "call");
        } else if (src === BPF_PSEUDO_CALL) {
          callee = target(fn, off, fn.section.index, off + (imm + 1) * 8, "call");
        } else {
          continue; // a helper call (or a kfunc by BTF id): nothing to link
        }
        const cb = place(callee);
        view.setInt32(i * 8 + 4, cb - (base + i + 1), true);
        code[i * 8 + 1] = (code[i * 8 + 1]! & 0x0f) | (BPF_PSEUDO_CALL << 4);
        continue;
      }
      if (opcode === BPF_LD_IMM64) {
        if (i + 1 >= n) throw new ElfError(fn.section.name, fn.section.offset + off, `ld_imm64 at ${where(fn, off)} has no second half`);
        if (relocs?.has(off + 8)) throw new ElfError(fn.section.name, fn.section.offset + off + 8, `relocation on the second half of a ld_imm64 at ${where(fn, off)}`);
        if (rel && sym) {
          if (rel.type !== R_BPF_64_64) throw new ElfError(fn.section.name, fn.section.offset + off, `ld_imm64 at ${where(fn, off)} has relocation type ${rel.type}, expected R_BPF_64_64`);
          const ref = dataReference(entry, fn, off, base + i, sym, imm, elf, targets);
          if (typeof ref === "number") {
            // A function pointer (callbacks of bpf_loop and friends): link the function in too.
            const tb = place(target(fn, off, sym.shndx, ref, "function pointer"));
            view.setInt32(i * 8 + 4, tb - (base + i + 1), true);
            code[i * 8 + 1] = (code[i * 8 + 1]! & 0x0f) | (BPF_PSEUDO_FUNC << 4);
          } else {
            relocations.push(ref);
          }
        }
        i++;
        continue;
      }
      if (rel) throw new ElfError(fn.section.name, fn.section.offset + off, `relocation against "${symbolName(elf, sym, rel.symbol)}" at ${where(fn, off)} is on opcode 0x${opcode.toString(16)}, not a call or ld_imm64`);
    }
  }
  // Most programs are one function: its copy is the result.
  if (chunks.length === 1) return { insns: chunks[0]!, relocations, layout };
  const insns = bytes.alloc(total * 8);
  let at = 0;
  for (const c of chunks) {
    insns.set(c, at);
    at += c.length;
  }
  return { insns, relocations, layout };
}

/** How messages name a relocation's symbol: its name, its section's name, or its number. */
function symbolName(elf: ElfFile, sym: ElfSymbol | undefined, index: number | undefined): string {
  return sym?.name || elf.sectionAt(sym?.shndx ?? 0)?.name || `symbol #${index}`;
}

/** What a ld_imm64 refers to: a map or map value to patch at load time, or (a number) the offset of a function in its section. */
function dataReference(
  entry: CodeFunction, fn: CodeFunction, off: number, insn: number, sym: ElfSymbol, imm: number,
  elf: ElfFile, targets: RelocTargets,
): Relocation | number {
  if (sym.shndx === SHN_UNDEF) {
    const k = targets.kconfigOffset(sym.name);
    if (k !== undefined) return { kind: "map_value", insn, map: KCONFIG_MAP, offset: k + imm };
    throw new NotSupportedError(`program "${entry.name}": reference to extern "${sym.name}" is not supported (only kconfig externs: LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, CONFIG_*)`, {
      hint: "declare it `extern ... __kconfig` in a .kconfig-section, or define it in the object",
    });
  }
  const sec = elf.sectionAt(sym.shndx);
  if (!sec) throw new ElfError(fn.section.name, fn.section.offset + off, `relocation names symbol "${sym.name}" in section #${sym.shndx}, which does not exist`);
  if ((sec.flags & SHF_EXECINSTR) !== 0) return sym.type === STT_SECTION ? imm : sym.value + imm;
  const map = targets.mapAt(sec, sym, imm);
  if (map !== undefined) return { kind: "map", insn, map };
  const data = targets.dataMap(sec);
  if (data !== undefined) {
    const offset = (sym.type === STT_SECTION ? 0 : sym.value) + imm;
    if (offset < 0 || offset > sec.size) throw new ElfError(fn.section.name, fn.section.offset + off, `reference to ${sec.name}+${offset} is outside the section (${sec.size} bytes)`);
    return { kind: "map_value", insn, map: data, offset };
  }
  throw new NotSupportedError(
    `program "${entry.name}": relocation to "${sym.name || sec.name}" in section ${sec.name} is not supported (maps, global data and functions are)`,
  );
}
