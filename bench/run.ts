/**
 * `npm run bench [-- --json]`: side-by-side measurements in one run (the machines are shared
 * and noisy, so only ratios are reported). Prints a table; with --json, one JSON object as
 * the last line of stdout.
 *
 * mapLookupRatio: a u32 -> u64 hash map lookup through our typed map handle, against the same
 * bpf(BPF_MAP_LOOKUP_ELEM) from a C program compiled with gcc here. Rounds alternate between
 * the two so drift in machine load hits both; each side reports its best round.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bpf, HashMap, u32, u64, load } from "../index.js";

const ITERS = 200_000;
const ROUNDS = 7;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

function buildC(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-bench-"));
  const exe = path.join(dir, "map_lookup");
  execFileSync("gcc", ["-O2", "-o", exe, path.join(root, "bench/c/map_lookup.c")]);
  return exe;
}

const benchMap = new HashMap({ key: u32, value: u64, maxEntries: 16, name: "bench_map" });
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

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const exe = buildC();
  let ours = Infinity;
  let c = Infinity;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      c = Math.min(c, Number(execFileSync(exe, [String(ITERS), "1"], { encoding: "utf8" }).trim()));
      ours = Math.min(ours, await oursRound());
    }
  } finally {
    rmSync(path.dirname(exe), { recursive: true, force: true });
  }
  const mapLookupRatio = ours / c;
  console.log(`map lookup (u32 -> u64 hash, best of ${ROUNDS} x ${ITERS}):`);
  console.log(`  ${"C (gcc, raw syscall)".padEnd(28)} ${c.toFixed(1).padStart(8)} ns`);
  console.log(`  ${"whistler-ts MapHandle.get".padEnd(28)} ${ours.toFixed(1).padStart(8)} ns`);
  console.log(`  ${"ratio (ours / C)".padEnd(28)} ${mapLookupRatio.toFixed(3).padStart(8)}   (bar: <= 1.25)`);
  if (json) console.log(JSON.stringify({ programs: {}, mapLookupRatio: Number(mapLookupRatio.toFixed(4)) }));
}

await main();
