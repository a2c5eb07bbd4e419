/**
 * The BTF and `.BTF.ext` on-disk format facts that the compiler's writer and the loader's
 * reader must agree on (include/uapi/linux/btf.h, libbpf's btf_ext): one definition for both.
 */

export const BTF_MAGIC = 0xeb9f;

/** One bpf_func_info: the function starting at `insnOff` (bytes into its section) has FUNC `typeId`. */
export interface FuncInfoRecord {
  readonly insnOff: number;
  readonly typeId: number;
}

/** One bpf_line_info as stored: offsets into the `.BTF` string table, 1-based line and column. */
export interface RawLineInfoRecord {
  readonly insnOff: number;
  readonly fileNameOff: number;
  /** Offset of the source line's text. */
  readonly lineOff: number;
  readonly line: number;
  readonly col: number;
}

/** line_col packs the line above a 10-bit column. */
const COL_BITS = 10;
/** Widest column the field holds: wider ones saturate rather than corrupt the line. */
export const MAX_COL = (1 << COL_BITS) - 1;

export function packLineCol(line: number, col: number): number {
  return ((line << COL_BITS) | Math.min(col, MAX_COL)) >>> 0;
}

export function unpackLineCol(lineCol: number): { line: number; col: number } {
  return { line: lineCol >>> COL_BITS, col: lineCol & MAX_COL };
}
