/**
 * The BTF and `.BTF.ext` on-disk format facts that the compiler's writer and the loader's
 * reader must agree on (include/uapi/linux/btf.h, libbpf's btf_ext): one definition for both.
 */

export const BTF_MAGIC = 0xeb9f;

/** Type kinds (BTF_KIND_*). */
export const BTF_KIND = {
  UNKN: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8,
  VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15,
  FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

/** INT encoding bits. */
export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

/** FUNC linkage (in the record's vlen bits). */
export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
/** A declaration defined elsewhere: the kernel, for kfuncs. */
export const BTF_FUNC_EXTERN = 2;

/** VAR linkage. */
export const BTF_VAR_GLOBAL_ALLOCATED = 1;
export const BTF_VAR_GLOBAL_EXTERN = 2;

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
