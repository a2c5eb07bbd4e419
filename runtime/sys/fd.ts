/**
 * File descriptors owned by JS objects. Every fd the runtime opens is wrapped in an `Fd` at
 * once, so it is closed exactly once: by `[Symbol.dispose]` (idempotent), by the error path
 * that owns it, or (as a last resort) when the wrapper is garbage-collected.
 */
import { WhistlerError } from "../errors.js";
import { close } from "./libc.js";

const registry = new FinalizationRegistry<number>((fd) => close(fd));

export class Fd {
  #raw: number;
  /** What the fd refers to, for messages ("map counts", "perf event", ...). */
  readonly label: string;

  constructor(raw: number, label: string) {
    if (!Number.isInteger(raw) || raw < 0) throw new WhistlerError(`invalid file descriptor ${raw} for ${label}`);
    this.#raw = raw;
    this.label = label;
    registry.register(this, raw, this);
  }

  /** The fd number; throws if already closed (a number could since name another file). */
  get raw(): number {
    if (this.#raw < 0) throw new WhistlerError(`${this.label} is closed`, { hint: "it was disposed; keep the object alive while you use it" });
    return this.#raw;
  }

  get closed(): boolean {
    return this.#raw < 0;
  }

  close(): void {
    if (this.#raw < 0) return;
    const raw = this.#raw;
    this.#raw = -1;
    registry.unregister(this);
    close(raw);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
