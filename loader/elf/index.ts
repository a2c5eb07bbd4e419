/**
 * loader/elf: a pure, bounds-checked ELF64 little-endian reader (no syscalls). It knows
 * sections, symbols, string tables and relocations, not BPF semantics: loader/object gives
 * the sections their meaning. Every malformed input is an `ElfError` with section and offset.
 */
export { ElfFile } from "./reader.js";
export * from "./types.js";
export { ByteReader, cString, type Fail } from "./bytes.js";
export { ByteArena, HEAP_BYTES } from "./arena.js";
