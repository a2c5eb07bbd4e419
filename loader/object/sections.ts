/**
 * Program section names -> program type, expected attach type, load flags and how to attach,
 * from libbpf's section table (section-table.ts), including the `?name` form (the program is
 * not loaded unless asked for). The attach target is a discriminated union: every consumer
 * switches over it exhaustively.
 */
import type { Capability } from "../../runtime/errors.js";
import { BpfAttachType, findSectionEntry, ProgType, SECTION_TABLE, type ProgTypeName } from "./section-table.js";

export { ProgType, type ProgTypeName } from "./section-table.js";

/** Where a program attaches, as its section says. */
export type AttachTarget =
  | { readonly kind: "tracepoint"; readonly group: string; readonly name: string }
  | { readonly kind: "raw_tracepoint"; readonly name: string }
  | { readonly kind: "kprobe"; readonly symbol: string; readonly ret: boolean }
  | { readonly kind: "uprobe"; readonly target: string; readonly ret: boolean }
  /** A USDT probe: "binary:provider:name" (empty when the section names none). */
  | { readonly kind: "usdt"; readonly target: string }
  | { readonly kind: "xdp" }
  | { readonly kind: "tc" }
  | { readonly kind: "socket" }
  | { readonly kind: "cgroup_skb"; readonly direction: "ingress" | "egress" | "any" }
  | { readonly kind: "perf_event" }
  /** cgroup/sock_create, cgroup/connect4, sockops, cgroup/dev, ...: a cgroup and this attach type. */
  | { readonly kind: "cgroup"; readonly attachType: number }
  /** fentry/fexit/fmod_ret/tp_btf/lsm/iter/freplace: `target` is the kernel function or hook. */
  | { readonly kind: "btf"; readonly attachType: number; readonly target: string }
  /** Everything else libbpf knows (sk_msg, flow_dissector, struct_ops, ...): attach by fd. */
  | { readonly kind: "other" };

export interface SectionDef {
  readonly progType: ProgTypeName;
  readonly expectedAttachType: number;
  readonly target: AttachTarget;
  /** Capabilities loading and attaching needs, for EPERM hints. */
  readonly caps: readonly Capability[];
  /** BPF_PROG_LOAD prog_flags (sleepable, XDP frags). */
  readonly progFlags: number;
  /** Loading needs attach_btf_id from kernel BTF. */
  readonly attachBtf: boolean;
  /** False for `?name` sections: libbpf does not load these unless asked (autoload off). */
  readonly autoload: boolean;
}

const TRACING: readonly Capability[] = ["CAP_BPF", "CAP_PERFMON"];
const NET: readonly Capability[] = ["CAP_BPF", "CAP_NET_ADMIN"];
const ADMIN: readonly Capability[] = ["CAP_BPF", "CAP_SYS_ADMIN"];

const TRACING_TYPES = new Set<ProgTypeName>(["KPROBE", "TRACEPOINT", "PERF_EVENT", "RAW_TRACEPOINT", "RAW_TRACEPOINT_WRITABLE", "TRACING"]);
const ADMIN_TYPES = new Set<ProgTypeName>(["LSM", "STRUCT_OPS", "EXT", "SYSCALL"]);

/** "group/name" -> its parts, or undefined. */
function split2(rest: string): [string, string] | undefined {
  const i = rest.indexOf("/");
  if (i <= 0 || i === rest.length - 1) return undefined;
  return [rest.slice(0, i), rest.slice(i + 1)];
}

function targetOf(head: string, rest: string, progType: ProgTypeName, attachType: number, attachBtf: boolean): AttachTarget {
  if (attachBtf) return { kind: "btf", attachType, target: rest };
  switch (progType) {
    case "TRACEPOINT": {
      const gn = split2(rest);
      return gn ? { kind: "tracepoint", group: gn[0], name: gn[1] } : { kind: "other" };
    }
    case "RAW_TRACEPOINT":
    case "RAW_TRACEPOINT_WRITABLE":
      return rest ? { kind: "raw_tracepoint", name: rest } : { kind: "other" };
    case "KPROBE":
      if (head === "kprobe" || head === "kretprobe") return { kind: "kprobe", symbol: rest, ret: head === "kretprobe" };
      if (head === "uprobe" || head === "uretprobe" || head === "uprobe.s" || head === "uretprobe.s") {
        return { kind: "uprobe", target: rest, ret: head.startsWith("uret") };
      }
      if (head === "usdt" || head === "usdt.s") return { kind: "usdt", target: rest };
      return { kind: "other" };
    case "XDP":
      return attachType === BpfAttachType.XDP ? { kind: "xdp" } : { kind: "other" };
    case "SCHED_CLS":
      return { kind: "tc" };
    case "SOCKET_FILTER":
      return { kind: "socket" };
    case "CGROUP_SKB":
      return { kind: "cgroup_skb", direction: rest === "ingress" ? "ingress" : rest === "egress" ? "egress" : "any" };
    case "PERF_EVENT":
      return { kind: "perf_event" };
    case "CGROUP_SOCK": case "CGROUP_SOCK_ADDR": case "CGROUP_SYSCTL": case "CGROUP_SOCKOPT": case "CGROUP_DEVICE": case "SOCK_OPS":
      return { kind: "cgroup", attachType };
    default:
      return { kind: "other" };
  }
}

/** Definitions by section name: objects repeat a handful of names, the table has ~100 rows. */
const defCache = new Map<string, SectionDef | undefined>();
/** Enough for every name a process sees in practice; hostile inputs cannot grow it without bound. */
const DEF_CACHE_MAX = 1024;

/** The definition for an ELF section name (libbpf's rules), or undefined when libbpf does not know it either. */
export function sectionDef(section: string): SectionDef | undefined {
  let def = defCache.get(section);
  if (def === undefined && !defCache.has(section)) {
    // Shared by every object with this section: frozen so no load can change another's.
    def = computeSectionDef(section);
    if (def) Object.freeze(Object.freeze(def).target);
    if (defCache.size >= DEF_CACHE_MAX) defCache.clear();
    defCache.set(section, def);
  }
  return def;
}

function computeSectionDef(section: string): SectionDef | undefined {
  const autoload = !section.startsWith("?");
  const name = autoload ? section : section.slice(1);
  const e = findSectionEntry(name);
  if (!e) return undefined;
  const slash = name.indexOf("/");
  const head = slash < 0 ? name : name.slice(0, slash);
  const rest = slash < 0 ? "" : name.slice(slash + 1);
  const expectedAttachType = e.attachType === undefined ? 0 : BpfAttachType[e.attachType];
  const caps = TRACING_TYPES.has(e.progType) ? TRACING : ADMIN_TYPES.has(e.progType) ? ADMIN : e.progType === "SOCKET_FILTER" ? ["CAP_BPF"] as const : NET;
  return {
    progType: e.progType,
    expectedAttachType,
    target: targetOf(head, rest, e.progType, expectedAttachType, e.attachBtf),
    caps,
    progFlags: e.flags,
    attachBtf: e.attachBtf,
    autoload,
  };
}

/** Section names we understand, for messages. */
export const KNOWN_SECTIONS = SECTION_TABLE.map((e) => e.pattern.replace(/\+$/, "[/...]")).join(", ");

/** The numeric program type of a definition. */
export function progTypeNumber(def: SectionDef): number {
  return ProgType[def.progType];
}
