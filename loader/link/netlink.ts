/**
 * rtnetlink, just enough for tc: a clsact qdisc and cls_bpf filters in direct-action mode,
 * the way `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da fd N` does it. The
 * message builders are pure (tested byte for byte); `RtNetlink` sends them and reads the ack.
 */
import { BpfError, WhistlerError } from "../../runtime/errors.js";
import {
  AF_NETLINK, bind, recv, send, setsockopt, socket, SOCK_RAW, SOL_SOCKET, SO_RCVTIMEO, type Fd,
} from "../../runtime/sys/index.js";

const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
export const RTM_NEWQDISC = 36;
export const RTM_DELQDISC = 37;
export const RTM_NEWTFILTER = 44;
export const RTM_DELTFILTER = 45;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
const TCA_KIND = 1;
const TCA_OPTIONS = 2;
const TCA_BPF_FD = 6;
const TCA_BPF_NAME = 7;
const TCA_BPF_FLAGS = 8;
const TCA_BPF_FLAG_ACT_DIRECT = 1;
const NLA_F_NESTED = 0x8000;
export const TC_H_CLSACT = 0xfffffff1;
export const TC_H_MIN_INGRESS = 0xfff2;
export const TC_H_MIN_EGRESS = 0xfff3;
const ETH_P_ALL = 0x0003;
const NLMSG_HDRLEN = 16;
const TCMSG_LEN = 20;

const align4 = (n: number): number => (n + 3) & ~3;

/** An rtattr: type, then payload, padded to 4 bytes. */
export function rtattr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + payload.length));
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + payload.length, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};
const cstr = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface TcMsg {
  readonly ifindex: number;
  readonly handle: number;
  readonly parent: number;
  /** For filters: priority << 16 | protocol (network byte order). */
  readonly info: number;
}

/** A netlink message: nlmsghdr, struct tcmsg, attributes. */
export function tcMessage(type: number, flags: number, seq: number, t: TcMsg, attrs: readonly Uint8Array[]): Uint8Array {
  const body = concat(attrs);
  const out = new Uint8Array(NLMSG_HDRLEN + TCMSG_LEN + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, 0, true);
  v.setUint8(16, 0); // AF_UNSPEC
  v.setInt32(20, t.ifindex, true);
  v.setUint32(24, t.handle >>> 0, true);
  v.setUint32(28, t.parent >>> 0, true);
  v.setUint32(32, t.info >>> 0, true);
  out.set(body, NLMSG_HDRLEN + TCMSG_LEN);
  return out;
}

export type TcDirection = "ingress" | "egress";

/** The clsact qdisc on an interface. */
export function clsactTcMsg(ifindex: number): TcMsg {
  return { ifindex, handle: 0xffff0000, parent: TC_H_CLSACT, info: 0 };
}

/** A filter slot under clsact: direction, priority and handle identify it. */
export function filterTcMsg(ifindex: number, direction: TcDirection, priority: number, handle: number): TcMsg {
  const parent = (0xffff0000 | (direction === "ingress" ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS)) >>> 0;
  // protocol ETH_P_ALL in network byte order, in the low 16 bits of tcm_info
  const info = ((priority << 16) | ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8)) >>> 0;
  return { ifindex, handle, parent, info };
}

export function newClsactMessage(seq: number, ifindex: number): Uint8Array {
  return tcMessage(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, clsactTcMsg(ifindex), [rtattr(TCA_KIND, cstr("clsact"))]);
}

export function newBpfFilterMessage(seq: number, slot: TcMsg, progFd: number, progName: string): Uint8Array {
  const options = concat([rtattr(TCA_BPF_FD, u32(progFd)), rtattr(TCA_BPF_NAME, cstr(progName)), rtattr(TCA_BPF_FLAGS, u32(TCA_BPF_FLAG_ACT_DIRECT))]);
  return tcMessage(RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, slot,
    [rtattr(TCA_KIND, cstr("bpf")), rtattr(TCA_OPTIONS | NLA_F_NESTED, options)]);
}

export function delFilterMessage(seq: number, slot: TcMsg): Uint8Array {
  return tcMessage(RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK, seq, slot, [rtattr(TCA_KIND, cstr("bpf"))]);
}

/** The errno of an NLMSG_ERROR ack for `seq` (0 = success), or undefined when `msg` is something else. */
export function ackErrno(msg: Uint8Array, seq: number): number | undefined {
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  for (let o = 0; o + NLMSG_HDRLEN <= msg.length;) {
    const len = v.getUint32(o, true);
    if (len < NLMSG_HDRLEN || o + len > msg.length) break;
    if (v.getUint16(o + 4, true) === NLMSG_ERROR && v.getUint32(o + 8, true) === seq && len >= NLMSG_HDRLEN + 4) {
      return -v.getInt32(o + NLMSG_HDRLEN, true) | 0;
    }
    o += align4(len);
  }
  return undefined;
}

/** One rtnetlink socket; `request` sends a message and waits (at most 5 s) for its ack. */
export class RtNetlink implements Disposable {
  readonly #fd: Fd;
  #seq = Math.floor(Math.random() * 0x7fffffff);

  constructor() {
    this.#fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "rtnetlink socket");
    try {
      const addr = new Uint8Array(12);
      new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
      bind(this.#fd.raw, addr, "bind rtnetlink socket");
      const tv = new Uint8Array(16);
      new DataView(tv.buffer).setBigInt64(0, 5n, true);
      setsockopt(this.#fd.raw, SOL_SOCKET, SO_RCVTIMEO, tv, "set rtnetlink receive timeout");
    } catch (e) {
      this.#fd.close();
      throw e;
    }
  }

  nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  /** Send `msg` (made with sequence `seq`); 0 or the errno the kernel answered. */
  request(msg: Uint8Array, seq: number, what: string): number {
    send(this.#fd.raw, msg, what);
    for (;;) {
      const reply = recv(this.#fd.raw, 65536, what);
      if (!reply || reply.length === 0) throw new WhistlerError(`${what}: the kernel did not answer on rtnetlink`);
      const err = ackErrno(reply, seq);
      if (err !== undefined) return err;
    }
  }

  /** Like request(), throwing a BpfError for a non-zero answer. */
  must(msg: Uint8Array, seq: number, what: string, hint?: (errno: number) => string | undefined): void {
    const err = this.request(msg, seq, what);
    if (err !== 0) throw new BpfError("rtnetlink", err, { what, hint: hint?.(err) });
  }

  [Symbol.dispose](): void {
    this.#fd.close();
  }
}
