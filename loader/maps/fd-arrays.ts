/**
 * Maps whose values are other kernel objects, set by fd and read back as ids: program
 * arrays (tail calls) and arrays/hashes of maps.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { MapBase } from "./base.js";
import type { MapScalar } from "./codecs.js";

/** Anything with an fd: a Program (fd is an Fd), a map handle (fd is a number). */
export type HasFd = { readonly fd: number } | { readonly fd: { readonly raw: number } };

function rawFd(o: HasFd, what: string): number {
  const fd = typeof o.fd === "number" ? o.fd : o.fd?.raw;
  if (typeof fd !== "number" || fd < 0) throw new WhistlerError(`${what}: expected a program or map with an open fd`);
  return fd;
}

abstract class FdValueHandle<KIn> extends MapBase {
  protected setFd(key: KIn, fd: number): void {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    this.valueView.setUint32(0, fd, true);
    this.calls.update(0);
  }

  /** The kernel id of the object at `key`, or undefined when the slot is empty. */
  id(key: KIn): number | undefined {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    if (!this.calls.lookup()) return undefined;
    return this.valueView.getUint32(0, true);
  }

  has(key: KIn): boolean {
    return this.id(key) !== undefined;
  }

  /** Empty the slot; false when it was empty. */
  delete(key: KIn): boolean {
    this.check();
    this.keyCodec.encode(this.keyView, 0, key as MapScalar);
    return this.calls.delete();
  }
}

/** BPF_MAP_TYPE_PROG_ARRAY: `set(i, program)` makes `bpf_tail_call(ctx, map, i)` jump to it. */
export class ProgArrayHandle extends FdValueHandle<number> {
  set(index: number, program: HasFd): this {
    this.setFd(index, rawFd(program, `prog array "${this.name}"[${index}]`));
    return this;
  }
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS / HASH_OF_MAPS: `set(key, map)` with a map shaped like the inner template. */
export class MapOfMapsHandle<KIn = number> extends FdValueHandle<KIn> {
  set(key: KIn, map: HasFd): this {
    this.setFd(key, rawFd(map, `map of maps "${this.name}"`));
    return this;
  }
}

/** BPF_MAP_TYPE_RINGBUF: read it with `obj.ringBuf(...)`; the handle gives info and freeze. */
export class RingBufHandle extends MapBase {}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY: read it with `obj.perfBuffer(...)`. */
export class PerfEventArrayHandle extends MapBase {}
