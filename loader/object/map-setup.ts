/**
 * After a map is created: write its initial contents (global data, kconfig values) into key 0
 * and freeze it when it is read-only (`.rodata`, `.kconfig`: the verifier then treats its
 * contents as constants), and fill map-in-map / program-array slots with fds.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { mapFreeze, mapUpdateElem, type BpfCallContext, type Fd } from "../../runtime/sys/index.js";
import type { MapSpec } from "./spec.js";

const BPF_ANY = 0;
const KEY_ZERO = new Uint8Array(4);
/** Writing a map fails with EPERM only when it is read-only to us. */
const READ_ONLY_HINT = "the map is read-only from user space: frozen (freeze(), .rodata, .kconfig) or opened read-only";

function update(fd: Fd, spec: MapSpec, key: Uint8Array, value: Uint8Array, what: string): void {
  const ctx: BpfCallContext = { what: `map "${spec.name}": update`, epermHint: READ_ONLY_HINT };
  try {
    mapUpdateElem(fd.raw, key, value, BPF_ANY, ctx);
  } catch (e) {
    throw new WhistlerError(`map "${spec.name}": ${what} failed`, { cause: e });
  }
}

/** Write `contents` at key 0 (when given) and freeze when the spec says so. */
export function initMapContents(fd: Fd, spec: MapSpec, contents: Uint8Array | undefined): void {
  if (contents) update(fd, spec, KEY_ZERO, contents, "writing its initial contents");
  if (spec.freeze) mapFreeze(fd.raw, { what: `map "${spec.name}": freeze` });
}

/** values[index] = fd of each slot's target (a map, or a program for program arrays). */
export function fillSlots(fd: Fd, spec: MapSpec, fdOf: (name: string) => number | undefined): void {
  for (const slot of spec.slots) {
    const target = fdOf(slot.target);
    if (target === undefined) {
      throw new WhistlerError(`map "${spec.name}": values[${slot.index}] refers to "${slot.target}", which the object does not define (or did not load)`);
    }
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, slot.index, true);
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, target, true);
    update(fd, spec, key, value, `setting values[${slot.index}] to "${slot.target}"`);
  }
}
