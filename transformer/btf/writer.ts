/**
 * BTF encoder (Documentation/bpf/btf.rst): a type table plus a string table behind a
 * 24-byte header. Types are appended and referenced by id (1-based; 0 is `void`);
 * strings are deduplicated. This file knows the byte format and nothing about maps or
 * programs; `object.ts` decides which types an object carries; `ext.ts` writes `.BTF.ext`.
 */

import { BTF_KIND, BTF_MAGIC } from "../../runtime/btf-format.js";
import { StringTable } from "../elf/strtab.js";

export { BTF_MAGIC, BTF_KIND };
export {
  BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_VAR_GLOBAL_ALLOCATED,
} from "../../runtime/btf-format.js";

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export class BtfWriter {
  /** Type records as u32 words, in id order. */
  private readonly words: number[] = [];
  private nextId = 1;
  private readonly strings = new StringTable();

  /** Offset of `s` in the string table (added on first use). */
  str(s: string): number {
    return this.strings.add(s);
  }

  private add(name: string, kind: number, vlen: number, sizeOrType: number, extra: number[], kindFlag = false): number {
    const info = ((kindFlag ? 1 : 0) << 31) | (kind << 24) | (vlen & 0xffff);
    this.words.push(this.str(name), info >>> 0, sizeOrType >>> 0);
    for (const x of extra) this.words.push(x >>> 0);
    return this.nextId++;
  }

  int(name: string, size: number, encoding: number, bits = size * 8): number {
    return this.add(name, BTF_KIND.INT, 0, size, [(encoding << 24) | bits]);
  }

  ptr(type: number): number {
    return this.add("", BTF_KIND.PTR, 0, type, []);
  }

  array(elem: number, index: number, nelems: number): number {
    return this.add("", BTF_KIND.ARRAY, 0, 0, [elem, index, nelems]);
  }

  /** A struct; members with a `bitfieldSize` make it a kind_flag struct (size << 24 | offset). */
  struct(name: string, size: number, members: readonly { name: string; type: number; bitOffset: number; bitfieldSize?: number }[]): number {
    const kflag = members.some((m) => m.bitfieldSize);
    const off = (m: { bitOffset: number; bitfieldSize?: number }) => (kflag ? ((m.bitfieldSize ?? 0) << 24) | m.bitOffset : m.bitOffset);
    return this.add(name, BTF_KIND.STRUCT, members.length, size, members.flatMap((m) => [this.str(m.name), m.type, off(m)]), kflag);
  }

  union(name: string, size: number, members: readonly { name: string; type: number; bitOffset: number }[]): number {
    return this.add(name, BTF_KIND.UNION, members.length, size, members.flatMap((m) => [this.str(m.name), m.type, m.bitOffset]));
  }

  /**
   * An enum with the enumerators given (none: what a CO-RE field access needs to know); an
   * 8-byte one is an ENUM64, whose enumerators carry both 32-bit halves of their value.
   */
  enumeration(name: string, size: number, signed: boolean, values: readonly { name: string; value: bigint }[] = []): number {
    if (size === 8) {
      const words = values.flatMap((v) => {
        const u = BigInt.asUintN(64, v.value);
        return [this.str(v.name), Number(u & 0xffffffffn), Number(u >> 32n)];
      });
      return this.add(name, BTF_KIND.ENUM64, values.length, size, words, signed);
    }
    return this.add(name, BTF_KIND.ENUM, values.length, size, values.flatMap((v) => [this.str(v.name), Number(BigInt.asUintN(32, v.value))]), signed);
  }

  /** The id the next type added will get (types may refer to later ones). */
  get nextTypeId(): number {
    return this.nextId;
  }

  constant(type: number): number {
    return this.add("", BTF_KIND.CONST, 0, type, []);
  }

  volatile(type: number): number {
    return this.add("", BTF_KIND.VOLATILE, 0, type, []);
  }

  typedef(name: string, type: number): number {
    return this.add(name, BTF_KIND.TYPEDEF, 0, type, []);
  }

  funcProto(ret: number, params: readonly { name: string; type: number }[]): number {
    return this.add("", BTF_KIND.FUNC_PROTO, params.length, ret, params.flatMap((p) => [this.str(p.name), p.type]));
  }

  func(name: string, proto: number, linkage: number): number {
    return this.add(name, BTF_KIND.FUNC, linkage, proto, []);
  }

  variable(name: string, type: number, linkage: number): number {
    return this.add(name, BTF_KIND.VAR, 0, type, [linkage]);
  }

  datasec(name: string, size: number, vars: readonly { type: number; offset: number; size: number }[]): number {
    return this.add(name, BTF_KIND.DATASEC, vars.length, size, vars.flatMap((v) => [v.type, v.offset, v.size]));
  }

  /** The `.BTF` section bytes. */
  bytes(): Uint8Array {
    const typeLen = this.words.length * 4;
    const strBytes = this.strings.bytes();
    const strLen = strBytes.length;
    const out = new Uint8Array(24 + typeLen + strLen);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, BTF_MAGIC, true);
    dv.setUint8(2, 1); // version
    dv.setUint8(3, 0); // flags
    dv.setUint32(4, 24, true); // hdr_len
    dv.setUint32(8, 0, true); // type_off (relative to the end of the header)
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true); // str_off
    dv.setUint32(20, strLen, true);
    // The words in one copy: a Uint32Array is in host byte order, which is BTF's little
    // endian on every host we build on; a big-endian host writes them one by one.
    if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(Uint32Array.from(this.words).buffer), 24);
    else for (let n = 0; n < this.words.length; n++) dv.setUint32(24 + n * 4, this.words[n]!, true);
    out.set(strBytes, 24 + typeLen);
    return out;
  }
}
