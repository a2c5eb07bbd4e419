/**
 * The compiler's contract with its callers (the tsc plugin, the CLI, the run-time fallback).
 *
 * A caller turns one `bpf` template into a `TemplateSource`: the template body with every
 * `${expr}` replaced by a same-length placeholder identifier (so offsets in `text` map 1:1
 * to the host file), and what each interpolation resolved to. `compileTemplate` returns
 * diagnostics at host-file offsets and, when there are no errors, the ELF object.
 */
import { SCALARS, type ScalarName } from "../runtime/types.js";
import type { MapKind } from "../runtime/map-decl.js";
import type { StructLayout } from "../runtime/struct/layout.js";

export interface MapSlotInfo {
  readonly kind: MapKind;
  /** The key's scalar type; with `keyStruct`, "u8" (ignore it and use the struct). */
  readonly key: ScalarName;
  /** The value's scalar type; with `valueStruct`, "u8" (ignore it and use the struct). */
  readonly value: ScalarName;
  readonly maxEntries: number;
  /** The definition's map_flags (BPF_F_*), when not 0: BPF_F_NO_PREALLOC for LPM tries, which the kernel requires. */
  readonly flags?: number;
  /** The definition's map_extra, when not 0: a bloom filter's number of hash functions. */
  readonly mapExtra?: number;
  /** The key's layout when the declaration's `key` is a `defstruct` class. */
  readonly keyStruct?: StructLayout;
  /** The value's layout when the declaration's `value` is a `defstruct` class. */
  readonly valueStruct?: StructLayout;
}

/** Byte size of a map's key (a struct's size, else its scalar's). */
export function mapKeySize(info: MapSlotInfo): number {
  return info.keyStruct?.size ?? SCALARS[info.key].size;
}

/** Byte size of a map's value (a struct's size, else its scalar's). */
export function mapValueSize(info: MapSlotInfo): number {
  return info.valueStruct?.size ?? SCALARS[info.value].size;
}

/** How a map's key or value type reads in messages: `u32` or `struct flow_key`. */
export function elemTypeName(info: MapSlotInfo, role: "key" | "value"): string {
  const s = role === "key" ? info.keyStruct : info.valueStruct;
  return s ? `struct ${s.name}` : info[role];
}

/** Where something is declared in the host program, for related information. */
export interface SourceLocation {
  readonly fileName: string;
  readonly start: number;
  readonly length: number;
}

export type SlotValue =
  /** A map declaration; `name` is its name in the object file. */
  | { readonly kind: "map"; readonly name: string; readonly map: MapSlotInfo; readonly declaredAt?: SourceLocation }
  /**
   * A struct declared with `defstruct` (its C layout: `name`, `size`, `align`, `packed`, and
   * `fields` with `offset`, `size` and `type`, nested structs recursively). Field access and
   * the object's BTF STRUCT record follow this layout exactly.
   */
  | StructSlotInfo
  /** A compile-time integer constant. */
  | { readonly kind: "int"; readonly value: bigint }
  /** Something the caller could not resolve; using it is an error with this reason. */
  | { readonly kind: "unresolved"; readonly reason: string };

export type StructSlotInfo = StructLayout & { readonly declaredAt?: SourceLocation };

export interface Slot {
  /** The placeholder identifier written into `text` in place of `${expr}` (same length). */
  readonly placeholder: string;
  /** Offset of the placeholder in `text`. */
  readonly start: number;
  readonly length: number;
  readonly value: SlotValue;
}

export interface TemplateSource {
  /** Host file name (for messages and, later, line info). */
  readonly fileName: string;
  /** Full text of the host file (for line/column); equals `text` when there is no host. */
  readonly hostText: string;
  /** Offset in `hostText` of the first character of the template body. */
  readonly start: number;
  /** Template body (raw text) with placeholders substituted. */
  readonly text: string;
  readonly slots: readonly Slot[];
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable code, e.g. "WBPF2001". */
  readonly code: string;
  readonly severity: Severity;
  /** Offset in the host file and length of the offending source. */
  readonly start: number;
  readonly length: number;
  /** What happened and what to do. */
  readonly message: string;
  readonly related?: readonly (SourceLocation & { readonly message: string })[];
}

export interface CompiledProgramInfo {
  /** Function name (symbol name in the ELF). */
  readonly name: string;
  /** ELF section, e.g. "tracepoint/syscalls/sys_enter_openat" or "xdp". */
  readonly section: string;
  /** Number of BPF instructions (8-byte units). */
  readonly insnCount: number;
}

/**
 * A module-level variable of the template: where it lives in the object. `.rodata` values
 * may be changed before load by writing `size` little-endian bytes at `offset` of the
 * `.rodata` section (the loader's array map for it); the kernel then sees them as constants.
 */
export interface GlobalVarInfo {
  readonly name: string;
  readonly section: ".rodata" | ".data" | ".bss";
  readonly offset: number;
  readonly size: number;
  readonly type: ScalarName;
  /** Initial value as compiled. */
  readonly init: bigint;
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Present when no diagnostic is an error. */
  readonly elf?: Uint8Array;
  readonly programs: readonly CompiledProgramInfo[];
  /** Map names in the object, in `.maps` order. */
  readonly maps: readonly string[];
  /** Global variables (present when compilation succeeded). */
  readonly globals?: readonly GlobalVarInfo[];
}

/** Numeric code for TypeScript's diagnostic `code` field: "WBPF2001" -> 92001. */
export function numericCode(code: string): number {
  return 90000 + Number(code.replace(/^WBPF/, ""));
}
