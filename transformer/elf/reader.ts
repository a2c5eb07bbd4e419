/**
 * A small ELF64 reader for what the disassembler needs: sections, symbols and REL
 * relocations. Every offset is bounds-checked; malformed input raises `ElfFormatError`.
 * (The loader has its own full reader under loader/; this one stays inside the compiler
 * so the transformer does not depend on the loader.)
 */
import { EHDR_SIZE, EM_BPF, REL_SIZE, SHDR_SIZE, SHT, SYM_SIZE } from "./format.js";

export class ElfFormatError extends Error {
  override readonly name = "ElfFormatError";
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly data: Uint8Array;
  readonly link: number;
  readonly info: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  readonly section: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfReloc {
  readonly offset: number;
  readonly symbol: number;
  readonly type: number;
}

export interface ElfFile {
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** REL entries by the index of the section they patch. */
  readonly relocs: ReadonlyMap<number, readonly ElfReloc[]>;
}

function cstr(b: Uint8Array, off: number): string {
  if (off < 0 || off >= b.length) return "";
  let end = off;
  while (end < b.length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

export function readElf(bytes: Uint8Array): ElfFile {
  const fail = (m: string): never => {
    throw new ElfFormatError(`not a valid BPF ELF object: ${m}`);
  };
  if (bytes.length < EHDR_SIZE) fail("file shorter than an ELF header");
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail("bad magic");
  if (bytes[4] !== 2 || bytes[5] !== 1) fail("only 64-bit little-endian ELF is supported");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  const shoff = Number(dv.getBigUint64(40, true));
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  if (shentsize !== SHDR_SIZE) fail(`section header size ${shentsize}`);
  if (shoff + shnum * SHDR_SIZE > bytes.length) fail("section headers past the end of the file");
  const raw = [];
  for (let n = 0; n < shnum; n++) {
    const h = shoff + n * SHDR_SIZE;
    const off = Number(dv.getBigUint64(h + 24, true));
    const size = Number(dv.getBigUint64(h + 32, true));
    const type = dv.getUint32(h + 4, true);
    if (type !== 8 /* NOBITS */ && type !== SHT.NULL && off + size > bytes.length) fail(`section ${n} data past the end of the file`);
    raw.push({
      nameOff: dv.getUint32(h, true), type, flags: Number(dv.getBigUint64(h + 8, true)),
      data: type === 8 ? new Uint8Array(size) : bytes.subarray(off, off + size), link: dv.getUint32(h + 40, true), info: dv.getUint32(h + 44, true),
    });
  }
  if (shstrndx >= raw.length) fail("section name table index out of range");
  const names = raw[shstrndx]!.data;
  const sections: ElfSection[] = raw.map((s, index) => ({ index, name: cstr(names, s.nameOff), type: s.type, flags: s.flags, data: s.data, link: s.link, info: s.info }));
  const symtab = sections.find((s) => s.type === SHT.SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab) {
    const strs = sections[symtab.link]?.data ?? new Uint8Array();
    const sd = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
    for (let o = 0; o + SYM_SIZE <= symtab.data.length; o += SYM_SIZE) {
      const info = sd.getUint8(o + 4);
      symbols.push({ name: cstr(strs, sd.getUint32(o, true)), bind: info >> 4, type: info & 0xf, section: sd.getUint16(o + 6, true), value: Number(sd.getBigUint64(o + 8, true)), size: Number(sd.getBigUint64(o + 16, true)) });
    }
  }
  const relocs = new Map<number, ElfReloc[]>();
  for (const s of sections) {
    if (s.type !== SHT.REL) continue;
    const rd = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list: ElfReloc[] = [];
    for (let o = 0; o + REL_SIZE <= s.data.length; o += REL_SIZE) {
      const info = rd.getBigUint64(o + 8, true);
      list.push({ offset: Number(rd.getBigUint64(o, true)), symbol: Number(info >> 32n), type: Number(info & 0xffffffffn) });
    }
    relocs.set(s.info, list);
  }
  if (machine !== EM_BPF) fail(`machine ${machine} is not EM_BPF (247)`);
  return { machine, sections, symbols, relocs };
}
