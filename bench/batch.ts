/**
 * batchSpeedup: reading all 10k entries of a u32 -> u64 hash map with BPF_MAP_LOOKUP_BATCH
 * (`lookupBatch()`) against the per-key loop it replaces (`entries()`: BPF_MAP_GET_NEXT_KEY
 * plus BPF_MAP_LOOKUP_ELEM per key), per entry, decoded to [number, bigint] either way.
 * Also reported: `get()` of each key when the caller already knows every key (one system
 * call per entry, the most favourable per-key case). Rounds alternate; each keeps its best.
 */
import { createMap, HashMap, u32, u64 } from "../index.js";

const ENTRIES = 10_000;

export interface BatchResult {
  /** Nanoseconds per entry: batch, known-key gets, the per-key dump loop. */
  batch: number;
  perKey: number;
  dump: number;
  /** dump / batch */
  speedup: number;
}

function time(f: () => number): number {
  const t0 = process.hrtime.bigint();
  const n = f();
  return Number(process.hrtime.bigint() - t0) / n;
}

export function measureBatch(rounds = 15): BatchResult {
  using m = createMap(new HashMap({ key: u32, value: u64, maxEntries: ENTRIES, name: "bench_batch" }));
  const keys = Array.from({ length: ENTRIES }, (_, i) => i * 7 + 1);
  m.updateBatch(keys.map((k) => [k, BigInt(k) * 3n] as const));
  let batch = Infinity;
  let perKey = Infinity;
  let dump = Infinity;
  // Touch every value without allocating (a BigInt sum would allocate per entry on both sides).
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    perKey = Math.min(perKey, time(() => {
      for (const k of keys) if (m.get(k)! > 0n) sink++;
      return ENTRIES;
    }));
    batch = Math.min(batch, time(() => {
      const all = m.lookupBatch({ batchSize: ENTRIES });
      for (const [, v] of all) if (v > 0n) sink++;
      return all.length;
    }));
    dump = Math.min(dump, time(() => {
      let n = 0;
      for (const [, v] of m.entries()) {
        if (v > 0n) sink++;
        n++;
      }
      return n;
    }));
  }
  if (sink !== 3 * rounds * ENTRIES) throw new Error(`read ${sink} values, expected ${3 * rounds * ENTRIES}`);
  return { batch, perKey, dump, speedup: dump / batch };
}
