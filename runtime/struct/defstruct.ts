/**
 * `defstruct(name, fields, opts?)`: one struct declaration shared by BPF code, TypeScript,
 * and the C/Go/Rust/Python definitions `whistler gen` writes.
 *
 * It returns a class. Its statics make it a `Codec` (`size`, `decode`, `encode`) usable for
 * map keys/values and ring buffer records; `offsetOf` and `layout` expose the C layout; an
 * instance is a zero-copy view over a DataView (getters and setters at fixed offsets).
 * The transformer replaces the call with `defstruct.compiled(...)`, the same class with the
 * offsets written into its accessors; without the transformer this module builds it here.
 */
import { CodecError } from "../codec.js";
import { SCALARS, type ScalarType } from "../types.js";
import {
  arrayFieldType, charFieldType, layoutStruct, scalarFieldType, StructError,
  type StructFieldType, type StructLayout, type StructOptions,
} from "./layout.js";
import {
  checkBounds, decodeChars, decodeField, decodeSafe64, decodeStruct, encodeBool, encodeChars, encodeField,
  encodeStruct, typedArrayFor,
} from "./field-codecs.js";

/** `char(N)`: a NUL-padded string of N bytes. */
export interface CharSpec<N extends number = number> {
  readonly kind: "char";
  readonly length: N;
  readonly layoutType: StructFieldType;
}

/** `array(T, N)`: N elements of T. */
export interface ArraySpec<E extends FieldSpec = FieldSpec, N extends number = number> {
  readonly kind: "array";
  readonly element: E;
  readonly length: N;
  readonly layoutType: StructFieldType;
}

/** `asNumber(u64)`: a 64-bit field read as a number; a value beyond 2^53 fails to decode. */
export interface NumberSpec<S extends ScalarType<"u64" | "i64"> = ScalarType<"u64" | "i64">> {
  readonly kind: "number";
  readonly scalar: S;
  readonly layoutType: StructFieldType;
}

export type FieldSpec = ScalarType | CharSpec | ArraySpec | NumberSpec | StructClass;
export type Fields = { readonly [name: string]: FieldSpec };

export function char<N extends number>(length: N): CharSpec<N> {
  return Object.freeze({ kind: "char", length, layoutType: charFieldType(length) });
}

export function array<E extends FieldSpec, N extends number>(element: E, length: N): ArraySpec<E, N> {
  return Object.freeze({ kind: "array", element, length, layoutType: arrayFieldType(layoutTypeOf(element, "array element"), length) });
}

export function asNumber<S extends ScalarType<"u64" | "i64">>(scalar: S): NumberSpec<S> {
  if (scalar !== SCALARS.u64 && scalar !== SCALARS.i64) throw new StructError(`asNumber() takes u64 or i64`);
  return Object.freeze({ kind: "number", scalar, layoutType: scalarFieldType(scalar, true) });
}

type TypedArrayOf<E> =
  E extends ScalarType<"u8"> ? Uint8Array : E extends ScalarType<"i8"> ? Int8Array :
  E extends ScalarType<"u16"> ? Uint16Array : E extends ScalarType<"i16"> ? Int16Array :
  E extends ScalarType<"u32"> ? Uint32Array : E extends ScalarType<"i32"> ? Int32Array :
  E extends ScalarType<"u64"> ? BigUint64Array : E extends ScalarType<"i64"> ? BigInt64Array :
  FieldValue<E>[];

/** The TypeScript value a field decodes to. */
export type FieldValue<F> =
  F extends NumberSpec ? number :
  F extends ScalarType<"u64" | "i64"> ? bigint :
  F extends ScalarType<"bool"> ? boolean :
  F extends ScalarType ? number :
  F extends CharSpec ? string :
  F extends ArraySpec<infer E> ? TypedArrayOf<E> :
  F extends StructClass<infer S> ? StructValue<S> :
  never;

/** What a field accepts when encoding (64-bit integers also take numbers, arrays any array-like). */
export type FieldInput<F> =
  F extends NumberSpec ? number | bigint :
  F extends ScalarType<"u64" | "i64"> ? bigint | number :
  F extends ScalarType<"bool"> ? boolean :
  F extends ScalarType ? number :
  F extends CharSpec ? string :
  F extends ArraySpec<infer E> ? ArrayLike<FieldInput<E>> :
  F extends StructClass<infer S> ? StructInput<S> :
  never;

export type StructValue<S extends Fields> = { -readonly [K in keyof S]: FieldValue<S[K]> };
export type StructInput<S extends Fields> = { readonly [K in keyof S]: FieldInput<S[K]> };

