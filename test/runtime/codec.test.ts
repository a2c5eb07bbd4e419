import { describe, expect, test } from "@jest/globals";
import { bytesCodec, CodecError, decodeScalar, encodeScalar, intCodec, scalarCodec } from "../../runtime/codec.js";
import { bool, i16, i32, i64, i8, u16, u32, u64, u8 } from "../../runtime/types.js";

function roundTrip(t: Parameters<typeof scalarCodec>[0], v: number | bigint | boolean): unknown {
  const view = new DataView(new ArrayBuffer(16));
  const c = scalarCodec(t);
  c.encode(view, 3, v);
  return c.decode(view, 3);
}

describe("scalar codecs", () => {
  test("round-trip every scalar at its limits", () => {
    expect(roundTrip(u8, 255)).toBe(255);
    expect(roundTrip(i8, -128)).toBe(-128);
    expect(roundTrip(u16, 65535)).toBe(65535);
    expect(roundTrip(i16, -32768)).toBe(-32768);
    expect(roundTrip(u32, 0xffffffff)).toBe(0xffffffff);
    expect(roundTrip(i32, -0x80000000)).toBe(-0x80000000);
    expect(roundTrip(u64, 2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(roundTrip(i64, -(2n ** 63n))).toBe(-(2n ** 63n));
    expect(roundTrip(bool, true)).toBe(true);
    expect(roundTrip(bool, false)).toBe(false);
  });

  test("64-bit codecs accept numbers and decode to bigint", () => {
    expect(roundTrip(u64, 42)).toBe(42n);
    expect(roundTrip(i64, -1)).toBe(-1n);
  });

  test("little-endian layout", () => {
    const view = new DataView(new ArrayBuffer(8));
    encodeScalar(view, 0, 4, false, 0x01020304);
    expect([...new Uint8Array(view.buffer, 0, 4)]).toEqual([4, 3, 2, 1]);
    expect(decodeScalar(view, 0, 2, false)).toBe(0x0304);
  });

  test("out-of-range and wrong-typed input is a CodecError, not truncation", () => {
    const view = new DataView(new ArrayBuffer(8));
    const bad: [number, boolean, number | bigint][] = [
      [1, false, 256], [1, false, -1], [1, true, 128], [2, false, 1.5], [4, false, 2 ** 32], [4, true, 2 ** 31],
      [8, false, -1n], [8, false, 2n ** 64n], [8, true, 2n ** 63n], [8, false, 2 ** 60], [4, false, NaN],
    ];
    for (const [size, signed, v] of bad) expect(() => encodeScalar(view, 0, size, signed, v)).toThrow(CodecError);
    expect(() => intCodec(4, false).encode(view, 0, -5)).toThrow(/cannot encode -5 as u32/);
    expect(() => scalarCodec(bool).encode(view, 0, 1)).toThrow(CodecError);
    expect(() => intCodec(3, false)).toThrow(CodecError);
  });

  test("bytes codec copies and checks length", () => {
    const view = new DataView(new ArrayBuffer(8));
    const c = bytesCodec(4);
    c.encode(view, 2, new Uint8Array([1, 2, 3, 4]));
    const out = c.decode(view, 2);
    expect([...out]).toEqual([1, 2, 3, 4]);
    view.setUint8(2, 9);
    expect(out[0]).toBe(1);
    expect(() => c.encode(view, 0, new Uint8Array(3))).toThrow(/4 bytes, got 3 bytes/);
  });
});
