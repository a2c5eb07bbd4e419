import { describe, expect, test } from "@jest/globals";
import { defstruct, char, array, asNumber, u8, u16, u32, u64, i64, StructError } from "../../index.js";
import { CodecError, type Codec } from "../../runtime/codec.js";
import * as corpus from "./corpus.js";

type Layoutish = { layout: { size: number; align: number; fields: readonly { name: string; offset: number }[] } };
const shape = (c: Layoutish) => ({
  size: c.layout.size, align: c.layout.align, offsets: Object.fromEntries(c.layout.fields.map((f) => [f.name, f.offset])),
});

describe("defstruct layout (C ABI)", () => {
  test.each([
    ["Mixed", corpus.Mixed, 32, 8, { a: 0, b: 8, c: 16, d: 20, e: 24 }],
    ["Tail", corpus.Tail, 16, 8, { x: 0, y: 8 }],
    ["Chars", corpus.Chars, 32, 4, { tag: 0, comm: 1, pid: 20, name: 24 }],
    ["Arrays", corpus.Arrays, 48, 8, { n: 0, vals: 4, big: 16, flags: 32, small: 36 }],
    ["Outer", corpus.Outer, 64, 8, { tag: 0, inner: 8, pair: 24, last: 56 }],
    ["Packed", corpus.Packed, 15, 1, { a: 0, b: 1, c: 9, d: 11 }],
    ["Aligned", corpus.Aligned, 16, 16, { a: 0, b: 4 }],
    ["HoldsAligned", corpus.HoldsAligned, 48, 16, { pre: 0, inner: 16, post: 32 }],
    ["HoldsPacked", corpus.HoldsPacked, 20, 4, { pre: 0, p: 1, post: 16 }],
    ["PackedAligned", corpus.PackedAligned, 8, 8, { a: 0, b: 1 }],
    ["Signed", corpus.Signed, 40, 8, { a: 0, b: 2, c: 4, d: 8, e: 16, f: 24, g: 32 }],
    ["Grid", corpus.Grid, 20, 2, { cells: 0, names: 12 }],
    ["OpenEvent", corpus.OpenEvent, 296, 8, { pid: 0, uid: 4, ts: 8, flags: 16, comm: 20, filename: 36 }],
  ] as const)("%s", (_n, cls, size, align, offsets) => {
    expect(shape(cls)).toEqual({ size, align, offsets });
    expect(cls.size).toBe(size);
    for (const [f, o] of Object.entries(offsets)) expect(cls.offsetOf(f as never)).toBe(o);
  });

  test("bad declarations are StructErrors that say what to do", () => {
    expect(() => defstruct("bad name", { a: u8 })).toThrow(StructError);
    expect(() => defstruct("empty", {})).toThrow(/at least one field/);
    expect(() => defstruct("s", { a: u8 }, { align: 3 })).toThrow(/power of two/);
    expect(() => defstruct("s", { a: u64 }, { align: 4 })).toThrow(/below the natural alignment 8/);
    expect(() => defstruct("s", { int: u8 })).toThrow(/cannot be used/);
    expect(() => defstruct("s", { a: 42 as unknown as typeof u8 })).toThrow(/not a field type/);
    expect(() => char(0)).toThrow(StructError);
    expect(() => array(u8, -1)).toThrow(StructError);
    expect(() => asNumber(u32 as never)).toThrow(/u64 or i64/);
    expect(() => corpus.Mixed.offsetOf("nope" as never)).toThrow(/no field "nope" \(fields: a, b, c, d, e\)/);
  });
});

