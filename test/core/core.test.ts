// CO-RE resolution against synthetic target BTF: a field that moved, changed size or
// vanished, flavors, anonymous members, enums, types; patching and poisoning instructions.
import { describe, expect, test } from "@jest/globals";
import { Btf } from "../../loader/btf/index.js";
import {
  applyCoreRelocations, CoreCandidates, CoreReloError, CoreReloKind as K, essentialName, POISON_HELPER, resolveCoreRelo,
} from "../../loader/reloc/core.js";
import { BtfBuilder } from "../loader/btf-builder.js";

const STRUCT = 4, UNION = 5, ENUM = 6;
type Member = [name: string, type: number, bitOffset: number];

function struct(b: BtfBuilder, name: string, size: number, members: Member[], kind = STRUCT): number {
  return b.type(name, kind, members.length, size, members.flatMap(([n, t, o]) => [b.str(n), t, o]));
}

/** The object's view: struct task_struct { int pid; int tgid; long state; }; enum e { A = 1, B = 2 } */
function localBtf(rootName = "task_struct"): Btf {
  const b = new BtfBuilder();
  const int = b.int("int", 4, true);
  const long = b.int("long", 8, true);
  struct(b, rootName, 16, [["pid", int, 0], ["tgid", int, 32], ["state", long, 64]]); // #3
  b.type("e", ENUM, 2, 4, [b.str("A"), 1, b.str("B"), 2]); // #4
  return Btf.parse(b.build());
}

function target(build: (b: BtfBuilder, int: number, long: number) => void): CoreCandidates {
  const b = new BtfBuilder();
  const int = b.int("int", 4, true);
  const long = b.int("long", 8, true);
  build(b, int, long);
  return new CoreCandidates(Btf.parse(b.build()));
}

const relo = (kind: number, access: string, typeId = 3) => ({ insnOff: 0, insn: 0, typeId, access, kind });

function ldx(size: 4 | 8, off: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, 0x61 | (size === 8 ? 0x18 : 0)); // LDX MEM W/DW
  v.setUint8(1, 0x10); // dst r0, src r1
  v.setInt16(2, off, true);
  return b;
}

function movImm(imm: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, 0xb7); // ALU64 MOV K
  v.setInt32(4, imm, true);
  return b;
}

