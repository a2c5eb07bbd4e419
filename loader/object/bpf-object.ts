/**
 * `BpfObject`: a loaded object's maps and programs, typed map handles, attachAll, and one
 * dispose that closes links, then programs, then maps (idempotent).
 */
import { WhistlerError } from "../../runtime/errors.js";
import { scalarCodec } from "../../runtime/codec.js";
import { isScalarType, type DecodedOf, type ElemType, type MapDecl, type PerfEventArray, type RingBuf } from "../../runtime/map-decl.js";
import { possibleCpus, type Fd } from "../../runtime/sys/index.js";
import { attachAllOptionsFor, type AttachAllOptions, type Link } from "../link/index.js";
import type { TemplateMaps } from "../../runtime/template.js";
import { codecFor, makeHandle, MapHandle, PERCPU_MAP_TYPES, type HandleFor, type MapBase, type MapKey, type MapValue } from "../maps/index.js";
import type { Program } from "../program/index.js";
import { PerfBufferReader, type PerfBufferOptions } from "../perf/index.js";
import { RingBufReader, type RecordDecoder } from "../ringbuf/index.js";
import type { MapSpec } from "./spec.js";

export type { HandleFor } from "../maps/index.js";

const RINGBUF = 27;
const PERF_EVENT_ARRAY = 4;

export type { AttachAllOptions } from "../link/index.js";

/** @internal A created map. */
export interface LoadedMap {
  readonly spec: MapSpec;
  readonly fd: Fd;
  readonly decl: MapDecl | undefined;
}

/** Map names of a precisely typed template; never for the default (any string) type. */
type PreciseMapName<M extends TemplateMaps> = string extends keyof M ? never : keyof M & string;

/**
 * A loaded object. `P` and `M` come from a template's precise type (see `BpfTemplate`): program
 * names and named maps are then checked at compile time; otherwise they are plain strings.
 */
export class BpfObject<P extends string = string, M extends TemplateMaps = TemplateMaps> implements Disposable, AsyncDisposable {
  readonly programs: ReadonlyMap<string, Program>;
  readonly #maps: ReadonlyMap<string, LoadedMap>;
  readonly #handles = new Map<string, MapBase>();
  /** Ring and perf buffer consumers: unmapped before the maps close. */
  readonly #readers: Disposable[] = [];
  readonly #links: Link[] = [];
  #disposed = false;

  /** @internal Made by load(). */
  constructor(programs: ReadonlyMap<string, Program>, maps: ReadonlyMap<string, LoadedMap>) {
    this.programs = programs;
    this.#maps = maps;
  }

