/**
 * ELF64 little-endian reader: header, section headers, string tables, symbols, relocations.
 * Pure (bytes in, values out) and bounds-checked: malformed input is an `ElfError` naming the
 * section and offset. Counts come from the input, so every table is checked against the file
 * size before anything is allocated for it.
 */
import { ElfError } from "../../runtime/errors.js";
import { ByteReader, cString } from "./bytes.js";
import {
  EM_BPF, SHT_NOBITS, SHT_NULL, SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
  type ElfHeader, type ElfRelocation, type ElfSection, type ElfSymbol,
} from "./types.js";

const EMPTY: Uint8Array = new Uint8Array(0);
/** Up to this many sections a lookup by name scans them: cheaper than hashing every name. */
const SCAN_MAX = 64;

/** A section header; its contents are viewed on first use (objects never read most of their debug sections). */
class Section implements ElfSection {
  name = "";
  readonly #file: Uint8Array;
  #data: Uint8Array | undefined;

  constructor(
    file: Uint8Array,
    readonly index: number,
    readonly type: number,
    readonly flags: number,
    readonly addr: number,
    readonly offset: number,
    readonly size: number,
    readonly link: number,
    readonly info: number,
    readonly addralign: number,
    readonly entsize: number,
  ) {
    this.#file = file;
  }

  get data(): Uint8Array {
    // The range was checked against the file when the header was read.
    return (this.#data ??= this.type === SHT_NOBITS || this.type === SHT_NULL ? EMPTY : this.#file.subarray(this.offset, this.offset + this.size));
  }
}

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;

export class ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  #byName: Map<string, ElfSection> | undefined;
  #symbols: readonly ElfSymbol[] | undefined;

  private constructor(bytes: Uint8Array, header: ElfHeader, sections: ElfSection[]) {
    this.bytes = bytes;
    this.header = header;
    this.sections = sections;
  }

  /** Parse `bytes` as an ELF64 LE object; `machine` (default EM_BPF) must match. */
  static parse(bytes: Uint8Array, machine: number | undefined = EM_BPF): ElfFile {
    const file = new ByteReader(bytes, (off, msg) => new ElfError("header", off, msg));
    if (bytes.length < EHDR_SIZE) throw new ElfError("header", 0, `file is ${bytes.length} bytes, smaller than an ELF header (64)`);
    if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new ElfError("header", 0, "not an ELF file (bad magic)");
    }
    if (bytes[4] !== 2) throw new ElfError("header", 4, `ELF class ${bytes[4]} is not ELFCLASS64`);
    if (bytes[5] !== 1) throw new ElfError("header", 5, "object is not little-endian (only ELFDATA2LSB is supported)");
    const header: ElfHeader = {
      type: file.u16(16),
      machine: file.u16(18),
      version: file.u32(20),
      shoff: file.u64n(40, "e_shoff"),
      flags: file.u32(48),
      shnum: file.u16(60),
      shstrndx: file.u16(62),
    };
    if (machine !== undefined && header.machine !== machine) {
      throw new ElfError("header", 18, `e_machine is ${header.machine}, expected ${machine} (EM_BPF)`);
    }
    const shentsize = file.u16(58);
    if (header.shnum !== 0 && shentsize !== SHDR_SIZE) throw new ElfError("header", 58, `e_shentsize is ${shentsize}, expected 64`);
    const shdrs = new ByteReader(bytes, (off, msg) => new ElfError("section headers", off, msg));
    shdrs.check(header.shoff, header.shnum * SHDR_SIZE, `${header.shnum} section headers`);
    if (header.shnum > 0 && header.shstrndx >= header.shnum) {
      throw new ElfError("header", 62, `e_shstrndx ${header.shstrndx} is not a section (${header.shnum} sections)`);
    }

