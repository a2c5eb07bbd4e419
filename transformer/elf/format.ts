/** ELF64 constants used by the writer and reader (only what BPF relocatable objects need). */

export const EM_BPF = 247;
export const ET_REL = 1;

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4, INFO_LINK: 0x40 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;

/** R_BPF_64_64: the 64-bit immediate of an ld_imm64 gets the symbol's address (maps). */
export const R_BPF_64_64 = 1;
/** R_BPF_64_32: a BPF-to-BPF call's imm gets the callee (libbpf: target = sym/8 + imm + 1). */
export const R_BPF_64_32 = 10;

export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;
