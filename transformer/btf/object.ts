/**
 * The BTF an object file carries, laid out the way clang does for libbpf-style C, so
 * libbpf, bpftool and our loader read it alike:
 *
 * - each map is a VAR of an anonymous STRUCT whose members are pointers encoding numbers
 *   and types (`__uint(type, BPF_MAP_TYPE_HASH)` is `int (*type)[1]`, `__type(key, __u32)`
 *   is `__u32 *key`), listed in a DATASEC ".maps";
 * - each program is a FUNC (global) with a FUNC_PROTO `int (ctx)` whose parameter points
 *   to `void` or to the context struct (e.g. `struct xdp_md`);
 * - `char LICENSE[]` is a VAR in DATASEC "license";
 * - `.BTF.ext` gives each FUNC its section offset (func_info) and maps instructions to
 *   host-file lines (line_info), with the line text in the string table.
 */
import { MAP_TYPE_IDS } from "../../runtime/map-decl.js";
import type { ScalarName } from "../../runtime/types.js";
import { mapValueSize, type MapSlotInfo } from "../api.js";
import type { CtxBtf } from "../frontend/ctx.js";
import type { DataLayout } from "../elf/data.js";
import { structTypes } from "./struct-types.js";
import { writeCoreTypes, type CoreReloRecord, type CoreSite } from "./core.js";
import { KERNEL_TYPES } from "../kernel/kernel-types.js";
import { encodeBtfExt, type FuncInfoRecord, type LineInfoRecord } from "./ext.js";
import { utf8Length } from "../elf/strtab.js";
import { BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_INT_BOOL, BTF_INT_SIGNED, BTF_VAR_GLOBAL_ALLOCATED, BtfWriter } from "./writer.js";

/** C spelling (as clang names the INT) and libbpf typedef of each scalar. */
export const C_SCALARS: Readonly<Record<ScalarName, { readonly c: string; readonly typedef: string; readonly size: number; readonly enc: number }>> = {
  u8: { c: "unsigned char", typedef: "__u8", size: 1, enc: 0 },
  u16: { c: "unsigned short", typedef: "__u16", size: 2, enc: 0 },
  u32: { c: "unsigned int", typedef: "__u32", size: 4, enc: 0 },
  u64: { c: "unsigned long long", typedef: "__u64", size: 8, enc: 0 },
  i8: { c: "signed char", typedef: "__s8", size: 1, enc: BTF_INT_SIGNED },
  i16: { c: "short", typedef: "__s16", size: 2, enc: BTF_INT_SIGNED },
  i32: { c: "int", typedef: "__s32", size: 4, enc: BTF_INT_SIGNED },
  i64: { c: "long long", typedef: "__s64", size: 8, enc: BTF_INT_SIGNED },
  bool: { c: "_Bool", typedef: "bool", size: 1, enc: BTF_INT_BOOL },
};

export interface BtfMap {
  readonly name: string;
  readonly info: MapSlotInfo;
}

/** A source position of one instruction (host file line, column and line text). */
export interface LineRecord {
  /** Instruction index within the function. */
  readonly insn: number;
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

/** A `.text` subprogram: a static FUNC with named scalar (or `void *`) parameters. */
export interface BtfFunction {
  readonly name: string;
  /** "ptr" is `void *`: a struct pointer parameter, e.g. a bpf_loop callback's context. */
  readonly params: readonly { readonly name: string; readonly type: ScalarName | "ptr" }[];
  readonly ret: ScalarName | "void";
  /** Byte offset in `.text`. */
  readonly offset: number;
  readonly lines: readonly LineRecord[];
  readonly cores?: readonly CoreSite[];
}

export interface BtfProgram {
  readonly name: string;
  readonly ctx: CtxBtf;
  /** ELF section holding the code, and the byte offset of the first instruction in it. */
  readonly section: string;
  readonly offset: number;
  readonly lines: readonly LineRecord[];
  readonly cores?: readonly CoreSite[];
}

/** Whether a map kind's definition names a key / a value type (libbpf-style C omits them). */
function hasKey(info: MapSlotInfo): boolean {
  return !["ringbuf", "queue", "stack", "bloom_filter"].includes(info.kind);
}
function hasValue(info: MapSlotInfo): boolean {
  return info.kind !== "ringbuf";
}

/** Size of a map's definition struct in `.maps`: one pointer per member. */
export function mapDefSize(info: MapSlotInfo): number {
  return 8 * (2 + (hasKey(info) ? 1 : 0) + (hasValue(info) ? 1 : 0) + (info.flags ? 1 : 0));
}

export interface ObjectBtf {
  readonly bytes: Uint8Array;
  /** `.BTF.ext`: func_info and line_info of every program. */
  readonly ext: Uint8Array;
  /** Offset of each map's definition in `.maps`, in map order. */
  readonly mapOffsets: readonly number[];
  readonly mapsSize: number;
}

/** A kernel function the object calls (`frontend/kfuncs.ts`); "ptr" is a kernel pointer. */
export interface BtfKfunc {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: ScalarName | "ptr" }[];
  readonly ret: ScalarName | "ptr" | "void";
}

