/**
 * `RingBufReader<T>`: the user-facing consumer of one ring buffer map. Three forms:
 * - `for await (const rec of reader)`: decoded records, waiting off the event loop;
 * - callbacks: `consume(cb)` (now), `poll(cb, timeoutMs)` (wait then drain),
 *   `run(cb, { signal })` (until aborted or disposed);
 * - raw: `consumeRaw((view, offset, length) => ...)` reads records in place, zero copy;
 *   `consumeBatch((batch) => ...)` hands them over up to 1024 at a time (offsets and lengths
 *   in typed arrays), for loops that must not pay a call per record.
 * Records decode with the reader's codec (a defstruct class, a scalar codec, ...), or are
 * copied to a Uint8Array when it has none.
 */
import { CodecError, type Codec } from "../../runtime/codec.js";
import { WhistlerError } from "../../runtime/errors.js";
import { RingPoller } from "./poller.js";
import { Ring, type BatchVisitor, type RawVisitor } from "./ring.js";

/** Anything that decodes a record (the size is the least number of bytes a record must hold). */
export type RecordDecoder<T> = Pick<Codec<T, never>, "size" | "decode">;

export interface RunOptions {
  /** Stop when aborted. */
  signal?: AbortSignal;
}

export class RingBufReader<T = Uint8Array> implements AsyncIterable<T>, Disposable {
  readonly name: string;
  /** The ring buffer map's fd (owned by its object). */
  readonly fd: number;
  readonly #ring: Ring;
  readonly #poller: RingPoller;
  readonly #decoder: RecordDecoder<T> | undefined;
  #cb: ((rec: T) => void) | undefined;
  readonly #visit: RawVisitor;
  #rawCb: RawVisitor | undefined;

  /** @internal Made by `obj.ringBuf(...)`; without a decoder, records are copied to Uint8Arrays. */
  constructor(fd: number, size: number, name: string, decoder?: RecordDecoder<T>) {
    this.name = name;
    this.fd = fd;
    this.#decoder = decoder;
    this.#visit = (view, offset, length) => {
      if (this.#rawCb) this.#rawCb(view, offset, length);
      else this.#decodeTo(this.#cb!, view, offset, length);
    };
    this.#ring = new Ring(fd, size, name);
    try {
      this.#poller = new RingPoller();
    } catch (e) {
      this.#ring[Symbol.dispose]();
      throw e;
    }
    try {
      this.#poller.add(fd, this.#ring, this.#visit);
    } catch (e) {
      this.#poller[Symbol.dispose]();
      this.#ring[Symbol.dispose]();
      throw e;
    }
  }

  #decodeTo(cb: (rec: T) => void, view: DataView, offset: number, length: number): void {
    const dec = this.#decoder;
    if (!dec) {
      cb(new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + length)) as T);
      return;
    }
    if (length < dec.size) throw new CodecError(`ring buffer "${this.name}": a ${length}-byte record is shorter than the ${dec.size}-byte record type`);
    cb(dec.decode(view, offset));
  }

  /** @internal The mapped ring, for a `RingBufPoller` over several readers. */
  get ring(): Ring {
    return this.#ring;
  }

  /** @internal Decodes each record and hands it to `cb` (for a `RingBufPoller`). */
  visitorFor(cb: (rec: T) => void): RawVisitor {
    return (view, offset, length) => this.#decodeTo(cb, view, offset, length);
  }

  #with<R>(cb: (rec: T) => void, raw: RawVisitor | undefined, f: () => R): R {
    if (this.#poller.closed) throw new WhistlerError(`ring buffer "${this.name}": the reader was disposed`, { hint: "open a new one with obj.ringBuf(...)" });
    if (this.#cb || this.#rawCb) throw new WhistlerError(`ring buffer "${this.name}" is already being read`, { hint: "read a ring buffer from one loop at a time" });
    this.#cb = cb;
    this.#rawCb = raw;
    try {
      return f();
    } finally {
      this.#cb = undefined;
      this.#rawCb = undefined;
    }
  }

  /** Decode and hand over every record available now. Returns how many. */
  consume(cb: (rec: T) => void): number {
    return this.#with(cb, undefined, () => this.#poller.consume());
  }

  /** Visit every record available now in place (`view` is valid only during the call). */
  consumeRaw(visit: RawVisitor): number {
    // Straight to the ring: no decoding indirection on the zero-copy path.
    return this.#with(() => {}, visit, () => this.#ring.drain(visit));
  }

  /**
   * Every record available now in place, in batches: `batch.offsets[i]` and
   * `batch.lengths[i]` for i < `batch.count` locate record i in `batch.view` / `batch.bytes`.
   * The batch is valid only during the call; consumer_pos is published after each returns.
   * If `visit` throws, its whole batch stays consumed. Returns the number of records.
   */
  consumeBatch(visit: BatchVisitor): number {
    return this.#with(() => {}, () => {}, () => this.#ring.drainBatches(visit));
  }

  /** Wait (off the event loop) up to `timeoutMs` for records (-1: no limit), then consume them. */
  async poll(cb: (rec: T) => void, timeoutMs = -1): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const n = this.consume(cb);
      if (n > 0 || this.#poller.closed) return n;
      const left = deadline - Date.now();
      if (left <= 0) return 0;
      await this.#poller.wait(left);
      if (this.#poller.closed) return 0;
    }
  }

  /**
   * Wait (off the event loop) until the ring signals new records or `timeoutMs` passes (at
   * most 200 ms per call); consumes nothing. For loops that read with `consumeRaw`.
   */
  async wait(timeoutMs: number): Promise<void> {
    if (this.#poller.closed) return;
    // Bytes pending after a drain belong to a record still being written (BUSY): its commit
    // signals, but wait briefly only, in case the signal went to an earlier wait.
    await this.#poller.wait(this.#ring.pending() > 0 ? Math.min(timeoutMs, 1) : timeoutMs);
  }

  /** Callback form: consume records as they come until `signal` aborts or the reader is disposed. */
  async run(cb: (rec: T) => void, opts: RunOptions = {}): Promise<void> {
    while (!this.#poller.closed && !opts.signal?.aborted) await this.poll(cb, 200);
  }

  /** Decoded records as they come; ends when the reader is disposed (or on `break`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const batch: T[] = [];
    const push = (r: T): void => void batch.push(r);
    while (!this.#poller.closed) {
      if (this.consume(push) === 0) await this.poll(push, 200);
      // Hand out a copy-free batch; records arriving meanwhile wait for the next round.
      for (let i = 0; i < batch.length; i++) yield batch[i]!;
      batch.length = 0;
    }
  }

  /** Records (or reserved bytes) the producer has written that are not consumed yet, in bytes. */
  pendingBytes(): number {
    return this.#ring.pending();
  }

  get closed(): boolean {
    return this.#poller.closed;
  }

  [Symbol.dispose](): void {
    if (this.#poller.closed) return;
    this.#poller[Symbol.dispose]();
    this.#ring[Symbol.dispose]();
  }
}
