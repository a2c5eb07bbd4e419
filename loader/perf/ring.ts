/**
 * One CPU's perf ring: the perf_event_mmap_page (data_head written by the kernel, data_tail
 * by us) followed by 2^n data pages. Records are a perf_event_header { u32 type; u16 misc;
 * u16 size } and a body; PERF_RECORD_SAMPLE carries { u32 size; u8 data[size] } (raw
 * sample), PERF_RECORD_LOST carries { u64 id; u64 lost }. Unlike BPF ring buffers the data
 * area is mapped once, so a record that wraps is copied into a scratch buffer first.
 *
 * Ordering: data_head is read with Atomics.load before the records, data_tail is published
 * with Atomics.store after them (sequentially consistent, stronger than the kernel's
 * smp_load_acquire/smp_store_release pairing).
 */
import { WhistlerError } from "../../runtime/errors.js";
import { Mapping, pageSize, PROT_READ, PROT_WRITE } from "../../runtime/sys/index.js";

const DATA_HEAD = 1024;
const DATA_TAIL = 1032;
const PERF_RECORD_LOST = 2;
const PERF_RECORD_SAMPLE = 9;
const HEADER = 8;

/** Sees one raw sample in place: `view` is valid only during the call. */
export type SampleVisitor = (view: DataView, offset: number, length: number, cpu: number) => void;
export type LostVisitor = (lost: number, cpu: number) => void;

/** What a perf ring reads: its kernel mapping, or a plain buffer laid out the same way (tests). */
export interface PerfRingMemory extends Disposable {
  /** The metadata page followed by the data pages. */
  readonly buffer: ArrayBuffer;
  readonly unmapped: boolean;
}

export class PerfRing implements Disposable {
  readonly cpu: number;
  readonly #map: PerfRingMemory;
  readonly #head: BigUint64Array;
  readonly #tail: BigUint64Array;
  readonly #data: DataView;
  readonly #size: number;
  #scratch: DataView = new DataView(new ArrayBuffer(256));

  /** Map the perf event `fd`'s ring: a metadata page and `pages` data pages (`memory`: read other memory). */
  constructor(fd: number, cpu: number, pages: number, what: string, memory?: PerfRingMemory) {
    if (pages < 1 || (pages & (pages - 1)) !== 0) throw new WhistlerError(`${what}: the page count per CPU must be a power of two, got ${pages}`);
    const page = pageSize();
    this.cpu = cpu;
    this.#size = pages * page;
    this.#map = memory ?? new Mapping(fd, page + this.#size, PROT_READ | PROT_WRITE, 0, `${what}: map the ring of CPU ${cpu}`);
    this.#head = new BigUint64Array(this.#map.buffer, DATA_HEAD, 1);
    this.#tail = new BigUint64Array(this.#map.buffer, DATA_TAIL, 1);
    this.#data = new DataView(this.#map.buffer, page, this.#size);
  }

  /** Bytes written by the kernel and not read yet. */
  pending(): number {
    return Number(Atomics.load(this.#head, 0) - Atomics.load(this.#tail, 0));
  }

  /** Copy `len` bytes at ring offset `off` (wrapping) into the scratch view. */
  #unwrap(off: number, len: number): DataView {
    if (this.#scratch.byteLength < len) this.#scratch = new DataView(new ArrayBuffer(Math.max(len, this.#scratch.byteLength * 2)));
    const first = Math.min(len, this.#size - off);
    const dst = new Uint8Array(this.#scratch.buffer, 0, len);
    const src = new Uint8Array(this.#data.buffer, this.#data.byteOffset, this.#size);
    dst.set(src.subarray(off, off + first), 0);
    if (first < len) dst.set(src.subarray(0, len - first), first);
    return this.#scratch;
  }

  /** Visit every record written so far; returns the number of samples visited. */
  drain(onSample: SampleVisitor, onLost: LostVisitor): number {
    if (this.#map.unmapped) throw new WhistlerError(`perf ring of CPU ${this.cpu} is closed`);
    const head = Number(Atomics.load(this.#head, 0));
    let tail = Number(this.#tail[0]);
    const mask = this.#size - 1;
    const data = this.#data;
    let samples = 0;
    try {
      while (tail < head) {
        const off = (tail % 0x100000000) & mask;
        // The 8-byte header never wraps (records are 8-byte aligned, the ring a page multiple).
        const type = data.getUint32(off, true);
        const size = data.getUint16(off + 6, true);
        if (size < HEADER) throw new WhistlerError(`perf ring of CPU ${this.cpu}: corrupt record of ${size} bytes at ${tail}`);
        let view = data;
        let at = off;
        if (off + size > this.#size) {
          view = this.#unwrap(off, size);
          at = 0;
        }
        tail += size;
        if (type === PERF_RECORD_SAMPLE) {
          const len = view.getUint32(at + HEADER, true);
          samples++;
          onSample(view, at + HEADER + 4, Math.min(len, size - HEADER - 4), this.cpu);
        } else if (type === PERF_RECORD_LOST) {
          onLost(Number(view.getBigUint64(at + HEADER + 8, true)), this.cpu);
        }
      }
      return samples;
    } finally {
      if (!this.#map.unmapped) Atomics.store(this.#tail, 0, BigInt(tail));
    }
  }

  get closed(): boolean {
    return this.#map.unmapped;
  }

  [Symbol.dispose](): void {
    this.#map[Symbol.dispose]();
  }
}
