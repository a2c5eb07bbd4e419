/**
 * Where a function lives in an executable or shared library file, for uprobes: its symbol in
 * .symtab or .dynsym (st_value is a virtual address), mapped to a file offset through the
 * PT_LOAD program header that contains it. Pure: bytes in, offsets out; malformed files end
 * in an `ElfError`.
 */
import { ElfError } from "../../runtime/errors.js";
import { ByteReader, cString, ElfFile } from "../elf/index.js";

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHN_UNDEF = 0;
const SYM_SIZE = 24;
const PHDR_SIZE = 56;

export interface LoadSegment {
  readonly vaddr: number;
  readonly memsz: number;
  readonly offset: number;
  readonly filesz: number;
}

export interface FunctionSymbol {
  readonly name: string;
  readonly vaddr: number;
  readonly size: number;
  readonly ifunc: boolean;
}

/** PT_LOAD program headers. */
export function loadSegments(bytes: Uint8Array): LoadSegment[] {
  const r = new ByteReader(bytes, (off, msg) => new ElfError("program headers", off, msg));
  const phoff = r.u64n(32, "e_phoff");
  const phentsize = r.u16(54);
  const phnum = r.u16(56);
  if (phnum > 0 && phentsize !== PHDR_SIZE) throw new ElfError("header", 54, `e_phentsize is ${phentsize}, expected ${PHDR_SIZE}`);
  r.check(phoff, phnum * PHDR_SIZE, `${phnum} program headers`);
  const out: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    if (r.u32(o) !== PT_LOAD) continue;
    out.push({ offset: r.u64n(o + 8, "p_offset"), vaddr: r.u64n(o + 16, "p_vaddr"), filesz: r.u64n(o + 32, "p_filesz"), memsz: r.u64n(o + 40, "p_memsz") });
  }
  return out;
}

/** Defined function symbols of .symtab and .dynsym, by name (versions like "@@GLIBC_2.2.5" stripped). */
export function functionSymbols(elf: ElfFile): Map<string, FunctionSymbol> {
  const out = new Map<string, FunctionSymbol>();
  for (const s of elf.sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    const strSec = elf.sectionAt(s.link);
    if (!strSec) throw new ElfError(s.name, s.offset, `sh_link ${s.link} is not a section`);
    const strs = new ByteReader(strSec.data, (off, msg) => new ElfError(strSec.name, strSec.offset + off, msg));
    const r = new ByteReader(s.data, (off, msg) => new ElfError(s.name, s.offset + off, msg));
    for (let o = SYM_SIZE; o + SYM_SIZE <= r.length; o += SYM_SIZE) {
      const type = r.u8(o + 4) & 0xf;
      if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
      if (r.u16(o + 6) === SHN_UNDEF) continue;
      const vaddr = r.u64n(o + 8, "st_value");
      if (vaddr === 0) continue;
      const full = cString(strs, r.u32(o), "symbol name");
      const name = full.replace(/@.*$/, "");
      if (!out.has(name)) out.set(name, { name, vaddr, size: r.u64n(o + 16, "st_size"), ifunc: type === STT_GNU_IFUNC });
    }
  }
  return out;
}

/** The file offset of virtual address `vaddr`, or undefined when no loaded segment holds it. */
export function vaddrToOffset(segments: readonly LoadSegment[], vaddr: number): number | undefined {
  const seg = segments.find((p) => vaddr >= p.vaddr && vaddr < p.vaddr + Math.max(p.memsz, p.filesz));
  return seg ? vaddr - seg.vaddr + seg.offset : undefined;
}

export type SymbolLookup =
  | { readonly found: true; readonly offset: number; readonly symbol: FunctionSymbol }
  | { readonly found: false; readonly reason: string; readonly suggestions: readonly string[] };

/** Resolve `symbol` (+`extra` bytes) in the ELF file `bytes` to a file offset. */
export function resolveSymbolOffset(bytes: Uint8Array, symbol: string, extra = 0): SymbolLookup {
  // Any machine: the file is the traced program, not a BPF object (parse checks EM_BPF unless told otherwise).
  const machine = bytes.length >= 20 ? bytes[18]! | (bytes[19]! << 8) : undefined;
  const elf = ElfFile.parse(bytes, machine);
  const syms = functionSymbols(elf);
  const sym = syms.get(symbol);
  if (!sym) {
    const near = [...syms.keys()].filter((n) => n.includes(symbol) || symbol.includes(n) && n.length > 3).sort().slice(0, 5);
    return { found: false, reason: syms.size === 0 ? "the file has no function symbols (stripped?)" : `no function "${symbol}" in its .symtab or .dynsym`, suggestions: near };
  }
  if (sym.ifunc) return { found: false, reason: `"${symbol}" is an indirect function (STT_GNU_IFUNC): probing it would probe its resolver`, suggestions: [] };
  const offset = vaddrToOffset(loadSegments(bytes), sym.vaddr + extra);
  if (offset === undefined) return { found: false, reason: `"${symbol}" (address 0x${sym.vaddr.toString(16)}) is in no loadable segment`, suggestions: [] };
  return { found: true, offset, symbol: sym };
}
