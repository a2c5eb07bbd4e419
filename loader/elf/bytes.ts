/**
 * Bounds-checked little-endian reads over a region of the input. Every out-of-range read
 * becomes an error naming the region and absolute offset, through `fail`, so malformed input
 * never surfaces as a RangeError from deep inside.
 */
export type Fail = (offset: number, message: string) => Error;

const decoder = new TextDecoder("utf-8", { fatal: false });
/**
 * For whole tables. Valid UTF-8 decodes to as many characters as bytes only when every byte is
 * ASCII (a multi-byte sequence, a kept BOM included, is one character); invalid UTF-8 throws.
 */
const tableDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/**
 * Decoded tables by the exact Uint8Array they were read from, so readers made over the same
 * view (the `.BTF` strings that `.BTF.ext` records and CO-RE records point into) decode once.
 * Parsers make their views themselves, so a view's bytes do not change while it is in use.
 */
const decodedTables = new WeakMap<Uint8Array, string | null>();

function asciiOrNull(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = tableDecoder.decode(bytes);
  } catch {
    return null; // not UTF-8: names are decoded one by one, with replacement characters
  }
  return text.length === bytes.length ? text : null;
}

export class ByteReader {
  readonly bytes: Uint8Array;
  /**
   * The region as a DataView, for loops that checked a whole record (or table) once with
   * `check` and then read its fields without a check per field.
   */
  readonly view: DataView;
  readonly #fail: Fail;
  /** The region decoded once as a string table (see `cString`); null when it is not all ASCII. */
  #text: string | null | undefined;

  constructor(bytes: Uint8Array, fail: Fail) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#fail = fail;
  }

  /**
   * The whole region as one string when every byte is ASCII (offsets in it are byte offsets),
   * else null. Decoded on first use: one native decode per table instead of one per name.
   */
  asciiText(): string | null {
    if (this.#text === undefined) {
      let text = decodedTables.get(this.bytes);
      if (text === undefined) {
        text = asciiOrNull(this.bytes);
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
