/**
 * Attaching a loaded program where its section says: one switch over the attach target,
 * with the options each kind needs (interface, cgroup, binary, socket) checked first so a
 * missing one is an `AttachError` that says which option to pass.
 */
import { AttachError, NotSupportedError } from "../../runtime/errors.js";
import { AttachType } from "../../runtime/sys/index.js";
import type { AttachTarget } from "../object/sections.js";
import { attachCgroup } from "./cgroup.js";
import { attachKprobe } from "./kprobe.js";
import type { Link } from "./link.js";
import { attachPerfEvent } from "./perf-event.js";
import { attachRawTracepoint } from "./raw-tracepoint.js";
import { attachSocketFilter, type SocketLike } from "./socket-filter.js";
import { attachTc, type TcDirection, type TcMode } from "./tc.js";
import { attachTracepoint, type AttachableProgram } from "./tracepoint.js";
import { attachTracing } from "./tracing.js";
import { attachUprobe } from "./uprobe.js";
import { attachUsdt } from "./usdt.js";
import type { UsdtSpecTable } from "./usdt-specs.js";
import { attachXdp, type XdpMode } from "./xdp.js";

export interface AttachOptions {
  /** XDP and tc: interface name or index. */
  ifname?: string | number;
  /** XDP: attach mode (default: the kernel's choice). */
  xdpMode?: XdpMode;
  /** tc: ingress or egress (default: from the section, tc/egress or tcx/egress, else ingress); cgroup/skb: required. */
  direction?: TcDirection;
  /** tc: "tcx" links, "netlink" (clsact + cls_bpf), or "auto" (default: tcx where the kernel has it). */
  tcMode?: TcMode;
  /** cgroup programs: the cgroup directory (absolute, or relative to the cgroup2 mount). */
  cgroup?: string;
  /** uprobe: "binary:symbol" when the section has none (or to override it); kprobe: the function; usdt: "binary:provider:name". */
  target?: string;
  /** uprobe, usdt: only this process. */
  pid?: number;
  /** Socket filters: the socket (fd number, Fd, or an object with an fd). */
  socket?: SocketLike;
  /** perf_event: samples per second per CPU (default 99), or a period in events. */
  frequency?: number;
  period?: bigint;
  /** Tracepoints, kprobes, uprobes, fentry: a value the program reads with bpf_get_attach_cookie(). */
  cookie?: bigint;
}

export interface AttachSubject extends AttachableProgram {
  readonly section: string;
  readonly target: AttachTarget;
  /** The object's USDT spec table, when its programs read USDT arguments. */
  readonly usdtSpecs?: UsdtSpecTable;
}

/** Direction a tc section implies: tc/egress and tcx/egress mean egress. */
export function tcDirectionOfSection(section: string): TcDirection | undefined {
  const m = /^\??(?:tc|tcx)\/(ingress|egress)$/.exec(section);
  return m ? (m[1] as TcDirection) : undefined;
}

function missing(p: AttachSubject, what: string, hint: string): AttachError {
  return new AttachError(p.name, `${p.target.kind} needs ${what}`, { hint });
}

