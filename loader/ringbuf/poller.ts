/**
 * Waiting for several ring buffers at once: one epoll set (edge-triggered) over their map
 * fds, the wait on a koffi worker thread so the event loop keeps running, then a drain of
 * every ring (records may have arrived in rings that did not signal, and edge triggering
 * requires draining before the next wait).
 */
import { WhistlerError } from "../../runtime/errors.js";
import { Epoll, EPOLLET, EPOLLIN } from "../../runtime/sys/index.js";
import type { RawVisitor, Ring } from "./ring.js";

/** Longest single wait: dispose and abort take effect within this. */
const MAX_WAIT_MS = 200;

interface Entry {
  readonly ring: Ring;
  readonly visit: RawVisitor;
}

export class RingPoller implements Disposable {
  readonly #epoll = new Epoll();
  readonly #entries: Entry[] = [];
  #closed = false;

  /** Watch `ring` (whose map fd is `fd`); `visit` sees each of its records. */
  add(fd: number, ring: Ring, visit: RawVisitor): this {
    this.#check();
    this.#epoll.add(fd, EPOLLIN | EPOLLET, this.#entries.length);
    this.#entries.push({ ring, visit });
    return this;
  }

  #check(): void {
    if (this.#closed) throw new WhistlerError("the ring buffer poller was disposed");
  }

  /** Drain every ring now, without waiting. Returns the number of records visited. */
  consume(): number {
    this.#check();
    let n = 0;
    for (const e of this.#entries) n += e.ring.drain(e.visit);
    return n;
  }

  /** Wait up to `timeoutMs` (at most 200 ms at a time) for a ring to signal, off the event loop. */
  async wait(timeoutMs: number): Promise<void> {
    this.#check();
    await this.#epoll.wait(Math.max(0, Math.min(MAX_WAIT_MS, timeoutMs)));
  }

  /**
   * Drain; if nothing was there, wait up to `timeoutMs` (-1: until records come or the
   * poller is disposed) off the event loop, then drain again. Returns records visited.
   */
  async poll(timeoutMs = -1): Promise<number> {
    let n = this.consume();
    if (n > 0) return n;
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return 0;
      await this.#epoll.wait(Math.min(MAX_WAIT_MS, left === Infinity ? MAX_WAIT_MS : Math.ceil(left)));
      if (this.#closed) return 0;
      n = this.consume();
      if (n > 0) return n;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops watching; the rings belong to their readers. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#epoll[Symbol.dispose]();
  }
}
