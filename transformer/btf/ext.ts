/**
 * `.BTF.ext` encoder: func_info and line_info records per code section, in the layout
 * clang writes and libbpf reads (tools/lib/bpf/libbpf_internal.h `btf_ext_header`):
 *
 *   header (32 bytes: magic, version, flags, hdr_len, then offset/length pairs for
 *   func_info, line_info and CO-RE relocations, offsets relative to the header's end)
 *   func_info: u32 rec_size (8), then per section { name_off, count, {insn_off, type_id}* }
 *   line_info: u32 rec_size (16), then per section
 *              { name_off, count, {insn_off, file_name_off, line_off, line << 10 | col}* }
 *
 *   core_relo: u32 rec_size (16), then per section
 *              { name_off, count, {insn_off, type_id, access_str_off, kind}* }
 *
 * `insn_off` is a byte offset in the ELF section (libbpf turns it into an instruction
 * index per program). Names and source text are offsets into the `.BTF` string table.
 */
import type { CoreReloRecord } from "./core.js";
import { BTF_MAGIC, packLineCol, type FuncInfoRecord, type RawLineInfoRecord as LineInfoRecord } from "../../runtime/btf-format.js";

export type { FuncInfoRecord, LineInfoRecord };

export interface ExtSection {
  /** Offset of the section name in the `.BTF` string table. */
  readonly nameOff: number;
  readonly funcs: readonly FuncInfoRecord[];
  readonly lines: readonly LineInfoRecord[];
  /** CO-RE relocations (kernel struct accesses) of the section's instructions. */
  readonly cores?: readonly CoreReloRecord[];
}

const HEADER_LEN = 32;
const FUNC_REC = 8;
const LINE_REC = 16;
const CORE_REC = 16;

export function encodeBtfExt(sections: readonly ExtSection[]): Uint8Array {
  // libbpf rejects a section entry with no records, so empty ones are left out.
  const withFuncs = sections.filter((s) => s.funcs.length > 0);
  const withLines = sections.filter((s) => s.lines.length > 0);
  const funcLen = 4 + withFuncs.reduce((n, s) => n + 8 + s.funcs.length * FUNC_REC, 0);
  const lineLen = 4 + withLines.reduce((n, s) => n + 8 + s.lines.length * LINE_REC, 0);
  const withCores = sections.filter((s) => (s.cores?.length ?? 0) > 0);
  const coreLen = withCores.length ? 4 + withCores.reduce((n, s) => n + 8 + s.cores!.length * CORE_REC, 0) : 0;
  const out = new Uint8Array(HEADER_LEN + funcLen + lineLen + coreLen);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  dv.setUint8(2, 1);
  dv.setUint8(3, 0);
  dv.setUint32(4, HEADER_LEN, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, funcLen, true);
  dv.setUint32(16, funcLen, true);
  dv.setUint32(20, lineLen, true);
  dv.setUint32(24, funcLen + lineLen, true);
  dv.setUint32(28, coreLen, true);
  let p = HEADER_LEN;
  const u32 = (v: number) => {
    dv.setUint32(p, v >>> 0, true);
    p += 4;
  };
  u32(FUNC_REC);
  for (const s of withFuncs) {
    u32(s.nameOff);
    u32(s.funcs.length);
    for (const f of s.funcs) {
      u32(f.insnOff);
      u32(f.typeId);
    }
  }
  u32(LINE_REC);
  for (const s of withLines) {
    u32(s.nameOff);
    u32(s.lines.length);
    for (const l of s.lines) {
      u32(l.insnOff);
      u32(l.fileNameOff);
      u32(l.lineOff);
      u32(packLineCol(l.line, l.col));
    }
  }
  if (coreLen) {
    u32(CORE_REC);
    for (const s of withCores) {
      u32(s.nameOff);
      u32(s.cores!.length);
      for (const c of s.cores!) {
        u32(c.insnOff);
        u32(c.typeId);
        u32(c.accessOff);
        u32(c.kind);
      }
    }
  }
  return out;
}
