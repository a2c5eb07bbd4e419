/**
 * Shared memory mappings of bpf objects (ring buffers, perf rings). A `Mapping` owns one
 * mmap(2) region and unmaps it exactly once on dispose; `buffer` is a zero-copy ArrayBuffer
 * over it, invalid after dispose (so only code that checks `unmapped` may keep views).
 */
import { BpfError, WhistlerError } from "../errors.js";
import { errno, mmapRaw, munmapRaw, sysconf, viewNative } from "./libc.js";

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const SC_PAGESIZE = 30;

let pageSizeCache: number | undefined;

/** The kernel's page size (ring buffer layouts are in pages). */
export function pageSize(): number {
  pageSizeCache ??= sysconf(SC_PAGESIZE);
  return pageSizeCache;
}

const registry = new FinalizationRegistry<[bigint, number]>(([ptr, len]) => munmapRaw(ptr, len));

export class Mapping {
  readonly ptr: bigint;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  #unmapped = false;

  /** mmap `length` bytes of `fd` at `offset`, shared; `what` names it in errors. */
  constructor(fd: number, length: number, prot: number, offset: number, what: string) {
    if (!Number.isSafeInteger(length) || length <= 0) throw new WhistlerError(`${what}: cannot map ${length} bytes`);
    const ptr = mmapRaw(null, length, prot, MAP_SHARED, fd, offset);
    if (ptr === MAP_FAILED || ptr === 0n) {
      const err = errno();
      throw new BpfError("mmap", err, {
        what,
        hint: err === 1 || err === 13 ? "mapping a bpf map needs the same privileges as creating it" : undefined,
      });
    }
    this.ptr = ptr;
    this.length = length;
    this.buffer = viewNative(ptr, length);
    registry.register(this, [ptr, length], this);
  }

  get unmapped(): boolean {
    return this.#unmapped;
  }

  [Symbol.dispose](): void {
    if (this.#unmapped) return;
    this.#unmapped = true;
    registry.unregister(this);
    munmapRaw(this.ptr, this.length);
  }
}
