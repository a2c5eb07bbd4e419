/**
 * Clamps compare at their boundary: `if (x >= 32) x = 31` is `min(x, 31)`, and so is
 * `if (x >= 31) x = 31` (at x == 31 both arms give 31). The second form is what clang
 * emits for a clamp (`if w1 < 31 goto L; r1 = 31`), and it matters for the verifier, not
 * for the result: a branch the verifier can decide from a register's range marks that
 * register precise back to its definitions, and precise registers stop its state pruning.
 * With the boundary inside the arm, fewer paths reach a decided compare. For
 * read_latency_hist's log2 (five selects feeding a clamp) that is 450 -> 270 verified
 * instructions (clang: 350), at the same instruction count.
 *
 * Shape: `P: br c x, K -> T, F` where the edges reach the join J (directly or through an
 * empty block) and J has exactly one phi whose operands differ between the two edges:
 * `D` on the arm taken when `c` holds and `x` itself on the other. When `D` is the value
 * just outside the arm (K for >, K-1 for >=, K for <, K+1 for <=), the arm takes it too.
 * A 32-bit compare of a wider `x` only qualifies when every use of the phi reads 32 bits.
 */
import { predecessors, type Block, type Fn, type Operand } from "../ir/ir.js";
import { invertCond, type Cond } from "../ir/ops.js";
import { demandOf } from "./demanded.js";

/** The condition that also holds at its boundary value `d`, or undefined when `d` is not the boundary. */
function widened(c: Cond, w: 32 | 64, k: bigint, d: bigint): { cond: Cond; k: bigint } | undefined {
  const mask = w === 32 ? 0xffffffffn : 0xffffffffffffffffn;
  const K = k & mask;
  const D = d & mask;
  const signedMax = mask >> 1n;
  const sK = K > signedMax ? K - mask - 1n : K;
  const sD = D > signedMax ? D - mask - 1n : D;
  switch (c) {
    case "ugt": return D === K ? { cond: "uge", k: K } : undefined;
    case "uge": return K > 0n && D === K - 1n ? { cond: "uge", k: D } : undefined;
    case "ult": return D === K ? { cond: "ule", k: K } : undefined;
    case "ule": return K < mask && D === K + 1n ? { cond: "ule", k: D } : undefined;
    case "sgt": return sD === sK ? { cond: "sge", k: K } : undefined;
    case "sge": return sK > -signedMax - 1n && sD === sK - 1n ? { cond: "sge", k: D } : undefined;
    case "slt": return sD === sK ? { cond: "sle", k: K } : undefined;
    case "sle": return sK < signedMax && sD === sK + 1n ? { cond: "sle", k: D } : undefined;
    default: return undefined;
  }
}

const same = (a: Operand, b: Operand) => (a.k === "v" ? b.k === "v" && a.id === b.id : b.k === "imm" && a.v === b.v);

export function canonicalizeClamps(fn: Fn): boolean {
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  // Where an edge out of P lands (the join), skipping one empty forwarding block.
  const landing = (p: Block, to: number): { join: number; via: number } => {
    const e = byId.get(to)!;
    if (e.phis.length === 0 && e.insts.length === 0 && e.term.k === "jmp" && preds.get(e.id)!.length === 1) return { join: e.term.target, via: e.id };
    return { join: to, via: p.id };
  };
  let changed = false;
  for (const p of fn.blocks) {
    const t = p.term;
    if (t.k !== "br" || t.a.k !== "v" || t.b.k !== "imm" || t.t === t.f) continue;
    const taken = landing(p, t.t);
    const fall = landing(p, t.f);
    if (taken.join !== fall.join || taken.via === fall.via) continue;
    const j = byId.get(taken.join)!;
    const differing = j.phis.filter((phi) => {
      const a = phi.args.find((x) => x.pred === taken.via)?.v;
      const b = phi.args.find((x) => x.pred === fall.via)?.v;
      return !a || !b || !same(a, b);
    });
    if (differing.length !== 1) continue;
    const phi = differing[0]!;
    const onTaken = phi.args.find((x) => x.pred === taken.via)!.v;
    const onFall = phi.args.find((x) => x.pred === fall.via)!.v;
    // The constant may sit on either arm: name the arm that gives it "taken".
    const flip = onTaken.k !== "imm";
    const d = flip ? onFall : onTaken;
    const x = flip ? onTaken : onFall;
    if (d.k !== "imm" || !same(x, t.a)) continue;
    if (t.w === 32 && demandOf(fn, phi.dst) > 32) {
      // At the boundary the arm gives D where x was: equal in all 64 bits only when x is
      // zero-extended and D has no upper half.
      if (fn.vregs[t.a.id]!.w !== 32 || d.v >> 32n !== 0n) continue;
    }
    const w = widened(flip ? invertCond(t.cond) : t.cond, t.w, t.b.v, d.v);
    if (!w) continue;
    if (flip) [t.t, t.f] = [t.f, t.t];
    t.cond = w.cond;
    t.b = { k: "imm", v: BigInt.asUintN(64, t.w === 32 ? BigInt.asIntN(32, w.k) : BigInt.asIntN(64, w.k)) };
    changed = true;
  }
  return changed;
}
