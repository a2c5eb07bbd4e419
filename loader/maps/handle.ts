/**
 * `MapHandle`: typed access to a key/value map from user space (hash, array, per-CPU, LRU,
 * LPM trie). Keys and values go through codecs into native buffers owned by the handle (see
 * MapElemCalls), so `get` costs one bpf() call plus encoding the key and decoding the value.
 *
 * Iteration takes a snapshot of the keys with BPF_MAP_GET_NEXT_KEY first, so deleting while
 * iterating is safe; entries deleted in between are skipped. The batch methods move many
 * elements per system call and fall back to per-element calls where the kernel lacks them.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { NativeBuffer } from "../../runtime/sys/index.js";
import { MapBase } from "./base.js";
import { lookupBatch, writeBatch, type BatchLayout } from "./batch.js";
import type { MapScalar } from "./codecs.js";

export { PERCPU_MAP_TYPES, type MapHandleInfo } from "./base.js";

/** BPF_MAP_UPDATE_ELEM flags. */
export const UpdateFlags = { ANY: 0, NOEXIST: 1, EXIST: 2, LOCK: 4 } as const;

/** Kernel map types that are arrays: every index exists, delete is not allowed. */
const ARRAY_MAP_TYPES: ReadonlySet<number> = new Set([2, 6]);
const DEFAULT_BATCH = 4096;

type ScalarInput<T> = [T] extends [bigint] ? bigint | number : T;
/** What a handle accepts for a K or V: 64-bit values also as numbers; per-CPU values as one value (all CPUs) or an array. */
export type InputOf<T> = T extends readonly (infer E)[] ? ScalarInput<E> | readonly ScalarInput<E>[] : ScalarInput<T>;

/** Values of a handle without static types: scalars (or raw bytes), arrays for per-CPU maps. */
export type MapKey = MapScalar;
export type MapValue = MapScalar | MapScalar[];

export interface BatchOptions {
  /** Elements per system call (default 4096). */
  batchSize?: number;
}

