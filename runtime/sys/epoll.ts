/**
 * epoll(7) for event consumers. `wait()` runs epoll_wait on one of koffi's worker threads,
 * so JavaScript keeps running while a consumer waits for the kernel; `waitNow()` is the
 * non-blocking sync form. Events report the `data` number given to `add()`.
 */
import { arch } from "node:process";
import { BpfError, WhistlerError } from "../errors.js";
import { epollCreate1, epollCtl, epollWait, errno } from "./libc.js";
import { Fd } from "./fd.js";
import { NativeBuffer } from "./native.js";

export const EPOLLIN = 0x1;
export const EPOLLET = 0x80000000;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EINTR = 4;
/** struct epoll_event is packed (12 bytes) on x86-64 only; 16 bytes elsewhere. */
const EVENT_SIZE = arch === "x64" ? 12 : 16;
const DATA_OFFSET = arch === "x64" ? 4 : 8;

export class Epoll {
  readonly #fd: Fd;
  readonly #events: NativeBuffer;
  readonly #max: number;
  #waiting = false;
  #closed = false;

  constructor(maxEvents = 64) {
    const fd = epollCreate1(EPOLL_CLOEXEC);
    if (fd < 0) throw new BpfError("epoll_create1", errno());
    this.#fd = new Fd(fd, "epoll");
    this.#max = maxEvents;
    this.#events = new NativeBuffer(EVENT_SIZE * maxEvents);
  }

  /** Watch `fd` for `events` (EPOLLIN | EPOLLET, ...); ready events report `data`. */
  add(fd: number, events: number, data: number): void {
    using ev = new NativeBuffer(EVENT_SIZE);
    ev.view.setUint32(0, events >>> 0, true);
    ev.view.setBigUint64(DATA_OFFSET, BigInt(data), true);
    if (epollCtl(this.#fd.raw, EPOLL_CTL_ADD, fd, ev.ptr) < 0) throw new BpfError("epoll_ctl(EPOLL_CTL_ADD)", errno());
  }

  #collect(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(Number(this.#events.view.getBigUint64(i * EVENT_SIZE + DATA_OFFSET, true)));
    return out;
  }

  /** Data of the ready fds, waiting up to `timeoutMs` (-1: forever) off the event loop. */
  wait(timeoutMs: number): Promise<number[]> {
    if (this.#waiting) return Promise.reject(new WhistlerError("epoll_wait: a wait is already in progress on this poller"));
    this.#waiting = true;
    const epfd = this.#fd.raw;
    return new Promise((resolve, reject) => {
      epollWait.async(epfd, this.#events.ptr, this.#max, timeoutMs, (err, n) => {
        this.#waiting = false;
        if (this.#closed) {
          this.#events[Symbol.dispose]();
          resolve([]);
        } else if (err) reject(err instanceof Error ? err : new Error(String(err)));
        // errno is not visible from the worker thread; EINTR is the only failure a valid
        // epoll fd and buffer can produce, and it means "nothing yet".
        else resolve(n < 0 ? [] : this.#collect(n));
      });
    });
  }

  /** Ready fds right now, without blocking. */
  waitNow(): number[] {
    const n = epollWait(this.#fd.raw, this.#events.ptr, this.#max, 0);
    if (n < 0) {
      const err = errno();
      if (err === EINTR) return [];
      throw new BpfError("epoll_wait", err);
    }
    return this.#collect(n);
  }

  get waiting(): boolean {
    return this.#waiting;
  }

  /** Closes the epoll fd; a wait in progress ends at its timeout (closing does not wake it), then frees the event buffer. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fd.close();
    if (!this.#waiting) this.#events[Symbol.dispose]();
  }
}
