/**
 * Patching a linked program's map references once the maps exist. Pure: fds come in as
 * numbers, a patched copy of the instructions goes out (the input itself when nothing needs
 * patching: never write to the result).
 */
import { WhistlerError } from "../../runtime/errors.js";
import type { Relocation } from "./types.js";

const BPF_PSEUDO_MAP_FD = 1;
const BPF_PSEUDO_MAP_VALUE = 2;

/** Map name -> fd. */
export type MapFds = (name: string) => number | undefined;

/** Kernel function name -> its BTF id (throws when the kernel lacks it). */
export type KfuncIds = (name: string) => number;

export function applyRelocations(insns: Uint8Array, relocations: readonly Relocation[], fds: MapFds, program: string, kfuncs?: KfuncIds): Uint8Array {
  // Nothing to patch: the instructions as they are (callers copy them into the kernel's call).
  if (relocations.length === 0) return insns;
  const out = insns.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const r of relocations) {
    if (r.kind === "kfunc") {
      if (!kfuncs) throw new WhistlerError(`program "${program}": kernel function "${r.name}" cannot be resolved without the kernel's BTF`);
      // call imm = BTF id in vmlinux; off 0 says vmlinux (a module's BTF would be an fd_array index).
      view.setInt32(r.insn * 8 + 4, kfuncs(r.name), true);
      view.setInt16(r.insn * 8 + 2, 0, true);
      continue;
    }
    const fd = fds(r.map);
    if (fd === undefined) throw new WhistlerError(`program "${program}": map "${r.map}" was not created`);
    const at = r.insn * 8;
    // ld_imm64 dst, map: src_reg says how the kernel reads imm (fd, or fd + value offset).
    const src = r.kind === "map" ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
    view.setUint8(at + 1, (view.getUint8(at + 1) & 0x0f) | (src << 4));
    view.setInt32(at + 4, fd, true);
    view.setInt32(at + 12, r.kind === "map" ? 0 : r.offset, true);
  }
  return out;
}