export class MapHandle<K = MapKey, V = MapValue, KIn = InputOf<K>, VIn = InputOf<V>> extends MapBase implements Iterable<[K, V]> {
  #decodeValueAt(view: DataView, base: number): V {
    if (!this.perCpu) return this.valueCodec.decode(view, base) as V;
    const out: MapScalar[] = new Array(this.info.cpus);
    for (let i = 0; i < this.info.cpus; i++) out[i] = this.valueCodec.decode(view, base + i * this.stride);
    return out as V;
  }

  #encodeValueAt(view: DataView, base: number, value: VIn): void {
    if (!this.perCpu) {
      this.valueCodec.encode(view, base, value as MapScalar);
      return;
    }
    const cpus = this.info.cpus;
    if (Array.isArray(value)) {
      if (value.length !== cpus) {
        throw new WhistlerError(`map "${this.info.name}" is per-CPU: give one value for all CPUs or an array of ${cpus} (possible CPUs), got ${value.length}`);
      }
      for (let i = 0; i < cpus; i++) this.valueCodec.encode(view, base + i * this.stride, value[i] as MapScalar);
    } else {
      for (let i = 0; i < cpus; i++) this.valueCodec.encode(view, base + i * this.stride, value as MapScalar);
    }
  }

  /** The value at `key`, or undefined when there is none. */
  get(key: KIn): V | undefined {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    if (!this.calls.lookup()) return undefined;
    return this.#decodeValueAt(this.valueView, 0);
  }

  has(key: KIn): boolean {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    return this.calls.lookup();
  }

  /** Store `value` at `key`. `flags`: UpdateFlags.ANY (default), NOEXIST or EXIST. */
  set(key: KIn, value: VIn, flags: number = UpdateFlags.ANY): this {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    this.#encodeValueAt(this.valueView, 0, value);
    this.calls.update(flags);
    return this;
  }

  /** Delete `key`; false when it was not there. Array maps cannot delete (the kernel says EINVAL). */
  delete(key: KIn): boolean {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    return this.calls.delete();
  }

  /** A snapshot of the keys, in the kernel's iteration order. */
  keys(): IterableIterator<K> {
    this.check();
    const keys: K[] = [];
    const key = this.calls.key.bytes;
    const next = this.calls.nextKey.bytes;
    // A hash map restarts from its first key when the current one vanishes under us; the
    // bound keeps concurrent deletes from looping forever.
    const limit = this.info.maxEntries;
    for (let first = true; keys.length < limit && this.calls.next(first); first = false) {
      keys.push(this.keyCodec.decode(this.nextView, 0) as K);
      key.set(next);
    }
    return keys[Symbol.iterator]();
  }

  /** A snapshot of [key, value] pairs. */
  *entries(): IterableIterator<[K, V]> {
    for (const k of [...this.keys()]) {
      const v = this.get(k as unknown as KIn);
      if (v !== undefined) yield [k, v];
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  get #layout(): BatchLayout {
    return { fd: this.fd, type: this.info.type, name: this.info.name, keySize: this.info.keySize, valueBytes: this.valueBytes };
  }

  #readAll(andDelete: boolean, opts: BatchOptions): [K, V][] {
    this.check();
    const out: [K, V][] = [];
    const { keySize } = this.info;
    const valueBytes = this.valueBytes;
    const ok = lookupBatch(this.#layout, andDelete, opts.batchSize ?? Math.min(DEFAULT_BATCH, this.info.maxEntries), (keys, values, i) => {
      out.push([this.keyCodec.decode(keys, i * keySize) as K, this.#decodeValueAt(values, i * valueBytes)]);
    });
    if (ok) return out;
    for (const k of [...this.keys()]) {
      this.keyCodec.encode(this.keyView, 0, k as MapScalar);
      // Lookup then delete: BPF_MAP_LOOKUP_AND_DELETE_ELEM exists for few map types.
      if (!this.calls.lookup()) continue;
      out.push([k, this.#decodeValueAt(this.valueView, 0)]);
      if (andDelete) this.calls.delete();
    }
    return out;
  }

  /** Every [key, value] pair, many per system call (BPF_MAP_LOOKUP_BATCH, or per key where the kernel lacks it). */
  lookupBatch(opts: BatchOptions = {}): [K, V][] {
    return this.#readAll(false, opts);
  }

  /** Every pair, removing each as it is read (BPF_MAP_LOOKUP_AND_DELETE_BATCH): drain counters without losing updates. */
  lookupAndDeleteBatch(opts: BatchOptions = {}): [K, V][] {
    return this.#readAll(true, opts);
  }

  #writeAll(pairs: readonly (readonly [KIn, VIn])[] | readonly KIn[], update: boolean, flags: number, opts: BatchOptions): number {
    this.check();
    const n = pairs.length;
    const size = Math.max(1, Math.min(n, opts.batchSize ?? DEFAULT_BATCH));
    const { keySize } = this.info;
    using keys = new NativeBuffer(size * keySize);
    using values = update ? new NativeBuffer(size * this.valueBytes) : undefined;
    let done = 0;
    while (done < n) {
      const count = Math.min(size, n - done);
      for (let i = 0; i < count; i++) {
        const item = pairs[done + i];
        if (update) {
          const [k, v] = item as readonly [KIn, VIn];
          this.keyCodec.encode(keys.view, i * keySize, k as MapScalar);
          this.#encodeValueAt(values!.view, i * this.valueBytes, v);
        } else {
          this.keyCodec.encode(keys.view, i * keySize, item as MapScalar);
        }
      }
      const r = writeBatch(this.#layout, keys, values, count, flags);
      if (r < 0) {
        // Per-element fallback for the rest.
        for (let i = done; i < n; i++) {
          const item = pairs[i];
          if (update) this.set((item as readonly [KIn, VIn])[0], (item as readonly [KIn, VIn])[1], flags);
          else if (!this.delete(item as KIn)) {
            throw new WhistlerError(`map "${this.info.name}": delete batch stopped after ${i} of ${n} keys: key ${i} is not in the map`);
          }
        }
        return n;
      }
      done += r;
    }
    return n;
  }

  /** Store many pairs, many per system call (BPF_MAP_UPDATE_BATCH). Returns how many were stored. */
  updateBatch(entries: Iterable<readonly [KIn, VIn]>, flags: number = UpdateFlags.ANY, opts: BatchOptions = {}): number {
    return this.#writeAll([...entries], true, flags, opts);
  }

  /** Delete many keys, many per system call (BPF_MAP_DELETE_BATCH); every key must exist. */
  deleteBatch(keys: Iterable<KIn>, opts: BatchOptions = {}): number {
    return this.#writeAll([...keys], false, 0, opts);
  }

  /** Remove every entry (array maps: set every entry to zero). */
  clear(): void {
    this.check();
    if (ARRAY_MAP_TYPES.has(this.info.type)) {
      const zero = this.calls.value.bytes;
      for (let i = 0; i < this.info.maxEntries; i++) {
        this.keyView.setUint32(0, i, true);
        zero.fill(0);
        this.calls.update(UpdateFlags.ANY);
      }
      return;
    }
    for (const k of [...this.keys()]) this.delete(k as unknown as KIn);
  }
}
