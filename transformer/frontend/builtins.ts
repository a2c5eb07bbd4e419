/**
 * Names every template can use without declaring them: integer constants, compiler
 * intrinsics (packet loads, byte order) and the map methods each map kind supports.
 * Kernel helpers live in `helpers.ts`; context kinds in `ctx.ts`.
 */
import type { MapKind } from "../../runtime/map-decl.js";
import type { MapMethod } from "./typed.js";

/** Untyped integer constants: they adapt to the type they are used with. */
export const CONSTANTS: Readonly<Record<string, bigint>> = {
  XDP_ABORTED: 0n,
  XDP_DROP: 1n,
  XDP_PASS: 2n,
  XDP_TX: 3n,
  XDP_REDIRECT: 4n,
  BPF_ANY: 0n,
  BPF_NOEXIST: 1n,
  BPF_EXIST: 2n,
};

export type Intrinsic =
  | { readonly kind: "load"; readonly size: 1 | 2 | 4 | 8; readonly doc: string }
  | { readonly kind: "bswap"; readonly bits: 16 | 32; readonly doc: string };

export const INTRINSICS: Readonly<Record<string, Intrinsic>> = {
  load_u8: { kind: "load", size: 1, doc: "load_u8(p, off): the byte at packet pointer p + constant off" },
  load_u16: { kind: "load", size: 2, doc: "load_u16(p, off): 2 bytes at p + off, host (little-endian) order" },
  load_u32: { kind: "load", size: 4, doc: "load_u32(p, off): 4 bytes at p + off, host order" },
  load_u64: { kind: "load", size: 8, doc: "load_u64(p, off): 8 bytes at p + off, host order" },
  ntohs: { kind: "bswap", bits: 16, doc: "network (big-endian) u16 to host order" },
  htons: { kind: "bswap", bits: 16, doc: "host u16 to network order" },
  ntohl: { kind: "bswap", bits: 32, doc: "network u32 to host order" },
  htonl: { kind: "bswap", bits: 32, doc: "host u32 to network order" },
};

/** Map methods by kind. Arrays cannot delete; ring buffers get reserve/submit later. */
export const MAP_METHODS: Readonly<Record<MapKind, readonly MapMethod[]>> = {
  hash: ["lookup", "update", "delete", "increment"],
  lru_hash: ["lookup", "update", "delete", "increment"],
  percpu_hash: ["lookup", "update", "delete", "increment"],
  array: ["lookup", "update", "increment"],
  percpu_array: ["lookup", "update", "increment"],
  ringbuf: [],
  // Kinds the loader and map handles support; their BPF-side methods are still to come.
  lru_percpu_hash: [],
  lpm_trie: [],
  queue: [],
  stack: [],
  prog_array: [],
  array_of_maps: [],
  hash_of_maps: [],
  perf_event_array: [],
  bloom_filter: [],
};

export const ALL_MAP_METHODS: readonly MapMethod[] = ["lookup", "update", "delete", "increment"];

/** Whether the kind's entries can be missing (so increment must insert). */
export function mapHasMissingKeys(kind: MapKind): boolean {
  return kind === "hash" || kind === "lru_hash" || kind === "percpu_hash";
}

/** Whether each CPU has its own value (so increment needs no atomic instruction). */
export function mapIsPerCpu(kind: MapKind): boolean {
  return kind === "percpu_hash" || kind === "percpu_array";
}
