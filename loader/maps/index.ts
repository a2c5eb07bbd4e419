/**
 * loader/maps: typed user-space access to maps. `MapHandle` (hash, array, per-CPU, LRU, LPM
 * trie: get/set/delete/has, snapshot iteration, batch operations, clear), `QueueHandle`,
 * `BloomFilterHandle`, `ProgArrayHandle`, `MapOfMapsHandle`, ring buffer and perf event array
 * handles; codecs chosen from declarations or BTF; standalone maps with `createMap(decl)`.
 */
export { MapBase, PERCPU_MAP_TYPES, type MapHandleInfo } from "./base.js";
export { MapHandle, UpdateFlags, type BatchOptions, type InputOf, type MapKey, type MapValue } from "./handle.js";
export { QueueHandle, BloomFilterHandle } from "./queue.js";
export { ProgArrayHandle, MapOfMapsHandle, RingBufHandle, PerfEventArrayHandle, type HasFd } from "./fd-arrays.js";
export { makeHandle, type HandleFor } from "./factory.js";
export { createMap, createMapFd, requestFor, type MapCreateRequest } from "./create.js";
export { batchUnsupported, setBatchSupport } from "./batch.js";
export { codecFor, type MapScalar } from "./codecs.js";
