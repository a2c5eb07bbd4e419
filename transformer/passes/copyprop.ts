/**
 * Copy propagation: uses of `v = mov x` become uses of `x` when the copy changes no bits
 * (a 64-bit copy, or a 32-bit copy of a value whose upper half is already zero), and
 * trivial phis (every operand the same value, or the phi itself) become that value.
 */
import type { Fn, Operand } from "../ir/ir.js";
import { imm } from "../ir/ir.js";
import { replaceUses } from "./util.js";

export function copyProp(fn: Fn): boolean {
  const repl = new Map<number, Operand>();
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.op !== "mov" || i.dst === undefined) continue;
      const x = i.args[0]!;
      if (x.k === "imm") repl.set(i.dst, i.w === 32 ? imm(x.v & 0xffffffffn) : x);
      else if (i.w === 64 || fn.vregs[x.id]!.w === 32) repl.set(i.dst, x);
    }
    for (const p of b.phis) {
      let same: Operand | undefined;
      let trivial = true;
      for (const a of p.args) {
        const v = a.v;
        if (v.k === "v" && v.id === p.dst) continue;
        if (same === undefined) same = v;
        else if (!(same.k === v.k && (same.k === "v" ? same.id === (v as { id: number }).id : same.v === (v as { v: bigint }).v))) {
          trivial = false;
          break;
        }
      }
      if (trivial && same) repl.set(p.dst, same);
    }
  }
  if (repl.size === 0) return false;
  replaceUses(fn, repl);
  // The replaced definitions are now unused; DCE removes them.
  for (const b of fn.blocks) b.phis = b.phis.filter((p) => !repl.has(p.dst));
  for (const b of fn.blocks) b.insts = b.insts.filter((i) => !(i.op === "mov" && i.dst !== undefined && repl.has(i.dst)));
  return true;
}
