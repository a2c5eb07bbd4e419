import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { ByteArena } from "../../loader/elf/index.js";
import { parseObject } from "../../loader/object/index.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/clang/${name}`, import.meta.url)));

describe("byte arena", () => {
  test("carves zeroed, 8-aligned, disjoint arrays from one buffer", () => {
    const arena = new ByteArena(1024);
    const a = arena.alloc(3);
    const b = arena.copy(new Uint8Array([1, 2, 3, 4, 5]));
    expect(a).toEqual(new Uint8Array(3));
    expect(b).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset % 8).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length);
    a.fill(9);
    expect([...b]).toEqual([1, 2, 3, 4, 5]);
  });

  test("requests larger than a chunk get their own buffer; a full chunk starts another", () => {
    const arena = new ByteArena(256);
    const big = arena.alloc(1000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(1000);
    const first = arena.alloc(200);
    const second = arena.alloc(200);
    expect(second.buffer).not.toBe(first.buffer);
  });

  test("a parsed object's copies do not alias the input and read back through their own offsets", () => {
    const bytes = fixture("global_data.bpf.o");
    const spec = parseObject(bytes);
    const p = spec.programs[0]!;
    const before = p.insns.slice();
    bytes.fill(0);
    expect(p.insns).toEqual(before);
    const v = new DataView(p.insns.buffer, p.insns.byteOffset, p.insns.byteLength);
    expect(v.getUint8(p.insns.length - 8)).toBe(0x95); // the program ends in exit
    const rodata = spec.maps.get(".rodata");
    expect(rodata?.initial?.length).toBe(rodata?.valueSize);
  });
});
