/**
 * Map declarations: what user code writes at module level (`new HashMap({...})`) and
 * interpolates into `bpf` templates. They describe a map; the loader creates it.
 *
 * Keys and values are element types: a scalar token (`u32`, `u64`, ...) or any codec (an
 * object with `size`, `encode`, `decode`: defstruct classes, `lpmKey(...)`, `bytesCodec(n)`).
 * Handles of a declared map read and write exactly the JavaScript types those give.
 */
import type { Codec } from "./codec.js";
import { lpmKey, type LpmFamily, type LpmKeyCodec } from "./lpm.js";
import { layoutStruct, arrayFieldType, scalarFieldType, type StructLayout } from "./struct/layout.js";
import { u32, u64, type JsInputOf, type JsValueOf, type ScalarType } from "./types.js";

/** Map kinds the compiler and loader understand, named like the kernel's BPF_MAP_TYPE_*. */
export type MapKind =
  | "hash" | "array" | "percpu_hash" | "percpu_array" | "lru_hash" | "lru_percpu_hash"
  | "lpm_trie" | "queue" | "stack" | "prog_array" | "array_of_maps" | "hash_of_maps"
  | "ringbuf" | "perf_event_array" | "bloom_filter" | "stack_trace";

/** Kernel enum values of BPF_MAP_TYPE_* for each kind. */
export const MAP_TYPE_IDS: Readonly<Record<MapKind, number>> = {
  hash: 1,
  array: 2,
  prog_array: 3,
  perf_event_array: 4,
  stack_trace: 7,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  lru_percpu_hash: 10,
  lpm_trie: 11,
  array_of_maps: 12,
  hash_of_maps: 13,
  queue: 22,
  stack: 23,
  ringbuf: 27,
  bloom_filter: 30,
};

/** Anything usable as a key or value codec (the encode input type is the codec's own). */
export interface AnyCodec {
  readonly size: number;
  encode(view: DataView, offset: number, value: never): void;
  decode(view: DataView, offset: number): unknown;
}

/** A key or value type: a scalar token or a codec. */
export type ElemType = ScalarType | AnyCodec;

/** What an element type decodes to. */
export type DecodedOf<T> = T extends ScalarType ? JsValueOf<T>
  : T extends { decode(view: DataView, offset: number): infer R } ? R : never;

/** What an element type accepts for encoding. */
export type EncodedOf<T> = T extends ScalarType ? JsInputOf<T>
  : T extends { encode(view: DataView, offset: number, value: infer I): void } ? I : never;

export function isScalarType(t: ElemType): t is ScalarType {
  return (t as ScalarType).kind === "scalar" && typeof (t as ScalarType).name === "string";
}

/** The element type of maps without keys (queue, stack, bloom filter, ring buffer): zero bytes. */
export const noKey: Codec<undefined, undefined> = Object.freeze({
  size: 0,
  encode: () => {},
  decode: () => undefined,
});
export type NoKey = typeof noKey;

/** BPF_F_NO_PREALLOC: the kernel requires it for LPM tries. */
export const BPF_F_NO_PREALLOC = 1;

export interface MapOptions<K extends ElemType, V extends ElemType> {
  key: K;
  value: V;
  maxEntries: number;
  /** Name in the object file; defaults to the variable the map is assigned to. */
  name?: string;
  /** BPF_F_* creation flags. */
  flags?: number;
}

export abstract class MapDecl<K extends ElemType = ElemType, V extends ElemType = ElemType> {
  abstract readonly kind: MapKind;
  readonly key: K;
  readonly value: V;
  readonly maxEntries: number;
  readonly name: string | undefined;
  readonly flags: number;
  /** map_extra at creation (bloom filter: number of hash functions). */
  readonly mapExtra: bigint = 0n;
  constructor(opts: MapOptions<K, V>, allowZeroEntries = false) {
    const min = allowZeroEntries ? 0 : 1;
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < min || opts.maxEntries > 0xffffffff) {
      throw new RangeError(`maxEntries must be a ${allowZeroEntries ? "non-negative" : "positive"} 32-bit integer, got ${opts.maxEntries}`);
    }
    for (const [what, t] of [["key", opts.key], ["value", opts.value]] as const) {
      if (!t || typeof t.size !== "number" || (!isScalarType(t) && typeof t.encode !== "function")) {
        throw new TypeError(`map ${what} must be a scalar type token (u32, u64, ...) or a codec with size/encode/decode`);
      }
    }
    this.key = opts.key;
    this.value = opts.value;
    this.maxEntries = opts.maxEntries;
    this.name = opts.name;
    this.flags = opts.flags ?? 0;
  }
}

