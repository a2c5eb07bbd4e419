/**
 * Types of the BPF language and the conversion rules between them.
 *
 * Integers are sized (u8..u64, i8..i64) plus bool. Literals are "untyped" until context
 * gives them a type (like Go's untyped constants): `x + 1` takes x's type, and the literal
 * must fit. Implicit conversions only widen without changing meaning (u8 -> u32, u8 -> i16,
 * i8 -> i64); anything else needs `as`. Pointers are separate kinds, never integers.
 */
import { SCALARS, type ScalarName } from "../../runtime/types.js";
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import { ktypeC, type KComposite, type KType } from "../kernel/kernel-types.js";

/**
 * Where a struct pointer came from: the verifier treats them differently (a ring buffer
 * reservation must be submitted or discarded, and only the reserved pointer itself).
 */
export type PtrOrigin = "map" | "ringbuf" | "stack" | "field" | "ctx";

export type Type =
  | { readonly k: "scalar"; readonly name: ScalarName }
  /** An integer constant whose type is not fixed yet. */
  | { readonly k: "untyped" }
  /** A packet pointer (`ctx.data`, `data + n`): compares with `pkt_end`, feeds load_uN. */
  | { readonly k: "pkt" }
  /** The packet end pointer (`ctx.data_end`): only compared against. */
  | { readonly k: "pkt_end" }
  /** A map value pointer from `lookup`; nullable until checked. */
  | { readonly k: "ptr"; readonly to: ScalarName; readonly nullable: boolean }
  /** A pointer to a struct (`defstruct` layout): map values, ring buffer reservations,
   * stack structs, nested fields. Nullable until checked, like `ptr`. */
  | { readonly k: "sptr"; readonly layout: StructLayout; readonly nullable: boolean; readonly origin: PtrOrigin }
  /** A pointer to a fixed array inside a struct (`e.comm`): indexable, and a buffer
   * (pointer and size) for helpers such as get_current_comm. Never null. */
  | { readonly k: "aptr"; readonly elem: StructFieldType; readonly length: number; readonly char: boolean }
  /** A kernel address of a struct (`KernelStruct<"task_struct">`): fields read through
   * bpf_probe_read_kernel at CO-RE relocated offsets. `comp` is the layout compiled against
   * (an anonymous one has no name and is reachable only through its parent). `btf`: a BTF
   * pointer the verifier knows the type of (a tp_btf argument and what it leads to): fields
   * are read with direct loads instead of bpf_probe_read_kernel. */
  | { readonly k: "kptr"; readonly comp: KComposite; readonly btf?: true }
  /** A kernel address of an array inside a kernel struct (`task.comm`, `signal.rlim`): a source
   * for probe_read_kernel(_str), and indexable by a constant (`rlim[7]`), each element at a CO-RE
   * relocated offset. `length` 0 is a flexible array; `btf` as for `kptr`. */
  | { readonly k: "kbuf"; readonly elem: KType; readonly elemSize: number; readonly length: number; readonly char: boolean; readonly btf?: true }
  | { readonly k: "null" }
  | { readonly k: "void" }
  /** The type of an expression that already produced a diagnostic: accepted everywhere so
   * one mistake gives one message. */
  | { readonly k: "error" };

export const scalar = (name: ScalarName): Type => ({ k: "scalar", name });
export const UNTYPED: Type = { k: "untyped" };
export const VOID: Type = { k: "void" };
export const BOOL: Type = scalar("bool");
export const ERROR: Type = { k: "error" };

export function typeName(t: Type): string {
  switch (t.k) {
    case "scalar": return t.name;
    case "untyped": return "integer constant";
    case "pkt": return "packet pointer";
    case "pkt_end": return "packet end pointer";
    case "ptr": return t.nullable ? `Ptr<${t.to}> | null` : `Ptr<${t.to}>`;
    case "sptr": return t.nullable ? `${t.layout.name} | null` : t.layout.name;
    case "aptr": return `${t.char ? "char" : t.elem.kind === "scalar" ? t.elem.name : t.elem.kind === "struct" ? t.elem.name : "array"}[${t.length}]`;
    case "kptr": return t.comp.name ? `KernelStruct<"${t.comp.name}">` : `${t.comp.union ? "union" : "struct"} { ... } (kernel)`;
    case "kbuf": return `kernel ${t.char ? "char" : t.elem.k === "int" ? `u${t.elemSize * 8}` : ktypeC(t.elem)}[${t.length}]`;
    case "null": return "null";
    case "void": return "void";
    case "error": return "<error>";
  }
}

export function sizeOf(name: ScalarName): 1 | 2 | 4 | 8 {
  return SCALARS[name].size;
}

export function isSigned(name: ScalarName): boolean {
  return SCALARS[name].signed;
}

export function bitsOf(name: ScalarName): number {
  return name === "bool" ? 1 : SCALARS[name].size * 8;
}

function computeRange(name: ScalarName): readonly [bigint, bigint] {
  if (name === "bool") return [0n, 1n];
  const bits = BigInt(SCALARS[name].size * 8);
  return isSigned(name) ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** Ranges worked out once: type checks ask for them for nearly every constant. */
const RANGES = Object.fromEntries((Object.keys(SCALARS) as ScalarName[]).map((n) => [n, computeRange(n)])) as Readonly<Record<ScalarName, readonly [bigint, bigint]>>;

/** Inclusive value range of a scalar type. */
export function rangeOf(name: ScalarName): readonly [bigint, bigint] {
  return RANGES[name];
}

export function fits(value: bigint, name: ScalarName): boolean {
  const r = RANGES[name];
  return value >= r[0] && value <= r[1];
}

/** Wrap an integer to a scalar type's width (two's complement), as the machine would. */
export function wrap(value: bigint, name: ScalarName): bigint {
  if (name === "bool") return value !== 0n ? 1n : 0n;
  const bits = SCALARS[name].size * 8;
  return isSigned(name) ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}

/**
 * May a value of type `from` be used where `to` is expected without a cast? Only when every
 * value of `from` is a value of `to` (widening that keeps the meaning). bool is its own
 * world: no integer converts to it implicitly, and it converts to no integer.
 */
export function widensTo(from: ScalarName, to: ScalarName): boolean {
  if (from === to) return true;
  if (from === "bool" || to === "bool") return false;
  const f = RANGES[from], t = RANGES[to];
  return f[0] >= t[0] && f[1] <= t[1];
}

/** The type both operands of an arithmetic operator convert to, if any. */
export function commonType(a: ScalarName, b: ScalarName): ScalarName | undefined {
  if (widensTo(a, b)) return b;
  if (widensTo(b, a)) return a;
  return undefined;
}

/** Values of 64-bit types live in full registers; the rest use 32-bit ALU ops. */
export function widthOf(name: ScalarName): 32 | 64 {
  return sizeOf(name) === 8 ? 64 : 32;
}

/** Pointers that may be null until checked (map lookups, ring buffer reservations). */
export function isNullablePointer(t: Type): t is Extract<Type, { k: "ptr" | "sptr" }> {
  return t.k === "ptr" || t.k === "sptr";
}
