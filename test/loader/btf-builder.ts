/** Builds small BTF blobs by hand for reader tests (valid or deliberately broken). */
export class BtfBuilder {
  #types: number[] = [];
  #strings: number[];
  #strOff = new Map<string, number>([["", 0]]);
  #count: number;
  /** String offsets start past the base's strings in split BTF. */
  #strBase: number;

  /**
   * Split BTF on a base with `types` types (void included) and `strings` bytes of strings:
   * type ids and string offsets continue the base's, and the string section has no leading
   * NUL of its own (the empty name is the base's).
   */
  constructor(base?: { readonly types: number; readonly strings: number }) {
    this.#strings = base ? [] : [0];
    this.#count = base ? base.types - 1 : 0;
    this.#strBase = base?.strings ?? 0;
  }

  str(s: string): number {
    const have = this.#strOff.get(s);
    if (have !== undefined) return have;
    const off = this.#strBase + this.#strings.length;
    this.#strings.push(...new TextEncoder().encode(s), 0);
    this.#strOff.set(s, off);
    return off;
  }

  /** Add a raw record (u32 words); returns its type id. */
  raw(words: number[]): number {
    this.#types.push(...words);
    return ++this.#count;
  }

  type(name: string, kind: number, vlen: number, sizeOrType: number, extra: number[] = [], kflag = false): number {
    return this.raw([this.str(name), ((kflag ? 1 : 0) << 31) | (kind << 24) | vlen, sizeOrType, ...extra]);
  }

  int(name: string, size: number, signed = false): number {
    return this.type(name, 1, 0, size, [((signed ? 1 : 0) << 24) | (size * 8)]);
  }

  build(): Uint8Array {
    const types = new Uint8Array(new Uint32Array(this.#types).buffer);
    const strs = new Uint8Array(this.#strings);
    const out = new Uint8Array(24 + types.length + strs.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 24, true);
    v.setUint32(8, 0, true);
    v.setUint32(12, types.length, true);
    v.setUint32(16, types.length, true);
    v.setUint32(20, strs.length, true);
    out.set(types, 24);
    out.set(strs, 24 + types.length);
    return out;
  }
}
