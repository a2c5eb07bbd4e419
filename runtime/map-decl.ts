/**
 * Map declarations: what user code writes at module level (`new HashMap({...})`) and
 * interpolates into `bpf` templates. They describe a map; the loader creates it.
 */
import { u32, type ScalarType } from "./types.js";

/** Map kinds the compiler and loader understand, named like the kernel's BPF_MAP_TYPE_*. */
export type MapKind = "hash" | "array" | "percpu_hash" | "percpu_array" | "lru_hash" | "ringbuf";

/** Kernel enum values of BPF_MAP_TYPE_* for each kind. */
export const MAP_TYPE_IDS: Readonly<Record<MapKind, number>> = {
  hash: 1,
  array: 2,
  percpu_hash: 5,
  percpu_array: 6,
  lru_hash: 9,
  ringbuf: 27,
};

export interface MapOptions<K extends ScalarType, V extends ScalarType> {
  key: K;
  value: V;
  maxEntries: number;
  /** Name in the object file; defaults to the variable the map is assigned to. */
  name?: string;
}

export abstract class MapDecl<K extends ScalarType = ScalarType, V extends ScalarType = ScalarType> {
  abstract readonly kind: MapKind;
  readonly key: K;
  readonly value: V;
  readonly maxEntries: number;
  readonly name: string | undefined;
  constructor(opts: MapOptions<K, V>) {
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries <= 0 || opts.maxEntries > 0xffffffff) {
      throw new RangeError(`maxEntries must be a positive 32-bit integer, got ${opts.maxEntries}`);
    }
    this.key = opts.key;
    this.value = opts.value;
    this.maxEntries = opts.maxEntries;
    this.name = opts.name;
  }
}

/** BPF_MAP_TYPE_HASH. */
export class HashMap<K extends ScalarType, V extends ScalarType> extends MapDecl<K, V> {
  readonly kind = "hash" as const;
}

/** BPF_MAP_TYPE_ARRAY: keys are u32 indexes below maxEntries; every entry exists. */
export class ArrayMap<V extends ScalarType> extends MapDecl<ScalarType<"u32">, V> {
  readonly kind = "array" as const;
  constructor(opts: Omit<MapOptions<ScalarType<"u32">, V>, "key">) {
    super({ ...opts, key: u32 });
  }
}