  /** Names of the object's maps (as in the ELF). */
  get mapNames(): string[] {
    return [...this.#maps.keys()];
  }

  #checkOpen(): void {
    if (this.#disposed) throw new WhistlerError("the object was disposed", { hint: "keep it alive (await using obj = await load(...)) while you use it" });
  }

  program(name: P): Program {
    this.#checkOpen();
    const p = this.programs.get(name);
    if (!p) throw new WhistlerError(`no program "${name}" in the object`, { hint: `programs: ${[...this.programs.keys()].join(", ") || "(none)"}` });
    return p;
  }

  /** A typed handle for a declared map (`obj.map(counts)`), or an untyped one by name. */
  map<D extends MapDecl>(decl: D): HandleFor<D>;
  /** By the name of a map the template's precise type declares. */
  map<N extends PreciseMapName<M>>(name: N): HandleFor<M[N]>;
  /** By ELF name; K/V are the caller's assertion of what the map holds. */
  map<K = MapKey, V = MapValue>(name: string): MapHandle<K, V>;
  map(declOrName: MapDecl | string): MapBase {
    this.#checkOpen();
    const m = this.#loadedMap(declOrName);
    const name = m.spec.name;
    // A map opened by name and by declaration gets two handles (generic and typed).
    const cacheKey = `${typeof declOrName === "string" ? "name" : "decl"}:${name}`;
    const cached = this.#handles.get(cacheKey);
    if (cached) return cached;
    const s = m.spec;
    // Opened by name, a map gets the generic key/value handle; by declaration, its kind's.
    const handle = makeHandle(
      typeof declOrName === "string" ? undefined : m.decl,
      m.fd,
      {
        name: s.name, type: s.type, keySize: s.keySize, valueSize: s.valueSize, maxEntries: s.maxEntries,
        cpus: PERCPU_MAP_TYPES.has(s.type) ? possibleCpus() : 1,
      },
      codecFor(s.keySize, m.decl?.key, s.keyScalar, `map "${name}" key`),
      codecFor(s.valueSize, m.decl?.value, s.valueScalar, `map "${name}" value`),
      false,
    );
    this.#handles.set(cacheKey, handle);
    return handle;
  }

  #loadedMap(declOrName: MapDecl | string): LoadedMap {
    let name: string | undefined;
    if (typeof declOrName === "string") {
      name = declOrName;
    } else {
      for (const [n, m] of this.#maps) if (m.decl === declOrName) name = n;
      if (name === undefined && declOrName.name !== undefined && this.#maps.has(declOrName.name)) name = declOrName.name;
      if (name === undefined) {
        throw new WhistlerError(`this map declaration is not used by the object`, {
          hint: `interpolate it into the bpf template, or open a map by name: ${this.mapNames.join(", ") || "(none)"}`,
        });
      }
    }
    const m = this.#maps.get(name);
    if (!m) throw new WhistlerError(`no map "${name}" in the object`, { hint: `maps: ${this.mapNames.join(", ") || "(none)"}` });
    return m;
  }

  /**
   * A consumer of a ring buffer map: `for await (const e of obj.ringBuf(events, Event))`,
   * callbacks, or raw views. Records decode with `type` (a defstruct class, a scalar token,
   * any codec); without one they are copied to Uint8Arrays. Disposed with the object.
   */
  ringBuf<D extends ElemType | undefined = undefined>(map: RingBuf | string, type?: D): RingBufReader<D extends ElemType ? DecodedOf<D> : Uint8Array> {
    this.#checkOpen();
    const m = this.#loadedMap(map);
    if (m.spec.type !== RINGBUF) {
      throw new WhistlerError(`map "${m.spec.name}" is not a ring buffer (type ${m.spec.type})`, { hint: "pass a RingBuf map (BPF_MAP_TYPE_RINGBUF)" });
    }
    const decoder = type === undefined ? undefined : isScalarType(type) ? scalarCodec(type) : type;
    const reader = new RingBufReader(m.fd.raw, m.spec.maxEntries, m.spec.name, decoder as RecordDecoder<D extends ElemType ? DecodedOf<D> : Uint8Array> | undefined);
    this.#readers.push(reader);
    return reader;
  }

  /**
   * A consumer of a perf event array: one ring per CPU, samples decoded with `type` (or
   * copied to Uint8Arrays), lost samples counted (`reader.lost`) and reported to `onLost`.
   * Disposed with the object.
   */
  perfBuffer<D extends ElemType | undefined = undefined>(
    map: PerfEventArray | string, type?: D, opts: PerfBufferOptions = {},
  ): PerfBufferReader<D extends ElemType ? DecodedOf<D> : Uint8Array> {
    this.#checkOpen();
    const m = this.#loadedMap(map);
    if (m.spec.type !== PERF_EVENT_ARRAY) {
      throw new WhistlerError(`map "${m.spec.name}" is not a perf event array (type ${m.spec.type})`, { hint: "pass a PerfEventArray map (BPF_MAP_TYPE_PERF_EVENT_ARRAY)" });
    }
    const decoder = type === undefined ? undefined : isScalarType(type) ? scalarCodec(type) : type;
    // Slots beyond the map's size cannot be set; a map sized 0 in the object got one per possible CPU.
    const cpus = Math.min(possibleCpus(), m.spec.maxEntries || possibleCpus());
    const reader = new PerfBufferReader(m.fd.raw, m.spec.name, cpus, decoder as RecordDecoder<D extends ElemType ? DecodedOf<D> : Uint8Array> | undefined, opts);
    this.#readers.push(reader);
    return reader;
  }

  /** Attach every program where its section says. On failure, detaches what it attached. */
  attachAll(opts: AttachAllOptions = {}): Link[] {
    this.#checkOpen();
    const made: Link[] = [];
    try {
      for (const p of this.programs.values()) {
        // Options each kind needs (interface, cgroup, ...) are checked first: a missing one is an AttachError.
        const o = attachAllOptionsFor(p, opts);
        if (o !== undefined) made.push(p.attach(o));
      }
    } catch (e) {
      for (const l of made.reverse()) l.detach();
      throw e;
    }
    this.#links.push(...made);
    return made;
  }

  /** Track a link made outside attachAll so dispose detaches it too. */
  adopt(link: Link): Link {
    this.#links.push(link);
    return link;
  }

  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const l of this.#links.reverse()) l.detach();
    for (const r of this.#readers) r[Symbol.dispose]();
    for (const h of this.#handles.values()) h[Symbol.dispose]();
    for (const p of this.programs.values()) p.close();
    for (const m of this.#maps.values()) m.fd.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
  }
}