/** Arrays are indexed by u32: `key` may be given (as u32) for symmetry with hash maps. */
type ArrayOptions<V extends ElemType> = Omit<MapOptions<ScalarType<"u32">, V>, "key"> & { key?: ScalarType<"u32"> };
type KeylessOptions<V extends ElemType> = Omit<MapOptions<NoKey, V>, "key">;

/** BPF_MAP_TYPE_HASH. */
export class HashMap<K extends ElemType, V extends ElemType> extends MapDecl<K, V> {
  readonly kind = "hash" as const;
}

/** BPF_MAP_TYPE_ARRAY: keys are u32 indexes below maxEntries; every entry exists. */
export class ArrayMap<V extends ElemType> extends MapDecl<ScalarType<"u32">, V> {
  readonly kind = "array" as const;
  constructor(opts: ArrayOptions<V>) {
    super({ ...opts, key: u32 });
  }
}

/** BPF_MAP_TYPE_PERCPU_HASH: user space sees one value per possible CPU. */
export class PerCpuHashMap<K extends ElemType, V extends ElemType> extends MapDecl<K, V> {
  readonly kind = "percpu_hash" as const;
}

/** BPF_MAP_TYPE_PERCPU_ARRAY: user space sees one value per possible CPU. */
export class PerCpuArrayMap<V extends ElemType> extends MapDecl<ScalarType<"u32">, V> {
  readonly kind = "percpu_array" as const;
  constructor(opts: ArrayOptions<V>) {
    super({ ...opts, key: u32 });
  }
}

/** BPF_MAP_TYPE_LRU_HASH: full maps evict the least recently used entry. */
export class LruHashMap<K extends ElemType, V extends ElemType> extends MapDecl<K, V> {
  readonly kind = "lru_hash" as const;
}

/** BPF_MAP_TYPE_LRU_PERCPU_HASH. */
export class LruPerCpuHashMap<K extends ElemType, V extends ElemType> extends MapDecl<K, V> {
  readonly kind = "lru_percpu_hash" as const;
}

/** BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on IPv4 or IPv6 addresses (or n bytes of data). */
export class LpmTrieMap<V extends ElemType> extends MapDecl<LpmKeyCodec, V> {
  readonly kind = "lpm_trie" as const;
  /** `family`: "ipv4" (default), "ipv6", or a data length in bytes. */
  constructor(opts: Omit<MapOptions<LpmKeyCodec, V>, "key"> & { family?: LpmFamily }) {
    super({ ...opts, key: lpmKey(opts.family ?? "ipv4"), flags: (opts.flags ?? 0) | BPF_F_NO_PREALLOC });
  }
}

/** BPF_MAP_TYPE_QUEUE: FIFO of values (push/pop/peek), no keys. */
export class QueueMap<V extends ElemType> extends MapDecl<NoKey, V> {
  readonly kind = "queue" as const;
  constructor(opts: KeylessOptions<V>) {
    super({ ...opts, key: noKey });
  }
}

/** BPF_MAP_TYPE_STACK: LIFO of values (push/pop/peek), no keys. */
export class StackMap<V extends ElemType> extends MapDecl<NoKey, V> {
  readonly kind = "stack" as const;
  constructor(opts: KeylessOptions<V>) {
    super({ ...opts, key: noKey });
  }
}

/** BPF_MAP_TYPE_BLOOM_FILTER: push values, ask whether a value may be present. */
export class BloomFilter<V extends ElemType> extends MapDecl<NoKey, V> {
  readonly kind = "bloom_filter" as const;
  override readonly mapExtra: bigint;
  /** `hashes`: number of hash functions, 1..15 (kernel default 5). */
  constructor(opts: KeylessOptions<V> & { hashes?: number }) {
    super({ ...opts, key: noKey });
    const hashes = opts.hashes ?? 0;
    if (!Number.isInteger(hashes) || hashes < 0 || hashes > 15) throw new RangeError(`hashes must be 1..15, got ${hashes}`);
    this.mapExtra = BigInt(hashes);
  }
}

