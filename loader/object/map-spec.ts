/**
 * Map definitions in an object: BTF-defined maps in `.maps` (a struct per map whose members
 * encode the attributes: `int (*type)[N]` for numbers, `T *key` for types) and legacy
 * `struct bpf_map_def` records in `maps`.
 */
import { BtfError, ElfError, NotSupportedError } from "../../runtime/errors.js";
import type { Btf } from "../btf/index.js";
import { STT_SECTION, type ElfFile, type ElfSection, type ElfSymbol } from "../elf/index.js";
import type { MapSpec } from "./spec.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emptySpec(name: string, section: string, offset: number): Mutable<MapSpec> {
  return {
    name, section, offset, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, numaNode: 0,
    btfKeyTypeId: 0, btfValueTypeId: 0, keyScalar: undefined, valueScalar: undefined,
  };
}

/** Maps declared libbpf-style: `struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps")`. */
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
    const spec = emptySpec(v.name, section.name, sym?.value ?? vi.offset);
    const at = btf.typeStart + v.offset;
    const def = btf.varStruct(v);
    const bad = (msg: string): BtfError => new BtfError(btf.section, at, `map "${v.name}": ${msg}`);
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
        case "pinning":
          if (uint(m.type, m.name) !== 0) throw new NotSupportedError(`map "${v.name}": pinning is not supported yet`);
          break;
        case "map_extra":
          break;
        default:
          throw new NotSupportedError(`map "${v.name}": field "${m.name}" is not supported yet`, {
            hint: "supported fields: type, key, value, key_size, value_size, max_entries, map_flags, numa_node",
          });
      }
    }
    if (spec.type === 0) throw bad("no map type (add __uint(type, BPF_MAP_TYPE_...))");
    out.push(spec);
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
