/**
 * One BPF ring buffer mapped into this process, read in place.
 *
 * Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos (we write it), page 1 holds
 * producer_pos (read-only to us), then the data pages, mapped twice back to back so a record
 * that wraps around the end is still contiguous. Each record starts with an 8-byte header:
 * a u32 length whose top bits are BUSY (the producer has not committed it yet) and DISCARD
 * (skip it), and a u32 page offset the kernel uses. Records are padded to 8 bytes.
 *
 * Ordering, as in the kernel's protocol (kernel/bpf/ringbuf.c, libbpf's ringbuf.c): the
 * producer writes a header with BUSY set, then publishes producer_pos with a release store;
 * it commits by clearing BUSY with xchg (a full barrier) after writing the record. So the
 * consumer needs an acquire load of producer_pos (one Atomics.load per batch), an acquire
 * load of each header (so the record's bytes are read after its BUSY bit is seen clear), and
 * a release store of consumer_pos after the records are read (Atomics.store, once per batch
 * and every PUBLISH_EVERY records). On x86-64 every load is an acquire load (TSO), so headers
 * are plain typed-array reads there: Atomics.load is a builtin call V8 does not inline, and it
 * cost more than the rest of the loop. Elsewhere (arm64) headers use Atomics.load.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { Mapping, pageSize, PROT_READ, PROT_WRITE } from "../../runtime/sys/index.js";

const DISCARD_BIT = 0x40000000;
const LEN_MASK = 0x3fffffff;
const HEADER = 8;
/** Publish consumer_pos at least this often within one drain so producers get room back. */
const PUBLISH_EVERY = 256;
/** Records per batch of `drainBatches` (consumer_pos is published after each). */
const BATCH = 1024;
/** Whether plain loads lack acquire ordering here, so headers need Atomics.load (see above). */
const ACQUIRE_HEADERS = process.arch !== "x64" && process.arch !== "ia32";

/** Visits one record in place: `view` is valid only during the call. */
export type RawVisitor = (view: DataView, offset: number, length: number) => void;

/** Records of one batch, in place: valid only during the call that receives it. */
export interface RecordBatch {
  /** The data area (mapped twice, so a record that wraps is contiguous). */
  readonly view: DataView;
  /** The same bytes. */
  readonly bytes: Uint8Array;
  /** Where record i starts in `view` and `bytes` (a multiple of 8), for i < `count`. */
  readonly offsets: Uint32Array;
  /** Record i's length in bytes, for i < `count`. */
  readonly lengths: Uint32Array;
  /** Records in this batch. */
  readonly count: number;
}

/**
 * Visits a batch of records. The loop over them is the caller's own, so it stays monomorphic
 * and inlined in the caller however many kinds of consumers the process runs.
 */
export type BatchVisitor = (batch: RecordBatch) => void;

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
  readonly #batch: { view: DataView; bytes: Uint8Array; offsets: Uint32Array; lengths: Uint32Array; count: number };
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
    this.#batch = {
      view: this.#data, bytes: new Uint8Array(mem.producer, mem.dataOffset, 2 * size),
      offsets: new Uint32Array(BATCH), lengths: new Uint32Array(BATCH), count: 0,
    };
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
      // One acquire load of producer_pos per batch; the records up to it are read in a loop
      // that allocates nothing and calls nothing but `visit`.
      let prod = Number(Atomics.load(this.#producerPos, 0));
      while (cons < prod && visited < limit) {
        // Small integers in the loop: bytes available (at most the ring's size) and used.
        const avail = prod - cons;
        let used = 0;
        do {
          const hdr = ACQUIRE_HEADERS ? Atomics.load(headers, off >>> 2) : headers[off >>> 2]!;
          // The BUSY bit is the sign bit of the Int32 header: not committed yet.
          if (hdr < 0) {
            cons += used;
            return visited;
          }
          const len = hdr & LEN_MASK;
          const step = (len + HEADER + 7) & ~7;
          const at = off + HEADER;
          used += step;
          off = (off + step) & mask;
          if ((hdr & DISCARD_BIT) === 0) {
            visited++;
            try {
              visit(data, at, len);
            } catch (e) {
              // The failing record counts as consumed: it is not delivered twice.
              cons += used;
              throw e;
            }
          }
          if (++sincePublish === PUBLISH_EVERY) {
            Atomics.store(this.#consumerPos, 0, BigInt(cons + used));
            sincePublish = 0;
          }
        } while (used < avail && visited < limit);
        cons += used;
        prod = Number(Atomics.load(this.#producerPos, 0));
      }
      return visited;
    } finally {
      this.#cons = cons;
      if (!this.closed) Atomics.store(this.#consumerPos, 0, BigInt(cons));
    }
  }

  /**
   * Hand every committed record, oldest first, up to `limit`, to `visit` in batches of up to
   * 1024, publishing consumer_pos after each batch returns (so records stay in place while it
   * reads them). Stops at a record still being written (BUSY); discarded records are skipped.
   * Returns the number of records handed over. If `visit` throws, its batch stays consumed.
   */
  drainBatches(visit: BatchVisitor, limit = Infinity): number {
    if (this.closed) throw new WhistlerError(`ring buffer "${this.name}" is closed`);
    const headers = this.#headers;
    const batch = this.#batch;
    const { offsets, lengths } = batch;
    const mask = this.size - 1;
    let cons = this.#cons;
    let off = (cons % 0x100000000) & mask;
    let visited = 0;
    let busy = false;
    let lastLen = -1;
    let lastStep = 0;
    try {
      let prod = Number(Atomics.load(this.#producerPos, 0));
      while (cons < prod && visited < limit && !busy) {
        // Small integers in the loop: bytes available (at most the ring's size) and used.
        const avail = prod - cons;
        const room = limit - visited < BATCH ? limit - visited : BATCH;
        // No masking inside a batch: it starts below `size` and spans at most `size` bytes, and
        // the data area is mapped twice, so `at` stays inside the view.
        let at = off;
        const end = off + avail;
        let n = 0;
        do {
          const hdr = ACQUIRE_HEADERS ? Atomics.load(headers, at >>> 2) : headers[at >>> 2]!;
          if (hdr < 0) {
            busy = true;
            break;
          }
          const len = hdr & LEN_MASK;
          if ((hdr & DISCARD_BIT) === 0) {
            offsets[n] = at + HEADER;
            lengths[n] = len;
            n++;
          }
          // Records mostly repeat the last length: the predicted branch lets the next header's
          // load start before this one's length is known, where computing the step from `len`
          // would make every load wait for the one before it.
          if (len === lastLen) {
            at += lastStep;
          } else {
            lastLen = len;
            lastStep = (len + HEADER + 7) & ~7;
            at += lastStep;
          }
        } while (at < end && n < room);
        cons += at - off;
        off = at & mask;
        if (n > 0) {
          batch.count = n;
          visited += n;
          visit(batch);
        }
        Atomics.store(this.#consumerPos, 0, BigInt(cons));
        if (cons >= prod) prod = Number(Atomics.load(this.#producerPos, 0));
      }
      return visited;
    } finally {
      batch.count = 0;
      this.#cons = cons;
      if (!this.closed) Atomics.store(this.#consumerPos, 0, BigInt(cons));
    }
  }

  [Symbol.dispose](): void {
    this.#mem[Symbol.dispose]();
  }
}
