/**
 * One BPF ring buffer mapped into this process, read in place.
 *
 * Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos (we write it), page 1 holds
 * producer_pos (read-only to us), then the data pages, mapped twice back to back so a record
 * that wraps around the end is still contiguous. Each record starts with an 8-byte header:
 * a u32 length whose top bits are BUSY (the producer has not committed it yet) and DISCARD
 * (skip it), and a u32 page offset the kernel uses. Records are padded to 8 bytes.
 *
 * Ordering: positions and headers are read with Atomics.load and consumer_pos is published
 * with Atomics.store; both are sequentially consistent, which is at least the
 * acquire/release pairing the kernel's producer expects.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { Mapping, pageSize, PROT_READ, PROT_WRITE } from "../../runtime/sys/index.js";

const DISCARD_BIT = 0x40000000;
const LEN_MASK = 0x3fffffff;
const HEADER = 8;
/** Publish consumer_pos at least this often within one drain so producers get room back. */
const PUBLISH_EVERY = 256;

/** Visits one record in place: `view` is valid only during the call. */
export type RawVisitor = (view: DataView, offset: number, length: number) => void;

/** The memory a ring reads: kernel mappings, or plain buffers laid out the same way (tests). */
export interface RingMemory extends Disposable {
  /** The consumer page (consumer_pos at offset 0). */
  readonly consumer: ArrayBuffer;
  /** The producer page (producer_pos at 0) followed by the data area mapped twice. */
  readonly producer: ArrayBuffer;
  /** Offset of the data area in `producer` (one page). */
  readonly dataOffset: number;
  readonly closed: boolean;
}

function mapRing(fd: number, size: number, name: string): RingMemory {
  const page = pageSize();
  const consumer = new Mapping(fd, page, PROT_READ | PROT_WRITE, 0, `ring buffer "${name}": map consumer page`);
  let producer: Mapping;
  try {
    producer = new Mapping(fd, page + 2 * size, PROT_READ, page, `ring buffer "${name}": map producer pages`);
  } catch (e) {
    consumer[Symbol.dispose]();
    throw e;
  }
  return {
    consumer: consumer.buffer,
    producer: producer.buffer,
    dataOffset: page,
    get closed() {
      return consumer.unmapped;
    },
    [Symbol.dispose]() {
      producer[Symbol.dispose]();
      consumer[Symbol.dispose]();
    },
  };
}

export class Ring implements Disposable {
  readonly name: string;
  /** Size of the data area in bytes (the map's max_entries). */
  readonly size: number;
  readonly #mem: RingMemory;
  readonly #consumerPos: BigUint64Array;
  readonly #producerPos: BigUint64Array;
  readonly #headers: Int32Array;
  readonly #data: DataView;
  #cons: number;

  /** Map the ring buffer map `fd` of `size` data bytes (`memory`: read other memory instead). */
  constructor(fd: number, size: number, name: string, memory?: RingMemory) {
    if (size <= 0 || (size & (size - 1)) !== 0) throw new WhistlerError(`ring buffer "${name}": size ${size} is not a power of two`);
    this.name = name;
    this.size = size;
    const mem = memory ?? mapRing(fd, size, name);
    this.#mem = mem;
    this.#consumerPos = new BigUint64Array(mem.consumer, 0, 1);
    this.#producerPos = new BigUint64Array(mem.producer, 0, 1);
    this.#headers = new Int32Array(mem.producer, mem.dataOffset, (2 * size) / 4);
    this.#data = new DataView(mem.producer, mem.dataOffset, 2 * size);
    this.#cons = Number(Atomics.load(this.#consumerPos, 0));
  }

  get closed(): boolean {
    return this.#mem.closed;
  }

  /** Bytes committed or reserved by producers and not yet consumed. */
  pending(): number {
    return Number(Atomics.load(this.#producerPos, 0)) - this.#cons;
  }

  /**
   * Visit every committed record, oldest first, up to `limit`; stops at a record still being
   * written (BUSY). Returns the number of records visited (discarded ones are skipped and not
   * counted). If `visit` throws, the records before it stay consumed.
   */
  drain(visit: RawVisitor, limit = Infinity): number {
    if (this.closed) throw new WhistlerError(`ring buffer "${this.name}" is closed`);
    const headers = this.#headers;
    const data = this.#data;
    const mask = this.size - 1;
    let cons = this.#cons;
    // The offset in the data area, kept apart from cons (which can pass 2^32) so the hot loop
    // works on small integers.
    let off = (cons % 0x100000000) & mask;
    let visited = 0;
    let sincePublish = 0;
    try {
      for (;;) {
        const prod = Number(Atomics.load(this.#producerPos, 0));
        if (cons >= prod || visited >= limit) break;
        while (cons < prod) {
          const hdr = Atomics.load(headers, off >>> 2);
          // The BUSY bit is the sign bit of the Int32 header: not committed yet.
          if (hdr < 0) return visited;
          const len = hdr & LEN_MASK;
          const step = (len + HEADER + 7) & ~7;
          const at = off + HEADER;
          cons += step;
          off = (off + step) & mask;
          if ((hdr & DISCARD_BIT) === 0) {
            visited++;
            visit(data, at, len);
          }
          if (++sincePublish === PUBLISH_EVERY) {
            Atomics.store(this.#consumerPos, 0, BigInt(cons));
            sincePublish = 0;
          }
          if (visited >= limit) break;
        }
      }
      return visited;
    } finally {
      this.#cons = cons;
      if (!this.closed) Atomics.store(this.#consumerPos, 0, BigInt(cons));
    }
  }

  [Symbol.dispose](): void {
    this.#mem[Symbol.dispose]();
  }
}
