import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { BtfError } from "../../runtime/errors.js";
import { Btf, BtfKind } from "../../loader/btf/index.js";
import { ElfFile } from "../../loader/elf/index.js";
import { BtfBuilder } from "./btf-builder.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/clang/${name}`, import.meta.url)));

function btfError(f: () => unknown): BtfError {
  try {
    f();
  } catch (e) {
    if (e instanceof BtfError) return e;
    throw new Error(`expected BtfError, got ${String(e)}`);
  }
  throw new Error("expected BtfError, nothing thrown");
}

describe("BTF reader", () => {
  test("reads clang's BTF: map struct, ints, datasec", () => {
    const elf = ElfFile.parse(fixture("count_opens.bpf.o"));
    const btf = Btf.parse(elf.section(".BTF")!.data);
    const maps = btf.datasec(".maps")!;
    expect(maps.vars).toHaveLength(1);
    const v = btf.type(maps.vars[0]!.type);
    expect(v).toMatchObject({ kind: "VAR", name: "counts" });
    const s = btf.varStruct(v as Extract<typeof v, { kind: "VAR" }>);
    expect(s.members.map((m) => m.name)).toEqual(["type", "key", "value", "max_entries"]);
    const u32 = btf.find("TYPEDEF", "__u32")!;
    expect(btf.sizeof(u32.id)).toBe(4);
    expect(btf.scalar(u32.id)).toEqual({ size: 4, signed: false, bool: false });
    expect(btf.find("FUNC", "count_opens")).toBeDefined();
  });

  test("every kind parses", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, true); // 1
    const ptr = b.type("", BtfKind.PTR, 0, int); // 2
    const arr = b.type("", BtfKind.ARRAY, 0, 0, [int, int, 10]); // 3
    const st = b.type("s", BtfKind.STRUCT, 2, 8, [b.str("a"), int, 0, b.str("b"), int, 32]); // 4
    const un = b.type("u", BtfKind.UNION, 1, 4, [b.str("x"), int, (3 << 24) | 0], true); // 5 bitfield
    const en = b.type("e", BtfKind.ENUM, 2, 4, [b.str("A"), 0xffffffff, b.str("B"), 1], true); // 6 signed
    const fwd = b.type("f", BtfKind.FWD, 0, 0, [], true); // 7
    const td = b.type("t", BtfKind.TYPEDEF, 0, ptr); // 8
    const vol = b.type("", BtfKind.VOLATILE, 0, td); // 9
    const cst = b.type("", BtfKind.CONST, 0, vol); // 10
    const rst = b.type("", BtfKind.RESTRICT, 0, cst); // 11
    const proto = b.type("", BtfKind.FUNC_PROTO, 1, int, [b.str("p"), arr]); // 12
    const fn = b.type("fn", BtfKind.FUNC, 1, proto); // 13
    const vr = b.type("v", BtfKind.VAR, 0, st, [1]); // 14
    const ds = b.type(".data", BtfKind.DATASEC, 1, 8, [vr, 0, 8]); // 15
    const fl = b.type("double", BtfKind.FLOAT, 0, 8); // 16
    const dt = b.type("tag", BtfKind.DECL_TAG, 0, st, [-1 >>> 0]); // 17
    const tt = b.type("user", BtfKind.TYPE_TAG, 0, int); // 18
    const e64 = b.type("e64", BtfKind.ENUM64, 1, 8, [b.str("BIG"), 1, 2]); // 19
    const btf = Btf.parse(b.build());
    expect(btf.types.map((t) => t.kind)).toEqual([
      "VOID", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT",
      "FUNC_PROTO", "FUNC", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
    ]);
    expect(btf.sizeof(arr)).toBe(40);
    expect(btf.sizeof(rst)).toBe(8);
    expect(btf.resolve(rst).kind).toBe("PTR");
    expect(btf.type(un)).toMatchObject({ members: [{ name: "x", bitfieldSize: 3, bitOffset: 0 }] });
    expect(btf.type(en)).toMatchObject({ signed: true, values: [{ name: "A", value: -1n }, { name: "B", value: 1n }] });
    expect(btf.type(fwd)).toMatchObject({ union: true });
    expect(btf.type(fn)).toMatchObject({ linkage: 1, type: proto });
    expect(btf.type(ds)).toMatchObject({ vars: [{ type: vr, offset: 0, size: 8 }] });
    expect(btf.sizeof(fl)).toBe(8);
    expect(btf.type(dt)).toMatchObject({ componentIdx: -1 });
    expect(btf.scalar(tt)).toEqual({ size: 4, signed: true, bool: false });
    expect(btf.type(e64)).toMatchObject({ values: [{ name: "BIG", value: (2n << 32n) | 1n }] });
    expect(btf.scalar(st)).toBeUndefined();
  });

  test("reference cycles end in a BtfError, not a hang", () => {
    const b = new BtfBuilder();
    b.type("a", BtfKind.TYPEDEF, 0, 2);
    b.type("b", BtfKind.TYPEDEF, 0, 1);
    const btf = Btf.parse(b.build());
    expect(btfError(() => btf.resolve(1)).message).toMatch(/reference cycle/);
    expect(btfError(() => btf.sizeof(2)).message).toMatch(/reference cycle/);
    const c = new BtfBuilder();
    c.type("", BtfKind.ARRAY, 0, 0, [1, 1, 2]); // array of itself
    expect(btfError(() => Btf.parse(c.build()).sizeof(1)).message).toMatch(/cycle|too large/);
  });

  test("malformed headers and records name the section and offset", () => {
    const good = (() => {
      const b = new BtfBuilder();
      b.int("int", 4);
      b.type("s", BtfKind.STRUCT, 1, 4, [b.str("a"), 1, 0]);
      return b.build();
    })();
    expect(() => Btf.parse(good)).not.toThrow();
    const mutate = (f: (v: DataView) => void): Uint8Array => {
      const c = good.slice();
      f(new DataView(c.buffer));
      return c;
    };
    const cases: [Uint8Array, RegExp, number][] = [
      [good.subarray(0, 10), /smaller than a BTF header/, 0],
      [mutate((v) => v.setUint16(0, 0x1234, true)), /bad magic/, 0],
      [mutate((v) => v.setUint8(2, 9)), /version 9/, 2],
      [mutate((v) => v.setUint32(12, 0xfffffff0, true)), /type section .* runs past the end/, 24],
      [mutate((v) => v.setUint32(20, 0x7fffffff, true)), /string section .* runs past the end/, 0],
      [mutate((v) => v.setUint32(24, 0x10000, true)), /string offset 65536 outside the string table/, 0],
      [mutate((v) => v.setUint32(24 + 16 + 4, (4 << 24) | 0xffff, true)), /65535 members of type #2 .* runs past the end/, 0],
      [mutate((v) => v.setUint32(24 + 4, 31 << 24, true)), /unknown kind 31/, 28],
      [mutate((v) => v.setUint32(24 + 16 + 12 + 4, 77, true)), /type #2 refers to type #77/, 0],
    ];
    for (const [bytes, re, offset] of cases) {
      const e = btfError(() => Btf.parse(bytes));
      expect(e.message).toMatch(re);
      expect(e.section).toBe(".BTF");
      if (offset) expect(e.offset).toBe(offset);
    }
  });

  test("fuzz: truncations and byte flips give BtfError or a valid parse", () => {
    const data = ElfFile.parse(fixture("xdp_proto_count.bpf.o")).section(".BTF")!.data.slice();
    for (let n = 0; n < data.length; n += 7) {
      try {
        Btf.parse(data.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(BtfError);
      }
    }
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 2000; i++) {
      const c = data.slice();
      for (let k = 0; k < 3; k++) c[rnd() % c.length] = rnd() & 0xff;
      try {
        const btf = Btf.parse(c);
        for (const t of btf.types) {
          try {
            btf.sizeof(t.id);
          } catch (e) {
            expect(e).toBeInstanceOf(BtfError);
          }
        }
      } catch (e) {
        expect(e).toBeInstanceOf(BtfError);
      }
    }
  });
});
