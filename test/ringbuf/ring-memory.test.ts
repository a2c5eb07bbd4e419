// The ring buffer reading algorithm over plain memory laid out like the kernel's mapping
// (consumer page; producer page; data area mapped twice): the cases a live kernel cannot be
// made to show on demand (a record still BUSY, positions past 2^32, a record wrapping the end).
import { expect, test } from "@jest/globals";
import { Ring, type RingMemory } from "../../loader/ringbuf/index.js";

const PAGE = 4096;
const SIZE = 64;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

function memory(start: bigint): { mem: RingMemory; write: (pos: bigint, len: number, flags: number, fill: number) => void; produced: (pos: bigint) => void; consumed: () => bigint } {
  const consumer = new ArrayBuffer(PAGE);
  const producer = new ArrayBuffer(PAGE + 2 * SIZE);
  const data = new DataView(producer, PAGE);
  new BigUint64Array(consumer)[0] = start;
  new BigUint64Array(producer)[0] = start;
  // The kernel maps the data pages twice: a byte at x is also at x + SIZE.
  const put = (x: number, b: number): void => {
    data.setUint8(x % SIZE, b);
    data.setUint8((x % SIZE) + SIZE, b);
  };
  return {
    mem: { consumer, producer, dataOffset: PAGE, closed: false, [Symbol.dispose]() {} },
    write(pos, len, flags, fill) {
      const off = Number(pos % BigInt(SIZE));
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
  const ring = new Ring(-1, SIZE, "t", m.mem);
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
  const ring = new Ring(-1, SIZE, "t", m.mem);
  m.write(start, 20, 0, 7); // 8 + 20 -> 32 bytes: offsets 48..79 wrap past 64
  m.write(start + 32n, 2, 0, 9);
  m.produced(start + 48n);
  expect(collect(ring)).toEqual([new Array(20).fill(7), [9, 9]]);
  expect(m.consumed()).toBe(start + 48n);
});

test("a limit stops early; a throwing visitor keeps what it consumed", () => {
  const m = memory(0n);
  const ring = new Ring(-1, SIZE, "t", m.mem);
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
