/**
 * BTF reader: header, string table and every type kind, bounds-checked. Pure: bytes in, a
 * `Btf` out. Type references are checked to be in range once, at parse time, so lookups never
 * fail later; chains through modifiers and typedefs are walked with a step limit, so a
 * hostile cycle ends in a `BtfError`, not a hang.
 */
import { BtfError } from "../../runtime/errors.js";
import { ByteReader, cString } from "../elf/bytes.js";
import {
  BTF_INT_BOOL, BTF_INT_SIGNED, BTF_MAGIC, BtfKind,
  type BtfComposite, type BtfDatasec, type BtfType, type BtfVar,
} from "./types.js";

const HEADER_MIN = 24;
const TYPE_HEADER = 12;
/** Longest chain of modifiers/typedefs/arrays we follow before calling it a cycle. */
const MAX_RESOLVE_DEPTH = 64;

export interface BtfHeader {
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** A scalar the codecs can handle, found behind typedefs/modifiers. */
export interface BtfScalarInfo {
  readonly size: number;
  readonly signed: boolean;
  readonly bool: boolean;
}

export class Btf {
  /** The raw bytes as given (fix-ups copy them). */
  readonly raw: Uint8Array;
  readonly header: BtfHeader;
  /** types[id]; id 0 is void. */
  readonly types: readonly BtfType[];
  readonly section: string;
  /**
   * The string section (names, and the file/line strings `.BTF.ext` points into): one view,
   * so readers of `.BTF.ext` and CO-RE records share the table decoded while parsing types.
   */
  readonly strings: Uint8Array;
  /** Split BTF (a kernel module's): the BTF its type ids and string offsets continue. */
  readonly base: Btf | undefined;
  #byName: Map<string, BtfType> | undefined;
  #datasecs: BtfDatasec[] | undefined;

  private constructor(raw: Uint8Array, header: BtfHeader, types: BtfType[], section: string, strings: Uint8Array, base?: Btf) {
    this.raw = raw;
    this.header = header;
    this.types = types;
    this.section = section;
    this.strings = strings;
    this.base = base;
  }

  /** The first type id this BTF defines (after its base's, for split BTF). */
  get firstOwnId(): number {
    return this.base ? this.base.types.length : 1;
  }

