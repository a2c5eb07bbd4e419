/**
 * Struct layout by the C ABI rules BPF and x86-64/arm64 share: every field at the next
 * multiple of its alignment, the struct aligned to its widest member (or to `align`), its
 * size rounded up to that alignment (trailing padding). `packed` drops all padding. Pure:
 * the transformer computes the same layout at build time that `defstruct` computes at run time.
 */
import { WhistlerError } from "../errors.js";
import type { ScalarName, ScalarType } from "../types.js";

/** A field's type as the layout (and the compiler, through the template slot) sees it. */
export type StructFieldType =
  | { readonly kind: "scalar"; readonly name: ScalarName; readonly size: number; readonly align: number; readonly signed: boolean; readonly asNumber?: boolean }
  | { readonly kind: "char"; readonly length: number; readonly size: number; readonly align: 1 }
  | { readonly kind: "array"; readonly element: StructFieldType; readonly length: number; readonly size: number; readonly align: number }
  | StructLayout;

export interface StructFieldLayout {
  readonly name: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  readonly size: number;
  readonly type: StructFieldType;
}

export interface StructLayout {
  readonly kind: "struct";
  /** The C name (`struct <name>`). */
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly packed: boolean;
  readonly fields: readonly StructFieldLayout[];
}

export interface StructOptions {
  /** No padding anywhere: every field at the byte after the previous one, alignment 1. */
  readonly packed?: boolean;
  /** Minimum alignment of the struct (a power of two), like `__attribute__((aligned(N)))`. */
  readonly align?: number;
}

/** The type description of a field spec: what the layout needs, nothing of the codecs. */
export interface FieldTypeSource {
  readonly layoutType: StructFieldType;
}

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names a generated class (JS) or the generated C cannot use as field names. */
const RESERVED_FIELDS = new Set([
  "constructor", "prototype", "__proto__", "toObject", "toJSON",
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float",
  "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
  "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
]);

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Scalar token -> its layout type (alignment equals size on every BPF target). */
export function scalarFieldType(t: ScalarType, asNumber = false): StructFieldType {
  return { kind: "scalar", name: t.name, size: t.size, align: t.size, signed: t.signed, ...(asNumber ? { asNumber: true } : {}) };
}

export function charFieldType(length: number): StructFieldType {
  if (!Number.isInteger(length) || length <= 0 || length > 1 << 20) throw new StructError(`char(${length}): the length must be a positive integer up to ${1 << 20}`);
  return { kind: "char", length, size: length, align: 1 };
}

export function arrayFieldType(element: StructFieldType, length: number): StructFieldType {
  if (!Number.isInteger(length) || length <= 0 || length > 1 << 20) throw new StructError(`array(..., ${length}): the length must be a positive integer up to ${1 << 20}`);
  return { kind: "array", element, length, size: element.size * length, align: element.align };
}

/** A struct declaration is wrong (bad name, bad field, bad option). */
export class StructError extends WhistlerError {}

/** Lays out `fields` in declaration order. */
export function layoutStruct(name: string, fields: readonly (readonly [string, StructFieldType])[], opts: StructOptions = {}): StructLayout {
  if (!C_IDENT.test(name)) throw new StructError(`defstruct("${name}"): the name must be a C identifier (letters, digits, _)`);
  if (fields.length === 0) throw new StructError(`defstruct("${name}"): a struct needs at least one field`);
  if (opts.align !== undefined && (!isPow2(opts.align) || opts.align > 4096)) {
    throw new StructError(`defstruct("${name}"): align ${opts.align} is not a power of two up to 4096`);
  }
  const packed = opts.packed === true;
  const out: StructFieldLayout[] = [];
  const seen = new Set<string>();
  let offset = 0;
  let align = 1;
  for (const [fname, type] of fields) {
    if (!C_IDENT.test(fname) || fname.startsWith("$") || RESERVED_FIELDS.has(fname)) {
      throw new StructError(`defstruct("${name}"): field name "${fname}" cannot be used (it must be a C identifier and not a keyword of a generated language)`, {
        hint: "rename the field; generated C, Go, Rust and Python definitions use the same names",
      });
    }
    if (seen.has(fname)) throw new StructError(`defstruct("${name}"): field "${fname}" is declared twice`);
    seen.add(fname);
    const a = packed ? 1 : type.align;
    offset = alignUp(offset, a);
    out.push({ name: fname, offset, size: type.size, type });
    offset += type.size;
    align = Math.max(align, a);
  }
  if (opts.align !== undefined) {
    if (!packed && opts.align < align) {
      throw new StructError(`defstruct("${name}"): align ${opts.align} is below the natural alignment ${align}`, {
        hint: "use packed to lower the alignment, or drop the align option",
      });
    }
    align = Math.max(align, opts.align);
  }
  return { kind: "struct", name, size: alignUp(offset, align), align, packed, fields: out };
}

/** A C-like spelling of a field type, for messages and generated comments. */
export function describeFieldType(t: StructFieldType): string {
  switch (t.kind) {
    case "scalar": return t.name;
    case "char": return `char(${t.length})`;
    case "array": return `array(${describeFieldType(t.element)}, ${t.length})`;
    case "struct": return `struct ${t.name}`;
    default: { const never: never = t; return never; }
  }
}
