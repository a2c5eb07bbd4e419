/**
 * Kernel helpers callable from BPF code: one table, one row per helper, stating its number
 * (BPF_FUNC_* in include/uapi/linux/bpf.h), signature and the program types whose
 * verifier accepts it. The checker reads signatures from here; WBPF1005 comes from
 * `progTypes`. Map helpers (1, 2, 3) are reached through map methods, not by name.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { ProgType } from "./ctx.js";

export interface HelperDef {
  readonly id: number;
  readonly params: readonly ScalarName[];
  readonly ret: ScalarName;
  /** Program types that may call it; "all" when every program type may. */
  readonly progTypes: "all" | readonly ProgType[];
  readonly doc: string;
  /** Kernel history worth knowing when targeting older kernels. */
  readonly note?: string;
}

/** Helpers for packet programs that redirect or rewrite traffic. */
const PACKET: readonly ProgType[] = ["xdp", "sched_cls"];

export const HELPERS = {
  ktime_get_ns: { id: 5, params: [], ret: "u64", progTypes: "all", doc: "nanoseconds since boot, excluding suspend (CLOCK_MONOTONIC)" },
  get_prandom_u32: { id: 7, params: [], ret: "u32", progTypes: "all", doc: "a pseudo-random 32-bit number" },
  get_smp_processor_id: { id: 8, params: [], ret: "u32", progTypes: "all", doc: "the id of the CPU running the program" },
  get_current_pid_tgid: { id: 14, params: [], ret: "u64", progTypes: "all", doc: "tgid << 32 | pid of the current task (user-space pid is the tgid, the high half)", note: "all program types since Linux 6.10; tracing programs only before" },
  get_current_uid_gid: { id: 15, params: [], ret: "u64", progTypes: "all", doc: "gid << 32 | uid of the current task", note: "all program types since Linux 6.10; tracing programs only before" },
  redirect: { id: 23, params: ["u32", "u64"], ret: "i64", progTypes: PACKET, doc: "redirect(ifindex, flags): send the packet out of another interface; return its result from an XDP program" },
  get_numa_node_id: { id: 42, params: [], ret: "u32", progTypes: "all", doc: "the NUMA node of the CPU running the program" },
  ktime_get_boot_ns: { id: 125, params: [], ret: "u64", progTypes: "all", doc: "nanoseconds since boot, including suspend" },
} as const satisfies Readonly<Record<string, HelperDef>>;

export type HelperName = keyof typeof HELPERS;

export function helper(name: string): HelperDef | undefined {
  return Object.prototype.hasOwnProperty.call(HELPERS, name) ? HELPERS[name as HelperName] : undefined;
}

export function helperAllowed(h: HelperDef, prog: ProgType): boolean {
  return h.progTypes === "all" || h.progTypes.includes(prog);
}

/** Helper numbers used by map methods. */
export const MAP_HELPERS = { lookup: 1, update: 2, delete: 3 } as const;

/** Names of helpers by number, for the disassembler. */
export const HELPER_NAMES: Readonly<Record<number, string>> = Object.fromEntries([
  ...Object.entries(HELPERS).map(([name, h]) => [h.id, name] as const),
  [1, "map_lookup_elem"],
  [2, "map_update_elem"],
  [3, "map_delete_elem"],
]);
