/**
 * Socket filter attach: setsockopt(SO_ATTACH_BPF) on a socket the caller owns. The program
 * sees each packet the socket would receive and returns how many bytes to keep (0 drops
 * it). Detaching is setsockopt(SO_DETACH_BPF), on that socket only; closing the socket also
 * drops the filter.
 */
import { fstatSync } from "node:fs";
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

/** Device and inode of the socket an fd refers to, or undefined when the fd is closed. */
function socketIdentity(fd: number): string | undefined {
  try {
    const st = fstatSync(fd, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
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
  // The link holds a number, not the socket: by the time it is disposed the caller may have
  // closed the socket and the number may name another one. Detach only from the socket the
  // filter was attached to (same inode), never from whatever now has the number.
  const identity = socketIdentity(fd);
  const detach = (): void => {
    if (identity === undefined || socketIdentity(fd) !== identity) return; // closed: its filter went with it
    try {
      setsockoptInt(fd, SOL_SOCKET, SO_DETACH_BPF, 0, `detach socket filter from fd ${fd}`);
    } catch {
      // the socket was closed: its filter went with it
    }
  };
  return new Link("socket_filter", prog.name, `socket fd ${fd}`, [], { detach });
}
