/**
 * Map definitions in an object: BTF-defined maps in `.maps` (a struct per map whose members
 * encode the attributes: `int (*type)[N]` for numbers, `T *key` for types) and legacy
 * `struct bpf_map_def` records in `maps`.
 */
import { BtfError, ElfError, NotSupportedError } from "../../runtime/errors.js";
import type { Btf, BtfComposite } from "../btf/index.js";
import { STT_SECTION, type ElfFile, type ElfSection, type ElfSymbol } from "../elf/index.js";
import type { MapSlot, MapSpec } from "./spec.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emptySpec(name: string, section: string, offset: number): Mutable<MapSpec> {
  return {
    name, section, offset, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, numaNode: 0,
    btfKeyTypeId: 0, btfValueTypeId: 0, keyScalar: undefined, valueScalar: undefined,
    initial: undefined, freeze: false, inner: undefined, slots: [],
  };
}

/** Maps declared libbpf-style: `struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps")`. */
/** Inner-map templates nest at most this deep (an array of arrays of maps ...). */
const MAX_INNER_DEPTH = 4;

type ParsedMap = Mutable<MapSpec> & { valuesMember?: { byteOffset: number; count: number } };

/** One map definition struct (`.maps` entry or an inner-map template) -> MapSpec. */
function mapFromStruct(btf: Btf, def: BtfComposite, name: string, section: string, offset: number, at: number, depth: number): ParsedMap {
  const spec: ParsedMap = emptySpec(name, section, offset);
  const bad = (msg: string): BtfError => new BtfError(btf.section, at, `map "${name}": ${msg}`);
  /** `int (*name)[N]` -> N */
  const uint = (memberType: number, field: string): number => {
    const p = btf.resolve(memberType);
    if (p.kind !== "PTR") throw bad(`field "${field}" must be __uint(${field}, N) (a pointer to an array), got ${p.kind}`);
    const arr = btf.type(p.type);
    if (arr.kind !== "ARRAY") throw bad(`field "${field}" must point to an array, got ${arr.kind}`);
    return arr.nelems;
  };
  /** `T *name` -> [type id of T, sizeof T] */
  const typed = (memberType: number, field: string): [number, number] => {
    const p = btf.resolve(memberType);
    if (p.kind !== "PTR") throw bad(`field "${field}" must be __type(${field}, T) (a pointer), got ${p.kind}`);
    return [p.type, btf.sizeof(p.type)];
  };
  for (const m of def.members) {
    switch (m.name) {
      case "type": spec.type = uint(m.type, m.name); break;
      case "max_entries": spec.maxEntries = uint(m.type, m.name); break;
      case "map_flags": spec.flags = uint(m.type, m.name); break;
      case "numa_node": spec.numaNode = uint(m.type, m.name); break;
      case "key_size": setSize(spec, "keySize", uint(m.type, m.name), bad); break;
      case "value_size": setSize(spec, "valueSize", uint(m.type, m.name), bad); break;
      case "key": {
        const [id, size] = typed(m.type, m.name);
        setSize(spec, "keySize", size, bad);
        spec.btfKeyTypeId = id;
        spec.keyScalar = btf.scalar(id);
        break;
      }
      case "value": {
        const [id, size] = typed(m.type, m.name);
        setSize(spec, "valueSize", size, bad);
        spec.btfValueTypeId = id;
        spec.valueScalar = btf.scalar(id);
        break;
      }
      case "values": {
        // __array(values, struct inner): an array of pointers to the inner map's definition
        // (map-in-map) or to a function prototype (program array); the value is a 4-byte fd.
        const arr = btf.resolve(m.type);
        if (arr.kind !== "ARRAY") throw bad(`field "values" must be __array(values, ...), got ${arr.kind}`);
        const p = btf.resolve(arr.type);
        if (p.kind !== "PTR") throw bad(`field "values" must be an array of pointers, got ${p.kind}`);
        const target = btf.resolve(p.type);
        if (target.kind === "STRUCT") {
          if (depth >= MAX_INNER_DEPTH) throw bad(`inner maps nest deeper than ${MAX_INNER_DEPTH}`);
          spec.inner = mapFromStruct(btf, target, `${name}.inner`, section, offset, at, depth + 1);
        } else if (target.kind !== "FUNC_PROTO") {
          throw bad(`field "values" must point to a map definition or a function prototype, got ${target.kind}`);
        }
        setSize(spec, "valueSize", 4, bad);
        spec.valuesMember = { byteOffset: m.bitOffset / 8, count: arr.nelems };
        break;
      }
      case "pinning":
        if (uint(m.type, m.name) !== 0) throw new NotSupportedError(`map "${name}": pinning is not supported yet`);
        break;
      case "map_extra": spec.mapExtra = uint(m.type, m.name); break;
      default:
        throw new NotSupportedError(`map "${name}": field "${m.name}" is not supported yet`, {
          hint: "supported fields: type, key, value, key_size, value_size, max_entries, map_flags, numa_node, values",
        });
    }
  }
  if (spec.type === 0) throw bad("no map type (add __uint(type, BPF_MAP_TYPE_...))");
  return spec;
}

