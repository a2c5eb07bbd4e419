/**
 * BTF fix-ups before BPF_BTF_LOAD. Compilers emit DATASEC records with size 0 and variable
 * offsets 0, leaving the linker (or loader) to fill them in from the ELF section sizes and
 * symbol values; the kernel rejects them otherwise. Extern variables (kconfig) get the
 * "global allocated" linkage the kernel accepts, once the loader has placed them (the facts
 * give `.kconfig` a size and offsets like any section). Pure: returns a patched copy.
 */
import { BtfError } from "../../runtime/errors.js";
import { HEAP_BYTES, type ByteArena } from "../elf/arena.js";
import type { Btf } from "./reader.js";

export interface DatasecFacts {
  /** Size of the ELF section named `name`, if it exists. */
  sectionSize(name: string): number | undefined;
  /** Offset of symbol `name` in section `section`, if it exists. */
  symbolOffset(section: string, name: string): number | undefined;
}

const BTF_VAR_GLOBAL_ALLOCATED = 1;
const BTF_VAR_GLOBAL_EXTERN = 2;

/** `bytes`: where the copy is made (a parse's arena; by default a buffer of its own). */
export function fixupDatasecs(btf: Btf, facts: DatasecFacts, bytes: Pick<ByteArena, "copy"> = HEAP_BYTES): Uint8Array {
  const out = bytes.copy(btf.raw);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const base = btf.typeStart;
  for (const t of btf.types) {
    if (t.kind === "VAR" && t.linkage === BTF_VAR_GLOBAL_EXTERN) view.setUint32(base + t.offset + 12, BTF_VAR_GLOBAL_ALLOCATED, true);
    if (t.kind !== "DATASEC") continue;
    const size = facts.sectionSize(t.name);
    if (size === undefined) continue;
    view.setUint32(base + t.offset + 8, size, true);
    t.vars.forEach((v, i) => {
      const variable = btf.type(v.type);
      if (variable.kind !== "VAR") return;
      const off = facts.symbolOffset(t.name, variable.name);
      if (off === undefined) {
        throw new BtfError(btf.section, base + t.offset, `section ${t.name}: variable "${variable.name}" has no symbol`);
      }
      view.setUint32(base + t.offset + 12 + i * 12 + 4, off, true);
    });
  }
  return out;
}
