/**
 * `load(x, { pinMaps: dir })`: each map lives at `${dir}/${name}`. A map already pinned there
 * is reused (its contents kept) when its type, key size, value size and max entries match
 * the object's; otherwise the error says which differ. A map not pinned yet is created and
 * pinned, so the next load (in this process or another) shares it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { WhistlerError } from "../../runtime/errors.js";
import { mapInfo, type Fd } from "../../runtime/sys/index.js";
import { openPinned, pinFd } from "./pin.js";

export interface PinnableMapSpec {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

export interface PinnedMapFd {
  readonly fd: Fd;
  /** True when an existing pin was opened (initial contents must not be written again). */
  readonly reused: boolean;
  /** Where the map is pinned. */
  readonly path: string;
}

/** Differences between a pinned map and what the object wants, as "what: pinned vs object". */
export function pinnedMapMismatches(pinned: PinnableMapSpec, want: PinnableMapSpec): string[] {
  const out: string[] = [];
  const cmp = (what: string, a: number, b: number): void => {
    if (a !== b) out.push(`${what} ${a} (pinned) vs ${b} (object)`);
  };
  cmp("type", pinned.type, want.type);
  cmp("key size", pinned.keySize, want.keySize);
  cmp("value size", pinned.valueSize, want.valueSize);
  cmp("max entries", pinned.maxEntries, want.maxEntries);
  return out;
}

export function openOrCreatePinnedMap(spec: PinnableMapSpec, dir: string, create: () => Fd): PinnedMapFd {
  const path = join(dir, spec.name);
  if (existsSync(path)) {
    const pinned = openPinned(path);
    try {
      if (pinned.kind !== "map") throw new WhistlerError(`${path} is a pinned ${pinned.kind}, not a map`, { hint: `remove it (rm ${path}) or pick another pinMaps directory` });
      const info = mapInfo(pinned.fd.raw);
      const diff = pinnedMapMismatches({ ...info, name: spec.name }, spec);
      if (diff.length) {
        throw new WhistlerError(`map "${spec.name}": the map pinned at ${path} does not match the object (${diff.join("; ")})`, {
          hint: `remove the old pin (rm ${path}) to start with a fresh map, or load the object it was made for`,
        });
      }
      return { fd: pinned.fd, reused: true, path };
    } catch (e) {
      pinned.fd.close();
      throw e;
    }
  }
  const fd = create();
  try {
    pinFd(fd, path);
  } catch (e) {
    fd.close();
    throw e;
  }
  return { fd, reused: false, path };
}
