/**
 * tc attach on an interface's ingress or egress. Two mechanisms:
 *  - tcx (kernels >= 6.6): a bpf link (BPF_LINK_CREATE, BPF_TCX_INGRESS/EGRESS) owned by
 *    an fd; closing it detaches, and it can be pinned;
 *  - netlink (any kernel): a clsact qdisc (created if missing, left in place) and a cls_bpf
 *    filter in direct-action mode; detaching deletes the filter.
 * "auto" (the default) uses tcx and falls back to netlink when the kernel lacks tcx.
 */
import { AttachError, BpfError, WhistlerError } from "../../runtime/errors.js";
import { AttachType, ifIndex, linkCreate } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import {
  delFilterMessage, filterTcMsg, newBpfFilterMessage, newClsactMessage, RtNetlink, type TcDirection,
} from "./netlink.js";
import type { AttachableProgram } from "./tracepoint.js";

export type { TcDirection } from "./netlink.js";
export type TcMode = "auto" | "tcx" | "netlink";

export interface TcAttachOptions {
  /** Interface name ("eth0") or index. */
  ifname: string | number;
  /** Default "ingress". */
  direction?: TcDirection;
  /** Default "auto": tcx where the kernel has it, else clsact + cls_bpf over netlink. */
  mode?: TcMode;
  /** netlink only: filter priority (default 1) and handle (default: the first free from 1). */
  priority?: number;
  handle?: number;
}

const EEXIST = 17;
/** errnos of kernels that do not know the tcx attach types. */
const NO_TCX = new Set([22 /* EINVAL */, 95 /* EOPNOTSUPP */, 524 /* ENOTSUPP */]);
const HANDLE_TRIES = 64;

function attachTcx(prog: AttachableProgram, ifindex: number, direction: TcDirection, where: string): Link {
  const fd = linkCreate({
    progFd: prog.fd.raw, target: ifindex, attachType: direction === "ingress" ? AttachType.TCX_INGRESS : AttachType.TCX_EGRESS,
    label: `tcx link ${prog.name} -> ${where}`,
    ctx: { what: `attach tc program to ${where} (tcx)`, caps: ["CAP_BPF", "CAP_NET_ADMIN"] },
  });
  return new Link("tc", prog.name, where, [fd], { bpfLink: fd });
}

function attachNetlink(prog: AttachableProgram, ifindex: number, direction: TcDirection, where: string, o: TcAttachOptions): Link {
  const priority = o.priority ?? 1;
  if (!Number.isInteger(priority) || priority < 1 || priority > 0xffff) throw new WhistlerError(`tc priority ${priority} is out of range (1..65535)`);
  using nl = new RtNetlink();
  let seq = nl.nextSeq();
  const qdiscErr = nl.request(newClsactMessage(seq, ifindex), seq, `add clsact qdisc to ${where}`);
  if (qdiscErr !== 0 && qdiscErr !== EEXIST) {
    throw new BpfError("rtnetlink", qdiscErr, { what: `add clsact qdisc to ${where}`, hint: qdiscErr === 1 ? "needs CAP_NET_ADMIN" : undefined });
  }
  const first = o.handle ?? 1;
  for (let handle = first; handle < first + (o.handle === undefined ? HANDLE_TRIES : 1); handle++) {
    const slot = filterTcMsg(ifindex, direction, priority, handle);
    seq = nl.nextSeq();
    const err = nl.request(newBpfFilterMessage(seq, slot, prog.fd.raw, prog.name), seq, `add bpf filter to ${where}`);
    if (err === EEXIST) continue;
    if (err !== 0) {
      throw new BpfError("rtnetlink", err, {
        what: `add bpf filter to ${where}`,
        hint: err === 1 ? "needs CAP_NET_ADMIN" : err === 22 ? "the program must be a tc (sched_cls) program" : undefined,
      });
    }
    const detach = (): void => {
      try {
        using del = new RtNetlink();
        const s = del.nextSeq();
        del.request(delFilterMessage(s, slot), s, `delete bpf filter from ${where}`);
      } catch {
        // the interface is gone, and the filter with it
      }
    };
    return new Link("tc", prog.name, where, [], { detach });
  }
  throw new WhistlerError(`every filter handle at priority ${priority} on ${where} is taken`, { hint: "pass another priority or handle" });
}

export function attachTc(prog: AttachableProgram, opts: TcAttachOptions): Link {
  const direction = opts.direction ?? "ingress";
  const mode = opts.mode ?? "auto";
  const where = `${opts.ifname} ${direction}`;
  try {
    const ifindex = ifIndex(opts.ifname);
    if (mode === "netlink") return attachNetlink(prog, ifindex, direction, where, opts);
    try {
      return attachTcx(prog, ifindex, direction, where);
    } catch (e) {
      if (mode === "tcx" || !(e instanceof BpfError) || !NO_TCX.has(e.errno)) throw e;
      return attachNetlink(prog, ifindex, direction, where, opts);
    }
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `tc on ${where}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
