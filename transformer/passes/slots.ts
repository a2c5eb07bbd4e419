/**
 * Stack slot sharing: two slots that each get one store of the same value and are otherwise
 * only read (passed as a key or value to map helpers, which do not write through them)
 * hold the same bytes, so the later one can be the earlier one. `${start}.lookup(tid)` then
 * `${start}.delete(tid)` pass one key slot, as clang does, instead of storing `tid` twice.
 *
 * The earlier store must dominate the later one: the later slot's reads follow its store,
 * so they see the earlier slot already written and never changed.
 */
import { DomTree } from "../ir/domtree.js";
import { type Fn, type Inst, type Operand } from "../ir/ir.js";

/** Helpers whose pointer arguments are only read: map lookup, update, delete, push. */
const READ_ONLY_HELPERS = new Set([1, 2, 3, 87]);

interface SlotUse {
  store?: { inst: Inst; block: number; index: number };
  ok: boolean;
}

function sameOperand(a: Operand, b: Operand): boolean {
  return a.k === "v" ? b.k === "v" && a.id === b.id : b.k === "imm" && a.v === b.v;
}

export function shareSlots(fn: Fn): boolean {
  const addrSlot = new Map<number, number>();
  for (const b of fn.blocks) for (const i of b.insts) if (i.op === "slot_addr" && i.dst !== undefined) addrSlot.set(i.dst, i.slot!);
  if (addrSlot.size < 2) return false;
  const info = new Map<number, SlotUse>();
  const get = (s: number) => {
    let x = info.get(s);
    if (!x) info.set(s, (x = { ok: true }));
    return x;
  };
  const slotOf = (o: Operand | undefined) => (o?.k === "v" ? addrSlot.get(o.id) : undefined);
  for (const b of fn.blocks) {
    for (const p of b.phis) for (const a of p.args) { const s = slotOf(a.v); if (s !== undefined) get(s).ok = false; }
    b.insts.forEach((i, index) => {
      i.args.forEach((a, n) => {
        const s = slotOf(a);
        if (s === undefined) return;
        const u = get(s);
        if (i.op === "store" && n === 0 && i.off === 0 && i.size === fn.slots[s]!.size && slotOf(i.args[1]) === undefined) {
          if (u.store) u.ok = false;
          else u.store = { inst: i, block: b.id, index };
        } else if (!(i.op === "call" && n > 0 && READ_ONLY_HELPERS.has(i.helper!))) {
          u.ok = false;
        }
      });
    });
    const t = b.term;
    const ops = t.k === "br" ? [t.a, t.b] : t.k === "ret" ? [t.v] : [];
    for (const o of ops) { const s = slotOf(o); if (s !== undefined) get(s).ok = false; }
  }
  const candidates = [...info].filter(([, u]) => u.ok && u.store).map(([slot, u]) => ({ slot, store: u.store! }));
  if (candidates.length < 2) return false;
  // Built only when two stores of the same value need ordering (most templates have none).
  let tree: DomTree | undefined;
  const before = (a: { block: number; index: number }, b: { block: number; index: number }) =>
    a.block === b.block ? a.index < b.index : (tree ??= new DomTree(fn)).dominates(a.block, b.block);
  const into = new Map<number, number>();
  const dead = new Set<Inst>();
  for (const later of candidates) {
    const earlier = candidates.find((c) => c !== later && !into.has(c.slot) && fn.slots[c.slot]!.size === fn.slots[later.slot]!.size
      && sameOperand(c.store.inst.args[1]!, later.store.inst.args[1]!) && before(c.store, later.store));
    if (!earlier) continue;
    into.set(later.slot, earlier.slot);
    dead.add(later.store.inst);
  }
  if (into.size === 0) return false;
  for (const b of fn.blocks) {
    b.insts = b.insts.filter((i) => !dead.has(i));
    for (const i of b.insts) if (i.op === "slot_addr" && into.has(i.slot!)) i.slot = into.get(i.slot!)!;
  }
  return true;
}
