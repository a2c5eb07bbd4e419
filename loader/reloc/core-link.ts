/**
 * CO-RE records of a linked program: `.BTF.ext` gives byte offsets in ELF sections; a linked
 * program is its entry function followed by the functions it calls (a `.text` function called
 * by two programs lands in both, at different places). Each record of each laid-out function
 * becomes an instruction index of this program. Pure.
 */
import { BtfError } from "../../runtime/errors.js";
import type { CoreRelo } from "./core-ext.js";
import type { LinkedProgram } from "./link.js";

/** A CO-RE record placed in one linked program. */
export interface LinkedCoreRelo extends CoreRelo {
  /** Instruction index in the linked program. */
  readonly insn: number;
  /** ELF section of the record (for messages). */
  readonly section: string;
}

export function linkCoreRelos(prog: LinkedProgram, relos: ReadonlyMap<string, readonly CoreRelo[]> | undefined): LinkedCoreRelo[] {
  if (!relos || relos.size === 0) return [];
  const out: LinkedCoreRelo[] = [];
  for (const { fn, base } of prog.layout) {
    for (const r of relos.get(fn.section.name) ?? []) {
      if (r.insnOff % 8 !== 0) throw new BtfError(".BTF.ext", 0, `CO-RE record for ${fn.section.name}+${r.insnOff} does not point at an instruction`);
      // Records of functions this program does not call belong to other programs.
      if (r.insnOff < fn.start || r.insnOff >= fn.end) continue;
      out.push({ ...r, insn: base + (r.insnOff - fn.start) / 8, section: fn.section.name });
    }
  }
  return out.sort((a, b) => a.insn - b.insn);
}
