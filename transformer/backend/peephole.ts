/**
 * Peephole after register allocation: a 64-bit move whose destination already holds the
 * value it would copy is dropped. The allocator keeps a value live across calls in a
 * callee-saved register (`r6 = r1`) and moves it back for a helper's argument (`r1 = r6`);
 * before the first call r1 still holds it, so the move back is redundant. The same holds
 * for a constant loaded into a register that already has it (`r2 = 0` twice).
 *
 * Values are tracked per register as opaque numbers: a copy shares its source's number, a
 * 64-bit move of an immediate gets the immediate's key, every other write a new number.
 * A block with a single predecessor starts from that predecessor's end state; others start
 * knowing nothing. 32-bit moves truncate, so they always make a new value.
 */
import { blockSuccessors, usesDefs, type MFn, type MInst, type Reg } from "./mir.js";

/**
 * A register's value: a number for one no other register is known to share (counted up,
 * no string built per write), a string key for a constant (`k5`) or a slot offset.
 */
type Value = number | string;
type State = Map<Reg, Value>;

export function peephole(fn: MFn): boolean {
  const preds = new Map<number, number[]>(fn.blocks.map((b) => [b.id, []]));
  for (const b of fn.blocks) for (const s of new Set(blockSuccessors(b.term))) preds.get(s)!.push(b.id);
  const out = new Map<number, State>();
  let fresh = 0;
  let changed = false;
  for (const b of fn.blocks) {
    const ps = preds.get(b.id)!;
    const from = ps.length === 1 && ps[0] !== b.id ? out.get(ps[0]!) : undefined;
    const st: State = new Map(from ?? []);
    const valueOf = (r: Reg): Value => {
      let v = st.get(r);
      if (v === undefined) st.set(r, (v = fresh++));
      return v;
    };
    const kept: MInst[] = [];
    for (const i of b.insts) {
      const moved = movedValue(i, valueOf);
      if (moved !== undefined && i.k === "alu") {
        if (st.get(i.dst) === moved) {
          changed = true;
          continue;
        }
        kept.push(i);
        st.set(i.dst, moved);
        continue;
      }
      kept.push(i);
      for (const d of usesDefs(i).defs) st.set(d, fresh++);
    }
    b.insts = kept;
    out.set(b.id, st);
  }
  return changed;
}

/** The value a 64-bit move puts in its destination (undefined for any other instruction). */
function movedValue(i: MInst, valueOf: (r: Reg) => Value): Value | undefined {
  if (i.k !== "alu" || i.op !== "mov" || i.w !== 64) return undefined;
  if (typeof i.src !== "bigint") return valueOf(i.src);
  // A move of a stack slot's offset is resolved at layout: key it by slot too.
  return i.slot === undefined ? `k${BigInt.asUintN(64, i.src)}` : `s${i.slot}:${i.src}`;
}
