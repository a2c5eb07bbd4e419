/**
 * An object's USDT spec table (runtime/usdt-spec.ts): which of its `__usdt_specs` entries
 * attached probes use. Attaching writes each distinct argument placement once and gets its
 * index, the cookie of the uprobes at those sites; detaching frees the indexes again.
 *
 * The table borrows the map's fd from its object: once the object is closed, freeing is a
 * no-op and adding fails with the object's own "disposed" story.
 */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { mapUpdateElem, type Fd } from "../../runtime/sys/index.js";
import { USDT_MAX_SPECS, USDT_SPECS_MAP } from "../../runtime/usdt-spec.js";

const BPF_ANY = 0;

export class UsdtSpecTable {
  readonly #fd: Fd;
  readonly #used = new Set<number>();

  constructor(fd: Fd) {
    this.#fd = fd;
  }

  /** Entries in use. */
  get size(): number {
    return this.#used.size;
  }

  /** Writes `spec` at the lowest free index and returns that index. */
  add(program: string, spec: Uint8Array): number {
    if (this.#fd.closed) throw new WhistlerError("the object was disposed", { hint: "keep it alive while you attach its programs" });
    let id = 0;
    while (this.#used.has(id)) id++;
    if (id >= USDT_MAX_SPECS) {
      throw new AttachError(program, `the object's ${USDT_SPECS_MAP} table is full: ${USDT_MAX_SPECS} distinct USDT argument placements are attached`, {
        hint: "detach USDT links the program no longer needs (each distinct placement of a probe's arguments takes one entry)",
      });
    }
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, id, true);
    mapUpdateElem(this.#fd.raw, key, spec, BPF_ANY, { what: `map "${USDT_SPECS_MAP}": write USDT spec ${id}` });
    this.#used.add(id);
    return id;
  }

  /** Frees indexes `add` returned (their uprobes are gone). */
  release(ids: Iterable<number>): void {
    for (const id of ids) this.#used.delete(id);
  }
}
