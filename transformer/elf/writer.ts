/**
 * ELF64 little-endian relocatable writer for EM_BPF: sections with data, a symbol table
 * (locals first, as ELF requires), and REL sections. It lays bytes out and nothing else;
 * `object.ts` decides which sections a BPF object has.
 */
import { StringTable } from "./strtab.js";
import { EHDR_SIZE, EM_BPF, ET_REL, REL_SIZE, SHDR_SIZE, SHF, SHT, STB, STT, SYM_SIZE } from "./format.js";

export interface SectionSpec {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly data: Uint8Array;
  readonly align: number;
  readonly entsize?: number;
  /** Size of a NOBITS section (which has no bytes in the file). */
  readonly size?: number;
}

export interface SymbolSpec {
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  /** Index into the writer's section list (1-based as in the file), or 0 for undefined. */
  readonly section: number;
  readonly value: number;
  readonly size: number;
}

export interface RelocSpec {
  /** Byte offset in the target section. */
  readonly offset: number;
  /** Symbol, by name, among those added; `sectionSymbol(i)` names section i's STT_SECTION symbol. */
  readonly symbol: string;
  readonly type: number;
}

/** The name relocations use for section `index`'s STT_SECTION symbol (which has no name). */
export function sectionSymbol(index: number): string {
  return `\0section ${index}`;
}

/**
 * A 64-bit field from a number (every offset, size and value here is below 2^53): without a
 * BigInt per field, a noticeable share of writing a small object.
 */
function setU64(dv: DataView, at: number, v: number): void {
  dv.setUint32(at, v >>> 0, true);
  dv.setUint32(at + 4, Math.floor(v / 0x1_0000_0000), true);
}

export class ElfWriter {
  private readonly sections: SectionSpec[] = [];
  private readonly symbols: SymbolSpec[] = [];
  private readonly relocs = new Map<number, RelocSpec[]>();

  /** Adds a section; returns its index in the file (the null section is 0). */
  section(s: SectionSpec): number {
    this.sections.push(s);
    return this.sections.length;
  }

  symbol(s: SymbolSpec): void {
    this.symbols.push(s);
  }

  /** Relocations against section `target` (an index returned by `section`). */
  reloc(target: number, r: RelocSpec): void {
    let l = this.relocs.get(target);
    if (!l) this.relocs.set(target, (l = []));
    l.push(r);
  }

