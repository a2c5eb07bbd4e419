/**
 * A `Link` keeps a program attached; disposing it detaches. It owns the fds that hold the
 * attachment (a bpf link, and for perf-event kinds the perf event under it) and closes them in
 * reverse order of creation; attachments that are not fds (a tc filter made over netlink, a
 * socket filter) come with a detach function that runs first.
 *
 * A link whose attachment is a bpf link can be pinned in bpffs: the kernel then keeps it
 * attached after the process lets go, and dispose only closes our fds.
 */
import { AttachError, NotSupportedError } from "../../runtime/errors.js";
import type { Fd } from "../../runtime/sys/index.js";
import { pinFd } from "../pin/pin.js";

export type LinkKind =
  | "tracepoint" | "raw_tracepoint" | "xdp" | "uprobe" | "kprobe" | "tc" | "cgroup" | "socket_filter"
  | "perf_event" | "tracing" | "usdt";

export interface LinkParts {
  /** The bpf link fd, when the attachment is one (what pin() pins). */
  readonly bpfLink?: Fd;
  /** Detaches what no fd holds; runs before the fds close. Must not throw. */
  readonly detach?: () => void;
  /** Cleans up after the fds closed (e.g. removes a kprobe event they kept busy). Must not throw. */
  readonly cleanup?: () => void;
}

export class Link implements Disposable {
  readonly kind: LinkKind;
  readonly program: string;
  /** Where it is attached, for messages: "syscalls/sys_enter_openat", "lo", ... */
  readonly target: string;
  readonly #fds: Fd[];
  readonly #parts: LinkParts;
  #detached = false;
  #pinnedAt: string | undefined;

  /** @internal */
  constructor(kind: LinkKind, program: string, target: string, fds: Fd[], parts: LinkParts = {}) {
    this.kind = kind;
    this.program = program;
    this.target = target;
    this.#fds = fds;
    this.#parts = parts;
  }

  get attached(): boolean {
    if (this.#detached) return false;
    return this.#parts.detach !== undefined || this.#fds.some((f) => !f.closed);
  }

  /** Where this link is pinned (it stays attached after dispose), if it is. */
  get pinnedAt(): string | undefined {
    return this.#pinnedAt;
  }

  /**
   * Pin the link in bpffs (file mode 0600): it stays attached until the file is removed,
   * even after this process exits. Only kinds made of a bpf link can be pinned.
   */
  pin(path: string): void {
    const fd = this.#parts.bpfLink;
    if (!fd || fd.closed) {
      throw new AttachError(this.program, `a ${this.kind} link on ${this.target} ${fd ? "was detached" : "is not a bpf link"} and cannot be pinned`, {
        cause: new NotSupportedError(`pinning ${this.kind} links`),
        hint: fd ? undefined : this.kind === "tc" ? "tc attaches through tcx bpf links on kernels >= 6.6; the netlink path makes filters, which the kernel cannot pin" : "pin the program instead and attach it again where needed",
      });
    }
    pinFd(fd, path);
    this.#pinnedAt = path;
  }

  /** Detach (idempotent). A pinned link stays attached in the kernel; this only lets go. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#parts.detach?.();
    for (let i = this.#fds.length - 1; i >= 0; i--) this.#fds[i]!.close();
    this.#parts.cleanup?.();
  }

  [Symbol.dispose](): void {
    this.detach();
  }
}
