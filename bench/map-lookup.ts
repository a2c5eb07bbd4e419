/**
 * mapLookupRatio: a u32 -> u64 hash map lookup through our typed map handle, against the same
 * bpf(BPF_MAP_LOOKUP_ELEM) from a C program compiled with gcc here. Rounds alternate between
 * the two so drift in machine load hits both; each side reports its best round.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bpf, HashMap, u32, u64, load } from "../index.js";

const ITERS = 200_000;

const benchMap = new HashMap({ key: u32, value: u64, maxEntries: 16, name: "bench_map" });
// The program only exists to own the map in a real object, as in an application.
const holder = bpf`
  export function bench_holder(ctx: Tracepoint<"syscalls/sys_enter_getpid">): i32 {
    ${benchMap}.increment(0);
    return 0;
  }
`;

async function oursRound(): Promise<number> {
  await using obj = await load(holder);
  const m = obj.map(benchMap);
  m.set(1, 42n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITERS; i++) {
    if (m.get(1) !== 42n) throw new Error("wrong value");
  }
  return Number(process.hrtime.bigint() - t0) / ITERS;
}

export async function measureMapLookup(repoRoot: string, rounds = 7): Promise<{ c: number; ours: number; ratio: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-bench-"));
  try {
    const exe = path.join(dir, "map_lookup");
    execFileSync("gcc", ["-O2", "-o", exe, path.join(repoRoot, "bench/c/map_lookup.c")]);
    let ours = Infinity;
    let c = Infinity;
    for (let r = 0; r < rounds; r++) {
      c = Math.min(c, Number(execFileSync(exe, [String(ITERS), "1"], { encoding: "utf8" }).trim()));
      ours = Math.min(ours, await oursRound());
    }
    return { c, ours, ratio: ours / c };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
