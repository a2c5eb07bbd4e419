/**
 * ELF output (and a small reader for the disassembler): `writer.ts` lays out ELF64
 * relocatable files, `object.ts` decides the sections of a BPF object, `reader.ts` reads
 * sections, symbols and relocations back.
 */
export { writeBpfObject, type ObjectFunction, type ObjectProgram, type ObjectSpec } from "./object.js";
export { readElf, ElfFormatError, type ElfFile, type ElfSection, type ElfSymbol } from "./reader.js";
export { ElfWriter } from "./writer.js";
