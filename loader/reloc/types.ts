/** What a linked program still needs from the kernel: references to patch once maps exist. */

/**
 * A ld_imm64 to patch at load time. `map`: the map's fd (BPF_PSEUDO_MAP_FD). `map_value`: the
 * address of byte `offset` of the map's value (BPF_PSEUDO_MAP_VALUE), how global data
 * (`.rodata`, `.data`, `.bss`) and kconfig externs (`.kconfig`) are reached.
 */
export type Relocation =
  | { readonly kind: "map"; readonly insn: number; readonly map: string }
  | { readonly kind: "map_value"; readonly insn: number; readonly map: string; readonly offset: number }
  /** A call of kernel function `name` (an extern symbol): imm becomes its BTF id at load time. */
  | { readonly kind: "kfunc"; readonly insn: number; readonly name: string };

/** A source position a line_info record gives for an instruction (of the linked program). */
export interface SourceLine {
  /** First instruction (linked program index) this line covers. */
  readonly insn: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The source line's text, as the compiler recorded it. */
  readonly text: string;
}

/** func_info and line_info of a linked program, encoded for BPF_PROG_LOAD. */
export interface DebugInfo {
  /** bpf_func_info records (insn_off in instructions, type_id), 8 bytes each. */
  readonly funcInfo: Uint8Array;
  /** bpf_line_info records (insn_off in instructions, file/line string offsets, line_col), 16 bytes each. */
  readonly lineInfo: Uint8Array;
  readonly funcInfoCount: number;
  readonly lineInfoCount: number;
}

export const FUNC_INFO_REC_SIZE = 8;
export const LINE_INFO_REC_SIZE = 16;
