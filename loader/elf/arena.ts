/**
 * Byte arrays carved from a few large buffers. Allocating an ArrayBuffer costs far more than
 * viewing part of one (a zeroed allocation outside the JS heap, tracked by the GC), and the
 * copies one parse makes (instructions, func/line info, fixed-up BTF, global data) live and die
 * together with the spec that holds them.
 *
 * The arrays are ordinary Uint8Arrays with a byteOffset: view them with
 * `new DataView(a.buffer, a.byteOffset, a.byteLength)`, never `new DataView(a.buffer)`.
 */
export class ByteArena {
  #buf: ArrayBuffer | undefined;
  #used = 0;
  readonly #chunk: number;

  /** `chunk`: bytes per buffer (a guess at what one parse needs; larger requests get their own). */
  constructor(chunk: number) {
    this.#chunk = Math.max(256, chunk);
  }

  /** `n` zeroed bytes. */
  alloc(n: number): Uint8Array {
    // 8-aligned starts: callers may lay records or wider typed arrays over them.
    const size = (n + 7) & ~7;
    if (size > this.#chunk) return new Uint8Array(n);
    if (!this.#buf || this.#used + size > this.#buf.byteLength) {
      this.#buf = new ArrayBuffer(this.#chunk);
      this.#used = 0;
    }
    const out = new Uint8Array(this.#buf, this.#used, n);
    this.#used += size;
    return out;
  }

  /** A copy of `src` (what `src.slice()` gives, without a buffer of its own). */
  copy(src: Uint8Array): Uint8Array {
    const out = this.alloc(src.length);
    out.set(src);
    return out;
  }
}

/** Allocation as `new Uint8Array(n)` does it, for callers outside a parse. */
export const HEAP_BYTES: Pick<ByteArena, "alloc" | "copy"> = {
  alloc: (n) => new Uint8Array(n),
  copy: (src) => src.slice(),
};