  bytes(): Uint8Array {
    const strtab = new StringTable();
    const shstrtab = new StringTable();
    // Symbols: null, locals, then globals.
    const syms = [...this.symbols.filter((s) => s.bind === STB.LOCAL), ...this.symbols.filter((s) => s.bind !== STB.LOCAL)];
    const firstGlobal = 1 + syms.filter((s) => s.bind === STB.LOCAL).length;
    const symIndex = new Map<string, number>();
    syms.forEach((s, n) => {
      if (s.name && !symIndex.has(s.name)) symIndex.set(s.name, n + 1);
      if (s.type === STT.SECTION && s.section !== undefined) symIndex.set(sectionSymbol(s.section), n + 1);
    });

    // Final section list: user sections interleaved with their REL sections, then
    // .symtab, .strtab, .shstrtab. Indexes shift, so map old -> new.
    const all: (SectionSpec & { link?: number; info?: number; relFor?: number })[] = [];
    const newIndex = new Map<number, number>();
    this.sections.forEach((s, n) => {
      all.push(s);
      newIndex.set(n + 1, all.length);
      if (this.relocs.has(n + 1)) all.push({ name: `.rel${s.name}`, type: SHT.REL, flags: SHF.INFO_LINK, data: new Uint8Array(), align: 8, entsize: REL_SIZE, relFor: n + 1 });
    });
    const symtabIdx = all.length + 1;
    const strtabIdx = all.length + 2;
    const shstrtabIdx = all.length + 3;

    const symData = new Uint8Array((syms.length + 1) * SYM_SIZE);
    const sdv = new DataView(symData.buffer);
    syms.forEach((s, n) => {
      const o = (n + 1) * SYM_SIZE;
      sdv.setUint32(o, s.name ? strtab.add(s.name) : 0, true);
      sdv.setUint8(o + 4, (s.bind << 4) | s.type);
      sdv.setUint8(o + 5, 0);
      sdv.setUint16(o + 6, s.section ? newIndex.get(s.section)! : 0, true);
      setU64(sdv, o + 8, s.value);
      setU64(sdv, o + 16, s.size);
    });

    const finalSections = all.map((s) => {
      if (s.relFor === undefined) return s;
      const rs = this.relocs.get(s.relFor)!;
      const data = new Uint8Array(rs.length * REL_SIZE);
      const dv = new DataView(data.buffer);
      rs.forEach((r, n) => {
        const sym = symIndex.get(r.symbol);
        if (sym === undefined) throw new Error(`internal: relocation against unknown symbol ${r.symbol}`);
        setU64(dv, n * REL_SIZE, r.offset);
        dv.setUint32(n * REL_SIZE + 8, r.type, true); // r_info: type in the low half,
        dv.setUint32(n * REL_SIZE + 12, sym, true); // the symbol in the high half
      });
      return { ...s, data, link: symtabIdx, info: newIndex.get(s.relFor)! };
    });
    finalSections.push({ name: ".symtab", type: SHT.SYMTAB, flags: 0, data: symData, align: 8, entsize: SYM_SIZE, link: strtabIdx, info: firstGlobal });
    const strBytes = strtab.bytes();
    finalSections.push({ name: ".strtab", type: SHT.STRTAB, flags: 0, data: strBytes, align: 1 });
    for (const s of finalSections) shstrtab.add(s.name);
    shstrtab.add(".shstrtab");
    const shstrBytesPre = shstrtab.bytes();
    finalSections.push({ name: ".shstrtab", type: SHT.STRTAB, flags: 0, data: shstrBytesPre, align: 1 });

    // Layout: header, section data (aligned), section header table.
    let off = EHDR_SIZE;
    const offsets = finalSections.map((s) => {
      const a = Math.max(1, s.align);
      off = Math.ceil(off / a) * a;
      const o = off;
      off += s.data.length;
      return o;
    });
    off = Math.ceil(off / 8) * 8;
    const shoff = off;
    const total = shoff + (finalSections.length + 1) * SHDR_SIZE;
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* LE */, 1 /* version */, 0 /* SysV */]);
    dv.setUint16(16, ET_REL, true);
    dv.setUint16(18, EM_BPF, true);
    dv.setUint32(20, 1, true);
    dv.setBigUint64(24, 0n, true); // entry
    dv.setBigUint64(32, 0n, true); // phoff
    setU64(dv, 40, shoff);
    dv.setUint32(48, 0, true); // flags
    dv.setUint16(52, EHDR_SIZE, true);
    dv.setUint16(54, 0, true); // phentsize
    dv.setUint16(56, 0, true); // phnum
    dv.setUint16(58, SHDR_SIZE, true);
    dv.setUint16(60, finalSections.length + 1, true);
    dv.setUint16(62, shstrtabIdx, true);
    finalSections.forEach((s, n) => {
      out.set(s.data, offsets[n]!);
      const h = shoff + (n + 1) * SHDR_SIZE;
      dv.setUint32(h, shstrtab.add(s.name), true);
      dv.setUint32(h + 4, s.type, true);
      setU64(dv, h + 8, s.flags);
      dv.setBigUint64(h + 16, 0n, true);
      setU64(dv, h + 24, offsets[n]!);
      setU64(dv, h + 32, s.size ?? s.data.length);
      dv.setUint32(h + 40, (s as { link?: number }).link ?? 0, true);
      dv.setUint32(h + 44, (s as { info?: number }).info ?? 0, true);
      setU64(dv, h + 48, s.align);
      setU64(dv, h + 56, s.entsize ?? 0);
    });
    return out;
  }
}
