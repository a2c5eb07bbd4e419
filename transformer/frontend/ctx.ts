/**
 * Context kinds: the ctx parameter's type decides the program type, the ELF section, the
 * readable fields and (through `helpers.ts`) which helpers may be called.
 *
 * One row per kind in `CTX_KINDS`; a new program type is a new row plus its `ProgType`.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { KType } from "../kernel/kernel-types.js";

/** Kernel program types we compile for (named after BPF_PROG_TYPE_*). */
export type ProgType =
  | "tracepoint" | "xdp" | "raw_tracepoint" | "kprobe" | "sched_cls" | "cgroup_skb"
  | "socket_filter" | "perf_event" | "tracing";

/** A field of the context struct, read with one load of `size` bytes at `offset`. */
export interface CtxField {
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
  /** Scalar fields read as that type; `pkt`/`pkt_end` are packet pointers (the verifier
   * rewrites the 32-bit load into a real pointer). */
  readonly type: ScalarName | "pkt" | "pkt_end";
  /** The program may store to it (`ctx.mark = 1` in tc). */
  readonly writable?: boolean;
}

/** `ctx.args[i]`: a constant index picks a u64 at `offset(i)`. */
export interface CtxArgs {
  readonly count: number;
  readonly offset: (i: number) => number;
  /** USDT probes: the arguments are where the probe's note says, found at run time through
   * the object's spec table (runtime/usdt-spec.ts), not at a fixed offset. */
  readonly usdt?: true;
  /** The arguments' kernel types (BTF raw tracepoints): `ctx.args[0]` of `TpBtf<"sched_process_exec">`
   * is a `KernelStruct<"task_struct">` read with direct loads. */
  readonly kernelTypes?: readonly KType[];
}

/** The BTF view of the ctx parameter: `void *` or a pointer to a named struct. */
export type CtxBtf =
  | { readonly kind: "void" }
  | { readonly kind: "struct"; readonly name: string; readonly size: number; readonly fields: readonly { readonly name: string; readonly offset: number; readonly type: ScalarName }[] };

export interface CtxKindDef {
  readonly progType: ProgType;
  /** Number of string type arguments, e.g. 1 for `Tracepoint<"group/name">`. */
  readonly typeArgs: number;
  /** Describes the expected type arguments for messages. */
  readonly usage: string;
  /** Validates type arguments; returns an error message or undefined. */
  readonly checkArgs: (args: readonly string[]) => string | undefined;
  readonly section: (args: readonly string[]) => string;
  readonly fields: Readonly<Record<string, CtxField>>;
  /** `ctx.args[i]`, for kinds whose arguments are an array of u64 (or registers). */
  readonly args?: CtxArgs;
  readonly btf: CtxBtf;
  /** Kernel facts worth knowing (shown in docs): what has been exercised where. */
  readonly note?: string;
}

const XDP_FIELDS: Readonly<Record<string, CtxField>> = {
  data: { offset: 0, size: 4, type: "pkt" },
  data_end: { offset: 4, size: 4, type: "pkt_end" },
  ingress_ifindex: { offset: 12, size: 4, type: "u32" },
  rx_queue_index: { offset: 16, size: 4, type: "u32" },
  egress_ifindex: { offset: 20, size: 4, type: "u32" },
};

/** `struct __sk_buff` fields (include/uapi/linux/bpf.h), all u32. */
function skbFields(opts: { packet: boolean; writable: readonly string[] }): Readonly<Record<string, CtxField>> {
  const u32 = (offset: number, name: string): CtxField => ({ offset, size: 4, type: "u32", ...(opts.writable.includes(name) ? { writable: true } : {}) });
  const names: [string, number][] = [
    ["len", 0], ["pkt_type", 4], ["mark", 8], ["queue_mapping", 12], ["protocol", 16], ["vlan_present", 20],
    ["vlan_tci", 24], ["vlan_proto", 28], ["priority", 32], ["ingress_ifindex", 36], ["ifindex", 40],
    ["tc_index", 44], ["hash", 68], ["tc_classid", 72], ["napi_id", 84], ["family", 88],
    ["remote_ip4", 92], ["local_ip4", 96], ["remote_port", 132], ["local_port", 136],
  ];
  const out: Record<string, CtxField> = Object.fromEntries(names.map(([n, o]) => [n, u32(o, n)]));
  for (let i = 0; i < 5; i++) out[`cb${i}`] = { offset: 48 + 4 * i, size: 4, type: "u32", writable: true };
  if (opts.packet) {
    out.data = { offset: 76, size: 4, type: "pkt" };
    out.data_end = { offset: 80, size: 4, type: "pkt_end" };
  }
  return out;
}

