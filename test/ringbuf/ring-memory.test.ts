// The ring buffer reading algorithm over plain memory laid out like the kernel's mapping
// (consumer page; producer page; data area mapped twice): the cases a live kernel cannot be
// made to show on demand (a record still BUSY, positions past 2^32, a record wrapping the end).
import { expect, test } from "@jest/globals";
import { Ring, type RecordBatch, type RingMemory } from "../../loader/ringbuf/index.js";

const PAGE = 4096;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

function memory(start: bigint, size = 64): { mem: RingMemory; write: (pos: bigint, len: number, flags: number, fill: number) => void; produced: (pos: bigint) => void; consumed: () => bigint } {
  const consumer = new ArrayBuffer(PAGE);
  const producer = new ArrayBuffer(PAGE + 2 * size);
  const data = new DataView(producer, PAGE);
  new BigUint64Array(consumer)[0] = start;
  new BigUint64Array(producer)[0] = start;
  // The kernel maps the data pages twice: a byte at x is also at x + size.
  const put = (x: number, b: number): void => {
    data.setUint8(x % size, b);
    data.setUint8((x % size) + size, b);
  };
  return {
    mem: { consumer, producer, dataOffset: PAGE, closed: false, [Symbol.dispose]() {} },
    write(pos, len, flags, fill) {
      const off = Number(pos % BigInt(size));
      const hdr = (len | flags) >>> 0;
      for (let i = 0; i < 4; i++) put(off + i, (hdr >>> (8 * i)) & 0xff);
      for (let i = 0; i < len; i++) put(off + 8 + i, fill);
    },
    produced(pos) {
      new BigUint64Array(producer)[0] = pos;
    },
    consumed: () => new BigUint64Array(consumer)[0]!,
  };
}

function collect(ring: Ring, limit?: number): number[][] {
  const out: number[][] = [];
  ring.drain((view, offset, length) => out.push(Array.from({ length }, (_, i) => view.getUint8(offset + i))), limit);
  return out;
}

test("discarded records are skipped; a BUSY record stops the drain until it is committed", () => {
  const m = memory(0n);
  const ring = new Ring(-1, 64, "t", m.mem);
  m.write(0n, 3, 0, 1); // 16 bytes
  m.write(16n, 4, DISCARD, 2); // 16 bytes
  m.write(32n, 1, BUSY, 3); // 16 bytes, not committed
  m.produced(48n);
  expect(collect(ring)).toEqual([[1, 1, 1]]);
  expect(m.consumed()).toBe(32n);
  expect(ring.pending()).toBe(16);
  m.write(32n, 1, 0, 3);
  expect(collect(ring)).toEqual([[3]]);
  expect(m.consumed()).toBe(48n);
  expect(collect(ring)).toEqual([]);
});

test("a record that wraps the end is read contiguously; positions past 2^32 work", () => {
  const start = 2n ** 32n + 48n; // data offset 48 of 64
  const m = memory(start);
  const ring = new Ring(-1, 64, "t", m.mem);
  m.write(start, 20, 0, 7); // 8 + 20 -> 32 bytes: offsets 48..79 wrap past 64
  m.write(start + 32n, 2, 0, 9);
  m.produced(start + 48n);
  expect(collect(ring)).toEqual([new Array(20).fill(7), [9, 9]]);
  expect(m.consumed()).toBe(start + 48n);
});

test("a limit stops early; a throwing visitor keeps what it consumed", () => {
  const m = memory(0n);
  const ring = new Ring(-1, 64, "t", m.mem);
  for (let i = 0; i < 4; i++) m.write(BigInt(i * 16), 1, 0, i);
  m.produced(64n);
  expect(collect(ring, 1)).toEqual([[0]]);
  expect(m.consumed()).toBe(16n);
  let seen = 0;
  expect(() => ring.drain(() => {
    if (++seen === 2) throw new Error("visitor failed");
  })).toThrow("visitor failed");
  // Both visited records are consumed, the failing one included: it is not delivered twice.
  expect(m.consumed()).toBe(48n);
  expect(collect(ring)).toEqual([[3]]);
});

function collectBatches(ring: Ring, limit?: number): number[][][] {
  const out: number[][][] = [];
  ring.drainBatches((b: RecordBatch) => {
    const recs: number[][] = [];
    for (let i = 0; i < b.count; i++) recs.push(Array.from(b.bytes.subarray(b.offsets[i]!, b.offsets[i]! + b.lengths[i]!)));
    out.push(recs);
  }, limit);
  return out;
}

test("batches: discarded records skipped, BUSY stops, a wrapping record contiguous past 2^32", () => {
  const start = 2n ** 32n + 48n;
  const m = memory(start);
  const ring = new Ring(-1, 64, "t", m.mem);
  m.write(start, 20, 0, 7); // 8 + 20 -> 32 bytes: offsets 48..79 wrap past 64
  m.write(start + 32n, 1, DISCARD, 2);
  m.write(start + 48n, 1, BUSY, 3);
  m.produced(start + 64n);
  expect(collectBatches(ring)).toEqual([[new Array(20).fill(7)]]);
  expect(m.consumed()).toBe(start + 48n);
  m.write(start + 48n, 1, 0, 3);
  expect(collectBatches(ring)).toEqual([[[3]]]);
  expect(m.consumed()).toBe(start + 64n);
  expect(collectBatches(ring)).toEqual([]);
});

test("batches of at most 1024 records, consumer_pos published after each returns", () => {
  const size = 1 << 15;
  const m = memory(0n, size);
  const ring = new Ring(-1, size, "t", m.mem);
  const n = 1500; // 16 bytes each
  for (let i = 0; i < n; i++) m.write(BigInt(i * 16), 4, i % 7 === 3 ? DISCARD : 0, i & 0xff);
  m.produced(BigInt(n * 16));
  const seen: number[] = [];
  const consumedAtCall: bigint[] = [];
  const total = ring.drainBatches((b) => {
    consumedAtCall.push(m.consumed());
    for (let i = 0; i < b.count; i++) seen.push(b.bytes[b.offsets[i]!]!);
  });
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 3).map((i) => i & 0xff);
  expect(total).toBe(expected.length);
  expect(seen).toEqual(expected);
  // The second batch starts after the first's 1024 records (and the discards among them) were released.
  expect(consumedAtCall).toHaveLength(2);
  expect(consumedAtCall[0]).toBe(0n);
  expect(consumedAtCall[1]! > 1024n * 16n).toBe(true);
  expect(m.consumed()).toBe(BigInt(n * 16));
});

test("batches: a limit stops early; a throwing visitor consumes its batch", () => {
  const m = memory(0n);
  const ring = new Ring(-1, 64, "t", m.mem);
  for (let i = 0; i < 4; i++) m.write(BigInt(i * 16), 1, 0, i);
  m.produced(64n);
  expect(collectBatches(ring, 1)).toEqual([[[0]]]);
  expect(m.consumed()).toBe(16n);
  expect(() => ring.drainBatches(() => {
    throw new Error("visitor failed");
  })).toThrow("visitor failed");
  expect(m.consumed()).toBe(64n);
  expect(collectBatches(ring)).toEqual([]);
});