export function attachProgram(p: AttachSubject, opts: AttachOptions = {}): Link {
  const t = p.target;
  switch (t.kind) {
    case "tracepoint":
      return attachTracepoint(p, t.group, t.name, opts.cookie);
    case "raw_tracepoint":
      return attachRawTracepoint(p, t.name);
    case "xdp":
      if (opts.ifname === undefined) throw missing(p, "an interface", 'pass { ifname: "eth0" } (to attachAll: { xdp: { ifname } })');
      return attachXdp(p, { ifname: opts.ifname, mode: opts.xdpMode });
    case "tc": {
      if (opts.ifname === undefined) throw missing(p, "an interface", 'pass { ifname: "eth0" } (to attachAll: { tc: { ifname } })');
      const direction = opts.direction ?? tcDirectionOfSection(p.section) ?? "ingress";
      return attachTc(p, { ifname: opts.ifname, direction, mode: opts.tcMode });
    }
    case "kprobe": {
      const symbol = opts.target ?? t.symbol;
      if (!symbol) throw missing(p, "a kernel function", 'name it in the section (kprobe/do_unlinkat) or pass { target: "do_unlinkat" }');
      return attachKprobe(p, { symbol, ret: t.ret, cookie: opts.cookie });
    }
    case "uprobe": {
      const target = opts.target ?? t.target;
      if (!target) throw missing(p, "a target", 'pass { target: "/path/to/binary:function" } (a library may be named: "libc.so.6:malloc"), or name it in the section');
      return attachUprobe(p, { target, ret: t.ret, pid: opts.pid, cookie: opts.cookie });
    }
    case "usdt": {
      const target = opts.target ?? t.target;
      if (!target) throw missing(p, "a probe", 'pass { target: "/path/to/binary:provider:name" }, or name it in the section');
      return attachUsdt(p, p.usdtSpecs, { target, pid: opts.pid });
    }
    case "socket":
      if (opts.socket === undefined) throw missing(p, "a socket", "pass { socket: fd } (a socket's file descriptor); the filter applies to packets that socket receives");
      return attachSocketFilter(p, opts.socket);
    case "cgroup_skb": {
      if (opts.cgroup === undefined) throw missing(p, "a cgroup", 'pass { cgroup: "/sys/fs/cgroup/unified/my.slice" } (to attachAll: { cgroup })');
      const dir = t.direction === "any" ? opts.direction : t.direction;
      if (!dir) throw missing(p, "a direction", 'the section cgroup/skb names none: pass { direction: "ingress" } or "egress"');
      return attachCgroup(p, { path: opts.cgroup, attachType: dir === "ingress" ? AttachType.CGROUP_INET_INGRESS : AttachType.CGROUP_INET_EGRESS });
    }
    case "cgroup":
      if (opts.cgroup === undefined) throw missing(p, "a cgroup", 'pass { cgroup: "/sys/fs/cgroup/unified/my.slice" } (to attachAll: { cgroup })');
      return attachCgroup(p, { path: opts.cgroup, attachType: t.attachType });
    case "perf_event":
      return attachPerfEvent(p, { frequency: opts.frequency, period: opts.period });
    case "btf":
      return attachTracing(p, t.attachType, `${p.section}`, opts.cookie);
    case "other":
      throw new AttachError(p.name, `section "${p.section}" has no automatic attach`, {
        cause: new NotSupportedError(`attaching "${p.section}" programs`),
        hint: "attach this program's fd yourself, or leave it out of attachAll({ skip: [name] })",
      });
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** Options of attachAll(): where each kind goes; `false` leaves that kind unattached. */
export interface AttachAllOptions {
  xdp?: { ifname: string | number; mode?: XdpMode } | false;
  tc?: { ifname: string | number; direction?: TcDirection; mode?: TcMode } | false;
  /** cgroup_skb and the other cgroup hooks. */
  cgroup?: string | false;
  /** uprobes whose section names no target, and a pid filter for all uprobes. */
  uprobe?: { target?: string; pid?: number } | false;
  /** USDT probes: a pid filter (their sections name the probe). */
  usdt?: { pid?: number } | false;
  socket?: SocketLike | false;
  perfEvent?: { frequency?: number; period?: bigint } | false;
  /** Program names to leave unattached. */
  skip?: readonly string[];
}

/** The attach options for one program under attachAll(), or undefined to skip it. */
export function attachAllOptionsFor(p: AttachSubject, all: AttachAllOptions): AttachOptions | undefined {
  if (all.skip?.includes(p.name)) return undefined;
  const t = p.target;
  const need = (key: string, example: string): AttachError => new AttachError(p.name, `${t.kind} needs attachAll({ ${key}: ... })`, {
    hint: `call attachAll({ ${key}: ${example} }), or attachAll({ ${key}: false }) to skip these programs`,
  });
  switch (t.kind) {
    case "xdp":
      if (all.xdp === false) return undefined;
      if (all.xdp === undefined) throw new AttachError(p.name, "XDP needs an interface", { hint: 'call attachAll({ xdp: { ifname: "eth0" } }), or attachAll({ xdp: false }) to skip XDP programs' });
      return { ifname: all.xdp.ifname, xdpMode: all.xdp.mode };
    case "tc":
      if (all.tc === false) return undefined;
      if (all.tc === undefined) throw need("tc", '{ ifname: "eth0" }');
      return { ifname: all.tc.ifname, direction: all.tc.direction, tcMode: all.tc.mode };
    case "cgroup_skb":
    case "cgroup":
      if (all.cgroup === false) return undefined;
      if (all.cgroup === undefined) throw need("cgroup", '"/sys/fs/cgroup/unified/my.slice"');
      return { cgroup: all.cgroup };
    case "uprobe":
      if (all.uprobe === false) return undefined;
      if (!t.target && !all.uprobe?.target) throw need("uprobe", '{ target: "/path/to/binary:function" }');
      return { target: all.uprobe?.target, pid: all.uprobe?.pid };
    case "usdt":
      if (all.usdt === false) return undefined;
      if (!t.target) throw new AttachError(p.name, "usdt needs a probe", { hint: 'name it in the section, usdt/<binary>:<provider>:<name>, or attach this program with attach({ target })' });
      return { pid: all.usdt?.pid };
    case "socket":
      if (all.socket === false) return undefined;
      if (all.socket === undefined) throw need("socket", "fd");
      return { socket: all.socket };
    case "perf_event":
      if (all.perfEvent === false) return undefined;
      return { frequency: all.perfEvent?.frequency, period: all.perfEvent?.period };
    case "tracepoint": case "raw_tracepoint": case "kprobe": case "btf": case "other":
      return {};
    default: {
      const never: never = t;
      return never;
    }
  }
}
