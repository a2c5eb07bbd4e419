/**
 * Kernel helpers callable from BPF code: one table, one row per helper, stating its number
 * (BPF_FUNC_* in include/uapi/linux/bpf.h), signature and the program types whose
 * verifier accepts it. The checker reads signatures from here; WBPF1005 comes from
 * `progTypes`. Map helpers (1, 2, 3) are reached through map methods, not by name.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { MapKind } from "../../runtime/map-decl.js";
import type { ProgType } from "./ctx.js";

/**
 * How one source-level argument of a helper is passed:
 * - a scalar type: an integer converted implicitly to it;
 * - "buf": memory given by an array or struct pointer (`e.comm`, `e`): passes the pointer
 *   and its size, two kernel arguments (`get_current_comm(e.comm)` is `(buf, 16)`);
 * - "mem": a pointer to memory (struct, array, map value) as one argument;
 * - "unsafe": an address read without the verifier's checks (probe_read): a u64 (a
 *   user or kernel pointer from ctx fields or args) or any pointer;
 * - "map": an interpolated map (`${progs}`);
 * - "ctx": the program's context parameter.
 */
export type HelperParam = ScalarName | "buf" | "mem" | "unsafe" | "map" | "ctx";

export interface HelperDef {
  readonly id: number;
  readonly params: readonly HelperParam[];
  readonly ret: ScalarName;
  /** Program types that may call it; "all" when every program type may. */
  readonly progTypes: "all" | readonly ProgType[];
  readonly doc: string;
  /** Kernel history worth knowing when targeting older kernels. */
  readonly note?: string;
  /** Map kinds a "map" argument must have. */
  readonly mapKinds?: readonly MapKind[];
}

/** Helpers for packet programs that redirect or rewrite traffic. */
const PACKET: readonly ProgType[] = ["xdp", "sched_cls"];
/** Programs with a `struct __sk_buff` context that may change the packet. */
const SKB_WRITE: readonly ProgType[] = ["sched_cls"];
/** Programs with a `struct __sk_buff` context. */
const SKB: readonly ProgType[] = ["sched_cls", "cgroup_skb", "socket_filter"];
/** Tracing program types (bpf_tracing_func_proto). */
const TRACING: readonly ProgType[] = ["kprobe", "tracepoint", "raw_tracepoint", "perf_event", "tracing"];
const PERFMON_NOTE = "non-tracing program types may call it since Linux 5.x when loaded with CAP_PERFMON (bpf_base_func_proto)";

