/**
 * `PerfBufferReader<T>`: consumes a BPF_MAP_TYPE_PERF_EVENT_ARRAY. For every CPU it opens a
 * BPF output perf event, maps its ring, enables it and stores its fd at the CPU's index, so
 * `bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, ...)` lands there. Samples lost
 * because a ring was full arrive as PERF_RECORD_LOST records: they are counted (`lost`,
 * `lostByCpu`) and reported to `onLost`. Waits run off the event loop (epoll on a koffi
 * worker thread). Dispose removes the fds from the map and closes everything.
 */
import { CodecError } from "../../runtime/codec.js";
import { BpfError, WhistlerError } from "../../runtime/errors.js";
import { Epoll, EPOLLIN, MapElemCalls, openBpfOutputEvent, perfEventEnable, type Fd } from "../../runtime/sys/index.js";
import type { RecordDecoder } from "../ringbuf/index.js";
import { PerfRing, type LostVisitor, type SampleVisitor } from "./ring.js";

const ENODEV = 19;
const MAX_WAIT_MS = 200;

export interface PerfBufferOptions {
  /** Data pages per CPU, a power of two (default 8). */
  pages?: number;
  /** Called with the number of samples a CPU's ring had to drop. */
  onLost?: (lost: number, cpu: number) => void;
}

export class PerfBufferReader<T = Uint8Array> implements AsyncIterable<T>, Disposable {
  readonly name: string;
  /** Samples lost because a ring was full, per CPU and in total. */
  readonly lostByCpu: number[];
  #lost = 0;
  readonly #rings: PerfRing[] = [];
  readonly #fds: Fd[] = [];
  readonly #epoll: Epoll;
  readonly #slots: MapElemCalls;
  readonly #decoder: RecordDecoder<T> | undefined;
  readonly #onLost: LostVisitor;
  #busy = false;
  #closed = false;

  /** @internal Made by `obj.perfBuffer(...)`. */
  constructor(mapFd: number, name: string, cpus: number, decoder: RecordDecoder<T> | undefined, opts: PerfBufferOptions = {}) {
    this.name = name;
    this.#decoder = decoder;
    this.lostByCpu = new Array<number>(cpus).fill(0);
    const userLost = opts.onLost;
    this.#onLost = (n, cpu) => {
      this.#lost += n;
      this.lostByCpu[cpu]! += n;
      userLost?.(n, cpu);
    };
    this.#epoll = new Epoll(Math.max(1, cpus));
    this.#slots = new MapElemCalls(mapFd, 4, 4, `perf event array "${name}"`);
    try {
      for (let cpu = 0; cpu < cpus; cpu++) {
        let fd: Fd;
        try {
          fd = openBpfOutputEvent(cpu, `"${name}"`);
        } catch (e) {
          if (e instanceof BpfError && e.errno === ENODEV) continue; // offline CPU: nothing runs there
          throw e;
        }
        this.#fds.push(fd);
        this.#rings.push(new PerfRing(fd.raw, cpu, opts.pages ?? 8, `perf buffer "${name}"`));
        perfEventEnable(fd);
        this.#slots.key.view.setUint32(0, cpu, true);
        this.#slots.value.view.setUint32(0, fd.raw, true);
        this.#slots.update(0);
        this.#epoll.add(fd.raw, EPOLLIN, this.#rings.length - 1);
      }
    } catch (e) {
      this[Symbol.dispose]();
      throw e;
    }
  }

  /** Samples lost so far (all CPUs). */
  get lost(): number {
    return this.#lost;
  }

  #check(): void {
    if (this.#closed) throw new WhistlerError(`perf buffer "${this.name}" was disposed`);
    if (this.#busy) throw new WhistlerError(`perf buffer "${this.name}" is already being read`, { hint: "read a perf buffer from one loop at a time" });
  }

  /** Visit every sample available now in place; returns how many. */
  consumeRaw(visit: SampleVisitor): number {
    this.#check();
    this.#busy = true;
    try {
      let n = 0;
      for (const r of this.#rings) n += r.drain(visit, this.#onLost);
      return n;
    } finally {
      this.#busy = false;
    }
  }

  /** Decode and hand over every sample available now; returns how many. */
  consume(cb: (rec: T, cpu: number) => void): number {
    const dec = this.#decoder;
    const name = this.name;
    return this.consumeRaw((view, offset, length, cpu) => {
      if (!dec) {
        cb(new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + length)) as T, cpu);
        return;
      }
      if (length < dec.size) throw new CodecError(`perf buffer "${name}": a ${length}-byte sample is shorter than the ${dec.size}-byte record type`);
      cb(dec.decode(view, offset), cpu);
    });
  }

  /** Wait up to `timeoutMs` (at most 200 ms per call) for a ring to signal, off the event loop. */
  async wait(timeoutMs: number): Promise<void> {
    if (this.#closed || this.#rings.some((r) => r.pending() > 0)) return;
    await this.#epoll.wait(Math.max(0, Math.min(MAX_WAIT_MS, timeoutMs)));
  }

  /** Wait (off the event loop) up to `timeoutMs` for samples (-1: no limit), then consume them. */
  async poll(cb: (rec: T, cpu: number) => void, timeoutMs = -1): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const n = this.consume(cb);
      if (n > 0 || this.#closed) return n;
      const left = deadline - Date.now();
      if (left <= 0) return 0;
      await this.wait(left);
      if (this.#closed) return 0;
    }
  }

  /** Decoded samples as they come; ends when the reader is disposed (or on `break`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const batch: T[] = [];
    const push = (r: T): void => void batch.push(r);
    while (!this.#closed) {
      await this.poll(push, MAX_WAIT_MS);
      for (let i = 0; i < batch.length; i++) yield batch[i]!;
      batch.length = 0;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#epoll[Symbol.dispose]();
    for (const r of this.#rings) {
      // Empty the map slot so programs stop writing to a ring nobody reads.
      this.#slots.key.view.setUint32(0, r.cpu, true);
      try {
        this.#slots.delete();
      } catch {
        // the map may already be closed with its object
      }
      r[Symbol.dispose]();
    }
    for (const fd of this.#fds) fd.close();
    this.#slots[Symbol.dispose]();
  }
}