/** A zero-copy view: nested structs are views too; arrays are typed arrays over the same bytes when aligned. */
export type StructView<S extends Fields> = {
  -readonly [K in keyof S]: S[K] extends StructClass<infer N> ? StructView<N> : FieldValue<S[K]>;
} & StructViewBase<S>;

export interface StructViewBase<S extends Fields> {
  /** The bytes this view reads and writes. */
  readonly $view: DataView;
  readonly $offset: number;
  /** A decoded copy of every field. */
  toObject(): StructValue<S>;
  toJSON(): StructValue<S>;
}

export interface StructClass<S extends Fields = Fields> {
  /** A view over `view` at `offset`; without arguments, over fresh zeroed bytes. */
  new (view?: DataView, offset?: number): StructView<S>;
  readonly kind: "struct";
  readonly structName: string;
  readonly size: number;
  readonly align: number;
  readonly layout: StructLayout;
  readonly layoutType: StructLayout;
  readonly fields: S;
  offsetOf(field: keyof S & string): number;
  decode(view: DataView, offset?: number): StructValue<S>;
  encode(view: DataView, offset: number, value: StructInput<S>): void;
  /** A zero-copy view (the same as `new`). */
  view(view: DataView, offset?: number): StructView<S>;
  /** A view over fresh bytes holding `value`. */
  from(value: StructInput<S>): StructView<S>;
  /** `value` encoded into fresh bytes. */
  bytes(value: StructInput<S>): Uint8Array;
}

const STRUCT_BRAND: unique symbol = Symbol.for("whistler-ts.struct");

export function isStructClass(v: unknown): v is StructClass {
  return typeof v === "function" && (v as unknown as Record<symbol, unknown>)[STRUCT_BRAND] === true;
}

function layoutTypeOf(spec: unknown, where: string): StructFieldType {
  if (spec !== null && (typeof spec === "object" || typeof spec === "function")) {
    const s = spec as { kind?: unknown; name?: unknown; layoutType?: StructFieldType };
    if (s.kind === "scalar" && typeof s.name === "string" && SCALARS[s.name as keyof typeof SCALARS] === spec) return scalarFieldType(spec as ScalarType);
    if (s.layoutType && (s.kind === "char" || s.kind === "array" || s.kind === "number" || isStructClass(spec))) return s.layoutType;
  }
  throw new StructError(`${where}: ${String(spec)} is not a field type`, {
    hint: "use u8..u64, i8..i64, bool, char(N), array(T, N), asNumber(u64) or another defstruct",
  });
}

/** Everything a struct class has apart from its field accessors and codec. */
export function structBase<S extends Fields>(layout: StructLayout, fields: S): new (view?: DataView, offset?: number) => StructViewBase<S> {
  const offsets = new Map(layout.fields.map((f) => [f.name, f.offset]));
  class Struct {
    static readonly kind = "struct";
    static readonly structName = layout.name;
    static readonly size = layout.size;
    static readonly align = layout.align;
    static readonly layout = layout;
    static readonly layoutType = layout;
    static readonly fields = fields;
    static readonly [STRUCT_BRAND] = true;
    readonly $view: DataView;
    readonly $offset: number;
    constructor(view?: DataView, offset = 0) {
      const v = view ?? new DataView(new ArrayBuffer(layout.size));
      checkBounds(layout, v, offset);
      this.$view = v;
      this.$offset = offset;
    }
    static offsetOf(field: string): number {
      const o = offsets.get(field);
      if (o === undefined) throw new StructError(`struct ${layout.name} has no field "${field}" (fields: ${[...offsets.keys()].join(", ")})`);
      return o;
    }
    static view<T>(this: new (view?: DataView, offset?: number) => T, view: DataView, offset = 0): T {
      return new this(view, offset);
    }
    static from<T>(this: (new (view?: DataView, offset?: number) => T) & { encode(v: DataView, o: number, value: unknown): void }, value: unknown): T {
      const v = new DataView(new ArrayBuffer(layout.size));
      this.encode(v, 0, value);
      return new this(v, 0);
    }
    static bytes(this: { encode(v: DataView, o: number, value: unknown): void }, value: unknown): Uint8Array {
      const out = new Uint8Array(layout.size);
      this.encode(new DataView(out.buffer), 0, value);
      return out;
    }
    toObject(): StructValue<S> {
      const cls = this.constructor as unknown as { decode(v: DataView, o: number): StructValue<S> };
      return cls.decode(this.$view, this.$offset);
    }
    toJSON(): StructValue<S> {
      return this.toObject();
    }
  }
  Object.defineProperty(Struct, "name", { value: layout.name });
  return Struct as unknown as new (view?: DataView, offset?: number) => StructViewBase<S>;
}

