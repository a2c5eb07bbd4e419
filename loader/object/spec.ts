/**
 * `ObjectSpec`: what an ELF object asks for (license, maps, global data, kconfig externs,
 * linked programs with their relocations and debug info, fixed-up BTF), parsed purely from
 * bytes. Nothing here touches the kernel; loader/object/load.ts turns a spec into kernel
 * objects.
 */
import { ElfError } from "../../runtime/errors.js";
import { Btf, fixupDatasecs, parseBtfExt, type BtfExt, type BtfScalarInfo } from "../btf/index.js";
import {
  ByteArena, ElfFile, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_UNDEF, SHT_NOBITS, STB_LOCAL, STB_WEAK, STT_FUNC, STT_OBJECT, STT_SECTION, STV_HIDDEN, STV_INTERNAL,
  type ElfSection, type ElfSymbol,
} from "../elf/index.js";
import {
  CodeIndex, kconfigLayout, KCONFIG_MAP, linkCoreRelos, linkDebugInfo, linkProgram, parseCoreRelos,
  type DebugInfo, type KconfigLayout, type LinkedCoreRelo, type Relocation, type RelocTargets, type SourceLine,
} from "../reloc/index.js";
import { parseBtfMaps, parseLegacyMaps } from "./map-spec.js";
import { KNOWN_SECTIONS, sectionDef, type SectionDef } from "./sections.js";

/** One initial entry of a map-in-map or program array: `values[index] = target`. */
export interface MapSlot {
  readonly index: number;
  /** Name of the map (map-in-map) or program (program array) in the object. */
  readonly target: string;
}

export interface MapSpec {
  readonly name: string;
  /** BPF_MAP_TYPE_* */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly numaNode: number;
  /** map_extra (bloom filter: number of hash functions), when the definition sets it. */
  readonly mapExtra?: number;
  /** Type ids in the object's BTF, when the map was declared with `__type(key, ...)`. */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Scalar key/value types from BTF, for codecs. */
  readonly keyScalar: BtfScalarInfo | undefined;
  readonly valueScalar: BtfScalarInfo | undefined;
  /** ELF section and offset of the definition. */
  readonly section: string;
  readonly offset: number;
  /** Global data: the value of key 0 written after creation (undefined: all zero). */
  readonly initial: Uint8Array | undefined;
  /** Freeze after writing `initial` (`.rodata`, `.kconfig`): read-only from user space too. */
  readonly freeze: boolean;
  /** Map-in-map: the inner map's definition (a template created for the outer map's creation). */
  readonly inner: MapSpec | undefined;
  /** Map-in-map / program array initial values. */
  readonly slots: readonly MapSlot[];
}

/** @deprecated kept for callers of the first loader; `relocations` has every kind. */
export interface MapRelocation {
  /** Instruction index (of the ld_imm64's first half). */
  readonly insn: number;
  readonly map: string;
}

export interface ProgramSpec {
  readonly name: string;
  readonly section: string;
  readonly def: SectionDef;
  /** Linked instructions (the program, then the functions it calls), 8 bytes each; patched at load time. */
  readonly insns: Uint8Array;
  /** Map fd and map value references to patch. */
  readonly relocations: readonly Relocation[];
  /** The map references among `relocations`. */
  readonly mapRelocations: readonly MapRelocation[];
  /** func_info/line_info for BPF_PROG_LOAD, when the object has complete `.BTF.ext` records. */
  readonly debugInfo: DebugInfo | undefined;
  /** Source lines by instruction, for mapping verifier errors back to source. */
  readonly lines: readonly SourceLine[];
  /** CO-RE records at linked instruction indexes, resolved against the target BTF at load time. */
  readonly coreRelos: readonly LinkedCoreRelo[];
}

/** A global variable in a data section (`.rodata`, `.data`, `.bss`, ...). */
export interface GlobalVariable {
  readonly section: string;
  readonly offset: number;
  readonly size: number;
}

export interface ObjectSpec {
  readonly license: string;
  /** `version` section (old kernels wanted it for kprobes); 0 when absent. */
  readonly kernVersion: number;
  readonly maps: ReadonlyMap<string, MapSpec>;
  readonly programs: readonly ProgramSpec[];
  /** The object's BTF, fixed up for the kernel (undefined when the object has none). */
  readonly btf: Uint8Array | undefined;
  readonly parsedBtf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  /** kconfig externs and the `.kconfig` map's layout (its contents depend on the kernel). */
  readonly kconfig: KconfigLayout | undefined;
  /** Named variables of the global-data sections (for setting them before load). */
  readonly globals: ReadonlyMap<string, GlobalVariable>;
}

