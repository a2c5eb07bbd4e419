// Every map kind on the real kernel: typed handles from declarations, round trips, and the
// kernel-side behaviour each kind promises (per-CPU slots, LRU eviction, longest-prefix
// match, FIFO/LIFO, bloom membership, tail calls through a program array, maps of maps).
import { expect, test } from "@jest/globals";
import {
  createMap, load, MapHandle, QueueHandle, BloomFilterHandle, ProgArrayHandle, MapOfMapsHandle, UpdateFlags,
} from "../../loader/index.js";
import { CodecError, bytesCodec } from "../../runtime/codec.js";
import { BpfError } from "../../runtime/errors.js";
import {
  ArrayMap, ArrayOfMaps, BloomFilter, HashMap, HashOfMaps, LpmTrieMap, LruHashMap, LruPerCpuHashMap,
  PerCpuArrayMap, PerCpuHashMap, ProgArrayMap, QueueMap, StackMap, RingBuf, PerfEventArray,
} from "../../runtime/map-decl.js";
import { possibleCpus } from "../../runtime/sys/index.js";
import { bpf } from "../../runtime/template.js";
import { i32, u16, u32, u64, u8 } from "../../runtime/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): T | void {}

describeKernel("map kinds", () => {
  checkNoFdLeaks();
  const cpus = possibleCpus();

  test("hash and array: typed handles, info from the kernel, freeze", () => {
    using h = createMap(new HashMap({ key: u32, value: i32, maxEntries: 8, name: "h" }));
    assertType<Equal<typeof h, MapHandle<number, number>>>();
    h.set(1, -5).set(2, 7);
    expect(h.get(1)).toBe(-5);
    expect(new Map(h)).toEqual(new Map([[1, -5], [2, 7]]));
    expect(h.kernelInfo()).toMatchObject({ type: 1, keySize: 4, valueSize: 4, maxEntries: 8, name: "h" });
    expect(h.kernelInfo().id).toBeGreaterThan(0);
    h.freeze();
    expect(h.get(2)).toBe(7);
    expect(() => h.set(3, 1)).toThrow(/map "h": update: BPF_MAP_UPDATE_ELEM failed: EPERM.*\n.*hint: the map is read-only from user space: frozen/);

    using a = createMap(new ArrayMap({ value: u64, maxEntries: 4 }));
    expect([...a.keys()]).toEqual([0, 1, 2, 3]);
    a.set(3, 9n);
    expect(a.get(3)).toBe(9n);
    expect(() => a.delete(0)).toThrow(BpfError);
  });

  test("per-CPU hash and array: one value per possible CPU", () => {
    using ph = createMap(new PerCpuHashMap({ key: u16, value: u64, maxEntries: 4 }));
    assertType<Equal<typeof ph, MapHandle<number, bigint[], number, bigint | number | readonly (bigint | number)[]>>>();
    ph.set(1, 5n);
    expect(ph.get(1)).toEqual(new Array(cpus).fill(5n));
    const each = Array.from({ length: cpus }, (_, i) => BigInt(i * 10));
    ph.set(2, each);
    expect(ph.get(2)).toEqual(each);
    expect(() => ph.set(3, [1n])).toThrow(new RegExp(`array of ${cpus} \\(possible CPUs\\)`));

    using pa = createMap(new PerCpuArrayMap({ value: u8, maxEntries: 2 }));
    pa.set(1, 200);
    expect(pa.get(1)).toEqual(new Array(cpus).fill(200));
    expect(pa.get(0)).toEqual(new Array(cpus).fill(0));
  });

  test("LRU hash evicts instead of failing; LRU per-CPU hash", () => {
    using lru = createMap(new LruHashMap({ key: u32, value: u32, maxEntries: 64 }));
    for (let i = 0; i < 1000; i++) lru.set(i, i);
    const keys = [...lru.keys()];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(64);
    expect(lru.get(999)).toBe(999);

    using plru = createMap(new LruPerCpuHashMap({ key: u32, value: u32, maxEntries: 16 }));
    plru.set(7, 3);
    expect(plru.get(7)).toEqual(new Array(cpus).fill(3));
  });

  test("LPM trie: prefix strings and objects, longest match in the kernel", () => {
    using v4 = createMap(new LpmTrieMap({ value: u32, maxEntries: 16 }));
    assertType<Equal<typeof v4, MapHandle<string, number, string | { readonly prefixLen: number; readonly addr: string | Uint8Array }, number>>>();
    v4.set("10.0.0.0/8", 8).set("10.1.0.0/16", 16).set({ prefixLen: 24, addr: "10.1.2.0" }, 24);
    // A full-length lookup key finds the longest matching prefix.
    expect(v4.get("10.1.2.3")).toBe(24);
    expect(v4.get("10.1.9.9")).toBe(16);
    expect(v4.get("10.200.0.1")).toBe(8);
    expect(v4.get("11.0.0.1")).toBeUndefined();
    expect(v4.get({ prefixLen: 32, addr: new Uint8Array([10, 1, 2, 99]) })).toBe(24);
    expect(new Set(v4.keys())).toEqual(new Set(["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]));
    expect(v4.delete("10.1.2.0/24")).toBe(true);
    expect(v4.get("10.1.2.3")).toBe(16);
    expect(() => v4.set("10.0.0.0/33", 1)).toThrow(CodecError);
    expect(() => v4.set("10.0.0/8", 1)).toThrow(/expected an IPv4 prefix such as "10.0.0.0\/8"/);

    using v6 = createMap(new LpmTrieMap({ value: u32, maxEntries: 16, family: "ipv6" }));
    v6.set("2001:db8::/32", 32).set("2001:db8:1::/48", 48);
    expect(v6.get("2001:db8:1::42")).toBe(48);
    expect(v6.get("2001:db8:ffff::1")).toBe(32);
    expect(v6.get("::1")).toBeUndefined();
    expect(new Set(v6.keys())).toEqual(new Set(["2001:db8::/32", "2001:db8:1::/48"]));
    // Lookups through the batch path fall back to per-key calls (LPM tries have no batch ops).
    expect(new Map(v6.lookupBatch())).toEqual(new Map([["2001:db8::/32", 32], ["2001:db8:1::/48", 48]]));
  });

  test("queue is FIFO, stack is LIFO; full maps refuse unless overwriting", () => {
    using q = createMap(new QueueMap({ value: u32, maxEntries: 3 }));
    assertType<Equal<typeof q, QueueHandle<number, number>>>();
    expect(q.pop()).toBeUndefined();
    q.push(1).push(2).push(3);
    expect(() => q.push(4)).toThrow(/E2BIG/);
    q.push(4, true);
    expect(q.peek()).toBe(2);
    expect(q.drain()).toEqual([2, 3, 4]);

    using s = createMap(new StackMap({ value: u64, maxEntries: 4 }));
    s.push(1n).push(2).push(3n);
    expect(s.pop()).toBe(3n);
    expect(s.peek()).toBe(2n);
    expect(s.drain()).toEqual([2n, 1n]);
    expect(s.pop()).toBeUndefined();
  });

  test("bloom filter: pushed values are present, most others are not", () => {
    using b = createMap(new BloomFilter({ value: u32, maxEntries: 1000, hashes: 3 }));
    assertType<Equal<typeof b, BloomFilterHandle<number>>>();
    for (let i = 0; i < 100; i++) b.push(i * 7);
    for (let i = 0; i < 100; i++) expect(b.has(i * 7)).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 1000; i++) if (b.has(1_000_000 + i)) falsePositives++;
    expect(falsePositives).toBeLessThan(100);
    expect(b.kernelInfo().type).toBe(30);
  });

  test("codec keys and values: any object with size/encode/decode", () => {
    const pair = {
      size: 8,
      encode: (v: DataView, o: number, x: { a: number; b: number }) => { v.setUint32(o, x.a, true); v.setUint32(o + 4, x.b, true); },
      decode: (v: DataView, o: number) => ({ a: v.getUint32(o, true), b: v.getUint32(o + 4, true) }),
    };
    using m = createMap(new HashMap({ key: pair, value: bytesCodec(3), maxEntries: 4 }));
    assertType<Equal<typeof m, MapHandle<{ a: number; b: number }, Uint8Array, { a: number; b: number }, Uint8Array>>>();
    m.set({ a: 1, b: 2 }, new Uint8Array([1, 2, 3]));
    expect(m.get({ a: 1, b: 2 })).toEqual(new Uint8Array([1, 2, 3]));
    expect([...m.keys()]).toEqual([{ a: 1, b: 2 }]);
  });

  test("prog array: a tail call jumps once the slot is set", async () => {
    const jumps = new ProgArrayMap({ maxEntries: 4 });
    const t = bpf.compiled({ elf: fixture("event_producers.bpf.o"), programs: [], maps: { jumps } });
    await using obj = await load(t);
    const pa = obj.map(jumps);
    assertType<Equal<typeof pa, ProgArrayHandle>>();
    const entry = obj.program("tail_entry");
    const data = new Uint8Array(64);
    expect(entry.testRun({ data }).retval).toBe(1); // XDP_DROP: nothing to jump to
    pa.set(0, obj.program("tail_target"));
    expect(pa.id(0)).toBe(obj.program("tail_target").info().id);
    expect(entry.testRun({ data }).retval).toBe(3); // XDP_TX from the target
    expect(pa.delete(0)).toBe(true);
    expect(pa.has(0)).toBe(false);
    expect(entry.testRun({ data }).retval).toBe(1);
  });

  test("array and hash of maps: inner maps set by handle, read back by id", () => {
    const inner = new ArrayMap({ value: u32, maxEntries: 2 });
    using outer = createMap(new ArrayOfMaps({ inner, maxEntries: 2 }));
    assertType<Equal<typeof outer, MapOfMapsHandle<number>>>();
    using a = createMap(inner);
    outer.set(1, a);
    expect(outer.id(1)).toBe(a.kernelInfo().id);
    expect(outer.id(0)).toBeUndefined();
    // A map of another shape is refused by the kernel.
    using wrong = createMap(new ArrayMap({ value: u64, maxEntries: 2 }));
    expect(() => outer.set(0, wrong)).toThrow(/EINVAL/);

    using hom = createMap(new HashOfMaps({ key: u64, inner, maxEntries: 4 }));
    hom.set(42n, a);
    expect(hom.id(42)).toBe(a.kernelInfo().id);
    expect(hom.delete(42)).toBe(true);
    expect(hom.has(42)).toBe(false);
  });

  test("ring buffer and perf event array declarations create maps", () => {
    using rb = createMap(new RingBuf({ maxEntries: 1 << 16 }));
    expect(rb.kernelInfo()).toMatchObject({ type: 27, maxEntries: 1 << 16 });
    using pe = createMap(new PerfEventArray());
    expect(pe.kernelInfo()).toMatchObject({ type: 4, maxEntries: cpus });
    expect(() => new RingBuf({ maxEntries: 5000 })).toThrow(/power of two/);
  });

  test("UpdateFlags still apply through typed handles", () => {
    using h = createMap(new HashMap({ key: u32, value: u32, maxEntries: 2 }));
    h.set(1, 1);
    expect(() => h.set(1, 2, UpdateFlags.NOEXIST)).toThrow(/EEXIST/);
  });
});
