/**
 * whistler-ts: eBPF programs written inline in TypeScript.
 *
 * Build time: `bpf` templates are compiled by the transformer (`whistler-ts/transformer`).
 * Run time: `load()` creates maps, loads and attaches programs; typed map handles read them.
 */
export * from "./runtime/types.js";
export { MapDecl, HashMap, ArrayMap, MAP_TYPE_IDS, type MapKind, type MapOptions } from "./runtime/map-decl.js";
export { bpf, BpfTemplate, type BpfTag, type CompiledPayload } from "./runtime/template.js";
export * from "./runtime/errors.js";
export * from "./loader/index.js";
