/**
 * `.BTF.ext` reader: func_info and line_info per ELF section, as compilers write them
 * (instruction offsets in bytes from the start of the section, names and file strings in the
 * `.BTF` string table). CO-RE relocation records are read past but not interpreted here.
 * Pure and bounds-checked: counts are checked against the bytes before anything is allocated.
 */
import { BtfError } from "../../runtime/errors.js";
import { ByteReader, cString } from "../elf/bytes.js";
import { BTF_MAGIC, unpackLineCol, type FuncInfoRecord, type RawLineInfoRecord } from "../../runtime/btf-format.js";

export type { FuncInfoRecord };

/** One bpf_line_info, with its strings resolved for messages. */
export interface LineInfoRecord extends RawLineInfoRecord {
  readonly fileName: string;
  readonly lineText: string;
}

export interface BtfExt {
  /** Section name -> records sorted by insnOff. */
  readonly funcInfo: ReadonlyMap<string, readonly FuncInfoRecord[]>;
  readonly lineInfo: ReadonlyMap<string, readonly LineInfoRecord[]>;
  /** Record sizes as written (the kernel is told them; newer compilers may append fields). */
  readonly funcInfoRecSize: number;
  readonly lineInfoRecSize: number;
}

const EXT_HEADER_MIN = 24;
const FUNC_REC_MIN = 8;
const LINE_REC_MIN = 16;
/** A record size beyond this is a corrupt header, not a future extension. */
const REC_SIZE_MAX = 256;

/**
 * Parse `.BTF.ext` bytes; `strings` is the `.BTF` string section (names of sections, files
 * and source lines live there).
 */
export function parseBtfExt(bytes: Uint8Array, strings: Uint8Array, section = ".BTF.ext"): BtfExt {
  const fail = (off: number, msg: string): BtfError => new BtfError(section, off, msg);
  const r = new ByteReader(bytes, fail);
  if (bytes.length < EXT_HEADER_MIN) throw fail(0, `${bytes.length} bytes is smaller than a .BTF.ext header (${EXT_HEADER_MIN})`);
  const magic = r.u16(0);
  if (magic !== BTF_MAGIC) throw fail(0, `bad magic 0x${magic.toString(16)} (expected 0xeb9f)`);
  if (r.u8(2) !== 1) throw fail(2, `version ${r.u8(2)} is not supported (expected 1)`);
  const hdrLen = r.u32(4, "hdr_len");
  if (hdrLen < EXT_HEADER_MIN || hdrLen > bytes.length) throw fail(4, `hdr_len ${hdrLen} is out of range`);
  const strs = new ByteReader(strings, (off, msg) => fail(0, `string table offset ${off}: ${msg}`));
  // File names and line texts repeat across records: decode each string once.
  const seen = new Map<number, string>();
  const str = (off: number, what: string): string => {
    let v = seen.get(off);
    if (v === undefined) seen.set(off, (v = cString(strs, off, what)));
    return v;
  };

  const funcInfo = new Map<string, FuncInfoRecord[]>();
  const lineInfo = new Map<string, LineInfoRecord[]>();
  const funcRec = readInfo(r, hdrLen, r.u32(8), r.u32(12), "func_info", FUNC_REC_MIN, str, funcInfo, (v, o) => ({
    insnOff: v.getUint32(o, true), typeId: v.getUint32(o + 4, true),
  }));
  const lineRec = readInfo(r, hdrLen, r.u32(16), r.u32(20), "line_info", LINE_REC_MIN, str, lineInfo, (v, o) => {
    const fileNameOff = v.getUint32(o + 4, true);
    const lineOff = v.getUint32(o + 8, true);
    const lineCol = v.getUint32(o + 12, true);
    return {
      insnOff: v.getUint32(o, true), fileNameOff, lineOff, ...unpackLineCol(lineCol),
      fileName: str(fileNameOff, "line_info file name"), lineText: str(lineOff, "line_info line"),
    };
  });
  for (const list of funcInfo.values()) list.sort((a, b) => a.insnOff - b.insnOff);
  for (const list of lineInfo.values()) list.sort((a, b) => a.insnOff - b.insnOff);
  return { funcInfo, lineInfo, funcInfoRecSize: funcRec, lineInfoRecSize: lineRec };
}

/** One record at `offset` of the sub-section (already checked to lie inside it). */
type ReadRecord<T> = (view: DataView, offset: number) => T;

/** One info sub-section: `rec_size`, then per ELF section {name_off, num_info, records}. */
function readInfo<T>(
  r: ByteReader, hdrLen: number, off: number, len: number, what: string, minRec: number,
  str: (off: number, what: string) => string, out: Map<string, T[]>, read: ReadRecord<T>,
): number {
  if (len === 0) return minRec;
  const start = hdrLen + off;
  r.check(start, len, what);
  const sub = new ByteReader(r.bytes.subarray(start, start + len), (o, msg) => r.fail(start + o, `${what}: ${msg}`));
  if (len < 4) throw sub.fail(0, "too short for a record size");
  const recSize = sub.u32(0, "rec_size");
  if (recSize < minRec || recSize > REC_SIZE_MAX || recSize % 4 !== 0) throw sub.fail(0, `record size ${recSize} is out of range`);
  let o = 4;
  while (o < sub.length) {
    const name = str(sub.u32(o, "sec_name_off"), `${what} section name`);
    const n = sub.u32(o + 4, "num_info");
    o += 8;
    sub.check(o, n * recSize, `${n} ${what} records for section ${name}`);
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    for (let i = 0; i < n; i++, o += recSize) list.push(read(sub.view, o));
  }
  return recSize;
}
