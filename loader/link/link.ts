/**
 * A `Link` keeps a program attached; disposing it detaches. It owns the fds that hold the
 * attachment (a bpf link, and for tracepoints the perf event under it) and closes them in
 * reverse order of creation.
 */
import type { Fd } from "../../runtime/sys/index.js";

export type LinkKind = "tracepoint" | "raw_tracepoint" | "xdp";

export class Link implements Disposable {
  readonly kind: LinkKind;
  readonly program: string;
  /** Where it is attached, for messages: "syscalls/sys_enter_openat", "lo", ... */
  readonly target: string;
  readonly #fds: Fd[];

  /** @internal */
  constructor(kind: LinkKind, program: string, target: string, fds: Fd[]) {
    this.kind = kind;
    this.program = program;
    this.target = target;
    this.#fds = fds;
  }

  get attached(): boolean {
    return this.#fds.some((f) => !f.closed);
  }

  /** Detach (idempotent). */
  detach(): void {
    for (let i = this.#fds.length - 1; i >= 0; i--) this.#fds[i]!.close();
  }

  [Symbol.dispose](): void {
    this.detach();
  }
}
