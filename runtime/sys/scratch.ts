/**
 * Native memory reused across synchronous calls. Allocating a `NativeBuffer` per bpf() call
 * (allocation, an ArrayBuffer view over it, finalizer registration, free) cost more than many
 * of the calls themselves; a `Scratch` keeps one block and lends it for the length of one call.
 *
 * A lease is released by dispose (`using`). A second lease while the first is out (a call made
 * while filling another's arguments) gets a fresh buffer freed on release, so sharing a block
 * can never hand two callers the same memory. Only synchronous calls may lease: a call on
 * koffi's worker threads keeps its own buffers for as long as it runs.
 */
import { NativeBuffer } from "./native.js";

/** Native memory for one call: `bytes` and `view` cover exactly the size asked for. */
export interface Lease extends Disposable {
  readonly ptr: bigint;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** Larger requests get their own buffer: the scratch block should not pin megabytes for good. */
const KEEP_MAX = 1 << 20;

class OwnedLease implements Lease {
  readonly ptr: bigint;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly #buf: NativeBuffer;

  constructor(size: number) {
    this.#buf = new NativeBuffer(size);
    this.ptr = this.#buf.ptr;
    this.size = size;
    this.bytes = this.#buf.bytes;
    this.view = this.#buf.view;
  }

  [Symbol.dispose](): void {
    this.#buf[Symbol.dispose]();
  }
}

export class Scratch {
  #buf: NativeBuffer | undefined;
  #busy = false;
  /** The lease handed out last, reused when the next asks for the same size (attrs always do). */
  #lease: Lease | undefined;
  readonly #release = (): void => {
    this.#busy = false;
  };

  /**
   * At least `size` bytes of native memory until the lease is disposed. `zero`: cleared first
   * (attrs: the kernel requires unused fields and padding to be zero); otherwise the caller
   * overwrites all of it.
   */
  lease(size: number, zero: boolean): Lease {
    if (this.#busy || size > KEEP_MAX) return new OwnedLease(size);
    let buf = this.#buf;
    if (!buf || buf.size < size) {
      buf?.[Symbol.dispose]();
      // Grow geometrically so a run of growing objects reallocates a few times, not each time.
      buf = this.#buf = new NativeBuffer(Math.min(KEEP_MAX, Math.max(size, 2 * (buf?.size ?? 0), 256)));
      this.#lease = undefined;
    }
    this.#busy = true;
    let lease = this.#lease;
    if (!lease || lease.size !== size) {
      lease = this.#lease = {
        ptr: buf.ptr, size, bytes: buf.bytes.subarray(0, size), view: new DataView(buf.bytes.buffer, buf.bytes.byteOffset, Math.max(1, size)),
        [Symbol.dispose]: this.#release,
      };
    }
    if (zero) lease.bytes.fill(0);
    return lease;
  }
}
