/**
 * whistler-ts: eBPF programs written inline in TypeScript.
 *
 * Build time: `bpf` templates are compiled by the transformer (`whistler-ts/transformer`).
 * Run time: `load()` creates maps, loads and attaches programs; typed map handles read them.
 */
export * from "./runtime/types.js";
export {
  MapDecl, HashMap, ArrayMap, PerCpuHashMap, PerCpuArrayMap, LruHashMap, LruPerCpuHashMap, LpmTrieMap, QueueMap,
  StackMap, BloomFilter, ProgArrayMap, ArrayOfMaps, HashOfMaps, RingBuf, PerfEventArray, noKey, MAP_TYPE_IDS,
  StackTraceMap, stackTraceValue, STACK_TRACE_DEPTH,
  type MapKind, type MapOptions, type ElemType, type AnyCodec, type DecodedOf, type EncodedOf,
} from "./runtime/map-decl.js";
export { lpmKey, type LpmFamily, type LpmKeyInput } from "./runtime/lpm.js";
export {
  defstruct, char, array, asNumber, isStructClass, StructError,
  type StructClass, type StructValue, type StructInput, type StructView, type FieldSpec, type FieldValue, type FieldInput,
  type StructLayout, type StructFieldLayout, type StructFieldType, type StructOptions,
  type CharSpec, type ArraySpec, type NumberSpec,
} from "./runtime/struct/index.js";
export { bpf, BpfTemplate, type BpfTag, type CompiledPayload } from "./runtime/template.js";
export * from "./runtime/errors.js";
export * from "./loader/index.js";
