/**
 * Scalar type tokens shared by BPF code and TypeScript code.
 *
 * `u32`, `u64`, ... are values (so they can be passed to `new HashMap({ key: u32 })`) whose
 * TypeScript types carry the scalar name, so map handles get precise key/value types.
 */

export type ScalarName = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "bool";

export interface ScalarType<N extends ScalarName = ScalarName> {
  readonly kind: "scalar";
  readonly name: N;
  /** Size in bytes. */
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
}

function scalar<N extends ScalarName>(name: N, size: 1 | 2 | 4 | 8, signed: boolean): ScalarType<N> {
  return Object.freeze({ kind: "scalar", name, size, signed });
}

export const u8 = scalar("u8", 1, false);
export const u16 = scalar("u16", 2, false);
export const u32 = scalar("u32", 4, false);
export const u64 = scalar("u64", 8, false);
export const i8 = scalar("i8", 1, true);
export const i16 = scalar("i16", 2, true);
export const i32 = scalar("i32", 4, true);
export const i64 = scalar("i64", 8, true);
export const bool = scalar("bool", 1, false);

export const SCALARS: Readonly<Record<ScalarName, ScalarType>> = { u8, u16, u32, u64, i8, i16, i32, i64, bool };

/** The TypeScript value a scalar decodes to: 64-bit integers are bigints, the rest numbers. */
export type JsValueOf<T> = T extends ScalarType<"u64" | "i64"> ? bigint : T extends ScalarType<"bool"> ? boolean : number;

/** What a caller may pass for a scalar: 64-bit integers also accept numbers. */
export type JsInputOf<T> = T extends ScalarType<"u64" | "i64"> ? bigint | number : JsValueOf<T>;

export function isScalarName(s: string): s is ScalarName {
  return Object.prototype.hasOwnProperty.call(SCALARS, s);
}
