/**
 * Sockets made through libc (Node's own sockets hide their fds): netlink sockets for tc, and
 * SO_ATTACH_BPF / SO_DETACH_BPF for socket filters. Every socket is owned by an `Fd`.
 */
import { BpfError } from "../errors.js";
import { Fd } from "./fd.js";
import { bindRaw, errno, recvRaw, sendRaw, setsockoptRaw, socketRaw } from "./libc.js";
import { NativeBuffer } from "./native.js";

export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_ATTACH_BPF = 50;
export const SO_DETACH_BPF = 27;
export const SO_RCVTIMEO = 20;
export const MSG_DONTWAIT = 0x40;

export function socket(domain: number, type: number, protocol: number, label: string): Fd {
  const fd = socketRaw(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw new BpfError("socket", errno(), { what: `open ${label}` });
  return new Fd(fd, label);
}

export function setsockopt(fd: number, level: number, name: number, value: Uint8Array, what: string): void {
  using buf = NativeBuffer.from(value);
  if (setsockoptRaw(fd, level, name, buf.ptr, value.length) < 0) throw new BpfError("setsockopt", errno(), { what });
}

/** setsockopt with an int value. */
export function setsockoptInt(fd: number, level: number, name: number, value: number, what: string): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  setsockopt(fd, level, name, b, what);
}

export function bind(fd: number, addr: Uint8Array, what: string): void {
  using buf = NativeBuffer.from(addr);
  if (bindRaw(fd, buf.ptr, addr.length) < 0) throw new BpfError("bind", errno(), { what });
}

export function send(fd: number, data: Uint8Array, what: string): void {
  using buf = NativeBuffer.from(data);
  const n = sendRaw(fd, buf.ptr, data.length, 0);
  if (n < 0) throw new BpfError("send", errno(), { what });
}

/** One datagram (up to `max` bytes), or undefined when `dontWait` and nothing is queued. */
export function recv(fd: number, max: number, what: string, dontWait = false): Uint8Array | undefined {
  using buf = new NativeBuffer(max);
  const n = recvRaw(fd, buf.ptr, max, dontWait ? MSG_DONTWAIT : 0);
  if (n < 0) {
    const err = errno();
    if (dontWait && err === 11 /* EAGAIN */) return undefined;
    throw new BpfError("recv", err, { what });
  }
  return buf.bytes.slice(0, n);
}
