/**
 * `RingBufPoller`: several ring buffers consumed by one wait. Each reader keeps its decoder;
 * the poller drains all of them whenever any signals.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { RingPoller } from "./poller.js";
import type { RingBufReader } from "./reader.js";

export class RingBufPoller implements Disposable {
  readonly #poller = new RingPoller();
  readonly #readers = new Set<RingBufReader<unknown>>();

  /** Consume `reader`'s records with `cb` on every poll. The reader stays owned by its object. */
  add<T>(reader: RingBufReader<T>, cb: (rec: T) => void): this {
    if (this.#readers.has(reader as RingBufReader<unknown>)) throw new WhistlerError(`ring buffer "${reader.name}" is already in this poller`);
    this.#poller.add(reader.fd, reader.ring, reader.visitorFor(cb));
    this.#readers.add(reader as RingBufReader<unknown>);
    return this;
  }

  /** Records available now in every ring, consumed without waiting. */
  consume(): number {
    this.#checkReaders();
    return this.#poller.consume();
  }

  /** Wait (off the event loop) up to `timeoutMs` (-1: no limit) for any ring, then drain all. */
  async poll(timeoutMs = -1): Promise<number> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const n = this.consume();
      if (n > 0 || this.#poller.closed) return n;
      const left = deadline - Date.now();
      if (left <= 0) return 0;
      await this.#poller.wait(left);
    }
  }

  #checkReaders(): void {
    for (const r of this.#readers) {
      if (r.closed) throw new WhistlerError(`ring buffer "${r.name}" was disposed while in a poller`, { hint: "dispose the poller first" });
    }
  }

  [Symbol.dispose](): void {
    this.#poller[Symbol.dispose]();
  }
}
