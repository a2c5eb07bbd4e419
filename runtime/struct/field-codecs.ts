/**
 * Encoding and decoding one field of any layout type at an offset of a DataView. The
 * run-time struct class uses these for every field; the classes the transformer generates
 * inline scalars and strings and call these for the rest, so both behave the same.
 */
import { CodecError, decodeScalar, encodeScalar } from "../codec.js";
import type { StructFieldType, StructLayout } from "./layout.js";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const TWO_32 = 2 ** 32;

export type TypedArrayCtor =
  | Uint8ArrayConstructor | Int8ArrayConstructor | Uint16ArrayConstructor | Int16ArrayConstructor
  | Uint32ArrayConstructor | Int32ArrayConstructor | BigUint64ArrayConstructor | BigInt64ArrayConstructor;

/** The typed array an array of this element decodes to, or undefined (a plain array). */
export function typedArrayFor(t: StructFieldType): TypedArrayCtor | undefined {
  if (t.kind !== "scalar" || t.asNumber || t.name === "bool") return undefined;
  switch (t.name) {
    case "u8": return Uint8Array;
    case "i8": return Int8Array;
    case "u16": return Uint16Array;
    case "i16": return Int16Array;
    case "u32": return Uint32Array;
    case "i32": return Int32Array;
    case "u64": return BigUint64Array;
    case "i64": return BigInt64Array;
    default: return undefined;
  }
}

/** A 64-bit field declared to fit a JavaScript number: decoding a larger value fails. */
export function decodeSafe64(view: DataView, offset: number, signed: boolean): number {
  const lo = view.getUint32(offset, true);
  const hi = signed ? view.getInt32(offset + 4, true) : view.getUint32(offset + 4, true);
  if (hi > 0x1fffff || hi < -0x200000) {
    const v = signed ? view.getBigInt64(offset, true) : view.getBigUint64(offset, true);
    throw new CodecError(`value ${v} does not fit a JavaScript number safely (the field was declared asNumber)`);
  }
  return hi * TWO_32 + lo;
}

export function decodeChars(view: DataView, offset: number, length: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
  const end = bytes.indexOf(0);
  return utf8Decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** UTF-8 text, NUL-padded; text longer than the field is an error (a full field has no NUL). */
export function encodeChars(view: DataView, offset: number, length: number, value: unknown): void {
  if (typeof value !== "string") throw new CodecError(`expected a string for char(${length}), got ${typeof value}`);
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, length);
  const r = utf8.encodeInto(value, bytes);
  if (r.read < value.length) throw new CodecError(`string of ${utf8.encode(value).length} UTF-8 bytes does not fit char(${length})`);
  bytes.fill(0, r.written);
}

export function encodeBool(view: DataView, offset: number, value: unknown): void {
  if (typeof value !== "boolean") throw new CodecError(`expected a boolean, got ${typeof value === "bigint" ? `${value}n` : String(value)}`);
  view.setUint8(offset, value ? 1 : 0);
}

export function decodeField(t: StructFieldType, view: DataView, offset: number): unknown {
  switch (t.kind) {
    case "scalar":
      if (t.name === "bool") return view.getUint8(offset) !== 0;
      if (t.asNumber) return decodeSafe64(view, offset, t.signed);
      return decodeScalar(view, offset, t.size, t.signed);
    case "char":
      return decodeChars(view, offset, t.length);
    case "array": {
      const ctor = typedArrayFor(t.element);
      if (ctor) {
        const start = view.byteOffset + offset;
        return new ctor(view.buffer.slice(start, start + t.size) as ArrayBuffer);
      }
      const out: unknown[] = [];
      for (let i = 0; i < t.length; i++) out.push(decodeField(t.element, view, offset + i * t.element.size));
      return out;
    }
    case "struct":
      return decodeStruct(t, view, offset);
    default: { const never: never = t; return never; }
  }
}

export function decodeStruct(l: StructLayout, view: DataView, offset: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of l.fields) out[f.name] = decodeField(f.type, view, offset + f.offset);
  return out;
}

export function encodeField(t: StructFieldType, view: DataView, offset: number, value: unknown, where: string): void {
  try {
    switch (t.kind) {
      case "scalar":
        if (t.name === "bool") encodeBool(view, offset, value);
        else if (typeof value === "number" || typeof value === "bigint") encodeScalar(view, offset, t.size, t.signed, value);
        else throw new CodecError(`expected ${t.size === 8 ? "a bigint or number" : "a number"} for ${t.name}, got ${typeof value}`);
        return;
      case "char":
        encodeChars(view, offset, t.length, value);
        return;
      case "array": {
        if (value === null || typeof value !== "object" || typeof (value as ArrayLike<unknown>).length !== "number") {
          throw new CodecError(`expected an array of up to ${t.length} elements, got ${value === null ? "null" : typeof value}`);
        }
        const items = value as ArrayLike<unknown>;
        if (items.length > t.length) throw new CodecError(`${items.length} elements do not fit an array of ${t.length}`);
        // Elements not given are zero, like a C initializer.
        new Uint8Array(view.buffer, view.byteOffset + offset, t.size).fill(0);
        for (let i = 0; i < items.length; i++) encodeField(t.element, view, offset + i * t.element.size, items[i], `${where}[${i}]`);
        return;
      }
      case "struct":
        encodeStruct(t, view, offset, value, where);
        return;
      default: { const never: never = t; return never; }
    }
  } catch (e) {
    if (e instanceof CodecError && !e.message.startsWith("field ")) throw new CodecError(`field ${where}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Writes every field and zeroes the padding (hash map keys compare all bytes). */
export function encodeStruct(l: StructLayout, view: DataView, offset: number, value: unknown, where = l.name): void {
  if (value === null || typeof value !== "object") throw new CodecError(`expected an object for struct ${l.name}, got ${value === null ? "null" : typeof value}`);
  checkBounds(l, view, offset);
  new Uint8Array(view.buffer, view.byteOffset + offset, l.size).fill(0);
  const obj = value as Record<string, unknown>;
  for (const f of l.fields) {
    const v = obj[f.name];
    if (v === undefined) throw new CodecError(`field ${where}.${f.name}: missing (every field needs a value)`);
    encodeField(f.type, view, offset + f.offset, v, `${where}.${f.name}`);
  }
}

export function checkBounds(l: StructLayout, view: DataView, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + l.size > view.byteLength) {
    throw new CodecError(`struct ${l.name} (${l.size} bytes) at offset ${offset} does not fit a view of ${view.byteLength} bytes`);
  }
}