  /**
   * Parse BTF from `bytes` (the contents of section `section`, for messages). With `base`,
   * `bytes` is split BTF (/sys/kernel/btf/<module>): its type ids start after the base's and
   * its string offsets after the base's string section, as the kernel and libbpf number them.
   */
  static parse(bytes: Uint8Array, section = ".BTF", base?: Btf): Btf {
    const fail = (off: number, msg: string): BtfError => new BtfError(section, off, msg);
    const r = new ByteReader(bytes, fail);
    if (bytes.length < HEADER_MIN) throw fail(0, `${bytes.length} bytes is smaller than a BTF header (${HEADER_MIN})`);
    const magic = r.u16(0);
    if (magic !== BTF_MAGIC) {
      throw fail(0, magic === 0x9feb ? "big-endian BTF is not supported" : `bad magic 0x${magic.toString(16)} (expected 0xeb9f)`);
    }
    const header: BtfHeader = {
      version: r.u8(2),
      flags: r.u8(3),
      hdrLen: r.u32(4),
      typeOff: r.u32(8),
      typeLen: r.u32(12),
      strOff: r.u32(16),
      strLen: r.u32(20),
    };
    if (header.version !== 1) throw fail(2, `version ${header.version} is not supported (expected 1)`);
    if (header.hdrLen < HEADER_MIN || header.hdrLen > bytes.length) throw fail(4, `hdr_len ${header.hdrLen} is out of range`);
    const typeStart = header.hdrLen + header.typeOff;
    const strStart = header.hdrLen + header.strOff;
    r.check(typeStart, header.typeLen, "type section");
    r.check(strStart, header.strLen, "string section");
    if (header.typeOff % 4 !== 0) throw fail(8, `type_off ${header.typeOff} is not 4-byte aligned`);

    const strs = new ByteReader(bytes.subarray(strStart, strStart + header.strLen), (off, msg) => fail(strStart + off, msg));
    // Split BTF's own strings need not start with one: offset 0 is the base's empty string.
    if (!base && header.strLen > 0 && strs.bytes[0] !== 0) throw fail(strStart, "string section does not start with an empty string");
    const baseStrLen = base ? base.strings.length : 0;
    const baseStrs = base ? new ByteReader(base.strings, (off, msg) => fail(0, `base string offset ${off}: ${msg}`)) : undefined;
    const str = (off: number, what: string, id: number): string =>
      baseStrs && off < baseStrLen ? cString(baseStrs, off, what, id) : cString(strs, off - baseStrLen, what, id);

    const tr = new ByteReader(bytes.subarray(typeStart, typeStart + header.typeLen), (off, msg) => fail(typeStart + off, msg));
    const types: BtfType[] = base ? [...base.types] : [{ kind: "VOID", id: 0, offset: -1, name: "" }];
    // Fields are read unchecked (tv) only after `need` (or the header check) covered them.
    const tv = tr.view;
    const u32 = (off: number): number => tv.getUint32(off, true);
    let o = 0;
    let id = 0;
    // Check the whole variable part up front: a huge vlen fails here, before allocating.
    const need = (n: number, what: string, count?: number): void => {
      if (o + n > tr.length) {
        throw fail(typeStart + o, `${count === undefined ? "" : `${count} `}${what} of type #${id} (${n} bytes) runs past the end of the type section (${tr.length} bytes)`);
      }
    };
    while (o < tr.length) {
      id = types.length;
      const at = o;
      if (o + TYPE_HEADER > tr.length) {
        // A truncated record: the checked reads name the field that runs past the end.
        tr.u32(o, "name_off");
        tr.u32(o + 4, "info");
        tr.u32(o + 8, "size/type");
      }
      const name = str(u32(o), "name of type", id);
      const info = u32(o + 4);
      const sizeOrType = u32(o + 8);
      const vlen = info & 0xffff;
      const kind = (info >>> 24) & 0x1f;
      const kflag = (info >>> 31) === 1;
      o += TYPE_HEADER;
      switch (kind) {
        case BtfKind.INT: {
          need(4, "int encoding");
          const enc = u32(o);
          o += 4;
          types.push({ id, offset: at, name, kind: "INT", size: sizeOrType, encoding: (enc >>> 24) & 0xf, bitOffset: (enc >>> 16) & 0xff, bits: enc & 0xff });
          break;
        }
        case BtfKind.PTR: types.push({ id, offset: at, name, kind: "PTR", type: sizeOrType }); break;
        case BtfKind.TYPEDEF: types.push({ id, offset: at, name, kind: "TYPEDEF", type: sizeOrType }); break;
        case BtfKind.VOLATILE: types.push({ id, offset: at, name, kind: "VOLATILE", type: sizeOrType }); break;
        case BtfKind.CONST: types.push({ id, offset: at, name, kind: "CONST", type: sizeOrType }); break;
        case BtfKind.RESTRICT: types.push({ id, offset: at, name, kind: "RESTRICT", type: sizeOrType }); break;
        case BtfKind.TYPE_TAG: types.push({ id, offset: at, name, kind: "TYPE_TAG", type: sizeOrType }); break;
        case BtfKind.ARRAY: {
          need(12, "array");
          types.push({ id, offset: at, name, kind: "ARRAY", type: u32(o), indexType: u32(o + 4), nelems: u32(o + 8) });
          o += 12;
          break;
        }
        case BtfKind.STRUCT:
        case BtfKind.UNION: {
          need(vlen * 12, "members", vlen);
          const members = [];
          for (let i = 0; i < vlen; i++, o += 12) {
            const off = u32(o + 8);
            members.push({
              name: str(u32(o), "member name of type", id),
              type: u32(o + 4),
              bitOffset: kflag ? off & 0xffffff : off,
              bitfieldSize: kflag ? off >>> 24 : 0,
            });
          }
          types.push({ id, offset: at, name, kind: kind === BtfKind.STRUCT ? "STRUCT" : "UNION", size: sizeOrType, members });
          break;
        }
        case BtfKind.ENUM: {
          need(vlen * 8, "enumerators", vlen);
          const values = [];
          for (let i = 0; i < vlen; i++, o += 8) {
            values.push({ name: str(u32(o), "enumerator name of type", id), value: BigInt(kflag ? tv.getInt32(o + 4, true) : u32(o + 4)) });
          }
          types.push({ id, offset: at, name, kind: "ENUM", size: sizeOrType, signed: kflag, values });
          break;
        }
        case BtfKind.ENUM64: {
          need(vlen * 12, "enumerators", vlen);
          const values = [];
          for (let i = 0; i < vlen; i++, o += 12) {
            const v = (BigInt(u32(o + 8)) << 32n) | BigInt(u32(o + 4));
            values.push({ name: str(u32(o), "enumerator name of type", id), value: kflag ? BigInt.asIntN(64, v) : v });
          }
          types.push({ id, offset: at, name, kind: "ENUM64", size: sizeOrType, signed: kflag, values });
          break;
        }
        case BtfKind.FWD: types.push({ id, offset: at, name, kind: "FWD", union: kflag }); break;
        case BtfKind.FUNC: types.push({ id, offset: at, name, kind: "FUNC", type: sizeOrType, linkage: vlen }); break;
        case BtfKind.FUNC_PROTO: {
          need(vlen * 8, "parameters", vlen);
          const params = [];
          for (let i = 0; i < vlen; i++, o += 8) params.push({ name: str(u32(o), "parameter name of type", id), type: u32(o + 4) });
          types.push({ id, offset: at, name, kind: "FUNC_PROTO", returnType: sizeOrType, params });
          break;
        }
        case BtfKind.VAR: {
          need(4, "var linkage");
          types.push({ id, offset: at, name, kind: "VAR", type: sizeOrType, linkage: u32(o) });
          o += 4;
          break;
        }
        case BtfKind.DATASEC: {
          need(vlen * 12, "variables", vlen);
          const vars = [];
          for (let i = 0; i < vlen; i++, o += 12) vars.push({ type: u32(o), offset: u32(o + 4), size: u32(o + 8) });
          types.push({ id, offset: at, name, kind: "DATASEC", size: sizeOrType, vars });
          break;
        }
        case BtfKind.FLOAT: types.push({ id, offset: at, name, kind: "FLOAT", size: sizeOrType }); break;
        case BtfKind.DECL_TAG: {
          need(4, "decl tag component");
          types.push({ id, offset: at, name, kind: "DECL_TAG", type: sizeOrType, componentIdx: tv.getInt32(o, true) });
          o += 4;
          break;
        }
        default:
          throw fail(typeStart + at + 4, `type #${id} has unknown kind ${kind}`);
      }
    }
    const btf = new Btf(bytes, header, types, section, strs.bytes, base);
    btf.#checkReferences(typeStart);
    return btf;
  }

