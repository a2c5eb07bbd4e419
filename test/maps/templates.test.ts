// Map declarations of the new kinds interpolated into bpf templates: the compiled object's
// maps are created from them and `obj.map(decl)` gives the kind's typed handle.
import { expect, test } from "@jest/globals";
import * as path from "node:path";
import { bpf, BloomFilter, load, LruHashMap, PerCpuHashMap, PerCpuArrayMap, type MapHandle } from "../../index.js";
import { parseObject } from "../../loader/index.js";
import { buildFile } from "../../transformer/plugin/build-file.js";
import { possibleCpus } from "../../runtime/sys/index.js";
import { u32, u64 } from "../../runtime/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): T | void {}

const perCpuHits = new PerCpuHashMap({ key: u32, value: u64, maxEntries: 16 });
const perCpuSlots = new PerCpuArrayMap({ value: u64, maxEntries: 4 });
const recent = new LruHashMap({ key: u32, value: u64, maxEntries: 16 });
const counter = bpf`
  export function count_kinds(ctx: Xdp): i32 {
    ${perCpuHits}.increment(7);
    ${perCpuSlots}.increment(1);
    ${recent}.increment(9);
    return XDP_PASS;
  }
`;

const seen = new BloomFilter({ value: u32, maxEntries: 64, hashes: 3 });
const remember = bpf`
  export function remember(ctx: Xdp): i32 {
    ${seen}.push(7);
    return XDP_PASS;
  }
`;

describeKernel("map kinds in templates", () => {
  checkNoFdLeaks();

  test("per-CPU and LRU maps declared in TypeScript, counted by the program", async () => {
    await using obj = await load(counter);
    const hits = obj.map(perCpuHits);
    assertType<Equal<typeof hits, MapHandle<number, bigint[], number, bigint | number | readonly (bigint | number)[]>>>();
    obj.program("count_kinds").testRun({ data: new Uint8Array(64), repeat: 5 });
    const sum = (xs: bigint[] | undefined): bigint => (xs ?? []).reduce((a, b) => a + b, 0n);
    expect(hits.get(7)).toHaveLength(possibleCpus());
    expect(sum(hits.get(7))).toBe(5n);
    expect(sum(obj.map(perCpuSlots).get(1))).toBe(5n);
    expect(obj.map(recent).get(9)).toBe(5n);
    expect(obj.map(recent).kernelInfo().type).toBe(9);
  });

  test("a bloom filter's hash count reaches the kernel as map_extra, built at run time or ahead of time", async () => {
    {
      await using obj = await load(remember);
      expect(obj.map(seen).kernelInfo().mapExtra).toBe(3n);
      obj.program("remember").testRun({ data: new Uint8Array(64) });
      expect(obj.map(seen).has(7)).toBe(true);
    }
    const built = buildFile(path.join(import.meta.dirname, "../fixtures/projects/bloom/bloom.ts"));
    expect(built.messages).toEqual([]);
    const elf = built.templates[0]!.result.elf!;
    expect(parseObject(elf).maps.get("seen")?.mapExtra).toBe(3);
    await using obj = await load(elf);
    expect(obj.map("seen").kernelInfo().mapExtra).toBe(3n);
  });
});