describe("CO-RE field relocations", () => {
  const local = localBtf();

  test("a field that moved: the load's offset follows it", () => {
    const t = target((b, int, long) => struct(b, "task_struct", 32, [["state", long, 0], ["pad", long, 64], ["tgid", int, 128], ["pid", int, 160]]));
    const { insns, results } = applyCoreRelocations(ldx(4, 4), [relo(K.FIELD_BYTE_OFFSET, "0:1")], local, t, "p");
    expect(results[0]).toMatchObject({ localValue: 4, targetValue: 16, poisoned: false });
    expect(new DataView(insns.buffer).getInt16(2, true)).toBe(16);
    expect(insns[0]).toBe(0x61);
  });

  test("a signed field that changed size: a load is poisoned (its value would be wrong), byte_size reports the size", () => {
    const t = target((b, int, long) => struct(b, "task_struct", 24, [["pid", int, 0], ["state", int, 32], ["tgid", long, 64]]));
    const { insns, results } = applyCoreRelocations(ldx(4, 4), [relo(K.FIELD_BYTE_OFFSET, "0:1")], local, t, "p");
    expect(results[0]).toMatchObject({ poisoned: true, sizeChangeUnsafe: true, localSize: 4, targetSize: 8 });
    expect(insns[0]).toBe(0x85);
    expect(new DataView(insns.buffer).getInt32(4, true)).toBe(POISON_HELPER);
    // An offset for a probe read (an ALU immediate) still follows: the read's size is the program's.
    expect(new DataView(applyCoreRelocations(movImm(4), [relo(K.FIELD_BYTE_OFFSET, "0:1")], local, t, "p").insns.buffer).getInt32(4, true)).toBe(8);
    expect(resolveCoreRelo(local, relo(K.FIELD_BYTE_SIZE, "0:1"), t)).toMatchObject({ localValue: 4, targetValue: 8 });
    expect(resolveCoreRelo(local, relo(K.FIELD_SIGNED, "0:2"), t)).toMatchObject({ localValue: 1, targetValue: 1 });
  });

  test("a field that vanished: exists is 0, an access is poisoned", () => {
    const t = target((b, int) => struct(b, "task_struct", 8, [["pid", int, 0], ["tgid", int, 32]]));
    const { insns, results } = applyCoreRelocations(
      new Uint8Array([...movImm(1), ...ldx(8, 8)]),
      [relo(K.FIELD_EXISTS, "0:2"), { ...relo(K.FIELD_BYTE_OFFSET, "0:2"), insn: 1 }], local, t, "p",
    );
    const v = new DataView(insns.buffer);
    expect(v.getInt32(4, true)).toBe(0);
    expect(results[1]!.poisoned).toBe(true);
    expect(insns[8]).toBe(0x85);
    expect(v.getInt32(12, true)).toBe(POISON_HELPER);
  });

  test("no such type on the target: every access is poisoned, exists is 0", () => {
    const t = target((b, int) => struct(b, "other", 4, [["pid", int, 0]]));
    expect(resolveCoreRelo(local, relo(K.FIELD_BYTE_OFFSET, "0:0"), t).poisoned).toBe(true);
    expect(resolveCoreRelo(local, relo(K.TYPE_EXISTS, "0"), t)).toMatchObject({ targetValue: 0, poisoned: false });
  });

  test("flavors (___suffix) and anonymous unions on the target", () => {
    expect(essentialName("task_struct___v1")).toBe("task_struct");
    const flavored = localBtf("task_struct___old");
    const t = target((b, int, long) => {
      const anon = struct(b, "", 8, [["tgid", int, 0], ["state", long, 0]], UNION);
      struct(b, "task_struct", 24, [["pid", int, 0], ["", anon, 64]]);
    });
    expect(resolveCoreRelo(flavored, relo(K.FIELD_BYTE_OFFSET, "0:1"), t)).toMatchObject({ localValue: 4, targetValue: 8 });
    expect(resolveCoreRelo(flavored, relo(K.FIELD_BYTE_OFFSET, "0:2"), t)).toMatchObject({ localValue: 8, targetValue: 8 });
  });

  test("incompatible field types do not match; different answers from two candidates are an error", () => {
    const ptrTarget = target((b, int) => {
      const s = struct(b, "x", 4, [["a", int, 0]]);
      struct(b, "task_struct", 16, [["pid", s, 0]]);
    });
    expect(resolveCoreRelo(local, relo(K.FIELD_EXISTS, "0:0"), ptrTarget).targetValue).toBe(0);
    const twice = target((b, int) => {
      struct(b, "task_struct", 8, [["pid", int, 0]]);
      struct(b, "task_struct___b", 8, [["pid", int, 32]]);
    });
    expect(() => resolveCoreRelo(local, relo(K.FIELD_BYTE_OFFSET, "0:0"), twice)).toThrow(/candidates #3 and #4 give different values \(0, 4\)/);
  });

  test("array elements, type size and bitfield shifts", () => {
    const b = new BtfBuilder();
    const int = b.int("int", 4, true);
    const u32 = b.int("u32", 4);
    const arr = b.type("", 3, 0, 0, [int, int, 4]);
    // struct s { int a[4]; u32 flags:3, mode:5; }
    b.type("s", STRUCT, 3, 20, [b.str("a"), arr, 0, b.str("flags"), u32, (3 << 24) | 128, b.str("mode"), u32, (5 << 24) | 131], true);
    const l = Btf.parse(b.build());
    const tb = new BtfBuilder();
    const tint = tb.int("int", 4, true);
    const tu32 = tb.int("u32", 4);
    const tarr = tb.type("", 3, 0, 0, [tint, tint, 8]);
    tb.type("s", STRUCT, 3, 40, [tb.str("mode"), tu32, (5 << 24) | 0, tb.str("a"), tarr, 32, tb.str("flags"), tu32, (3 << 24) | 8], true);
    const t = new CoreCandidates(Btf.parse(tb.build()));
    expect(resolveCoreRelo(l, relo(K.FIELD_BYTE_OFFSET, "0:0:2", 4), t)).toMatchObject({ localValue: 8, targetValue: 12 });
    expect(resolveCoreRelo(l, relo(K.TYPE_SIZE, "0", 4), t)).toMatchObject({ localValue: 20, targetValue: 40 });
    expect(resolveCoreRelo(l, relo(K.FIELD_LSHIFT_U64, "0:2", 4), t)).toMatchObject({ localValue: 64 - (131 + 5 - 128), targetValue: 64 - 5 });
    expect(resolveCoreRelo(l, relo(K.FIELD_RSHIFT_U64, "0:2", 4), t)).toMatchObject({ localValue: 59, targetValue: 59 });
    expect(resolveCoreRelo(l, relo(K.FIELD_BYTE_OFFSET, "0:1", 4), t)).toMatchObject({ localValue: 16, targetValue: 0 });
  });
});

describe("CO-RE enum and type relocations", () => {
  const local = localBtf();
  test("enum values by name, missing ones do not exist", () => {
    const t = target((b) => b.type("e", ENUM, 2, 4, [b.str("B"), 7, b.str("C"), 9]));
    expect(resolveCoreRelo(local, relo(K.ENUMVAL_VALUE, "1", 4), t)).toMatchObject({ localValue: 2, targetValue: 7 });
    expect(resolveCoreRelo(local, relo(K.ENUMVAL_EXISTS, "0", 4), t)).toMatchObject({ localValue: 1, targetValue: 0 });
    expect(resolveCoreRelo(local, relo(K.ENUMVAL_VALUE, "0", 4), t).poisoned).toBe(true);
  });

  test("ld_imm64 with a type id is patched to the target's id", () => {
    const t = target((b, int) => { b.int("pad", 1); struct(b, "task_struct", 4, [["pid", int, 0]]); });
    const ld = new Uint8Array(16);
    const v = new DataView(ld.buffer);
    v.setUint8(0, 0x18);
    v.setInt32(4, 3, true);
    const { insns } = applyCoreRelocations(ld, [relo(K.TYPE_ID_TARGET, "0")], local, t, "p");
    expect(new DataView(insns.buffer).getInt32(4, true)).toBe(4);
  });

  test("malformed records are CoreReloErrors naming the program and instruction", () => {
    const t = target(() => undefined);
    expect(() => applyCoreRelocations(movImm(0), [relo(K.FIELD_BYTE_OFFSET, "0:x")], local, t, "prog")).toThrow(/program "prog": CO-RE relocation at instruction 0: access string "0:x" is malformed/);
    expect(() => resolveCoreRelo(local, relo(K.FIELD_BYTE_OFFSET, "0:9"), t)).toThrow(CoreReloError);
    expect(() => resolveCoreRelo(local, relo(99, "0"), t)).toThrow(/kind 99 is unknown/);
    const moved = target((b, int) => struct(b, "task_struct", 8, [["tgid", int, 0], ["pid", int, 32]]));
    expect(() => applyCoreRelocations(ldx(4, 12), [relo(K.FIELD_BYTE_OFFSET, "0:1")], local, moved, "p")).toThrow(/offset is 12, the object's BTF says 4/);
  });
});
