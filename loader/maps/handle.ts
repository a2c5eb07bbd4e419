/**
 * `MapHandle`: typed access to a map from user space. Keys and values go through codecs into
 * native buffers owned by the handle (see MapElemCalls), so `get` costs one bpf() call plus
 * encoding the key and decoding the value.
 *
 * Iteration takes a snapshot of the keys with BPF_MAP_GET_NEXT_KEY first, so deleting while
 * iterating is safe; entries deleted in between are skipped.
 */
import { WhistlerError } from "../../runtime/errors.js";
import type { Codec } from "../../runtime/codec.js";
import { MapElemCalls, type Fd } from "../../runtime/sys/index.js";
import type { MapScalar } from "./codecs.js";

/** BPF_MAP_UPDATE_ELEM flags. */
export const UpdateFlags = { ANY: 0, NOEXIST: 1, EXIST: 2, LOCK: 4 } as const;

/** Kernel map types whose values are one per possible CPU. */
export const PERCPU_MAP_TYPES: ReadonlySet<number> = new Set([5, 6, 10, 15]);
/** Kernel map types that are arrays: every index exists, delete is not allowed. */
const ARRAY_MAP_TYPES: ReadonlySet<number> = new Set([2, 6]);

type ScalarInput<T> = [T] extends [bigint] ? bigint | number : T;
/** What a handle accepts for a K or V: 64-bit values also as numbers; per-CPU values as one value (all CPUs) or an array. */
export type InputOf<T> = T extends readonly (infer E)[] ? ScalarInput<E> | readonly ScalarInput<E>[] : ScalarInput<T>;

/** Values of a handle without static types: scalars (or raw bytes), arrays for per-CPU maps. */
export type MapKey = MapScalar;
export type MapValue = MapScalar | MapScalar[];

export interface MapHandleInfo {
  readonly name: string;
  /** BPF_MAP_TYPE_* */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Number of values per key: possible CPUs for per-CPU maps, else 1. */
  readonly cpus: number;
}

export class MapHandle<K = MapKey, V = MapValue> implements Iterable<[K, V]> {
  readonly info: MapHandleInfo;
  readonly #fd: Fd;
  readonly #calls: MapElemCalls;
  readonly #keyView: DataView;
  readonly #nextView: DataView;
  readonly #valueView: DataView;
  readonly #key: Codec<MapScalar>;
  readonly #value: Codec<MapScalar>;
  readonly #perCpu: boolean;
  /** Per-CPU values are laid out every round_up(value_size, 8) bytes. */
  readonly #stride: number;
  #closed = false;

  /** @internal Made by BpfObject.map(); not for direct use. */
  constructor(fd: Fd, info: MapHandleInfo, key: Codec<MapScalar>, value: Codec<MapScalar>) {
    this.#fd = fd;
    this.info = info;
    this.#key = key;
    this.#value = value;
    this.#perCpu = PERCPU_MAP_TYPES.has(info.type);
    this.#stride = this.#perCpu ? Math.ceil(info.valueSize / 8) * 8 : info.valueSize;
    const valueBytes = this.#perCpu ? this.#stride * info.cpus : info.valueSize;
    this.#calls = new MapElemCalls(fd.raw, info.keySize, valueBytes, `map "${info.name}"`);
    this.#keyView = this.#calls.key.view;
    this.#nextView = this.#calls.nextKey.view;
    this.#valueView = this.#calls.value.view;
  }

  get name(): string {
    return this.info.name;
  }

  /** The map's fd number (valid while the object is open). */
  get fd(): number {
    return this.#fd.raw;
  }

  #check(): void {
    if (this.#closed || this.#fd.closed) {
      throw new WhistlerError(`map "${this.info.name}" is closed`, { hint: "its object was disposed; keep the object alive while you use its maps" });
    }
  }

  #decodeValue(): V {
    if (!this.#perCpu) return this.#value.decode(this.#valueView, 0) as V;
    const out: MapScalar[] = new Array(this.info.cpus);
    for (let i = 0; i < this.info.cpus; i++) out[i] = this.#value.decode(this.#valueView, i * this.#stride);
    return out as V;
  }

  #encodeValue(value: InputOf<V>): void {
    if (!this.#perCpu) {
      this.#value.encode(this.#valueView, 0, value as MapScalar);
      return;
    }
    const cpus = this.info.cpus;
    if (Array.isArray(value)) {
      if (value.length !== cpus) {
        throw new WhistlerError(`map "${this.info.name}" is per-CPU: give one value for all CPUs or an array of ${cpus} (possible CPUs), got ${value.length}`);
      }
      for (let i = 0; i < cpus; i++) this.#value.encode(this.#valueView, i * this.#stride, value[i] as MapScalar);
    } else {
      for (let i = 0; i < cpus; i++) this.#value.encode(this.#valueView, i * this.#stride, value as MapScalar);
    }
  }

  /** The value at `key`, or undefined when there is none. */
  get(key: InputOf<K>): V | undefined {
    this.#check();
    this.#key.encode(this.#keyView, 0, key as MapScalar);
    if (!this.#calls.lookup()) return undefined;
    return this.#decodeValue();
  }

  has(key: InputOf<K>): boolean {
    this.#check();
    this.#key.encode(this.#keyView, 0, key as MapScalar);
    return this.#calls.lookup();
  }

  /** Store `value` at `key`. `flags`: UpdateFlags.ANY (default), NOEXIST or EXIST. */
  set(key: InputOf<K>, value: InputOf<V>, flags: number = UpdateFlags.ANY): this {
    this.#check();
    this.#key.encode(this.#keyView, 0, key as MapScalar);
    this.#encodeValue(value);
    this.#calls.update(flags);
    return this;
  }

  /** Delete `key`; false when it was not there. Array maps cannot delete (the kernel says EINVAL). */
  delete(key: InputOf<K>): boolean {
    this.#check();
    this.#key.encode(this.#keyView, 0, key as MapScalar);
    return this.#calls.delete();
  }

  /** A snapshot of the keys, in the kernel's iteration order. */
  keys(): IterableIterator<K> {
    this.#check();
    const keys: K[] = [];
    const key = this.#calls.key.bytes;
    const next = this.#calls.nextKey.bytes;
    // A hash map restarts from its first key when the current one vanishes under us; the
    // bound keeps concurrent deletes from looping forever.
    const limit = this.info.maxEntries;
    for (let first = true; keys.length < limit && this.#calls.next(first); first = false) {
      keys.push(this.#key.decode(this.#nextView, 0) as K);
      key.set(next);
    }
    return keys[Symbol.iterator]();
  }

  /** A snapshot of [key, value] pairs. */
  *entries(): IterableIterator<[K, V]> {
    for (const k of [...this.keys()]) {
      const v = this.get(k as InputOf<K>);
      if (v !== undefined) yield [k, v];
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Remove every entry (array maps: set every entry to zero). */
  clear(): void {
    this.#check();
    if (ARRAY_MAP_TYPES.has(this.info.type)) {
      const zero = this.#calls.value.bytes;
      for (let i = 0; i < this.info.maxEntries; i++) {
        this.#keyView.setUint32(0, i, true);
        zero.fill(0);
        this.#calls.update(UpdateFlags.ANY);
      }
      return;
    }
    for (const k of [...this.keys()]) this.delete(k as InputOf<K>);
  }

  /** @internal Frees the handle's native buffers; the map's fd belongs to its object. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#calls[Symbol.dispose]();
  }
}
