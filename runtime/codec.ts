/**
 * Scalar codecs: encode and decode integers of a given size and signedness at an offset of
 * a DataView (little-endian, like every BPF target we run on). 64-bit values decode to
 * bigint and accept number or bigint; narrower ones are numbers. Out-of-range input is a
 * `CodecError`, never silent truncation.
 */
import { WhistlerError } from "./errors.js";
import type { ScalarType } from "./types.js";

export class CodecError extends WhistlerError {}

export type ScalarJs = number | bigint | boolean;

/** Encodes/decodes one value of a fixed size. */
export interface Codec<T, In = T> {
  readonly size: number;
  encode(view: DataView, offset: number, value: In): void;
  decode(view: DataView, offset: number): T;
}

function badValue(value: unknown, what: string): CodecError {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value === "string" ? JSON.stringify(value) : String(value);
  return new CodecError(`cannot encode ${shown} as ${what}`);
}

const LIMITS: Readonly<Record<number, readonly [number, number, number]>> = {
  // size: [signed min, signed max, unsigned max]
  1: [-0x80, 0x7f, 0xff],
  2: [-0x8000, 0x7fff, 0xffff],
  4: [-0x80000000, 0x7fffffff, 0xffffffff],
};

export function encodeScalar(view: DataView, offset: number, size: number, signed: boolean, value: number | bigint | boolean): void {
  if (size === 8) {
    let v: bigint;
    if (typeof value === "bigint") v = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
    else throw badValue(value, signed ? "i64" : "u64");
    if (signed ? BigInt.asIntN(64, v) !== v : BigInt.asUintN(64, v) !== v) throw badValue(value, signed ? "i64" : "u64");
    if (signed) view.setBigInt64(offset, v, true);
    else view.setBigUint64(offset, v, true);
    return;
  }
  const lim = LIMITS[size];
  if (lim === undefined) throw new CodecError(`no scalar codec for size ${size}`);
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "boolean") n = value ? 1 : 0;
  else if (typeof value === "bigint") n = Number(value);
  else throw badValue(value, `${signed ? "i" : "u"}${size * 8}`);
  if (!Number.isInteger(n) || (signed ? n < lim[0] || n > lim[1] : n < 0 || n > lim[2])) {
    throw badValue(value, `${signed ? "i" : "u"}${size * 8}`);
  }
  switch (size) {
    case 1: view.setUint8(offset, n & 0xff); break;
    case 2: view.setUint16(offset, n & 0xffff, true); break;
    default: view.setUint32(offset, n >>> 0, true); break;
  }
}

export function decodeScalar(view: DataView, offset: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? view.getInt8(offset) : view.getUint8(offset);
    case 2: return signed ? view.getInt16(offset, true) : view.getUint16(offset, true);
    case 4: return signed ? view.getInt32(offset, true) : view.getUint32(offset, true);
    case 8: return signed ? view.getBigInt64(offset, true) : view.getBigUint64(offset, true);
    default: throw new CodecError(`no scalar codec for size ${size}`);
  }
}

/** A codec for an integer of `size` bytes; `bool` decodes to boolean. */
export function intCodec(size: number, signed: boolean, isBool = false): Codec<ScalarJs> {
  if (isBool) {
    return {
      size,
      encode: (view, offset, value) => {
        if (typeof value !== "boolean") throw badValue(value, "bool");
        encodeScalar(view, offset, size, false, value ? 1 : 0);
      },
      decode: (view, offset) => {
        const v = decodeScalar(view, offset, size, false);
        return v !== 0 && v !== 0n;
      },
    };
  }
  // Specialised closures keep the hot path (u32 keys, u64 values) free of switches.
  if (size === 4 && !signed) {
    return {
      size,
      encode: (view, offset, value) => {
        if (typeof value === "number" && value >>> 0 === value) view.setUint32(offset, value, true);
        else encodeScalar(view, offset, 4, false, value);
      },
      decode: (view, offset) => view.getUint32(offset, true),
    };
  }
  if (size === 8 && !signed) {
    return {
      size,
      encode: (view, offset, value) => encodeScalar(view, offset, 8, false, value),
      decode: (view, offset) => view.getBigUint64(offset, true),
    };
  }
  if (LIMITS[size] === undefined && size !== 8) throw new CodecError(`no scalar codec for size ${size}`);
  return {
    size,
    encode: (view, offset, value) => encodeScalar(view, offset, size, signed, value),
    decode: (view, offset) => decodeScalar(view, offset, size, signed),
  };
}

/** The codec for a scalar type token (`u32`, `i64`, `bool`, ...). */
export function scalarCodec(t: ScalarType): Codec<ScalarJs> {
  return intCodec(t.size, t.signed, t.name === "bool");
}

/** Raw bytes of a fixed size: decode copies, encode requires the exact length. */
export function bytesCodec(size: number): Codec<Uint8Array> {
  return {
    size,
    encode: (view, offset, value) => {
      if (!(value instanceof Uint8Array) || value.length !== size) {
        throw new CodecError(`expected a Uint8Array of ${size} bytes, got ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}`);
      }
      new Uint8Array(view.buffer, view.byteOffset + offset, size).set(value);
    },
    decode: (view, offset) => new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + size)),
  };
}