  /** Every type id a record refers to must exist. */
  #checkReferences(typeStart: number): void {
    const n = this.types.length;
    const check = (t: BtfType, ref: number): void => {
      if (ref >= n) throw new BtfError(this.section, typeStart + t.offset, `type #${t.id} refers to type #${ref}, but the last type is #${n - 1}`);
    };
    // A base's types were checked when it was parsed.
    for (const t of this.base ? this.types.slice(this.firstOwnId) : this.types) {
      switch (t.kind) {
        case "PTR": case "TYPEDEF": case "VOLATILE": case "CONST": case "RESTRICT": case "TYPE_TAG":
        case "FUNC": case "VAR": case "DECL_TAG":
          check(t, t.type); break;
        case "ARRAY": check(t, t.type); check(t, t.indexType); break;
        case "STRUCT": case "UNION": for (const m of t.members) check(t, m.type); break;
        case "FUNC_PROTO": check(t, t.returnType); for (const p of t.params) check(t, p.type); break;
        case "DATASEC": for (const v of t.vars) check(t, v.type); break;
        case "VOID": case "INT": case "ENUM": case "ENUM64": case "FWD": case "FLOAT": break;
        default: { const never: never = t; void never; }
      }
    }
  }

  /** Offset of the type section in `raw`. */
  get typeStart(): number {
    return this.header.hdrLen + this.header.typeOff;
  }


