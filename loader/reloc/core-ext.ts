/**
 * CO-RE relocation records of `.BTF.ext` (bpf_core_relo: insn_off, type_id, access_str_off,
 * kind), per ELF section. The header's core_relo_off/len follow func_info and line_info
 * (hdr_len >= 32). Pure and bounds-checked.
 */
import { BtfError } from "../../runtime/errors.js";
import { ByteReader, cString } from "../elf/bytes.js";

export interface CoreRelo {
  /** Byte offset of the instruction in its ELF section. */
  readonly insnOff: number;
  /** Root type in the object's BTF. */
  readonly typeId: number;
  /** "0:1:2": array index on the root, then member/array indices. */
  readonly access: string;
  readonly kind: number;
}

const CORE_RELO_SIZE = 16;

/** Section name -> CO-RE records; empty when the object has none. */
export function parseCoreRelos(ext: Uint8Array, strings: Uint8Array, section = ".BTF.ext"): Map<string, CoreRelo[]> {
  const fail = (off: number, msg: string): BtfError => new BtfError(section, off, msg);
  const r = new ByteReader(ext, fail);
  const out = new Map<string, CoreRelo[]>();
  if (ext.length < 24) throw fail(0, "too short for a .BTF.ext header");
  const hdrLen = r.u32(4, "hdr_len");
  if (hdrLen < 32) return out;
  const off = r.u32(24, "core_relo_off");
  const len = r.u32(28, "core_relo_len");
  if (len === 0) return out;
  const start = hdrLen + off;
  r.check(start, len, "core_relo");
  const strs = new ByteReader(strings, (o, msg) => fail(0, `string table offset ${o}: ${msg}`));
  const recSize = r.u32(start, "core_relo rec_size");
  if (recSize < CORE_RELO_SIZE || recSize % 4 !== 0 || recSize > 256) throw fail(start, `core_relo record size ${recSize} is out of range`);
  let o = start + 4;
  while (o < start + len) {
    const name = cString(strs, r.u32(o, "sec_name_off"), "core_relo section name");
    const n = r.u32(o + 4, "num_info");
    o += 8;
    r.check(o, n * recSize, `${n} core_relo records for section ${name}`);
    const list = out.get(name) ?? [];
    for (let i = 0; i < n; i++, o += recSize) {
      list.push({ insnOff: r.u32(o), typeId: r.u32(o + 4), access: cString(strs, r.u32(o + 8), "core_relo access string"), kind: r.u32(o + 12) });
    }
    out.set(name, list);
  }
  return out;
}
