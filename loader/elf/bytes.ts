/**
 * Bounds-checked little-endian reads over a region of the input. Every out-of-range read
 * becomes an error naming the region and absolute offset, through `fail`, so malformed input
 * never surfaces as a RangeError from deep inside.
 */
export type Fail = (offset: number, message: string) => Error;

const decoder = new TextDecoder("utf-8", { fatal: false });
/** For whole tables: a leading BOM must stay in the text (as U+FEFF) so offsets stay byte offsets. */
const tableDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const NON_ASCII = /[^\x00-\x7f]/;
/**
 * Decoded tables by the exact Uint8Array they were read from, so readers made over the same
 * view (the `.BTF` strings that `.BTF.ext` records and CO-RE records point into) decode once.
 * Parsers make their views themselves, so a view's bytes do not change while it is in use.
 */
const decodedTables = new WeakMap<Uint8Array, string | null>();

export class ByteReader {
  readonly bytes: Uint8Array;
  #view: DataView | undefined;
  readonly #fail: Fail;
  /** The region decoded once as a string table (see `cString`); null when it is not all ASCII. */
  #text: string | null | undefined;

  constructor(bytes: Uint8Array, fail: Fail) {
    this.bytes = bytes;
    this.#fail = fail;
  }

  /**
   * The region as a DataView, for loops that checked a whole record (or table) once with
   * `check` and then read its fields without a check per field. Made on first use: string
   * tables never need one.
   */
  get view(): DataView {
    return (this.#view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  /**
   * The whole region as one string when every byte is ASCII (offsets in it are byte offsets),
   * else null. Decoded on first use: one native decode per table instead of one per name.
   */
  asciiText(): string | null {
    if (this.#text === undefined) {
      let text = decodedTables.get(this.bytes);
      if (text === undefined) {
        const all = tableDecoder.decode(this.bytes);
        // Any byte >= 0x80 decodes to a non-ASCII character (itself, or U+FFFD when invalid).
        text = NON_ASCII.test(all) ? null : all;
        decodedTables.set(this.bytes, text);
      }
      this.#text = text;
    }
    return this.#text;
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(offset: number, message: string): Error {
    return this.#fail(offset, message);
  }

  /** Throws unless [offset, offset+size) lies inside the region. */
  check(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw this.#fail(offset, `${what} (${size} bytes) runs past the end (${this.bytes.length} bytes)`);
    }
  }

  u8(offset: number, what = "byte"): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what = "u16"): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what = "u32"): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  i32(offset: number, what = "i32"): number {
    this.check(offset, 4, what);
    return this.view.getInt32(offset, true);
  }

  /** A 64-bit field that must fit a safe integer (offsets, sizes). */
  u64n(offset: number, what = "u64"): number {
    this.check(offset, 8, what);
    // Two u32 halves: BigInt reads were the slowest part of parsing section headers.
    const hi = this.view.getUint32(offset + 4, true);
    if (hi > 0x1fffff) throw this.#fail(offset, `${what} ${this.view.getBigUint64(offset, true)} is out of range`);
    return hi * 0x100000000 + this.view.getUint32(offset, true);
  }

  u64(offset: number, what = "u64"): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }

  /** A view of [offset, offset+size), checked, without copying. */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.check(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}

/**
 * NUL-terminated string at `offset` of a string table. `what` (and `index`, appended as
 * " #index") name it in errors; they are separate so callers in hot loops build no strings.
 */
export function cString(table: ByteReader, offset: number, what: string, index?: number): string {
  if (offset < 0 || offset >= table.length) {
    if (offset === 0 && table.length === 0) return "";
    throw table.fail(offset, `${label(what, index)}: string offset ${offset} outside the string table (${table.length} bytes)`);
  }
  const text = table.asciiText();
  if (text !== null) {
    const end = text.indexOf("\0", offset);
    if (end < 0) throw table.fail(offset, `${label(what, index)}: string at ${offset} is not NUL-terminated`);
    return text.slice(offset, end);
  }
  const bytes = table.bytes;
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw table.fail(offset, `${label(what, index)}: string at ${offset} is not NUL-terminated`);
  // Names are short and ASCII: building them directly is several times faster than a
  // TextDecoder call per name, which dominated parsing objects with large BTF.
  if (end - offset <= 64) {
    let out = "";
    for (let i = offset; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return decoder.decode(bytes.subarray(offset, end));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return decoder.decode(bytes.subarray(offset, end));
}

function label(what: string, index: number | undefined): string {
  return index === undefined ? what : `${what} #${index}`;
}
