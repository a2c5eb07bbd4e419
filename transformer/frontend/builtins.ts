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
  /** perf_event_output / perf_event_read: the current CPU's slot. */
  BPF_F_CURRENT_CPU: 0xffffffffn,
  /** ringbuf submit/discard/output flags. */
  BPF_RB_NO_WAKEUP: 1n,
  BPF_RB_FORCE_WAKEUP: 2n,
  /** ringbuf_query. */
  BPF_RB_AVAIL_DATA: 0n,
  BPF_RB_RING_SIZE: 1n,
  BPF_RB_CONS_POS: 2n,
  BPF_RB_PROD_POS: 3n,
  TC_ACT_OK: 0n,
  TC_ACT_SHOT: 2n,
  TC_ACT_REDIRECT: 7n,
  BPF_F_INGRESS: 1n,
  BPF_F_USER_STACK: 0x100n,
  BPF_F_REUSE_STACKID: 0x400n,
  /** timer_init clocks and timer_start flags. */
  CLOCK_REALTIME: 0n,
  CLOCK_MONOTONIC: 1n,
  CLOCK_BOOTTIME: 7n,
  BPF_F_TIMER_ABS: 1n,
  BPF_F_TIMER_CPU_PIN: 2n,
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

/** Map methods by kind (what the kernel's helpers allow on each). */
export const MAP_METHODS: Readonly<Record<MapKind, readonly MapMethod[]>> = {
  hash: ["lookup", "update", "delete", "increment"],
  lru_hash: ["lookup", "update", "delete", "increment"],
  percpu_hash: ["lookup", "update", "delete", "increment"],
  lru_percpu_hash: ["lookup", "update", "delete", "increment"],
  array: ["lookup", "update", "increment"],
  percpu_array: ["lookup", "update", "increment"],
  lpm_trie: ["lookup", "update", "delete"],
  ringbuf: ["reserve", "submit", "discard", "output"],
  perf_event_array: ["output"],
  queue: ["push", "pop", "peek"],
  stack: ["push", "pop", "peek"],
  bloom_filter: ["push", "peek"],
  prog_array: ["tailCall"],
  // Maps of maps: the inner map's methods need map-typed values, still to come.
  array_of_maps: [],
  hash_of_maps: [],
  // Filled by get_stackid(ctx, ${stacks}, flags); read from user space.
  stack_trace: [],
};

export const ALL_MAP_METHODS: readonly MapMethod[] = ["lookup", "update", "delete", "increment", "reserve", "submit", "discard", "output", "push", "pop", "peek", "tailCall"];

/** Whether the kind's entries can be missing (so increment must insert). */
export function mapHasMissingKeys(kind: MapKind): boolean {
  return kind === "hash" || kind === "lru_hash" || kind === "percpu_hash" || kind === "lru_percpu_hash";
}

/** Whether each CPU has its own value (so increment needs no atomic instruction). */
export function mapIsPerCpu(kind: MapKind): boolean {
  return kind === "percpu_hash" || kind === "percpu_array" || kind === "lru_percpu_hash";
}