/** Helpers the generated classes call (kept stable: compiled code depends on them). */
export const structHelpers = Object.freeze({
  decodeField, encodeField, decodeStruct, encodeStruct, decodeChars, encodeChars, encodeBool, decodeSafe64, checkBounds,
  viewField, CodecError,
});

/** The view-side value of a non-scalar field: nested views, typed arrays over the same bytes when aligned. */
function viewField(spec: FieldSpec, t: StructFieldType, view: DataView, offset: number): unknown {
  if (isStructClass(spec)) return spec.view(view, offset);
  if (t.kind === "array") {
    const ctor = typedArrayFor(t.element);
    const start = view.byteOffset + offset;
    if (ctor && start % ctor.BYTES_PER_ELEMENT === 0) return new ctor(view.buffer as ArrayBuffer, start, t.length);
  }
  return decodeField(t, view, offset);
}

function fieldEntries(name: string, fields: Fields): [string, StructFieldType][] {
  if (fields === null || typeof fields !== "object") throw new StructError(`defstruct("${name}"): the fields must be an object literal`);
  return Object.entries(fields).map(([k, spec]) => [k, layoutTypeOf(spec, `defstruct("${name}") field "${k}"`)]);
}

function defineAccessors(cls: { prototype: object }, layout: StructLayout, fields: Fields): void {
  for (const f of layout.fields) {
    const spec = fields[f.name]!;
    const t = f.type;
    const simple = t.kind === "scalar" || t.kind === "char";
    Object.defineProperty(cls.prototype, f.name, {
      // As a class body's accessors are: the generated classes must behave the same.
      enumerable: false,
      configurable: true,
      get(this: StructViewBase<Fields>) {
        const at = this.$offset + f.offset;
        return simple ? decodeField(t, this.$view, at) : viewField(spec, t, this.$view, at);
      },
      set(this: StructViewBase<Fields>, value: unknown) {
        encodeField(t, this.$view, this.$offset + f.offset, value, `${layout.name}.${f.name}`);
      },
    });
  }
}

type Generated<S extends Fields> = (base: new (view?: DataView, offset?: number) => StructViewBase<S>, h: typeof structHelpers) => unknown;

export interface Defstruct {
  <const S extends Fields>(name: string, fields: S, opts?: StructOptions): StructClass<S>;
  /** Target of the transformer's rewrite: `offsets` are the build-time layout, checked here. */
  compiled<const S extends Fields>(name: string, fields: S, opts: StructOptions | undefined, offsets: readonly number[], generate: Generated<S>): StructClass<S>;
}

function build<S extends Fields>(name: string, fields: S, opts?: StructOptions): StructClass<S> {
  const layout = layoutStruct(name, fieldEntries(name, fields), opts ?? {});
  const Base = structBase(layout, fields);
  class Struct extends Base {
    static decode(view: DataView, offset = 0): StructValue<S> {
      checkBounds(layout, view, offset);
      return decodeStruct(layout, view, offset) as StructValue<S>;
    }
    static encode(view: DataView, offset: number, value: StructInput<S>): void {
      encodeStruct(layout, view, offset, value);
    }
  }
  Object.defineProperty(Struct, "name", { value: name });
  defineAccessors(Struct, layout, fields);
  return Struct as unknown as StructClass<S>;
}

function compiled<S extends Fields>(name: string, fields: S, opts: StructOptions | undefined, offsets: readonly number[], generate: Generated<S>): StructClass<S> {
  const layout = layoutStruct(name, fieldEntries(name, fields), opts ?? {});
  if (offsets.length !== layout.fields.length + 1 || layout.fields.some((f, i) => f.offset !== offsets[i]) || offsets[offsets.length - 1] !== layout.size) {
    throw new StructError(`struct ${name}: the layout compiled at build time (${offsets.join(", ")}) differs from the declaration's (${layout.fields.map((f) => f.offset).join(", ")}, size ${layout.size})`, {
      hint: "rebuild: a struct this one nests changed after this file was compiled",
    });
  }
  const cls = generate(structBase(layout, fields), structHelpers) as StructClass<S>;
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const defstruct: Defstruct = Object.assign(build, { compiled }) as Defstruct;
