// Batch operations on the real kernel: BPF_MAP_*_BATCH over many calls' worth of elements,
// per-CPU values, drain with lookup-and-delete, and the per-key fallback for map types the
// kernel has no batch commands for.
import { expect, test } from "@jest/globals";
import { batchUnsupported, createMap, setBatchSupport } from "../../loader/maps/index.js";
import { ArrayMap, HashMap, LpmTrieMap, PerCpuHashMap } from "../../runtime/map-decl.js";
import { BpfCmd, possibleCpus } from "../../runtime/sys/index.js";
import { u32, u64 } from "../../runtime/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

describeKernel("map batch operations", () => {
  checkNoFdLeaks();

  test("update, lookup, lookup-and-delete and delete 10k hash entries in batches", () => {
    using m = createMap(new HashMap({ key: u32, value: u64, maxEntries: 10_000 }));
    const pairs: [number, bigint][] = Array.from({ length: 10_000 }, (_, i) => [i * 3, BigInt(i) << 33n]);
    expect(m.updateBatch(pairs, 0, { batchSize: 777 })).toBe(10_000);
    expect(m.get(2997)).toBe(999n << 33n);
    const got = m.lookupBatch({ batchSize: 1000 });
    expect(got).toHaveLength(10_000);
    expect(new Map(got)).toEqual(new Map(pairs));
    // Small batches make the kernel resume mid-bucket; nothing is lost or repeated.
    expect(new Map(m.lookupBatch({ batchSize: 3 })).size).toBe(10_000);

    expect(m.deleteBatch(pairs.slice(0, 4000).map(([k]) => k))).toBe(4000);
    expect(m.has(0)).toBe(false);
    expect(() => m.deleteBatch([0])).toThrow(/delete batch stopped after 0 of 1 elements/);
    const drained = m.lookupAndDeleteBatch();
    expect(drained).toHaveLength(6000);
    expect([...m.keys()]).toEqual([]);
  });

  test("per-CPU values and arrays", () => {
    const cpus = possibleCpus();
    using p = createMap(new PerCpuHashMap({ key: u32, value: u32, maxEntries: 64 }));
    p.updateBatch([[1, 5], [2, Array.from({ length: cpus }, (_, i) => i)]]);
    expect(new Map(p.lookupBatch())).toEqual(new Map([[1, new Array(cpus).fill(5)], [2, Array.from({ length: cpus }, (_, i) => i)]]));

    using a = createMap(new ArrayMap({ value: u32, maxEntries: 100 }));
    a.updateBatch(Array.from({ length: 100 }, (_, i) => [i, i * i] as [number, number]));
    const all = a.lookupBatch({ batchSize: 7 });
    expect(all).toHaveLength(100);
    expect(all[99]).toEqual([99, 9801]);
  });

  test("per-key fallback where the kernel lacks batch commands", () => {
    // Every map type on this kernel has them: force the fallback as an older kernel would.
    const cmds = [BpfCmd.MAP_LOOKUP_BATCH, BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, BpfCmd.MAP_UPDATE_BATCH, BpfCmd.MAP_DELETE_BATCH];
    for (const c of cmds) setBatchSupport(11, c, false);
    try {
      using t = createMap(new LpmTrieMap({ value: u32, maxEntries: 8 }));
      expect(t.updateBatch([["10.0.0.0/8", 1], ["192.168.0.0/16", 2]])).toBe(2);
      expect(new Map(t.lookupBatch())).toEqual(new Map([["10.0.0.0/8", 1], ["192.168.0.0/16", 2]]));
      expect(t.deleteBatch(["10.0.0.0/8"])).toBe(1);
      expect(() => t.deleteBatch(["1.0.0.0/8"])).toThrow(/delete batch stopped after 0 of 1 keys/);
      expect(t.lookupAndDeleteBatch()).toEqual([["192.168.0.0/16", 2]]);
      expect([...t.keys()]).toEqual([]);
    } finally {
      for (const c of cmds) setBatchSupport(11, c, true);
    }
    expect(batchUnsupported(1, BpfCmd.MAP_LOOKUP_BATCH)).toBe(false);
  });
});