/** x86-64 `struct pt_regs`: argument registers in calling-convention order. */
const PT_REGS_ARGS = [112 /* di */, 104 /* si */, 96 /* dx */, 88 /* cx */, 72 /* r8 */, 64 /* r9 */];
const PT_REGS_FIELDS: Readonly<Record<string, CtxField>> = {
  ret: { offset: 80, size: 8, type: "u64" }, // ax
  ip: { offset: 128, size: 8, type: "u64" },
  sp: { offset: 152, size: 8, type: "u64" },
};
const PT_REGS_ARGS_DEF: CtxArgs = { count: PT_REGS_ARGS.length, offset: (i) => PT_REGS_ARGS[i]! };
/** `u64 args[]` contexts (raw tracepoints, fentry/fexit). */
const U64_ARGS = (count: number): CtxArgs => ({ count, offset: (i) => 8 * i });

const oneArg = (what: string, re: RegExp, example: string) => (args: readonly string[]) =>
  re.test(args[0] ?? "") ? undefined : `${what} '${args[0]}' must look like "${example}"`;
const SYMBOL = /^[A-Za-z_][A-Za-z0-9_.]*$/;

const traceKind = (progType: ProgType, prefix: string, usage: string, extra: Partial<CtxKindDef> = {}): CtxKindDef => ({
  progType,
  typeArgs: 1,
  usage,
  checkArgs: oneArg("the kernel function", SYMBOL, "do_sys_openat2"),
  section: (args) => `${prefix}/${args[0]}`,
  fields: PT_REGS_FIELDS,
  args: PT_REGS_ARGS_DEF,
  btf: { kind: "void" },
  ...extra,
});

const uprobeKind = (prefix: string): CtxKindDef => ({
  progType: "kprobe",
  typeArgs: 1,
  usage: `${prefix === "uprobe" ? "Uprobe" : "Uretprobe"}<"/path/to/binary:symbol">, e.g. Uprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">`,
  checkArgs: oneArg("the probe target", /^[^:\s]+:[A-Za-z_][A-Za-z0-9_.@]*(\+\d+)?$/, "/path/to/binary:symbol"),
  section: (args) => `${prefix}/${args[0]}`,
  fields: PT_REGS_FIELDS,
  args: PT_REGS_ARGS_DEF,
  btf: { kind: "void" },
});

/** `ctx.arg_count` of a USDT program: how many arguments the site that fired has. */
export const USDT_ARG_COUNT = "arg_count";

