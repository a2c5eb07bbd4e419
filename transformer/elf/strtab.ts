/**
 * A NUL-separated string table as ELF (.strtab, .shstrtab) and BTF (.BTF strings) use: offset 0 is the empty
 * string, each other string is stored once and found by its first byte's offset. Offsets
 * count UTF-8 bytes, but the table is encoded in one go at the end: encoding each string as
 * it was added cost a TextEncoder call and an array per string on every compile.
 */
const UTF8 = new TextEncoder();

/** Any character outside ASCII (which takes one UTF-8 byte per UTF-16 unit). */
const NON_ASCII = /[^\x00-\x7f]/;

/** Bytes `s` takes in UTF-8 (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  // Nearly every string (names, file names, source lines) is ASCII: one regex test is far
  // cheaper than the loop below while the compiler still runs interpreted, early in a build.
  if (!NON_ASCII.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

export class StringTable {
  private readonly strings: string[] = [""];
  private readonly offsets = new Map<string, number>([["", 0]]);
  private length = 1;

  /** Offset of `s`, adding it on first use. */
  add(s: string): number {
    const hit = this.offsets.get(s);
    if (hit !== undefined) return hit;
    const off = this.length;
    this.offsets.set(s, off);
    this.strings.push(s);
    this.length += utf8Length(s) + 1;
    return off;
  }

  /** Size of the table in bytes. */
  get size(): number {
    return this.length;
  }

  /** The table's bytes: every string followed by a NUL, the empty string first. */
  bytes(): Uint8Array {
    return UTF8.encode(this.strings.join("\0") + "\0");
  }
}
