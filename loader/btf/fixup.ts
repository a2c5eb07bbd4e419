/**
 * BTF fix-ups before BPF_BTF_LOAD. Compilers emit DATASEC records with size 0 and variable
 * offsets 0, leaving the linker (or loader) to fill them in from the ELF section sizes and
 * symbol values; the kernel rejects them otherwise. Extern variables (kconfig) get the
 * "global allocated" linkage the kernel accepts, once the loader has placed them (the facts
 * give `.kconfig` a size and offsets like any section). A global function the ELF hides
 * (STV_HIDDEN, as libbpf's usdt.bpf.h declares `bpf_usdt_arg`) becomes static, as libbpf
 * makes it: the verifier then checks it with its callers' argument types instead of alone,
 * where a pointer argument could be NULL. Pure: returns a patched copy.
 */
import { BtfError } from "../../runtime/errors.js";
import { BTF_FUNC_EXTERN, BTF_FUNC_GLOBAL, BTF_FUNC_STATIC, BTF_KIND, BTF_VAR_GLOBAL_ALLOCATED, BTF_VAR_GLOBAL_EXTERN } from "../../runtime/btf-format.js";
import { HEAP_BYTES, type ByteArena } from "../elf/arena.js";
import type { Btf } from "./reader.js";

export interface DatasecFacts {
  /** Size of the ELF section named `name`, if it exists. */
  sectionSize(name: string): number | undefined;
  /** Offset of symbol `name` in section `section`, if it exists. */
  symbolOffset(section: string, name: string): number | undefined;
  /** Function `name` is global in BTF but hidden in the ELF (its FUNC becomes static). */
  hiddenFunction?(name: string): boolean;
}

/** The DATASEC listing extern kernel functions and variables (`__ksym`). */
const KSYMS = ".ksyms";

/** `bytes`: where the copy is made (a parse's arena; by default a buffer of its own). */
export function fixupDatasecs(btf: Btf, facts: DatasecFacts, bytes: Pick<ByteArena, "copy"> = HEAP_BYTES): Uint8Array {
  const out = bytes.copy(btf.raw);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const base = btf.typeStart;
  const anInt = btf.types.find((x) => x.kind === "INT" && x.size === 4);
  for (const t of btf.types) {
    if (t.kind === "VAR" && t.linkage === BTF_VAR_GLOBAL_EXTERN) view.setUint32(base + t.offset + 12, BTF_VAR_GLOBAL_ALLOCATED, true);
    if (t.kind === "FUNC" && t.linkage === BTF_FUNC_EXTERN) {
      // Kfunc declarations: the kernel accepts no extern linkage, and wants every parameter
      // named (libbpf fills names in the same way).
      view.setUint32(base + t.offset + 4, (view.getUint32(base + t.offset + 4, true) & ~0xffff) | BTF_FUNC_GLOBAL, true);
      const proto = btf.type(t.type);
      if (proto.kind === "FUNC_PROTO") {
        proto.params.forEach((p, i) => {
          const at = base + proto.offset + 12 + i * 8;
          if (p.type !== 0 && view.getUint32(at, true) === 0) view.setUint32(at, view.getUint32(base + t.offset, true), true);
        });
      }
      continue;
    }
    if (t.kind === "FUNC" && t.linkage === BTF_FUNC_GLOBAL && facts.hiddenFunction?.(t.name)) {
      view.setUint32(base + t.offset + 4, (view.getUint32(base + t.offset + 4, true) & ~0xffff) | BTF_FUNC_STATIC, true);
      continue;
    }
    if (t.kind === "DATASEC" && t.name === KSYMS && anInt && t.vars.some((v) => btf.type(v.type).kind === "FUNC")) {
      // The kernel takes only VARs in a DATASEC, and nothing reads this one: the same record,
      // rewritten as an anonymous union of ints (12-byte members, like the 12-byte entries).
      view.setUint32(base + t.offset, 0, true);
      view.setUint32(base + t.offset + 4, ((BTF_KIND.UNION << 24) | t.vars.length) >>> 0, true);
      view.setUint32(base + t.offset + 8, 4, true);
      t.vars.forEach((v, i) => {
        const at = base + t.offset + 12 + i * 12;
        view.setUint32(at, view.getUint32(base + btf.type(v.type).offset, true), true);
        view.setUint32(at + 4, anInt.id, true);
        view.setUint32(at + 8, 0, true);
      });
      continue;
    }
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
