/**
 * Program section names -> program type, expected attach type and how to attach, like
 * libbpf's section definitions. The attach target is a discriminated union: every consumer
 * switches over it exhaustively.
 */
import type { Capability } from "../../runtime/errors.js";
import { AttachType } from "../../runtime/sys/attrs.js";

/** enum bpf_prog_type values we know. */
export const ProgType = {
  SOCKET_FILTER: 1, KPROBE: 2, SCHED_CLS: 3, SCHED_ACT: 4, TRACEPOINT: 5, XDP: 6,
  PERF_EVENT: 7, CGROUP_SKB: 8, RAW_TRACEPOINT: 17,
} as const;
export type ProgTypeName = keyof typeof ProgType;

/** Where a program attaches, as its section says. */
export type AttachTarget =
  | { readonly kind: "tracepoint"; readonly group: string; readonly name: string }
  | { readonly kind: "raw_tracepoint"; readonly name: string }
  | { readonly kind: "kprobe"; readonly symbol: string; readonly ret: boolean }
  | { readonly kind: "uprobe"; readonly target: string; readonly ret: boolean }
  | { readonly kind: "xdp" }
  | { readonly kind: "tc" }
  | { readonly kind: "socket" }
  | { readonly kind: "cgroup_skb"; readonly direction: "ingress" | "egress" | "any" }
  | { readonly kind: "perf_event" };

export interface SectionDef {
  readonly progType: ProgTypeName;
  readonly expectedAttachType: number;
  readonly target: AttachTarget;
  /** Capabilities loading and attaching needs, for EPERM hints. */
  readonly caps: readonly Capability[];
}

const TRACING: readonly Capability[] = ["CAP_BPF", "CAP_PERFMON"];
const NET: readonly Capability[] = ["CAP_BPF", "CAP_NET_ADMIN"];

function def(progType: ProgTypeName, target: AttachTarget, caps: readonly Capability[], expectedAttachType = 0): SectionDef {
  return { progType, target, caps, expectedAttachType };
}

/** "group/name" -> its parts, or undefined. */
function split2(rest: string): [string, string] | undefined {
  const i = rest.indexOf("/");
  if (i <= 0 || i === rest.length - 1) return undefined;
  return [rest.slice(0, i), rest.slice(i + 1)];
}

/** The definition for an ELF section name, or undefined when we do not know it. */
export function sectionDef(section: string): SectionDef | undefined {
  const slash = section.indexOf("/");
  const head = slash < 0 ? section : section.slice(0, slash);
  const rest = slash < 0 ? "" : section.slice(slash + 1);
  switch (head) {
    case "tracepoint":
    case "tp": {
      const gn = split2(rest);
      return gn ? def("TRACEPOINT", { kind: "tracepoint", group: gn[0], name: gn[1] }, TRACING) : undefined;
    }
    case "raw_tracepoint":
    case "raw_tp":
      return rest ? def("RAW_TRACEPOINT", { kind: "raw_tracepoint", name: rest }, TRACING) : undefined;
    case "kprobe":
    case "kretprobe":
      return def("KPROBE", { kind: "kprobe", symbol: rest, ret: head === "kretprobe" }, TRACING);
    case "uprobe":
    case "uretprobe":
      return def("KPROBE", { kind: "uprobe", target: rest, ret: head === "uretprobe" }, TRACING);
    case "xdp":
      return def("XDP", { kind: "xdp" }, NET, AttachType.XDP);
    case "tc":
    case "classifier":
      return def("SCHED_CLS", { kind: "tc" }, NET);
    case "socket":
      return def("SOCKET_FILTER", { kind: "socket" }, ["CAP_BPF"]);
    case "cgroup_skb":
      if (rest === "ingress") return def("CGROUP_SKB", { kind: "cgroup_skb", direction: "ingress" }, NET, AttachType.CGROUP_INET_INGRESS);
      if (rest === "egress") return def("CGROUP_SKB", { kind: "cgroup_skb", direction: "egress" }, NET, AttachType.CGROUP_INET_EGRESS);
      return undefined;
    case "cgroup":
      return rest === "skb" ? def("CGROUP_SKB", { kind: "cgroup_skb", direction: "any" }, NET) : undefined;
    case "perf_event":
      return def("PERF_EVENT", { kind: "perf_event" }, TRACING);
    default:
      return undefined;
  }
}

/** Section prefixes we understand, for messages. */
export const KNOWN_SECTIONS =
  "tracepoint/<group>/<name>, tp/, raw_tracepoint/<name>, raw_tp/, kprobe/, kretprobe/, uprobe, uretprobe, " +
  "xdp, tc, classifier, socket, cgroup_skb/ingress, cgroup_skb/egress, cgroup/skb, perf_event";