const MAP_SECTIONS = new Set([".maps", "maps"]);
const BPF_MAP_TYPE_ARRAY = 2;
/** BPF_F_RDONLY_PROG: programs may only read (`.rodata`, `.kconfig`). */
export const BPF_F_RDONLY_PROG = 1 << 7;

function licenseOf(elf: ElfFile): string {
  const s = elf.section("license");
  if (!s) return "";
  const end = s.data.indexOf(0);
  return licenseDecoder.decode(s.data.subarray(0, end < 0 ? s.data.length : end));
}

/** One decoder for every object: making a TextDecoder costs more than decoding "GPL". */
const licenseDecoder = new TextDecoder();

function kernVersionOf(elf: ElfFile): number {
  const s = elf.section("version");
  if (!s || s.data.length < 4) return 0;
  return new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, true);
}

/** `.rodata`, `.data`, `.bss` and their `.name` variants: global data, one array map each. */
export function isDataSection(s: ElfSection): boolean {
  if ((s.flags & SHF_ALLOC) === 0 || (s.flags & SHF_EXECINSTR) !== 0) return false;
  return /^\.(rodata|data|bss)(\..+)?$/.test(s.name);
}

function dataMapSpec(s: ElfSection, btf: Btf | undefined, bytes: ByteArena): MapSpec {
  const readonly = (s.flags & SHF_WRITE) === 0;
  return {
    name: s.name, section: s.name, offset: 0, type: BPF_MAP_TYPE_ARRAY, keySize: 4,
    valueSize: Math.max(1, s.size), maxEntries: 1, flags: readonly ? BPF_F_RDONLY_PROG : 0, numaNode: 0,
    btfKeyTypeId: 0, btfValueTypeId: btf?.datasec(s.name)?.id ?? 0, keyScalar: undefined, valueScalar: undefined,
    initial: s.type === SHT_NOBITS || s.size === 0 ? undefined : bytes.copy(s.data), freeze: readonly,
    inner: undefined, slots: [],
  };
}

/**
 * About what a parse copies: code (instructions), global data, BTF (fixed up) and `.BTF.ext`
 * (func/line info), so one arena buffer serves it. The rest of an object is mostly DWARF.
 */
function copiedBytes(elf: ElfFile): number {
  let n = 0;
  for (const s of elf.sections) {
    if (s.type === SHT_NOBITS) continue;
    if ((s.flags & SHF_ALLOC) !== 0 || s.name === ".BTF" || s.name === ".BTF.ext") n += s.size;
  }
  // Sections may overlap in a hostile file: never more than the file itself.
  return Math.min(n, elf.bytes.length) + 256;
}