describe("defstruct codec", () => {
  test("round-trips every field kind, zeroing padding", () => {
    const view = new DataView(new ArrayBuffer(corpus.Arrays.size + 8));
    new Uint8Array(view.buffer).fill(0xee);
    const v = { n: 7, vals: [1, 2, 0xffffffff], big: [-1n, 5], flags: [true, false, true], small: new Int16Array([-1, 2, -3]) };
    corpus.Arrays.encode(view, 4, v);
    const bytes = new Uint8Array(view.buffer, 4, corpus.Arrays.size);
    expect(bytes[1]).toBe(0); // padding between n and vals
    expect(bytes[46]).toBe(0); // trailing padding
    const back = corpus.Arrays.decode(view, 4);
    expect(back.vals).toEqual(new Uint32Array([1, 2, 0xffffffff]));
    expect(back.big).toEqual(new BigInt64Array([-1n, 5n]));
    expect(back.flags).toEqual([true, false, true]);
    expect(back.small).toEqual(new Int16Array([-1, 2, -3, 0, 0]));
    expect(back.n).toBe(7);
  });

  test("char(N): NUL-terminated UTF-8, full fields without NUL, overflow is an error", () => {
    const c = corpus.Chars;
    const b = c.bytes({ tag: 1, comm: "bash", pid: 42, name: "héllo".slice(0, 4) });
    expect(c.decode(new DataView(b.buffer)).comm).toBe("bash");
    const full = c.decode(new DataView(c.bytes({ tag: 1, comm: "0123456789abcdef", pid: 1, name: "abcde" }).buffer));
    expect(full.comm).toBe("0123456789abcdef");
    expect(full.name).toBe("abcde");
    expect(() => c.bytes({ tag: 1, comm: "x".repeat(17), pid: 1, name: "" })).toThrow(/field chars.comm: string of 17 UTF-8 bytes does not fit char\(16\)/);
  });

  test("nested structs and arrays of structs", () => {
    const o = corpus.Outer;
    const value = { tag: 1, inner: { lo: 2, hi: 3n }, pair: [{ lo: 4, hi: 5n }, { lo: 6, hi: 2n ** 64n - 1n }], last: -1 };
    expect(o.decode(new DataView(o.bytes(value).buffer))).toEqual(value);
  });

  test("bad values name the field", () => {
    const enc = (v: unknown) => corpus.Outer.bytes(v as never);
    expect(() => enc({ tag: 256, inner: { lo: 0, hi: 0n }, pair: [], last: 0 })).toThrow(/field outer.tag: cannot encode 256 as u8/);
    expect(() => enc({ tag: 1, inner: { lo: 0 }, pair: [], last: 0 })).toThrow(/field outer.inner.hi: missing/);
    expect(() => enc({ tag: 1, inner: { lo: 0, hi: 0n }, pair: [{ lo: 1, hi: 1n }, { lo: -1, hi: 0n }], last: 0 })).toThrow(/outer.pair\[1\].lo: cannot encode -1/);
    expect(() => enc({ tag: 1, inner: { lo: 0, hi: 0n }, pair: [1, 2, 3], last: 0 })).toThrow(/3 elements do not fit an array of 2/);
    expect(() => corpus.Outer.decode(new DataView(new ArrayBuffer(10)))).toThrow(CodecError);
  });

  test("asNumber decodes to number and refuses values past 2^53", () => {
    const s = corpus.Signed;
    const b = s.bytes({ a: -1, b: -2, c: -3, d: -4n, e: true, f: 2 ** 53 - 1, g: -(2 ** 53 - 1) });
    const v = s.decode(new DataView(b.buffer));
    expect(v).toEqual({ a: -1, b: -2, c: -3, d: -4n, e: true, f: 2 ** 53 - 1, g: -(2 ** 53 - 1) });
    new DataView(b.buffer).setBigUint64(24, 2n ** 60n, true);
    expect(() => s.decode(new DataView(b.buffer))).toThrow(/does not fit a JavaScript number/);
  });

  test("a struct class is a Codec (map keys and values, ring buffer records)", () => {
    const codec: Codec<{ a: number; b: bigint }, { a: number; b: bigint | number }> = defstruct("kv", { a: u32, b: u64 });
    const view = new DataView(new ArrayBuffer(16));
    codec.encode(view, 0, { a: 1, b: 2 });
    expect(codec.decode(view, 0)).toEqual({ a: 1, b: 2n });
  });
});

describe("defstruct views (zero copy)", () => {
  test("getters and setters read and write the underlying bytes", () => {
    const buf = new ArrayBuffer(corpus.OpenEvent.size * 2);
    const view = new DataView(buf);
    const e = corpus.OpenEvent.view(view, corpus.OpenEvent.size);
    e.pid = 1234;
    e.ts = 99n;
    e.comm = "cat";
    expect(view.getUint32(corpus.OpenEvent.size, true)).toBe(1234);
    view.setInt32(corpus.OpenEvent.size + 16, -5, true);
    expect(e.flags).toBe(-5);
    expect(e.toObject()).toMatchObject({ pid: 1234, ts: 99n, comm: "cat", flags: -5, filename: "" });
    expect(JSON.stringify(Object.keys(e.toJSON()))).toBe(JSON.stringify(["pid", "uid", "ts", "flags", "comm", "filename"]));
  });

  test("nested views and aligned arrays share the bytes", () => {
    const o = corpus.Outer.from({ tag: 1, inner: { lo: 2, hi: 3n }, pair: [{ lo: 4, hi: 5n }, { lo: 6, hi: 7n }], last: 0 });
    o.inner.hi = 42n;
    expect(o.$view.getBigUint64(16, true)).toBe(42n);
    const a = corpus.Arrays.from({ n: 1, vals: [1, 2, 3], big: [0n, 0n], flags: [], small: [] });
    a.vals[1] = 77;
    expect(a.$view.getUint32(8, true)).toBe(77);
    const fresh = new corpus.Packed();
    fresh.b = 2n ** 63n;
    expect(fresh.$view.getBigUint64(1, true)).toBe(2n ** 63n);
    expect(() => corpus.Packed.view(new DataView(new ArrayBuffer(4)))).toThrow(/does not fit a view of 4 bytes/);
  });

  test("field types are precise", () => {
    const v = corpus.OpenEvent.decode(new DataView(new ArrayBuffer(corpus.OpenEvent.size)));
    const pid: number = v.pid;
    const ts: bigint = v.ts;
    const comm: string = v.comm;
    const vals: Uint32Array = corpus.Arrays.decode(new DataView(new ArrayBuffer(48))).vals;
    const inner: bigint = corpus.Outer.decode(new DataView(new ArrayBuffer(64))).pair[0]!.hi;
    expect([pid, ts, comm, vals.length, inner]).toEqual([0, 0n, "", 3, 0n]);
    // @ts-expect-error a u64 field holds a bigint, not a string
    const bad: string = v.ts;
    void bad;
    void u16; void i64;
  });
});
