/** ELF64 structures as the reader returns them (see the System V gABI and the BPF psABI). */

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

/** Symbol visibility (st_other & 3): internal and hidden symbols are not seen outside the object. */
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export const EM_BPF = 247;

/** BPF relocation types (BPF psABI). */
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_32 = 10;

export interface ElfHeader {
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly flags: number;
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** sh_addr: where the section is loaded (0 in BPF objects; executables' virtual addresses). */
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** File contents ([offset, offset+size)); empty for SHT_NOBITS. A view, not a copy. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly bind: number;
  readonly visibility: number;
  /** Section index (or SHN_*). */
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfRelocation {
  /** Offset in the target section. */
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
  /** Explicit addend (SHT_RELA); 0 for SHT_REL. */
  readonly addend: bigint;
}