/** BPF_MAP_TYPE_PROG_ARRAY: index -> program, for tail calls. */
export class ProgArrayMap extends MapDecl<ScalarType<"u32">, ScalarType<"u32">> {
  readonly kind = "prog_array" as const;
  constructor(opts: { maxEntries: number; name?: string }) {
    super({ ...opts, key: u32, value: u32 });
  }
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS: index -> a map shaped like `inner`. */
export class ArrayOfMaps<I extends MapDecl> extends MapDecl<ScalarType<"u32">, ScalarType<"u32">> {
  readonly kind = "array_of_maps" as const;
  readonly inner: I;
  constructor(opts: { inner: I; maxEntries: number; name?: string; flags?: number }) {
    super({ ...opts, key: u32, value: u32 });
    this.inner = opts.inner;
  }
}

/** BPF_MAP_TYPE_HASH_OF_MAPS: key -> a map shaped like `inner`. */
export class HashOfMaps<K extends ElemType, I extends MapDecl> extends MapDecl<K, ScalarType<"u32">> {
  readonly kind = "hash_of_maps" as const;
  readonly inner: I;
  constructor(opts: { key: K; inner: I; maxEntries: number; name?: string; flags?: number }) {
    super({ ...opts, value: u32 });
    this.inner = opts.inner;
  }
}

/** BPF_MAP_TYPE_RINGBUF: `maxEntries` is its size in bytes, a power of two multiple of the page size. */
export class RingBuf extends MapDecl<NoKey, NoKey> {
  readonly kind = "ringbuf" as const;
  constructor(opts: { maxEntries: number; name?: string }) {
    super({ ...opts, key: noKey, value: noKey });
    const n = opts.maxEntries;
    if ((n & (n - 1)) !== 0 || n < 4096) throw new RangeError(`a ring buffer's maxEntries (bytes) must be a power of two of at least 4096, got ${n}`);
  }
}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf ring per CPU; maxEntries 0 (default) means one per possible CPU. */
export class PerfEventArray extends MapDecl<ScalarType<"u32">, ScalarType<"u32">> {
  readonly kind = "perf_event_array" as const;
  constructor(opts: { maxEntries?: number; name?: string } = {}) {
    super({ maxEntries: opts.maxEntries ?? 0, name: opts.name, key: u32, value: u32 }, true);
  }
}

/** Frames a stack trace map keeps per stack: the kernel's default kernel.perf_event_max_stack. */
export const STACK_TRACE_DEPTH = 127;

/** A stack trace map's value as the compiler lays it out: `u64 ips[127]`. */
export const STACK_TRACE_LAYOUT: StructLayout = layoutStruct("stack_trace_ips", [["ips", arrayFieldType(scalarFieldType(u64), STACK_TRACE_DEPTH)]]);

/** A stack trace: the instruction pointers from the innermost frame out (the kernel zero-fills the rest). */
export const stackTraceValue: Codec<bigint[], readonly bigint[]> = Object.freeze({
  size: 8 * STACK_TRACE_DEPTH,
  encode(view: DataView, offset: number, ips: readonly bigint[]): void {
    for (let i = 0; i < STACK_TRACE_DEPTH; i++) view.setBigUint64(offset + 8 * i, ips[i] ?? 0n, true);
  },
  decode(view: DataView, offset: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < STACK_TRACE_DEPTH; i++) {
      const ip = view.getBigUint64(offset + 8 * i, true);
      if (ip === 0n) break;
      out.push(ip);
    }
    return out;
  },
});

/**
 * BPF_MAP_TYPE_STACK_TRACE: stack id (u32) -> the stack's instruction pointers, filled by
 * `get_stackid(ctx, ${stacks}, flags)`. Each entry holds up to 127 frames.
 */
export class StackTraceMap extends MapDecl<ScalarType<"u32">, typeof stackTraceValue> {
  readonly kind = "stack_trace" as const;
  constructor(opts: { maxEntries: number; name?: string; flags?: number }) {
    super({ ...opts, key: u32, value: stackTraceValue });
  }
}
