/**
 * A packet socket (AF_PACKET, SOCK_RAW, every protocol) bound to one interface: the socket a
 * socket filter is attached to when a tool watches an interface's frames, as tcpdump does.
 * Frames arrive with their Ethernet header at offset 0, which is where a socket filter
 * reads them too. Node cannot open such sockets itself, so this one is made through libc.
 */
import { readFileSync } from "node:fs";
import { WhistlerError } from "../../runtime/errors.js";
import { AF_PACKET, bind, recv, SOCK_RAW, socket, type Fd } from "../../runtime/sys/index.js";

const ETH_P_ALL = 0x0003;
/** Big enough for any frame on a standard-MTU interface, GRO-merged ones included. */
const MAX_FRAME = 65536;

export class PacketSocket implements Disposable {
  readonly fd: Fd;
  readonly ifname: string;
  readonly ifindex: number;

  constructor(ifname: string) {
    this.ifname = ifname;
    let index: string;
    try {
      index = readFileSync(`/sys/class/net/${ifname}/ifindex`, "utf8");
    } catch {
      throw new WhistlerError(`no network interface named "${ifname}"`, { hint: "list interfaces with `ip link`" });
    }
    this.ifindex = Number(index.trim());
    // the protocol is passed in network byte order
    const protoBe = ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8);
    this.fd = socket(AF_PACKET, SOCK_RAW, protoBe, `packet socket on ${ifname}`);
    try {
      // struct sockaddr_ll: sll_family, sll_protocol (be16), sll_ifindex, then unused fields
      const sll = new Uint8Array(20);
      const v = new DataView(sll.buffer);
      v.setUint16(0, AF_PACKET, true);
      v.setUint16(2, ETH_P_ALL, false);
      v.setInt32(4, this.ifindex, true);
      bind(this.fd.raw, sll, `bind packet socket to ${ifname} (ifindex ${this.ifindex})`);
    } catch (e) {
      this.fd.close();
      throw e;
    }
  }

  /** The next queued frame, or undefined when none is queued (never blocks). */
  receive(): Uint8Array | undefined {
    return recv(this.fd.raw, MAX_FRAME, `receive on packet socket (${this.ifname})`, true);
  }

  /** Every frame queued now. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let f = this.receive(); f; f = this.receive()) out.push(f);
    return out;
  }

  [Symbol.dispose](): void {
    this.fd.close();
  }
}

/** A packet socket receiving every frame on interface `ifname`. */
export function openPacketSocket(ifname: string): PacketSocket {
  return new PacketSocket(ifname);
}
