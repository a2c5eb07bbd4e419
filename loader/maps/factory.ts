/**
 * Choosing the handle class for a map: from its declaration's kind (typed handles) and, for
 * maps opened by name, the generic key/value handle. `HandleFor<D>` is the static side of
 * the same choice: the handle type a declaration gives, with K/V from its element types.
 */
import type { Codec } from "../../runtime/codec.js";
import type { DecodedOf, EncodedOf, MapDecl } from "../../runtime/map-decl.js";
import type { Fd } from "../../runtime/sys/index.js";
import type { MapBase, MapHandleInfo } from "./base.js";
import type { MapScalar } from "./codecs.js";
import { MapOfMapsHandle, PerfEventArrayHandle, ProgArrayHandle, RingBufHandle } from "./fd-arrays.js";
import { MapHandle } from "./handle.js";
import { BloomFilterHandle, QueueHandle } from "./queue.js";

/** The handle type for a declaration: `HashMap<u32, u64>` -> `MapHandle<number, bigint>`. */
export type HandleFor<D> = D extends MapDecl<infer K, infer V>
  ? D extends { readonly kind: "percpu_hash" | "percpu_array" | "lru_percpu_hash" }
    ? MapHandle<DecodedOf<K>, DecodedOf<V>[], EncodedOf<K>, EncodedOf<V> | readonly EncodedOf<V>[]>
    : D extends { readonly kind: "queue" | "stack" } ? QueueHandle<DecodedOf<V>, EncodedOf<V>>
    : D extends { readonly kind: "bloom_filter" } ? BloomFilterHandle<EncodedOf<V>>
    : D extends { readonly kind: "prog_array" } ? ProgArrayHandle
    : D extends { readonly kind: "array_of_maps" | "hash_of_maps" } ? MapOfMapsHandle<EncodedOf<K>>
    : D extends { readonly kind: "ringbuf" } ? RingBufHandle
    : D extends { readonly kind: "perf_event_array" } ? PerfEventArrayHandle
    : MapHandle<DecodedOf<K>, DecodedOf<V>, EncodedOf<K>, EncodedOf<V>>
  : never;

/** @internal The handle for a map of a declared kind (generic key/value without a declaration). */
export function makeHandle(
  decl: MapDecl | undefined, fd: Fd, info: MapHandleInfo, key: Codec<MapScalar>, value: Codec<MapScalar>, owned: boolean,
): MapBase {
  switch (decl?.kind) {
    case "queue":
    case "stack":
      return new QueueHandle(fd, info, key, value, owned);
    case "bloom_filter":
      return new BloomFilterHandle(fd, info, key, value, owned);
    case "prog_array":
      return new ProgArrayHandle(fd, info, key, value, owned);
    case "array_of_maps":
    case "hash_of_maps":
      return new MapOfMapsHandle(fd, info, key, value, owned);
    case "ringbuf":
      return new RingBufHandle(fd, info, key, value, owned);
    case "perf_event_array":
      return new PerfEventArrayHandle(fd, info, key, value, owned);
    case "hash": case "array": case "percpu_hash": case "percpu_array": case "lru_hash":
    case "lru_percpu_hash": case "lpm_trie": case "stack_trace": case undefined:
      return new MapHandle(fd, info, key, value, owned);
    default: {
      const never: never = decl!.kind;
      throw new Error(`internal: no handle for map kind ${String(never)}`);
    }
  }
}
