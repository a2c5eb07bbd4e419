/**
 * loader/pin: bpffs pins of maps, programs and links (0600 files, parent directories 0700),
 * opening pinned objects again, and mounting bpffs when absent. Failures are `BpfError`s or
 * `WhistlerError`s whose hint says what to do (remove an existing pin, mount bpffs).
 */
export { BPFFS_ROOT, ensureBpffs, isBpffs, openPinned, pinFd, unpin, type PinnedObject } from "./pin.js";
export { openOrCreatePinnedMap, pinnedMapMismatches, type PinnableMapSpec, type PinnedMapFd } from "./maps.js";
