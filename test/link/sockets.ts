/** Sockets for attach tests, made through libc so tests hold real fds (Node hides its own). */
import {
  bind, recv, socket, type Fd,
} from "../../runtime/sys/index.js";

export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const AF_INET_DGRAM = { domain: AF_INET, type: SOCK_DGRAM } as const;

/** struct sockaddr_in for "a.b.c.d", port. */
export function sockaddrIn(addr: string, port: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  addr.split(".").forEach((o, i) => (b[4 + i] = Number(o)));
  return b;
}

export interface TestSocket extends Disposable {
  readonly fd: Fd;
  /** Every datagram queued now, as text. */
  drain(): string[];
  /**
   * Datagrams as text, waiting until `count` arrived (at most 2 s); with count 0, waits a
   * little so late packets would show up, then drains.
   */
  collect(count: number): Promise<string[]>;
  /** Raw frames queued now. */
  drainBytes(): Uint8Array[];
}

function wrap(fd: Fd, max: number): TestSocket {
  const drainBytes = (): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let d = recv(fd.raw, max, "receive", true); d; d = recv(fd.raw, max, "receive", true)) out.push(d);
    return out;
  };
  const drain = (): string[] => drainBytes().map((d) => new TextDecoder().decode(d));
  const collect = async (count: number): Promise<string[]> => {
    const got: string[] = [];
    const deadline = Date.now() + (count === 0 ? 100 : 2000);
    while (Date.now() < deadline) {
      got.push(...drain());
      if (count > 0 && got.length >= count) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return got;
  };
  return {
    fd,
    drainBytes,
    collect,
    drain,
    [Symbol.dispose]: () => fd.close(),
  };
}

/** A UDP socket bound to addr:port. */
export function udpSocket(addr: string, port: number): TestSocket {
  const fd = socket(AF_INET, SOCK_DGRAM, 0, `udp socket ${addr}:${port}`);
  try {
    bind(fd.raw, sockaddrIn(addr, port), `bind ${addr}:${port}`);
  } catch (e) {
    fd.close();
    throw e;
  }
  return wrap(fd, 2048);
}

const AF_PACKET = 17;
const SOCK_RAW = 3;
const ETH_P_ALL = 0x0003;

/** A packet socket receiving every frame on interface `ifindex`. */
export function packetSocket(ifindex: number): TestSocket {
  const protoBe = ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8);
  const fd = socket(AF_PACKET, SOCK_RAW, protoBe, `packet socket on ifindex ${ifindex}`);
  try {
    // struct sockaddr_ll: family, protocol (be16), ifindex, ...
    const sll = new Uint8Array(20);
    const v = new DataView(sll.buffer);
    v.setUint16(0, AF_PACKET, true);
    v.setUint16(2, ETH_P_ALL, false);
    v.setInt32(4, ifindex, true);
    bind(fd.raw, sll, `bind packet socket to ifindex ${ifindex}`);
  } catch (e) {
    fd.close();
    throw e;
  }
  return wrap(fd, 65536);
}
