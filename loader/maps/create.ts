/**
 * Creating maps: from an object's map spec (load.ts) or, standalone, from a declaration
 * (`createMap(decl)`: inner maps for maps of maps, maps shared between objects, tests).
 * Kind-specific creation rules live here: perf event arrays sized to the possible CPUs,
 * inner map templates for maps of maps (created, used for the outer map, closed).
 */
import { WhistlerError } from "../../runtime/errors.js";
import { MAP_TYPE_IDS, type MapDecl } from "../../runtime/map-decl.js";
import { mapCreate, possibleCpus, type BpfCallContext, type Fd, type MapCreateOptions } from "../../runtime/sys/index.js";
import { PERCPU_MAP_TYPES } from "./base.js";
import { codecFor } from "./codecs.js";
import { makeHandle, type HandleFor } from "./factory.js";

const PERF_EVENT_ARRAY = 4;
const MAP_IN_MAP_TYPES: ReadonlySet<number> = new Set([12, 13]);

/** What creating one map needs; `inner` describes the inner map template of a map of maps. */
export interface MapCreateRequest extends Omit<MapCreateOptions, "innerMapFd"> {
  inner?: MapCreateRequest;
}

/** The creation request a declaration describes. */
export function requestFor(decl: MapDecl, name: string): MapCreateRequest {
  const inner = "inner" in decl ? (decl.inner as MapDecl) : undefined;
  return {
    type: MAP_TYPE_IDS[decl.kind], keySize: decl.key.size, valueSize: decl.value.size, maxEntries: decl.maxEntries,
    flags: decl.flags, name, mapExtra: decl.mapExtra, inner: inner ? requestFor(inner, `${name}.inner`.slice(0, 15)) : undefined,
  };
}

/** Create a map; kind-specific defaults and the inner template are handled here. */
export function createMapFd(req: MapCreateRequest, ctx?: BpfCallContext): Fd {
  let maxEntries = req.maxEntries;
  if (req.type === PERF_EVENT_ARRAY && maxEntries === 0) maxEntries = possibleCpus();
  if (MAP_IN_MAP_TYPES.has(req.type)) {
    if (!req.inner) {
      throw new WhistlerError(`map "${req.name ?? ""}": a map of maps needs an inner map template`, {
        hint: "declare it with ArrayOfMaps/HashOfMaps({ inner: ... }), or in C with __array(values, struct { ... })",
      });
    }
    using innerFd = createMapFd(req.inner, { what: `create inner map template of "${req.name ?? ""}"` });
    return mapCreate({ ...req, maxEntries, innerMapFd: innerFd.raw }, ctx);
  }
  return mapCreate({ ...req, maxEntries }, ctx);
}

/**
 * A map made from a declaration, outside any object; the handle owns it (dispose closes it).
 * Useful for inner maps of maps of maps, and for maps only user space reads.
 */
export function createMap<D extends MapDecl>(decl: D, opts: { name?: string } = {}): HandleFor<D> {
  const name = opts.name ?? decl.name ?? decl.kind;
  const req = requestFor(decl, name);
  const fd = createMapFd(req);
  try {
    const type = req.type;
    const info = {
      name, type, keySize: req.keySize, valueSize: req.valueSize,
      maxEntries: type === PERF_EVENT_ARRAY && req.maxEntries === 0 ? possibleCpus() : req.maxEntries,
      cpus: PERCPU_MAP_TYPES.has(type) ? possibleCpus() : 1,
    };
    const key = codecFor(req.keySize, decl.key, undefined, `map "${name}" key`);
    const value = codecFor(req.valueSize, decl.value, undefined, `map "${name}" value`);
    return makeHandle(decl, fd, info, key, value, true) as HandleFor<D>;
  } catch (e) {
    fd.close();
    throw e;
  }
}
