/**
 * Dead store elimination within a block: a store whose bytes a later store in the same block
 * overwrites, with nothing between that may read them (a load that may overlap, a call,
 * an atomic), never shows: `let s: S; s.a = x;` no longer zeroes `a` first, and a map value
 * written twice is written once.
 *
 * Overlap follows CSE's rule: the function's own stack slots meet only themselves; other
 * bases may point anywhere, so only a store through the very same base (or slot) at bytes
 * covering the earlier ones kills it.
 */
import type { Fn, Inst, Operand } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";
import { defsOf } from "./util.js";

interface Written {
  readonly base: Operand;
  readonly slot: number | undefined;
  readonly off: number;
  readonly size: number;
}

/** Whether `b` stores twice: only a later store in the same block can kill one. */
function storesTwice(insts: readonly Inst[]): boolean {
  let n = 0;
  for (const i of insts) if (i.op === "store" && ++n === 2) return true;
  return false;
}

export function dse(fn: Fn): boolean {
  // Built at the first block with two stores (many functions have none).
  let defs: Map<number, Inst> | undefined;
  const slotOf = (o: Operand): number | undefined => {
    if (o.k !== "v") return undefined;
    const d = (defs ??= defsOf(fn)).get(o.id);
    return d?.op === "slot_addr" ? d.slot : undefined;
  };
  const sameBase = (a: Written, b: Written) =>
    a.slot !== undefined || b.slot !== undefined ? a.slot === b.slot : a.base.k === "v" && b.base.k === "v" && a.base.id === b.base.id;
  const mayMeet = (a: Written, b: Written) => {
    if (a.slot !== undefined || b.slot !== undefined) return a.slot === b.slot && a.off < b.off + b.size && b.off < a.off + a.size;
    return !sameBase(a, b) || (a.off < b.off + b.size && b.off < a.off + a.size);
  };
  const access = (i: Inst): Written => ({ base: i.args[0]!, slot: slotOf(i.args[0]!), off: i.off!, size: i.size! });
  let changed = false;
  for (const b of fn.blocks) {
    if (!storesTwice(b.insts)) continue;
    // Walking backwards: bytes a later store writes before anything reads them.
    let later: Written[] = [];
    const dead = new Set<Inst>();
    for (let n = b.insts.length - 1; n >= 0; n--) {
      const i = b.insts[n]!;
      if (i.op === "store") {
        const w = access(i);
        if (later.some((l) => sameBase(l, w) && l.off <= w.off && w.off + w.size <= l.off + l.size)) dead.add(i);
        else later.push(w);
      } else if (i.op === "load") {
        const r = access(i);
        later = later.filter((l) => !mayMeet(l, r));
      } else if (OPS[i.op].effect) {
        later = []; // calls and atomics may read any memory
      }
    }
    if (dead.size) {
      b.insts = b.insts.filter((i) => !dead.has(i));
      changed = true;
    }
  }
  return changed;
}
