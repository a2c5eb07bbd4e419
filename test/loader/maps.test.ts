import { expect, test } from "@jest/globals";
import { load, UpdateFlags, type MapHandle } from "../../loader/index.js";
import { BpfError } from "../../runtime/errors.js";
import { CodecError } from "../../runtime/codec.js";
import { HashMap, ArrayMap } from "../../runtime/map-decl.js";
import { bpf } from "../../runtime/template.js";
import { u32, u64 } from "../../runtime/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "./fixtures.js";

/** Compile-time check that two types are identical. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): T | void {}

describeKernel("map handles", () => {
  checkNoFdLeaks();

  test("get/set/delete/has/iterate/clear on a hash map", async () => {
    await using obj = await load(fixture("count_opens.bpf.o"));
    const m = obj.map<number, bigint>("counts");
    expect(m.get(1)).toBeUndefined();
    expect(m.has(1)).toBe(false);
    m.set(1, 10n).set(2, 20).set(3, 2n ** 64n - 1n);
    expect(m.get(1)).toBe(10n);
    expect(m.get(2)).toBe(20n);
    expect(m.get(3)).toBe(2n ** 64n - 1n);
    expect(m.has(2)).toBe(true);
    expect(new Set(m.keys())).toEqual(new Set([1, 2, 3]));
    expect(new Map(m.entries())).toEqual(new Map([[1, 10n], [2, 20n], [3, 2n ** 64n - 1n]]));
    expect(new Map(m)).toEqual(new Map(m.entries()));
    expect([...m.values()].sort()).toEqual([10n, 2n ** 64n - 1n, 20n].sort());

    expect(() => m.set(1, 5n, UpdateFlags.NOEXIST)).toThrow(BpfError);
    expect(() => m.set(1, 5n, UpdateFlags.NOEXIST)).toThrow(/map "counts": update: BPF_MAP_UPDATE_ELEM failed: EEXIST/);
    expect(() => m.set(9, 5n, UpdateFlags.EXIST)).toThrow(/ENOENT/);
    m.set(1, 11n, UpdateFlags.EXIST);
    expect(m.get(1)).toBe(11n);

    expect(m.delete(2)).toBe(true);
    expect(m.delete(2)).toBe(false);
    expect(m.get(2)).toBeUndefined();

    // Deleting while iterating a snapshot is safe.
    for (const k of m.keys()) m.delete(k);
    expect([...m.keys()]).toEqual([]);

    for (let i = 0; i < 100; i++) m.set(i, BigInt(i * i));
    expect([...m.keys()]).toHaveLength(100);
    m.clear();
    expect([...m.keys()]).toHaveLength(0);

    expect(() => m.get(-1)).toThrow(CodecError);
    expect(() => m.set(1, -1n)).toThrow(/cannot encode -1n as u64/);
    expect(() => obj.map("nope")).toThrow(/no map "nope" in the object.*\n.*maps: counts/);
  });

  test("obj.map(decl) from a compiled template is typed from the declaration", async () => {
    const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240 });
    const other = new HashMap({ key: u32, value: u64, maxEntries: 1 });
    const t = bpf.compiled({
      elf: Buffer.from(fixture("count_opens.bpf.o")).toString("base64"),
      programs: [{ name: "count_opens", section: "tracepoint/syscalls/sys_enter_openat" }],
      maps: { counts },
    });
    await using obj = await load(t);
    const m = obj.map(counts);
    assertType<Equal<typeof m, MapHandle<number, bigint>>>();
    m.set(7, 70);
    expect(m.get(7)).toBe(70n);
    expect(obj.map(counts)).toBe(m);
    expect(() => obj.map(other)).toThrow(/not used by the object/);
  });

  test("a declaration that does not match the object is refused", async () => {
    const wrong = new ArrayMap({ value: u64, maxEntries: 10240 });
    const t = bpf.compiled({ elf: fixture("count_opens.bpf.o"), programs: [], maps: { counts: wrong } });
    await expect(load(t)).rejects.toThrow(/map "counts": the declaration does not match the object \(kind array/);
  });

  test("legacy maps section, socket filter", async () => {
    await using obj = await load(fixture("legacy_maps.bpf.o"));
    expect(obj.mapNames.sort()).toEqual(["legacy_counts", "legacy_hash"]);
    const prog = obj.program("legacy_filter");
    expect(prog.type).toBe("SOCKET_FILTER");
    const r = prog.testRun({ data: new Uint8Array(60) });
    // The kernel pulls the 14-byte Ethernet header before a socket filter runs: skb->len is 46.
    expect(r.retval).toBe(60 - 14);
    const counts = obj.map("legacy_counts");
    expect(counts.info).toMatchObject({ type: 2, keySize: 4, valueSize: 8, maxEntries: 4 });
    // No key/value types in a legacy definition: raw bytes.
    const one = new Uint8Array([1, 0, 0, 0]);
    expect(counts.get(one)).toEqual(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
    expect([...counts.keys()]).toHaveLength(4);
    expect(() => counts.delete(one)).toThrow(/EINVAL/);
    counts.clear();
    expect(counts.get(one)).toEqual(new Uint8Array(8));
    expect(() => counts.get(new Uint8Array(3))).toThrow(/expected a Uint8Array of 4 bytes, got 3 bytes/);
    expect([...obj.map("legacy_hash").keys()]).toHaveLength(1);
  });
});
