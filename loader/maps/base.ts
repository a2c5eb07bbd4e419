/**
 * What every map handle shares: the map's fd (owned or borrowed from its object), its
 * static info, native key/value buffers for one element call, the codecs, freeze and the
 * kernel's view of the map (BPF_OBJ_GET_INFO_BY_FD). Kind-specific handles extend it.
 */
import { WhistlerError } from "../../runtime/errors.js";
import type { Codec } from "../../runtime/codec.js";
import { bpf, BpfCmd, MapElemCalls, mapInfo, NativeBuffer, type Fd, type MapInfoResult } from "../../runtime/sys/index.js";
import type { MapScalar } from "./codecs.js";

export interface MapHandleInfo {
  readonly name: string;
  /** BPF_MAP_TYPE_* */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Number of values per key: possible CPUs for per-CPU maps, else 1. */
  readonly cpus: number;
}

/** Kernel map types whose values are one per possible CPU (hash, array, LRU hash, cgroup storage). */
export const PERCPU_MAP_TYPES: ReadonlySet<number> = new Set([5, 6, 10, 21]);

export abstract class MapBase implements Disposable {
  readonly info: MapHandleInfo;
  protected readonly calls: MapElemCalls;
  protected readonly keyView: DataView;
  protected readonly nextView: DataView;
  protected readonly valueView: DataView;
  protected readonly keyCodec: Codec<MapScalar>;
  protected readonly valueCodec: Codec<MapScalar>;
  protected readonly perCpu: boolean;
  /** Per-CPU values are laid out every round_up(value_size, 8) bytes. */
  protected readonly stride: number;
  /** Bytes of one element's value as user space sees it (all CPUs for per-CPU maps). */
  protected readonly valueBytes: number;
  readonly #fd: Fd;
  readonly #owned: boolean;
  #closed = false;

  /** @internal `owned`: the handle closes the fd on dispose (maps made by createMap). */
  constructor(fd: Fd, info: MapHandleInfo, key: Codec<MapScalar>, value: Codec<MapScalar>, owned = false) {
    this.#fd = fd;
    this.#owned = owned;
    this.info = info;
    this.keyCodec = key;
    this.valueCodec = value;
    this.perCpu = PERCPU_MAP_TYPES.has(info.type);
    this.stride = this.perCpu ? Math.ceil(info.valueSize / 8) * 8 : info.valueSize;
    this.valueBytes = this.perCpu ? this.stride * info.cpus : info.valueSize;
    this.calls = new MapElemCalls(fd.raw, info.keySize, this.valueBytes, `map "${info.name}"`);
    this.keyView = this.calls.key.view;
    this.nextView = this.calls.nextKey.view;
    this.valueView = this.calls.value.view;
  }

  get name(): string {
    return this.info.name;
  }

  /** The map's fd number (valid while the handle or its object is open). */
  get fd(): number {
    return this.#fd.raw;
  }

  protected check(): void {
    if (this.#closed || this.#fd.closed) {
      throw new WhistlerError(`map "${this.info.name}" is closed`, { hint: "its object (or handle) was disposed; keep it alive while you use the map" });
    }
  }

  /** Make the map read-only for user space (BPF programs may still write it). Irreversible. */
  freeze(): void {
    this.check();
    using attr = new NativeBuffer(8);
    attr.view.setUint32(0, this.#fd.raw, true);
    bpf(BpfCmd.MAP_FREEZE, attr.ptr, 8, { what: `map "${this.info.name}": freeze` });
  }

  /** What the kernel says about the map now: id, type, sizes, flags, name. */
  kernelInfo(): MapInfoResult {
    this.check();
    return mapInfo(this.#fd.raw);
  }

  /** Frees the handle's native buffers; closes the fd when the handle owns it. */
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.calls[Symbol.dispose]();
    if (this.#owned) this.#fd.close();
  }
}