/**
 * Initial `values` of a map-in-map or program array: R_BPF_64_ABS64 relocations in `.rel.maps`
 * at slot addresses inside the outer map's definition, naming the inner map (or program).
 */
function slotsOf(elf: ElfFile, section: ElfSection, offset: number, values: { byteOffset: number; count: number }, name: string): MapSlot[] {
  const symbols = elf.symbols();
  const start = offset + values.byteOffset;
  const slots: MapSlot[] = [];
  for (const rel of elf.relocationSectionsFor(section)) {
    for (const r of elf.relocations(rel)) {
      if (r.offset < start || r.offset % 8 !== 0) continue;
      const index = (r.offset - start) / 8;
      if (values.count > 0 ? index >= values.count : r.offset >= section.size) continue;
      const sym = symbols[r.symbol]!;
      if (!sym.name) throw new ElfError(rel.name, rel.offset, `map "${name}": values[${index}] refers to an unnamed symbol`);
      slots.push({ index, target: sym.name });
    }
  }
  return slots.sort((a, b) => a.index - b.index);
}

export function parseBtfMaps(elf: ElfFile, section: ElfSection, btf: Btf | undefined): MapSpec[] {
  if (!btf) throw new ElfError(section.name, section.offset, "maps in .maps need BTF, but the object has no .BTF section", { hint: "compile with -g" });
  const sec = btf.datasec(".maps");
  if (!sec) throw new BtfError(btf.section, 0, "no DATASEC named .maps describes the .maps section");
  const symbols = elf.symbols();
  const out: MapSpec[] = [];
  for (const vi of sec.vars) {
    const v = btf.type(vi.type);
    if (v.kind !== "VAR") throw new BtfError(btf.section, btf.typeStart + sec.offset, `.maps entry is a ${v.kind}, expected a VAR`);
    const sym = symbols.find((y) => y.shndx === section.index && y.name === v.name);
    const offset = sym?.value ?? vi.offset;
    const spec = mapFromStruct(btf, btf.varStruct(v), v.name, section.name, offset, btf.typeStart + v.offset, 0);
    out.push(spec.valuesMember ? { ...spec, slots: slotsOf(elf, section, offset, spec.valuesMember, v.name) } : spec);
  }
  return out;
}

function setSize(spec: Mutable<MapSpec>, field: "keySize" | "valueSize", size: number, bad: (m: string) => Error): void {
  if (spec[field] !== 0 && spec[field] !== size) throw bad(`${field === "keySize" ? "key" : "value"} size given twice, ${spec[field]} and ${size}`);
  spec[field] = size;
}

const BPF_MAP_DEF_SIZE = 20;

/** Legacy maps: `struct bpf_map_def { type, key_size, value_size, max_entries, map_flags }` in `maps`. */
export function parseLegacyMaps(section: ElfSection, symbols: readonly ElfSymbol[]): MapSpec[] {
  const syms = symbols.filter((y) => y.shndx === section.index && y.type !== STT_SECTION && y.name !== "");
  if (syms.length === 0) return [];
  const stride = Math.floor(section.size / syms.length);
  if (stride < BPF_MAP_DEF_SIZE) throw new ElfError(section.name, section.offset, `${syms.length} maps in ${section.size} bytes: each needs at least ${BPF_MAP_DEF_SIZE}`);
  const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
  return syms.map((y) => {
    if (y.value + BPF_MAP_DEF_SIZE > section.size) throw new ElfError(section.name, section.offset + y.value, `map "${y.name}" runs past the end of the section`);
    const spec = emptySpec(y.name, section.name, y.value);
    spec.type = view.getUint32(y.value, true);
    spec.keySize = view.getUint32(y.value + 4, true);
    spec.valueSize = view.getUint32(y.value + 8, true);
    spec.maxEntries = view.getUint32(y.value + 12, true);
    spec.flags = view.getUint32(y.value + 16, true);
    return spec;
  });
}
