/** Shared by the passes: replacing a vreg's uses, and evaluating ops on constants. */
import { bswap } from "../frontend/check.js";
import { mapOperands, predecessors, type Fn, type Inst, type Operand, type Width } from "../ir/ir.js";
import type { Cond } from "../ir/ops.js";

/**
 * Replaces uses of each key vreg by its operand, following chains to their end (memoized:
 * a long program can chain thousands of copies, and a cut-off chain would leave uses of
 * deleted definitions).
 */
export function replaceUses(fn: Fn, repl: Map<number, Operand>): void {
  if (repl.size === 0) return;
  const done = new Map<number, Operand>();
  const resolve = (o: Operand): Operand => {
    if (o.k !== "v" || !repl.has(o.id)) return o;
    const hit = done.get(o.id);
    if (hit) return hit;
    const chain: number[] = [];
    const seen = new Set<number>();
    let cur: Operand = o;
    while (cur.k === "v" && repl.has(cur.id) && !seen.has(cur.id)) {
      const known = done.get(cur.id);
      if (known) {
        cur = known;
        break;
      }
      seen.add(cur.id);
      chain.push(cur.id);
      cur = repl.get(cur.id)!;
    }
    for (const id of chain) done.set(id, cur);
    return cur;
  };
  mapOperands(fn, resolve);
}

const MASK: Record<Width, bigint> = { 32: 0xffffffffn, 64: 0xffffffffffffffffn };

/** Value of a pure op on constants, as the BPF machine computes it; undefined if not foldable. */
export function evalOp(i: Inst, args: readonly bigint[]): bigint | undefined {
  const w = i.w;
  const m = MASK[w];
  const a = (args[0] ?? 0n) & m;
  const b = (args[1] ?? 0n) & m;
  const sh = b & BigInt(w - 1);
  let r: bigint;
  switch (i.op) {
    case "mov": r = a; break;
    case "neg": r = -a; break;
    case "add": r = a + b; break;
    case "sub": r = a - b; break;
    case "mul": r = a * b; break;
    case "udiv": r = b === 0n ? 0n : a / b; break;
    case "umod": r = b === 0n ? a : a % b; break;
    case "and": r = a & b; break;
    case "or": r = a | b; break;
    case "xor": r = a ^ b; break;
    case "shl": r = a << sh; break;
    case "lshr": r = a >> sh; break;
    case "ashr": r = BigInt.asIntN(w, a) >> sh; break;
    case "bswap": return bswap(args[0] ?? 0n, i.bits!);
    default: return undefined;
  }
  return r & m;
}

export function evalCond(c: Cond, w: Width, x: bigint, y: bigint): boolean {
  const a = x & MASK[w];
  const b = y & MASK[w];
  const sa = BigInt.asIntN(w, a);
  const sb = BigInt.asIntN(w, b);
  switch (c) {
    case "eq": return a === b;
    case "ne": return a !== b;
    case "ugt": return a > b;
    case "uge": return a >= b;
    case "ult": return a < b;
    case "ule": return a <= b;
    case "sgt": return sa > sb;
    case "sge": return sa >= sb;
    case "slt": return sa < sb;
    case "sle": return sa <= sb;
  }
}

/** Definitions of vregs by instruction. */
export function defsOf(fn: Fn): Map<number, Inst> {
  const d = new Map<number, Inst>();
  for (const b of fn.blocks) for (const i of b.insts) if (i.dst !== undefined) d.set(i.dst, i);
  return d;
}

/**
 * After branches were folded or blocks removed, phis keep operands only for the edges that
 * still reach their block.
 */
export function dropStalePhiArgs(fn: Fn): void {
  const preds = predecessors(fn);
  for (const b of fn.blocks) {
    const ps = preds.get(b.id) ?? [];
    for (const p of b.phis) p.args = p.args.filter((a) => ps.includes(a.pred));
  }
}