    // The whole header table was checked above: fields are read without a check each.
    const v = shdrs.view;
    const u64 = (o: number, what: string): number => {
      const hi = v.getUint32(o + 4, true);
      if (hi > 0x1fffff) throw shdrs.fail(o, `${what} ${v.getBigUint64(o, true)} is out of range`);
      return hi * 0x100000000 + v.getUint32(o, true);
    };
    // Names are filled in once the name table is known; one object per section throughout.
    const sections: Section[] = [];
    const names: number[] = [];
    for (let i = 0; i < header.shnum; i++) {
      const o = header.shoff + i * SHDR_SIZE;
      const type = v.getUint32(o + 4, true);
      const offset = u64(o + 24, "sh_offset");
      const size = u64(o + 32, "sh_size");
      if (type !== SHT_NOBITS && type !== SHT_NULL && offset + size > bytes.length) {
        throw new ElfError(`section #${i}`, o, `contents [${offset}, ${offset + size}) run past the end of the file (${bytes.length} bytes)`);
      }
      names.push(v.getUint32(o, true));
      sections.push(new Section(
        bytes, i, type, u64(o + 8, "sh_flags"), u64(o + 16, "sh_addr"), offset, size, v.getUint32(o + 40, true), v.getUint32(o + 44, true),
        u64(o + 48, "sh_addralign"), u64(o + 56, "sh_entsize"),
      ));
    }
    if (header.shnum > 0) {
      const shstr = sections[header.shstrndx]!;
      if (shstr.type !== SHT_STRTAB) throw new ElfError(`section #${header.shstrndx}`, shstr.offset, "section name table is not SHT_STRTAB");
      // Errors in the name table are reported under its own name when that much is readable.
      let label = `section #${header.shstrndx}`;
      // The reader's errors read `label` when thrown, so they name the table once it is known.
      const table = new ByteReader(shstr.data, (off, msg) => new ElfError(label, shstr.offset + off, msg));
      try {
        label = cString(table, names[header.shstrndx]!, "name") || label;
      } catch {
        // keep the numbered label
      }
      for (let i = 0; i < sections.length; i++) sections[i]!.name = cString(table, names[i]!, "name of section", i);
    }
    return new ElfFile(bytes, header, sections);
  }

  /** The first section named `name`. */
  section(name: string): ElfSection | undefined {
    if (this.sections.length <= SCAN_MAX) {
      for (const s of this.sections) if (s.name === name) return s;
      return undefined;
    }
    if (!this.#byName) {
      this.#byName = new Map();
      for (const s of this.sections) if (!this.#byName.has(s.name)) this.#byName.set(s.name, s);
    }
    return this.#byName.get(name);
  }

  sectionAt(index: number): ElfSection | undefined {
    return this.sections[index];
  }

  #strtab(index: number, user: ElfSection): ByteReader {
    const s = this.sections[index];
    if (!s || s.type !== SHT_STRTAB) throw new ElfError(user.name, user.offset, `sh_link ${index} is not a string table`);
    return new ByteReader(s.data, (off, msg) => new ElfError(s.name, s.offset + off, msg));
  }

  /** The symbol table (empty if there is none). Index 0 is the null symbol. */
  symbols(): readonly ElfSymbol[] {
    if (this.#symbols) return this.#symbols;
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return (this.#symbols = []);
    if (symtab.entsize !== SYM_SIZE) throw new ElfError(symtab.name, symtab.offset, `sh_entsize ${symtab.entsize}, expected ${SYM_SIZE}`);
    if (symtab.size % SYM_SIZE !== 0) throw new ElfError(symtab.name, symtab.offset, `size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
    const strs = this.#strtab(symtab.link, symtab);
    const r = new ByteReader(symtab.data, (off, msg) => new ElfError(symtab.name, symtab.offset + off, msg));
    const out: ElfSymbol[] = [];
    // The size is a multiple of the record size: every record is in range.
    const v = r.view;
    for (let i = 0, o = 0; o < r.length; i++, o += SYM_SIZE) {
      const info = v.getUint8(o + 4);
      out.push({
        index: i,
        name: cString(strs, v.getUint32(o, true), "name of symbol", i),
        type: info & 0xf,
        bind: info >> 4,
        visibility: v.getUint8(o + 5) & 0x3,
        shndx: v.getUint16(o + 6, true),
        value: r.u64n(o + 8, "st_value"),
        size: r.u64n(o + 16, "st_size"),
      });
    }
    return (this.#symbols = out);
  }

  /** Relocation sections (SHT_REL/SHT_RELA) that apply to section `target`. */
  relocationSectionsFor(target: ElfSection): ElfSection[] {
    return this.sections.filter((s) => (s.type === SHT_REL || s.type === SHT_RELA) && s.info === target.index);
  }

  /** Entries of a SHT_REL or SHT_RELA section, with symbol indexes checked. */
  relocations(rel: ElfSection): ElfRelocation[] {
    const isRela = rel.type === SHT_RELA;
    if (!isRela && rel.type !== SHT_REL) throw new ElfError(rel.name, rel.offset, "not a relocation section");
    const size = isRela ? RELA_SIZE : REL_SIZE;
    if (rel.size % size !== 0) throw new ElfError(rel.name, rel.offset, `size ${rel.size} is not a multiple of ${size}`);
    const nsyms = this.symbols().length;
    const r = new ByteReader(rel.data, (off, msg) => new ElfError(rel.name, rel.offset + off, msg));
    const out: ElfRelocation[] = [];
    // The size is a multiple of the record size: every record is in range. r_info is read as
    // two halves (symbol, type): BigInt arithmetic per entry cost more than the rest.
    const v = r.view;
    for (let o = 0; o < r.length; o += size) {
      const symbol = v.getUint32(o + 12, true);
      if (symbol >= nsyms) throw new ElfError(rel.name, rel.offset + o + 8, `relocation names symbol #${symbol}, but there are ${nsyms}`);
      out.push({
        offset: r.u64n(o, "r_offset"),
        type: v.getUint32(o + 8, true),
        symbol,
        addend: isRela ? v.getBigInt64(o + 16, true) : 0n,
      });
    }
    return out;
  }
}
