// The perf ring reading algorithm over plain memory laid out like the kernel's mapping
// (metadata page with data_head/data_tail, then the data pages, mapped once): samples that
// wrap the end are reassembled, LOST records counted, data_tail published.
import { expect, test } from "@jest/globals";
import { PerfRing } from "../../loader/perf/index.js";

const PAGE = 4096;

test("samples wrapping the end are reassembled; LOST records are counted; data_tail follows", () => {
  const buf = new ArrayBuffer(PAGE * 2);
  const meta = new BigUint64Array(buf, 1024, 2); // data_head, data_tail
  const data = new DataView(buf, PAGE, PAGE);
  let pos = PAGE - 16; // start near the end so the second record wraps
  meta[0] = BigInt(pos);
  meta[1] = BigInt(pos);
  const put = (bytes: number[]): void => {
    for (const b of bytes) data.setUint8(pos++ % PAGE, b);
  };
  const u16 = (x: number): number[] => [x & 0xff, x >> 8];
  const u32 = (x: number): number[] => [...u16(x & 0xffff), ...u16(x >>> 16)];
  const u64 = (x: number): number[] => [...u32(x), 0, 0, 0, 0];
  // LOST: header (type 2, size 24) + id + lost count.
  put([...u32(2), ...u16(0), ...u16(24), ...u64(0)]); // 16 bytes up to the end...
  put(u64(5)); // ...the count wraps to the start
  // SAMPLE: header (type 9, size 8 + 4 + 20) + u32 raw size + 20 bytes.
  put([...u32(9), ...u16(0), ...u16(32), ...u32(20), ...Array.from({ length: 20 }, (_, i) => i)]);
  meta[0] = BigInt(pos);
  using ring = new PerfRing(-1, 3, 1, "t", { buffer: buf, unmapped: false, [Symbol.dispose]() {} });
  const samples: number[][] = [];
  const lost: [number, number][] = [];
  const n = ring.drain((view, offset, length, cpu) => {
    expect(cpu).toBe(3);
    samples.push(Array.from({ length }, (_, i) => view.getUint8(offset + i)));
  }, (count, cpu) => lost.push([count, cpu]));
  expect(n).toBe(1);
  expect(lost).toEqual([[5, 3]]);
  expect(samples).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
  expect(meta[1]).toBe(BigInt(pos));
  expect(ring.pending()).toBe(0);

  // A sample that itself wraps the end.
  pos = PAGE * 3 - 12;
  meta[1] = BigInt(pos);
  put([...u32(9), ...u16(0), ...u16(24), ...u32(12), ...Array.from({ length: 12 }, (_, i) => 100 + i)]);
  meta[0] = BigInt(pos);
  samples.length = 0;
  ring.drain((view, offset, length) => samples.push(Array.from({ length }, (_, i) => view.getUint8(offset + i))), () => {});
  expect(samples).toEqual([Array.from({ length: 12 }, (_, i) => 100 + i)]);
});
