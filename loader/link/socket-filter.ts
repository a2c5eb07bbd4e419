/**
 * Socket filter attach: setsockopt(SO_ATTACH_BPF) on a socket the caller owns. The program
 * sees each packet the socket would receive and returns how many bytes to keep (0 drops
 * it). Detaching is setsockopt(SO_DETACH_BPF); closing the socket also drops the filter.
 */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { setsockoptInt, SOL_SOCKET, SO_ATTACH_BPF, SO_DETACH_BPF } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

/** A socket: its fd number, or an object that has one (an `Fd`, a Node handle with `fd`). */
export type SocketLike = number | { readonly raw: number } | { readonly fd: number };

export function socketFdOf(s: SocketLike): number {
  if (typeof s === "number") return s;
  if ("raw" in s) return s.raw;
  return s.fd;
}

export function attachSocketFilter(prog: AttachableProgram, socket: SocketLike): Link {
  const fd = socketFdOf(socket);
  try {
    if (!Number.isInteger(fd) || fd < 0) throw new WhistlerError(`${fd} is not a socket file descriptor`);
    setsockoptInt(fd, SOL_SOCKET, SO_ATTACH_BPF, prog.fd.raw, `attach socket filter to fd ${fd}`);
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    const code = (e as { code?: string }).code;
    throw new AttachError(prog.name, `socket fd ${fd}: ${w ? w.message.split("\n")[0] : String(e)}`, {
      cause: e,
      hint: code === "ENOTSOCK" ? "the fd is not a socket" : code === "EBADF" ? "the fd is not open" : code === "EINVAL" ? "the program must be a socket filter (section \"socket\")" : w?.hint,
    });
  }
  const detach = (): void => {
    try {
      setsockoptInt(fd, SOL_SOCKET, SO_DETACH_BPF, 0, `detach socket filter from fd ${fd}`);
    } catch {
      // the socket was closed: its filter went with it
    }
  };
  return new Link("socket_filter", prog.name, `socket fd ${fd}`, [], { detach });
}
