/**
 * `ObjectSpec`: what an ELF object asks for (license, maps, programs with their map
 * relocations, fixed-up BTF), parsed purely from bytes. Nothing here touches the kernel;
 * loader/object/load.ts turns a spec into kernel objects.
 */
import { ElfError, NotSupportedError } from "../../runtime/errors.js";
import { Btf, fixupDatasecs, type BtfScalarInfo } from "../btf/index.js";
import {
  ElfFile, R_BPF_64_64, R_BPF_64_32, SHF_EXECINSTR, STT_FUNC, STT_SECTION,
  type ElfSection, type ElfSymbol,
} from "../elf/index.js";
import { parseBtfMaps, parseLegacyMaps } from "./map-spec.js";
import { KNOWN_SECTIONS, sectionDef, type SectionDef } from "./sections.js";

export interface MapSpec {
  readonly name: string;
  /** BPF_MAP_TYPE_* */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly numaNode: number;
  /** Type ids in the object's BTF, when the map was declared with `__type(key, ...)`. */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Scalar key/value types from BTF, for codecs. */
  readonly keyScalar: BtfScalarInfo | undefined;
  readonly valueScalar: BtfScalarInfo | undefined;
  /** ELF section and offset of the definition. */
  readonly section: string;
  readonly offset: number;
}

export interface MapRelocation {
  /** Instruction index (of the ld_imm64's first half). */
  readonly insn: number;
  readonly map: string;
}

export interface ProgramSpec {
  readonly name: string;
  readonly section: string;
  readonly def: SectionDef;
  /** Instructions as in the object (8 bytes each); patched at load time. */
  readonly insns: Uint8Array;
  readonly mapRelocations: readonly MapRelocation[];
}

export interface ObjectSpec {
  readonly license: string;
  readonly maps: ReadonlyMap<string, MapSpec>;
  readonly programs: readonly ProgramSpec[];
  /** The object's BTF, fixed up for the kernel (undefined when the object has none). */
  readonly btf: Uint8Array | undefined;
  readonly parsedBtf: Btf | undefined;
}

const BPF_LD_IMM64 = 0x18;
const BPF_CALL = 0x85;
const MAP_SECTIONS = new Set([".maps", "maps"]);

function licenseOf(elf: ElfFile): string {
  const s = elf.section("license");
  if (!s) return "";
  const end = s.data.indexOf(0);
  return new TextDecoder().decode(s.data.subarray(0, end < 0 ? s.data.length : end));
}

export function parseObject(bytes: Uint8Array): ObjectSpec {
  const elf = ElfFile.parse(bytes);
  const symbols = elf.symbols();
  const btfSection = elf.section(".BTF");
  const parsedBtf = btfSection ? Btf.parse(btfSection.data, ".BTF") : undefined;

  const maps = new Map<string, MapSpec>();
  for (const name of MAP_SECTIONS) {
    const s = elf.section(name);
    if (!s) continue;
    const found = name === ".maps" ? parseBtfMaps(elf, s, parsedBtf) : parseLegacyMaps(s, symbols);
    for (const m of found) {
      if (maps.has(m.name)) throw new ElfError(s.name, m.offset, `map "${m.name}" is defined twice`);
      maps.set(m.name, m);
    }
  }

  const programs: ProgramSpec[] = [];
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || s.name === ".text" || s.size === 0) continue;
    const def = sectionDef(s.name);
    if (!def) {
      throw new ElfError(s.name, s.offset, `unknown program section "${s.name}"`, { hint: `known sections: ${KNOWN_SECTIONS}` });
    }
    programs.push(...programsIn(elf, s, def, symbols, maps));
  }

  let btf: Uint8Array | undefined;
  if (parsedBtf) {
    btf = fixupDatasecs(parsedBtf, {
      sectionSize: (name) => elf.section(name)?.size,
      symbolOffset: (section, name) => {
        const sec = elf.section(section);
        return sec ? symbols.find((y) => y.shndx === sec.index && y.name === name)?.value : undefined;
      },
    });
  }
  return { license: licenseOf(elf), maps, programs, btf, parsedBtf };
}

function programsIn(elf: ElfFile, s: ElfSection, def: SectionDef, symbols: readonly ElfSymbol[], maps: ReadonlyMap<string, MapSpec>): ProgramSpec[] {
  if (s.size % 8 !== 0) throw new ElfError(s.name, s.offset, `code size ${s.size} is not a multiple of 8`);
  const funcs = symbols.filter((y) => y.shndx === s.index && y.type === STT_FUNC).sort((a, b) => a.value - b.value);
  if (funcs.length === 0) throw new ElfError(s.name, s.offset, "executable section has no function symbol");
  const ranges = funcs.map((f, i) => {
    const end = f.size > 0 ? f.value + f.size : (funcs[i + 1]?.value ?? s.size);
    if (f.value % 8 !== 0 || end > s.size || end <= f.value) {
      throw new ElfError(s.name, s.offset + f.value, `function "${f.name}" has a bad range [${f.value}, ${end}) in a ${s.size}-byte section`);
    }
    return { sym: f, start: f.value, end, relocs: [] as MapRelocation[] };
  });

  const code = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  for (const rel of elf.relocationSectionsFor(s)) {
    for (const r of elf.relocations(rel)) {
      const where = `${rel.name} entry at section offset ${r.offset}`;
      const range = ranges.find((x) => r.offset >= x.start && r.offset < x.end);
      if (!range || r.offset % 8 !== 0 || r.offset + 8 > range.end) throw new ElfError(s.name, s.offset + r.offset, `${where} does not point at an instruction of a function`);
      const sym = symbols[r.symbol]!;
      const target = elf.sectionAt(sym.shndx);
      const opcode = code.getUint8(r.offset);
      if (opcode === BPF_CALL && r.type === R_BPF_64_32) {
        throw new NotSupportedError(`program "${range.sym.name}": calls to other BPF functions ("${sym.name || target?.name}") are not supported yet`);
      }
      if (!target || !MAP_SECTIONS.has(target.name)) {
        throw new NotSupportedError(
          `program "${range.sym.name}": relocation to "${sym.name || target?.name || `symbol #${r.symbol}`}" in section ${target?.name ?? sym.shndx} is not supported yet (only map references are)`,
        );
      }
      if (r.type !== R_BPF_64_64 || opcode !== BPF_LD_IMM64 || r.offset + 16 > range.end) {
        throw new ElfError(s.name, s.offset + r.offset, `map reference to "${sym.name}" must be an R_BPF_64_64 relocation on a ld_imm64 instruction`);
      }
      let mapName = sym.name;
      if (sym.type === STT_SECTION) {
        // Older compilers reference the section and put the map's offset in the immediate.
        const off = code.getInt32(r.offset + 4, true);
        mapName = [...maps.values()].find((m) => m.section === target.name && m.offset === off)?.name ?? "";
      }
      if (!maps.has(mapName)) throw new ElfError(s.name, s.offset + r.offset, `reference to unknown map "${mapName || `at offset in ${target.name}`}"`);
      range.relocs.push({ insn: (r.offset - range.start) / 8, map: mapName });
    }
  }
  return ranges.map((x) => ({
    name: x.sym.name,
    section: s.name,
    def,
    insns: s.data.slice(x.start, x.end),
    mapRelocations: x.relocs,
  }));
}