/** "binary:provider:name": the binary a path or a library name, as uprobes take it. */
const USDT_TARGET = /^[^:\s]+:[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*$/;

const usdtKind: CtxKindDef = {
  progType: "kprobe",
  typeArgs: 1,
  usage: 'Usdt<"/path/to/binary:provider:name">, e.g. Usdt<"/usr/bin/python3:python:function__entry">',
  checkArgs: oneArg("the USDT probe", USDT_TARGET, "/path/to/binary:provider:name"),
  section: (args) => `usdt/${args[0]}`,
  fields: { ip: PT_REGS_FIELDS.ip!, sp: PT_REGS_FIELDS.sp! },
  args: { count: 12, offset: () => 0, usdt: true },
  btf: { kind: "void" },
  note: "a uprobe at each of the probe's sites; ctx.args[i] follows the argument spec of the site that fired (a register, memory, or a constant), sign- or zero-extended to 64 bits as the note says",
};

const SKB_BTF: CtxBtf = { kind: "void" };

export const CTX_KINDS: Readonly<Record<string, CtxKindDef>> = {
  Tracepoint: {
    progType: "tracepoint",
    typeArgs: 1,
    usage: 'Tracepoint<"group/name">, e.g. Tracepoint<"syscalls/sys_enter_openat">',
    checkArgs: (args) => (/^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(args[0] ?? "") ? undefined : `tracepoint '${args[0]}' must be "group/name", e.g. "syscalls/sys_enter_openat"`),
    section: (args) => `tracepoint/${args[0]}`,
    // Tracepoint record fields come from tracefs formats in a later version.
    fields: {},
    btf: { kind: "void" },
  },
  RawTracepoint: {
    progType: "raw_tracepoint",
    typeArgs: 1,
    usage: 'RawTracepoint<"name">, e.g. RawTracepoint<"sched_switch">',
    checkArgs: oneArg("the raw tracepoint", SYMBOL, "sched_switch"),
    section: (args) => `raw_tp/${args[0]}`,
    fields: {},
    args: U64_ARGS(12),
    btf: { kind: "void" },
  },
  Kprobe: traceKind("kprobe", "kprobe", 'Kprobe<"function">, e.g. Kprobe<"do_sys_openat2">'),
  Kretprobe: traceKind("kprobe", "kretprobe", 'Kretprobe<"function">, e.g. Kretprobe<"do_sys_openat2">'),
  Uprobe: uprobeKind("uprobe"),
  Uretprobe: uprobeKind("uretprobe"),
  Usdt: usdtKind,
  TpBtf: traceKind("tracing", "tp_btf", 'TpBtf<"tracepoint">, e.g. TpBtf<"sched_process_exec">', {
    fields: {}, args: U64_ARGS(12), checkArgs: oneArg("the raw tracepoint", SYMBOL, "sched_process_exec"),
    note: "BTF raw tracepoint: ctx.args[i] typed from the kernel's btf_trace_<name> prototype, kernel struct pointers read with direct loads; loads and attaches on Linux 6.18 here",
  }),
  Fentry: traceKind("tracing", "fentry", 'Fentry<"function">, e.g. Fentry<"do_unlinkat">', { fields: {}, args: U64_ARGS(12) }),
  Fexit: traceKind("tracing", "fexit", 'Fexit<"function">, e.g. Fexit<"do_unlinkat">', { fields: {}, args: U64_ARGS(12) }),
  PerfEvent: {
    progType: "perf_event",
    typeArgs: 0,
    usage: "PerfEvent",
    checkArgs: () => undefined,
    section: () => "perf_event",
    // struct bpf_perf_event_data { struct pt_regs regs; u64 sample_period; u64 addr; }
    fields: { ...PT_REGS_FIELDS, sample_period: { offset: 168, size: 8, type: "u64" }, addr: { offset: 176, size: 8, type: "u64" } },
    args: PT_REGS_ARGS_DEF,
    btf: { kind: "void" },
  },
  Xdp: {
    progType: "xdp",
    typeArgs: 0,
    usage: "Xdp",
    checkArgs: () => undefined,
    section: () => "xdp",
    fields: XDP_FIELDS,
    btf: {
      kind: "struct",
      name: "xdp_md",
      size: 24,
      fields: [
        { name: "data", offset: 0, type: "u32" },
        { name: "data_end", offset: 4, type: "u32" },
        { name: "data_meta", offset: 8, type: "u32" },
        { name: "ingress_ifindex", offset: 12, type: "u32" },
        { name: "rx_queue_index", offset: 16, type: "u32" },
        { name: "egress_ifindex", offset: 20, type: "u32" },
      ],
    },
  },
  Tc: {
    progType: "sched_cls",
    typeArgs: 0,
    usage: "Tc",
    checkArgs: () => undefined,
    section: () => "tc",
    fields: skbFields({ packet: true, writable: ["mark", "priority", "queue_mapping", "tc_index", "tc_classid"] }),
    btf: SKB_BTF,
  },
  CgroupSkb: {
    progType: "cgroup_skb",
    typeArgs: 1,
    usage: 'CgroupSkb<"ingress"> or CgroupSkb<"egress">',
    checkArgs: (args) => (args[0] === "ingress" || args[0] === "egress" ? undefined : `cgroup_skb direction '${args[0]}' must be "ingress" or "egress"`),
    section: (args) => `cgroup_skb/${args[0]}`,
    fields: skbFields({ packet: true, writable: ["mark", "priority"] }),
    btf: SKB_BTF,
  },
  SocketFilter: {
    progType: "socket_filter",
    typeArgs: 0,
    usage: "SocketFilter",
    checkArgs: () => undefined,
    section: () => "socket",
    fields: skbFields({ packet: false, writable: [] }),
    btf: SKB_BTF,
  },
};

export function ctxKindNames(): string[] {
  return Object.keys(CTX_KINDS);
}