export function buildObjectBtf(maps: readonly BtfMap[], programs: readonly BtfProgram[], license: string, fileName: string, functions: readonly BtfFunction[] = [], data?: DataLayout, kfuncs: readonly BtfKfunc[] = []): ObjectBtf {
  const w = new BtfWriter();
  const int = w.int("int", 4, BTF_INT_SIGNED);
  const arraySizeType = w.int("__ARRAY_SIZE_TYPE__", 4, 0);
  const scalarIds = new Map<ScalarName, number>();
  const scalar = (name: ScalarName): number => {
    let id = scalarIds.get(name);
    if (id === undefined) {
      const s = C_SCALARS[name];
      const base = name === "i32" ? int : w.int(s.c, s.size, s.enc);
      id = w.typedef(s.typedef, base);
      scalarIds.set(name, id);
    }
    return id;
  };
  /** `int (*name)[n]`: how libbpf's __uint() encodes a number in a type. */
  const number = (n: number) => w.ptr(w.array(int, arraySizeType, n));

  const structId = structTypes({ w, scalar, arrayIndex: arraySizeType });

  const vars: { type: number; offset: number; size: number }[] = [];
  const mapOffsets: number[] = [];
  let off = 0;
  for (const m of maps) {
    const members = [{ name: "type", type: number(MAP_TYPE_IDS[m.info.kind]) }];
    // The kernel refuses BTF key/value types for stack trace maps (map_check_no_btf): sizes only.
    if (m.info.kind === "stack_trace") members.push({ name: "key_size", type: number(4) }, { name: "value_size", type: number(mapValueSize(m.info)) });
    else if (hasKey(m.info)) members.push({ name: "key", type: w.ptr(m.info.keyStruct ? structId(m.info.keyStruct) : scalar(m.info.key)) });
    if (hasValue(m.info) && m.info.kind !== "stack_trace") members.push({ name: "value", type: w.ptr(m.info.valueStruct ? structId(m.info.valueStruct) : scalar(m.info.value)) });
    members.push({ name: "max_entries", type: number(m.info.maxEntries) });
    if (m.info.flags) members.push({ name: "map_flags", type: number(m.info.flags) });
    if (m.info.mapExtra) members.push({ name: "map_extra", type: number(m.info.mapExtra) });
    const size = mapDefSize(m.info);
    const struct = w.struct("", size, members.map((x, n) => ({ ...x, bitOffset: n * 64 })));
    vars.push({ type: w.variable(m.name, struct, BTF_VAR_GLOBAL_ALLOCATED), offset: off, size });
    mapOffsets.push(off);
    off += size;
  }

  const ctxStructs = new Map<string, number>();
  const ext = new Map<string, { funcs: FuncInfoRecord[]; lines: LineInfoRecord[]; cores: CoreReloRecord[] }>();
  const extOf = (section: string) => {
    let e = ext.get(section);
    if (!e) ext.set(section, (e = { funcs: [], lines: [], cores: [] }));
    return e;
  };
  // Kernel struct accesses: local definitions of the structs, then one record per instruction.
  const sites = [...functions, ...programs].flatMap((f) => f.cores ?? []);
  const coreOf = sites.length ? writeCoreTypes(w, sites.map((s) => s.access), KERNEL_TYPES, arraySizeType) : undefined;
  const coreRecords = (e: { cores: CoreReloRecord[] }, offset: number, cores: readonly CoreSite[] | undefined) => {
    for (const c of cores ?? []) {
      const r = coreOf!(c.access);
      e.cores.push({ insnOff: offset + c.insn * 8, typeId: r.typeId, accessOff: w.str(r.access), kind: c.access.kind });
    }
  };
  const fileNameOff = w.str(fileName);
  const lineRecords = (e: { lines: LineInfoRecord[] }, offset: number, lines: readonly LineRecord[]) => {
    for (const l of lines) e.lines.push({ insnOff: offset + l.insn * 8, fileNameOff, lineOff: w.str(l.text), line: l.line, col: l.col });
  };
  for (const f of functions) {
    const proto = w.funcProto(f.ret === "void" ? 0 : scalar(f.ret), f.params.map((p) => ({ name: p.name, type: p.type === "ptr" ? w.ptr(0) : scalar(p.type) })));
    const e = extOf(".text");
    e.funcs.push({ insnOff: f.offset, typeId: w.func(f.name, proto, BTF_FUNC_STATIC) });
    lineRecords(e, f.offset, f.lines);
    coreRecords(e, f.offset, f.cores);
  }
  for (const p of programs) {
    let param = 0;
    if (p.ctx.kind === "struct") {
      const s = p.ctx;
      let sid = ctxStructs.get(s.name);
      if (sid === undefined) {
        sid = w.struct(s.name, s.size, s.fields.map((f) => ({ name: f.name, type: scalar(f.type), bitOffset: f.offset * 8 })));
        ctxStructs.set(s.name, sid);
      }
      param = sid;
    }
    const proto = w.funcProto(int, [{ name: "ctx", type: w.ptr(param) }]);
    const e = extOf(p.section);
    e.funcs.push({ insnOff: p.offset, typeId: w.func(p.name, proto, BTF_FUNC_GLOBAL) });
    lineRecords(e, p.offset, p.lines);
    coreRecords(e, p.offset, p.cores);
  }

  const licenseBytes = utf8Length(license) + 1;
  const char = w.int("char", 1, BTF_INT_SIGNED);
  const licenseVar = w.variable("LICENSE", w.array(char, arraySizeType, licenseBytes), BTF_VAR_GLOBAL_ALLOCATED);
  if (maps.length) w.datasec(".maps", off, vars);
  for (const s of data?.sections ?? []) {
    // `.rodata` variables are `const volatile` in C terms: read-only in BPF, set by the
    // loader before the map is frozen.
    const rodata = s.name === ".rodata";
    const dataVars = data!.globals.filter((g) => g.section === s.name).map((g) => {
      // A string is `static const char name[n]`, as clang emits bpf_printk's format.
      const t = g.bytes ? w.array(w.constant(char), arraySizeType, g.size) : rodata ? w.volatile(w.constant(scalar(g.type))) : scalar(g.type);
      return { type: w.variable(g.name, t, BTF_VAR_GLOBAL_ALLOCATED), offset: g.offset, size: g.size };
    });
    w.datasec(s.name, s.size, dataVars);
  }
  w.datasec("license", licenseBytes, [{ type: licenseVar, offset: 0, size: licenseBytes }]);
  if (kfuncs.length) {
    // As clang declares `extern ... __ksym` functions: extern FUNCs listed in a `.ksyms` DATASEC.
    // A kernel pointer points to an empty struct: libbpf checks extern prototypes against the
    // kernel's by kind (a struct pointer matches any struct pointer, a void pointer does not).
    let opaque = 0;
    const typeOf = (t: ScalarName | "ptr"): number => (t === "ptr" ? w.ptr(opaque ||= w.struct("kptr", 0, [])) : scalar(t));
    const ids = kfuncs.map((k) => w.func(k.name, w.funcProto(k.ret === "void" ? 0 : typeOf(k.ret), k.params.map((p) => ({ name: p.name, type: typeOf(p.type) }))), BTF_FUNC_EXTERN));
    w.datasec(".ksyms", 0, ids.map((type) => ({ type, offset: 0, size: 0 })));
  }
  const sections = [...ext].map(([name, e]) => ({ nameOff: w.str(name), funcs: e.funcs, lines: e.lines, cores: e.cores }));
  return { bytes: w.bytes(), ext: encodeBtfExt(sections), mapOffsets, mapsSize: off };
}
