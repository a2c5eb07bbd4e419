/**
 * The map element hot path. A `MapElemCalls` owns native key/value buffers and prebuilt
 * attrs for one map, so a lookup is: the caller encodes the key into `key`, one bpf() call,
 * the caller decodes `value`. Nothing is allocated per call.
 */
import { BpfCmd, MapElemAttr } from "./attrs.js";
import { bpf, ENOENT, type BpfCallContext } from "./bpf.js";
import { NativeBuffer } from "./native.js";

export class MapElemCalls {
  /** Key input (lookup, update, delete, and the current key of get-next-key). */
  readonly key: NativeBuffer;
  /** Value input/output. */
  readonly value: NativeBuffer;
  /** Output of get-next-key. */
  readonly nextKey: NativeBuffer;
  readonly #elem: NativeBuffer;
  readonly #next: NativeBuffer;
  /** Delete has its own attr: the kernel wants every field after `key` zero (EINVAL otherwise). */
  readonly #del: NativeBuffer;
  readonly #elemPtr: bigint;
  readonly #nextPtr: bigint;
  readonly #delPtr: bigint;
  readonly #lookupCtx: BpfCallContext;
  readonly #updateCtx: BpfCallContext;
  readonly #deleteCtx: BpfCallContext;
  readonly #nextCtx: BpfCallContext;

  constructor(mapFd: number, keySize: number, valueSize: number, label: string) {
    this.key = new NativeBuffer(keySize);
    this.value = new NativeBuffer(valueSize);
    this.nextKey = new NativeBuffer(keySize);
    this.#elem = new NativeBuffer(MapElemAttr.size);
    this.#next = new NativeBuffer(MapElemAttr.size);
    this.#del = new NativeBuffer(MapElemAttr.size);
    // Maps without keys (queue, stack, bloom filter) want a NULL key pointer (EINVAL otherwise).
    const keyPtr = keySize === 0 ? 0n : this.key.ptr;
    this.#del.view.setUint32(MapElemAttr.map_fd, mapFd, true);
    this.#del.view.setBigUint64(MapElemAttr.key, keyPtr, true);
    const e = this.#elem.view;
    e.setUint32(MapElemAttr.map_fd, mapFd, true);
    e.setBigUint64(MapElemAttr.key, keyPtr, true);
    e.setBigUint64(MapElemAttr.value, this.value.ptr, true);
    const n = this.#next.view;
    n.setUint32(MapElemAttr.map_fd, mapFd, true);
    n.setBigUint64(MapElemAttr.key, this.key.ptr, true);
    n.setBigUint64(MapElemAttr.next_key, this.nextKey.ptr, true);
    this.#elemPtr = this.#elem.ptr;
    this.#nextPtr = this.#next.ptr;
    this.#delPtr = this.#del.ptr;
    this.#lookupCtx = { what: `${label}: lookup`, tolerate: ENOENT };
    // Writing a map we could open fails with EPERM only when it is read-only to us.
    this.#updateCtx = {
      what: `${label}: update`,
      epermHint: "the map is read-only from user space: frozen (freeze(), .rodata, .kconfig) or opened read-only",
    };
    this.#deleteCtx = { what: `${label}: delete`, tolerate: ENOENT };
    this.#nextCtx = { what: `${label}: iterate`, tolerate: ENOENT };
  }

  /** Lookup `key` into `value`; false when absent. */
  lookup(): boolean {
    return bpf(BpfCmd.MAP_LOOKUP_ELEM, this.#elemPtr, MapElemAttr.size, this.#lookupCtx) >= 0;
  }

  /** Store `value` at `key`; flags BPF_ANY (0), BPF_NOEXIST (1), BPF_EXIST (2). */
  update(flags: number): void {
    this.#elem.view.setBigUint64(MapElemAttr.flags, BigInt(flags), true);
    try {
      bpf(BpfCmd.MAP_UPDATE_ELEM, this.#elemPtr, MapElemAttr.size, this.#updateCtx);
    } finally {
      if (flags !== 0) this.#elem.view.setBigUint64(MapElemAttr.flags, 0n, true);
    }
  }

  /** Lookup `key` into `value` and delete it (queue/stack pop: no key); false when absent or empty. */
  lookupAndDelete(): boolean {
    return bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, this.#elemPtr, MapElemAttr.size, this.#lookupCtx) >= 0;
  }

  /** Delete `key`; false when absent. */
  delete(): boolean {
    return bpf(BpfCmd.MAP_DELETE_ELEM, this.#delPtr, MapElemAttr.size, this.#deleteCtx) >= 0;
  }

  /** The key after `key` (or the first key when `first`) into `nextKey`; false at the end. */
  next(first: boolean): boolean {
    this.#next.view.setBigUint64(MapElemAttr.key, first ? 0n : this.key.ptr, true);
    return bpf(BpfCmd.MAP_GET_NEXT_KEY, this.#nextPtr, MapElemAttr.size, this.#nextCtx) >= 0;
  }

  [Symbol.dispose](): void {
    for (const b of [this.key, this.value, this.nextKey, this.#elem, this.#next, this.#del]) b[Symbol.dispose]();
  }
}