export const HELPERS = {
  probe_read: { id: 4, params: ["buf", "unsafe"], ret: "i64", progTypes: TRACING, doc: "probe_read(dst, src): copy sizeof(dst) bytes from any address; prefer probe_read_kernel/probe_read_user", note: "not on architectures with overlapping address spaces" },
  ktime_get_ns: { id: 5, params: [], ret: "u64", progTypes: "all", doc: "nanoseconds since boot, excluding suspend (CLOCK_MONOTONIC)" },
  get_prandom_u32: { id: 7, params: [], ret: "u32", progTypes: "all", doc: "a pseudo-random 32-bit number" },
  get_smp_processor_id: { id: 8, params: [], ret: "u32", progTypes: "all", doc: "the id of the CPU running the program" },
  skb_store_bytes: { id: 9, params: ["ctx", "u32", "buf", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "skb_store_bytes(ctx, offset, from, flags): write sizeof(from) bytes into the packet at offset" },
  l3_csum_replace: { id: 10, params: ["ctx", "u32", "u64", "u64", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "l3_csum_replace(ctx, offset, from, to, size): fix the IP checksum at offset after a field changed from `from` to `to` (size 2 or 4)" },
  l4_csum_replace: { id: 11, params: ["ctx", "u32", "u64", "u64", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "l4_csum_replace(ctx, offset, from, to, flags): fix the TCP/UDP checksum at offset (flags: size | BPF_F_PSEUDO_HDR)" },
  tail_call: { id: 12, params: ["ctx", "map", "u32"], ret: "i64", progTypes: "all", mapKinds: ["prog_array"], doc: "tail_call(ctx, progs, index): jump to program `index` of a prog array; returns only when the slot is empty" },
  clone_redirect: { id: 13, params: ["ctx", "u32", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "clone_redirect(ctx, ifindex, flags): send a copy of the packet out of another interface" },
  get_current_pid_tgid: { id: 14, params: [], ret: "u64", progTypes: "all", doc: "tgid << 32 | pid of the current task (user-space pid is the tgid, the high half)", note: "all program types since Linux 6.10; tracing programs only before" },
  get_current_uid_gid: { id: 15, params: [], ret: "u64", progTypes: "all", doc: "gid << 32 | uid of the current task", note: "all program types since Linux 6.10; tracing programs only before" },
  get_current_comm: { id: 16, params: ["buf"], ret: "i64", progTypes: "all", doc: "get_current_comm(buf): the current task's command name into a char array (e.g. a `char(16)` field)", note: "all program types since Linux 6.10; tracing programs only before" },
  get_cgroup_classid: { id: 17, params: ["ctx"], ret: "u32", progTypes: SKB_WRITE, doc: "the net_cls cgroup class id of the packet's socket" },
  skb_vlan_push: { id: 18, params: ["ctx", "u16", "u16"], ret: "i64", progTypes: SKB_WRITE, doc: "skb_vlan_push(ctx, proto, tci): push a VLAN tag (proto in network order)" },
  skb_vlan_pop: { id: 19, params: ["ctx"], ret: "i64", progTypes: SKB_WRITE, doc: "pop the outer VLAN tag" },
  perf_event_read: { id: 22, params: ["map", "u64"], ret: "u64", progTypes: TRACING, mapKinds: ["perf_event_array"], doc: "perf_event_read(counters, flags): read a perf counter (flags: index or BPF_F_CURRENT_CPU)" },
  redirect: { id: 23, params: ["u32", "u64"], ret: "i64", progTypes: PACKET, doc: "redirect(ifindex, flags): send the packet out of another interface; return its result from an XDP program" },
  perf_event_output: { id: 25, params: ["ctx", "map", "u64", "buf"], ret: "i64", progTypes: "all", mapKinds: ["perf_event_array"], doc: "perf_event_output(ctx, events, flags, data): send a record to user space (flags: BPF_F_CURRENT_CPU); `${events}.output(ctx, data)` says the same" },
  skb_load_bytes: { id: 26, params: ["ctx", "u32", "buf"], ret: "i64", progTypes: SKB, doc: "skb_load_bytes(ctx, offset, to): copy sizeof(to) packet bytes at offset" },
  get_stackid: { id: 27, params: ["ctx", "map", "u64"], ret: "i64", progTypes: TRACING, mapKinds: ["stack_trace"], doc: "get_stackid(ctx, stacks, flags): id of the current stack in a stack trace map (`StackTraceMap`); flags 0 for the kernel stack, BPF_F_USER_STACK for the user one; < 0 on failure" },
  csum_diff: { id: 28, params: ["buf", "buf", "u32"], ret: "i64", progTypes: PACKET, doc: "csum_diff(from, to, seed): checksum difference between two buffers (sizes multiples of 4)" },
  get_hash_recalc: { id: 34, params: ["ctx"], ret: "u32", progTypes: SKB, doc: "the packet's flow hash, recomputed if needed" },
  get_current_task: { id: 35, params: [], ret: "u64", progTypes: "all", doc: "address of the current task_struct (read its fields with probe_read_kernel)", note: PERFMON_NOTE },
  skb_change_tail: { id: 38, params: ["ctx", "u32", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "skb_change_tail(ctx, len, flags): grow or trim the packet to len bytes" },
  get_numa_node_id: { id: 42, params: [], ret: "u32", progTypes: "all", doc: "the NUMA node of the CPU running the program" },
  skb_change_head: { id: 43, params: ["ctx", "u32", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "skb_change_head(ctx, len, flags): add len bytes of headroom" },
  xdp_adjust_head: { id: 44, params: ["ctx", "i32"], ret: "i64", progTypes: ["xdp"], doc: "xdp_adjust_head(ctx, delta): move the packet start by delta bytes (negative grows); reload ctx.data after" },
  probe_read_str: { id: 45, params: ["buf", "unsafe"], ret: "i64", progTypes: TRACING, doc: "probe_read_str(dst, src): copy a NUL-terminated string from any address; prefer the _user/_kernel forms" },
  get_socket_cookie: { id: 46, params: ["ctx"], ret: "u64", progTypes: SKB, doc: "the socket cookie of the packet's socket (0 if none)" },
  get_socket_uid: { id: 47, params: ["ctx"], ret: "u32", progTypes: SKB, doc: "the owner uid of the packet's socket" },
  set_hash: { id: 48, params: ["ctx", "u32"], ret: "i64", progTypes: SKB_WRITE, doc: "set_hash(ctx, hash): set the packet's flow hash" },
  skb_adjust_room: { id: 50, params: ["ctx", "i32", "u32", "u64"], ret: "i64", progTypes: SKB_WRITE, doc: "skb_adjust_room(ctx, len_diff, mode, flags): grow or shrink room at the network layer" },
  redirect_map: { id: 51, params: ["map", "u32", "u64"], ret: "i64", progTypes: ["xdp"], doc: "redirect_map(map, key, flags): redirect through a devmap/cpumap/xskmap; return its result" },
  xdp_adjust_meta: { id: 54, params: ["ctx", "i32"], ret: "i64", progTypes: ["xdp"], doc: "xdp_adjust_meta(ctx, delta): move the metadata start" },
  fib_lookup: { id: 69, params: ["ctx", "buf", "u32"], ret: "i64", progTypes: PACKET, doc: "fib_lookup(ctx, params, flags): a route lookup in the kernel's FIB (params: a bpf_fib_lookup struct)" },
  spin_lock: { id: 93, params: ["mem"], ret: "i64", progTypes: ["xdp", "sched_cls", "cgroup_skb", "socket_filter"], doc: "spin_lock(v.lock): take the `bpf_spin_lock` field of a map value (its struct declares `lock: SpinLock`, a defstruct named bpf_spin_lock); no helper calls until spin_unlock", note: "the map value's BTF must describe the lock: declare the value with a defstruct; tracing programs may not take spin locks" },
  spin_unlock: { id: 94, params: ["mem"], ret: "i64", progTypes: ["xdp", "sched_cls", "cgroup_skb", "socket_filter"], doc: "spin_unlock(v.lock): release a lock taken with spin_lock on every path" },
  get_current_cgroup_id: { id: 80, params: [], ret: "u64", progTypes: "all", doc: "the cgroup v2 id of the current task" },
  xdp_adjust_tail: { id: 65, params: ["ctx", "i32"], ret: "i64", progTypes: ["xdp"], doc: "xdp_adjust_tail(ctx, delta): move the packet end by delta bytes; reload ctx.data_end after" },
  send_signal: { id: 109, params: ["u32"], ret: "i64", progTypes: TRACING, doc: "send_signal(sig): send a signal to the current process" },
  probe_read_user: { id: 112, params: ["buf", "unsafe"], ret: "i64", progTypes: "all", doc: "probe_read_user(dst, src): copy sizeof(dst) bytes from a user-space address; 0 or -EFAULT", note: PERFMON_NOTE },
  probe_read_kernel: { id: 113, params: ["buf", "unsafe"], ret: "i64", progTypes: "all", doc: "probe_read_kernel(dst, src): copy sizeof(dst) bytes from a kernel address; 0 or -EFAULT", note: PERFMON_NOTE },
  probe_read_user_str: { id: 114, params: ["buf", "unsafe"], ret: "i64", progTypes: "all", doc: "probe_read_user_str(dst, src): copy a NUL-terminated user string into a char array; its length with the NUL, or < 0", note: PERFMON_NOTE },
  probe_read_kernel_str: { id: 115, params: ["buf", "unsafe"], ret: "i64", progTypes: "all", doc: "probe_read_kernel_str(dst, src): copy a NUL-terminated kernel string into a char array; its length with the NUL, or < 0", note: PERFMON_NOTE },
  jiffies64: { id: 118, params: [], ret: "u64", progTypes: "all", doc: "the kernel's jiffies counter" },
  ktime_get_boot_ns: { id: 125, params: [], ret: "u64", progTypes: "all", doc: "nanoseconds since boot, including suspend" },
  ringbuf_output: { id: 130, params: ["map", "buf", "u64"], ret: "i64", progTypes: "all", mapKinds: ["ringbuf"], doc: "ringbuf_output(events, data, flags): copy a record into a ring buffer; `${events}.output(data)` says the same" },
  ringbuf_query: { id: 134, params: ["map", "u64"], ret: "u64", progTypes: "all", mapKinds: ["ringbuf"], doc: "ringbuf_query(events, what): BPF_RB_AVAIL_DATA (0), BPF_RB_RING_SIZE (1), BPF_RB_CONS_POS (2), BPF_RB_PROD_POS (3)" },
  get_current_task_btf: { id: 158, params: [], ret: "u64", progTypes: "all", doc: "the current task_struct as a BTF pointer (as get_current_task, for kfuncs)", note: PERFMON_NOTE },
  ktime_get_coarse_ns: { id: 160, params: [], ret: "u64", progTypes: "all", doc: "coarse (tick-resolution) CLOCK_MONOTONIC nanoseconds, cheaper to read" },
  get_func_ip: { id: 173, params: ["ctx"], ret: "u64", progTypes: ["kprobe", "tracing"], doc: "address of the traced function" },
  get_attach_cookie: { id: 174, params: ["ctx"], ret: "u64", progTypes: TRACING, doc: "the cookie given when the program was attached" },
  xdp_get_buff_len: { id: 188, params: ["ctx"], ret: "u64", progTypes: ["xdp"], doc: "xdp_get_buff_len(ctx): the packet's length in bytes, fragments of a multi-buffer packet included", note: "Linux 5.18+" },
  xdp_load_bytes: { id: 189, params: ["ctx", "u32", "buf"], ret: "i64", progTypes: ["xdp"], doc: "xdp_load_bytes(ctx, offset, to): copy sizeof(to) bytes of the (possibly multi-buffer) packet" },
  xdp_store_bytes: { id: 190, params: ["ctx", "u32", "buf"], ret: "i64", progTypes: ["xdp"], doc: "xdp_store_bytes(ctx, offset, from): write sizeof(from) bytes into the packet" },
  ktime_get_tai_ns: { id: 208, params: [], ret: "u64", progTypes: "all", doc: "CLOCK_TAI nanoseconds" },
} as const satisfies Readonly<Record<string, HelperDef>>;

export type HelperName = keyof typeof HELPERS;

export function helper(name: string): HelperDef | undefined {
  return Object.prototype.hasOwnProperty.call(HELPERS, name) ? HELPERS[name as HelperName] : undefined;
}

export function helperAllowed(h: HelperDef, prog: ProgType): boolean {
  return h.progTypes === "all" || h.progTypes.includes(prog);
}

/** Helper numbers used by map methods. */
export const MAP_HELPERS = {
  lookup: 1, update: 2, delete: 3, tailCall: 12, perfOutput: 25, redirect: 51,
  push: 87, pop: 88, peek: 89, ringbufOutput: 130, reserve: 131, submit: 132, discard: 133,
} as const;

/** How many kernel arguments a source-level parameter takes ("buf" is pointer and size). */
export function kernelArgCount(params: readonly HelperParam[]): number {
  return params.reduce((n, p) => n + (p === "buf" ? 2 : 1), 0);
}

/** Names of helpers by number, for the disassembler. */
export const HELPER_NAMES: Readonly<Record<number, string>> = Object.fromEntries([
  ...Object.entries(HELPERS).map(([name, h]) => [h.id, name] as const),
  [1, "map_lookup_elem"],
  [2, "map_update_elem"],
  [3, "map_delete_elem"],
  [87, "map_push_elem"],
  [88, "map_pop_elem"],
  [89, "map_peek_elem"],
  [131, "ringbuf_reserve"],
  [132, "ringbuf_submit"],
  [133, "ringbuf_discard"],
  [181, "loop"],
  [6, "trace_printk"],
  [177, "trace_vprintk"],
  [182, "strncmp"],
  [169, "timer_init"],
  [170, "timer_set_callback"],
  [171, "timer_start"],
  [172, "timer_cancel"],
]);
