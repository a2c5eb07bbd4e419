/**
 * Native memory for syscall arguments: pointers written into bpf attrs must stay valid and
 * unmoved for the call, which JS-heap buffers do not promise. A `NativeBuffer` is allocated
 * once, viewed from JS without copies, and freed on dispose (idempotent).
 */
import { allocNative, freeNative, viewNative } from "./libc.js";

const registry = new FinalizationRegistry<bigint>((ptr) => freeNative(ptr));

export class NativeBuffer {
  /** Native address, for writing into attrs. */
  readonly ptr: bigint;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  #freed = false;

  constructor(size: number) {
    // koffi cannot allocate zero bytes; one spare byte keeps empty inputs valid pointers.
    const n = Math.max(1, size);
    this.ptr = allocNative(n);
    this.size = size;
    const ab = viewNative(this.ptr, n);
    this.bytes = new Uint8Array(ab, 0, size);
    this.view = new DataView(ab, 0, n);
    this.bytes.fill(0);
    registry.register(this, this.ptr, this);
  }

  /** A native copy of `data`. */
  static from(data: Uint8Array | string): NativeBuffer {
    const src = typeof data === "string" ? new TextEncoder().encode(data + "\0") : data;
    const buf = new NativeBuffer(src.length);
    buf.bytes.set(src);
    return buf;
  }

  get freed(): boolean {
    return this.#freed;
  }

  [Symbol.dispose](): void {
    if (this.#freed) return;
    this.#freed = true;
    registry.unregister(this);
    freeNative(this.ptr);
  }
}