  type(id: number): BtfType {
    const t = this.types[id];
    if (!t) throw new BtfError(this.section, 0, `no type #${id} (the last type is #${this.types.length - 1})`);
    return t;
  }

  /** Follow typedefs and modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG) to the underlying type. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; ; depth++) {
      if (depth > MAX_RESOLVE_DEPTH) throw this.#cycle(id);
      switch (t.kind) {
        case "TYPEDEF": case "CONST": case "VOLATILE": case "RESTRICT": case "TYPE_TAG":
          t = this.type(t.type);
          continue;
        default:
          return t;
      }
    }
  }

  /** Size in bytes of a type, as the kernel computes it. */
  sizeof(id: number): number {
    let t = this.type(id);
    let mult = 1;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_RESOLVE_DEPTH) throw this.#cycle(id);
      switch (t.kind) {
        case "INT": case "STRUCT": case "UNION": case "ENUM": case "ENUM64": case "DATASEC": case "FLOAT":
          return mult * t.size;
        case "PTR":
          return mult * 8;
        case "TYPEDEF": case "CONST": case "VOLATILE": case "RESTRICT": case "TYPE_TAG": case "VAR":
          t = this.type(t.type);
          continue;
        case "ARRAY":
          mult *= t.nelems;
          if (!Number.isSafeInteger(mult)) throw new BtfError(this.section, this.typeStart + t.offset, `type #${id} is too large`);
          t = this.type(t.type);
          continue;
        case "VOID": case "FWD": case "FUNC": case "FUNC_PROTO": case "DECL_TAG":
          throw new BtfError(this.section, this.typeStart + Math.max(0, t.offset), `type #${id} (${t.kind}) has no size`);
        default: {
          const never: never = t;
          return never;
        }
      }
    }
  }

  /** The scalar behind `id` (through typedefs/modifiers), or undefined for anything else. */
  scalar(id: number): BtfScalarInfo | undefined {
    const t = this.resolve(id);
    if (t.kind === "INT" && [1, 2, 4, 8].includes(t.size) && t.bitOffset === 0 && t.bits === t.size * 8) {
      return { size: t.size, signed: (t.encoding & BTF_INT_SIGNED) !== 0, bool: (t.encoding & BTF_INT_BOOL) !== 0 };
    }
    if ((t.kind === "ENUM" || t.kind === "ENUM64") && [1, 2, 4, 8].includes(t.size)) return { size: t.size, signed: t.signed, bool: false };
    return undefined;
  }

  /** First type of `kind` named `name` (an index built on first use: kernel BTF has 100k+ types). */
  find<K extends BtfType["kind"]>(kind: K, name: string): (BtfType & { readonly kind: K }) | undefined {
    if (this.types.length < 512) {
      for (const t of this.types) if (t.kind === kind && t.name === name) return t as BtfType & { readonly kind: K };
      return undefined;
    }
    if (!this.#byName) {
      this.#byName = new Map();
      for (const t of this.types) {
        const key = `${t.kind}:${t.name}`;
        if (!this.#byName.has(key)) this.#byName.set(key, t);
      }
    }
    return this.#byName.get(`${kind}:${name}`) as (BtfType & { readonly kind: K }) | undefined;
  }

  datasec(name: string): BtfDatasec | undefined {
    // Objects ask once per data section: scanning only the (few) DATASECs beats scanning every type.
    if (!this.#datasecs) this.#datasecs = this.types.filter((t): t is BtfDatasec => t.kind === "DATASEC");
    for (const t of this.#datasecs) if (t.name === name) return t;
    return undefined;
  }

  /** The struct behind a VAR (a `.maps` entry), or an error naming it. */
  varStruct(v: BtfVar): BtfComposite {
    const t = this.resolve(v.type);
    if (t.kind !== "STRUCT") throw new BtfError(this.section, this.typeStart + v.offset, `variable "${v.name}" is a ${t.kind}, expected a struct`);
    return t;
  }

  #cycle(id: number): BtfError {
    const t = this.types[id];
    return new BtfError(this.section, this.typeStart + Math.max(0, t?.offset ?? 0), `type #${id} is part of a reference cycle (or a chain deeper than ${MAX_RESOLVE_DEPTH})`);
  }
}