export function parseObject(bytes: Uint8Array): ObjectSpec {
  const elf = ElfFile.parse(bytes);
  const arena = new ByteArena(copiedBytes(elf));
  const symbols = elf.symbols();
  const btfSection = elf.section(".BTF");
  const parsedBtf = btfSection ? Btf.parse(btfSection.data, ".BTF") : undefined;
  const extSection = elf.section(".BTF.ext");
  const btfExt = extSection && parsedBtf ? parseBtfExt(extSection.data, parsedBtf.strings) : undefined;
  const coreRelos = extSection && parsedBtf ? parseCoreRelos(extSection.data, parsedBtf.strings) : undefined;

  const maps = new Map<string, MapSpec>();
  const addMap = (m: MapSpec, s: ElfSection): void => {
    if (maps.has(m.name)) throw new ElfError(s.name, m.offset, `map "${m.name}" is defined twice`);
    maps.set(m.name, m);
  };
  for (const name of MAP_SECTIONS) {
    const s = elf.section(name);
    if (!s) continue;
    const found = name === ".maps" ? parseBtfMaps(elf, s, parsedBtf) : parseLegacyMaps(s, symbols);
    for (const m of found) addMap(m, s);
  }
  for (const s of elf.sections) if (isDataSection(s)) addMap(dataMapSpec(s, parsedBtf, arena), s);

  const externs = symbols.filter((y) => y.shndx === SHN_UNDEF && y.name !== "");
  const kconfig = parsedBtf ? kconfigLayout(parsedBtf, new Set(externs.filter((y) => y.bind === STB_WEAK).map((y) => y.name))) : undefined;
  if (kconfig) {
    maps.set(KCONFIG_MAP, {
      name: KCONFIG_MAP, section: KCONFIG_MAP, offset: 0, type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: kconfig.size,
      maxEntries: 1, flags: BPF_F_RDONLY_PROG, numaNode: 0, btfKeyTypeId: 0, btfValueTypeId: parsedBtf?.datasec(KCONFIG_MAP)?.id ?? 0,
      keyScalar: undefined, valueScalar: undefined, initial: undefined, freeze: true, inner: undefined, slots: [],
    });
  }

  const targets = relocTargets(maps, kconfig);
  const index = CodeIndex.build(elf);
  const programs: ProgramSpec[] = [];
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || s.name === ".text" || s.size === 0) continue;
    const def = sectionDef(s.name);
    if (!def) {
      throw new ElfError(s.name, s.offset, `unknown program section "${s.name}"`, { hint: `known sections: ${KNOWN_SECTIONS}` });
    }
    const fns = index.functions(s.index);
    if (fns.length === 0) throw new ElfError(s.name, s.offset, "executable section has no function symbol");
    for (const fn of fns) {
      const linked = linkProgram(fn, elf, index, targets, arena);
      const debug = linkDebugInfo(linked, btfExt, arena);
      programs.push({
        name: fn.name, section: s.name, def, insns: linked.insns, relocations: linked.relocations,
        mapRelocations: linked.relocations.filter((r) => r.kind === "map").map((r) => ({ insn: r.insn, map: r.map })),
        debugInfo: debug.kernel, lines: debug.lines, coreRelos: linkCoreRelos(linked, coreRelos),
      });
    }
  }

  let btf: Uint8Array | undefined;
  if (parsedBtf) {
    btf = fixupDatasecs(parsedBtf, {
      sectionSize: (name) => (name === KCONFIG_MAP ? kconfig?.size : elf.section(name)?.size),
      symbolOffset: (section, name) => {
        if (section === KCONFIG_MAP) return kconfig?.externs.find((e) => e.name === name)?.offset;
        const sec = elf.section(section);
        return sec ? symbols.find((y) => y.shndx === sec.index && y.name === name)?.value : undefined;
      },
      hiddenFunction: (name) => symbols.some((y) => y.name === name && y.type === STT_FUNC && y.bind !== STB_LOCAL && (y.visibility === STV_HIDDEN || y.visibility === STV_INTERNAL)),
    }, arena);
  }
  return { license: licenseOf(elf), kernVersion: kernVersionOf(elf), maps, programs, btf, parsedBtf, btfExt, kconfig, globals: globalsOf(elf, symbols) };
}

function globalsOf(elf: ElfFile, symbols: readonly ElfSymbol[]): Map<string, GlobalVariable> {
  const out = new Map<string, GlobalVariable>();
  for (const y of symbols) {
    if (y.type !== STT_OBJECT || !y.name || out.has(y.name)) continue;
    const sec = elf.sectionAt(y.shndx);
    if (!sec || !isDataSection(sec) || y.value + y.size > Math.max(sec.size, 1)) continue;
    out.set(y.name, { section: sec.name, offset: y.value, size: y.size });
  }
  return out;
}

function relocTargets(maps: ReadonlyMap<string, MapSpec>, kconfig: KconfigLayout | undefined): RelocTargets {
  return {
    mapAt(section: ElfSection, sym: ElfSymbol, imm: number): string | undefined {
      if (!MAP_SECTIONS.has(section.name)) return undefined;
      // Older compilers reference the section and put the map's offset in the immediate.
      const name = sym.type === STT_SECTION
        ? [...maps.values()].find((m) => m.section === section.name && m.offset === imm)?.name ?? ""
        : sym.name;
      if (!maps.has(name)) throw new ElfError(section.name, section.offset + (sym.type === STT_SECTION ? imm : sym.value), `reference to unknown map "${name || `at offset ${imm} in ${section.name}`}"`);
      return name;
    },
    dataMap(section: ElfSection): string | undefined {
      return isDataSection(section) && maps.has(section.name) ? section.name : undefined;
    },
    kconfigOffset(name: string): number | undefined {
      return kconfig?.externs.find((e) => e.name === name)?.offset;
    },
  };
}
