/**
 * Branches whose outcome earlier code already fixed.
 *
 * Branches on materialised booleans test the original comparison instead. BPF has no
 * set-on-condition instruction, so `const big = a > b;` becomes a diamond joining 1 and 0 in
 * a phi; a later `if (big)` would then compare that phi with 0. When the phi joins two
 * constants along exactly the two sides of one branch, testing it is testing that branch's
 * condition, whose operands (SSA values defined before the branch, which dominates the join)
 * are still available: the later branch compares them again, and the phi usually dies.
 *
 *   D: br ugt a, b -> T, F      T: jmp J     F: jmp J
 *   J: big = phi [T: 1], [F: 0]   ...   br ne big, 0 -> X, Y
 *   =>  ...   br ugt a, b -> X, Y
 */
import { predecessors, successors, type Block, type Fn, type Term } from "../ir/ir.js";
import { invertCond, swapCond } from "../ir/ops.js";
import { evalCond } from "./util.js";

type Br = Extract<Term, { k: "br" }>;

export function reuseBoolBranches(fn: Fn): boolean {
  // Only a phi can be a materialised boolean; most functions have none.
  if (!fn.blocks.some((b) => b.phis.length > 0)) return false;
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  /** For each phi that joins two constants over one branch's sides: that branch and the constants. */
  const origin = new Map<number, { br: Br; onTrue: bigint; onFalse: bigint }>();
  for (const j of fn.blocks) {
    const ps = preds.get(j.id)!;
    if (ps.length !== 2 || j.phis.length === 0) continue;
    const sides = ps.map((p) => sideOf(byId, preds, p, j.id));
    const [s0, s1] = sides;
    if (!s0 || !s1 || s0.from !== s1.from || s0.taken === s1.taken) continue;
    const br = byId.get(s0.from)!.term as Br;
    for (const phi of j.phis) {
      const arg = (n: number) => phi.args.find((a) => a.pred === ps[n])?.v;
      const v0 = arg(0), v1 = arg(1);
      if (v0?.k !== "imm" || v1?.k !== "imm" || v0.v === v1.v) continue;
      const onTrue = s0.taken ? v0.v : v1.v;
      const onFalse = s0.taken ? v1.v : v0.v;
      origin.set(phi.dst, { br, onTrue, onFalse });
    }
  }
  if (origin.size === 0) return false;
  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k !== "br" || t.a.k !== "v" || t.b.k !== "imm") continue;
    const o = origin.get(t.a.id);
    if (!o) continue;
    // The later test's outcome on each side of the original branch.
    const whenTrue = evalCond(t.cond, t.w, o.onTrue, t.b.v);
    const whenFalse = evalCond(t.cond, t.w, o.onFalse, t.b.v);
    if (whenTrue === whenFalse) continue; // constant folding's business
    const cond = whenTrue ? o.br.cond : invertCond(o.br.cond);
    b.term = { k: "br", cond, w: o.br.w, a: o.br.a, b: o.br.b, t: t.t, f: t.f, span: t.span };
    changed = true;
  }
  return changed;
}

/**
 * Which side of which branch the edge `p -> j` lies on: `p` is the branch block itself (its
 * edge to `j`), or a block reached only from one side of it that only jumps to `j`.
 */
function sideOf(byId: Map<number, Block>, preds: Map<number, number[]>, p: number, j: number): { from: number; taken: boolean } | undefined {
  const pb = byId.get(p)!;
  const t = pb.term;
  if (t.k === "br" && t.t !== t.f && (t.t === j || t.f === j)) return { from: p, taken: t.t === j };
  if (t.k !== "jmp" || successors(t).length !== 1) return undefined;
  const up = preds.get(p)!;
  if (up.length !== 1) return undefined;
  const d = byId.get(up[0]!)!.term;
  if (d.k !== "br" || d.t === d.f) return undefined;
  return { from: up[0]!, taken: d.t === p };
}

/**
 * An empty block that only re-tests a comparison an earlier branch on the path already
 * decided is bypassed along that path: `if (big) ...` right after `if (big && odd)` failed on
 * `odd` goes straight to its known side. The path is followed up through blocks with one
 * predecessor (at most 8); the earlier test must compare the same operands at the same width.
 */
export function threadKnownBranches(fn: Fn): boolean {
  // Only an empty block ending in a branch is bypassed: skip the tables when there is none.
  if (!fn.blocks.some((b, n) => n > 0 && b.term.k === "br" && !b.phis.length && !b.insts.length && b.term.t !== b.term.f)) return false;
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k !== "br" || b.phis.length || b.insts.length || b === fn.blocks[0] || t.t === t.f) continue;
    for (const p of [...preds.get(b.id)!]) {
      const known = decided(byId, preds, p, b.id, t);
      if (known === undefined) continue;
      const to = known ? t.t : t.f;
      const pb = byId.get(p)!;
      const pt = pb.term;
      const target = byId.get(to)!;
      // Two edges from p into a block with phis could not carry different values.
      if (target.phis.length && successors(pt).includes(to)) continue;
      if (pt.k === "jmp") pt.target = to;
      else if (pt.k === "br") {
        if (pt.t === b.id) pt.t = to;
        if (pt.f === b.id) pt.f = to;
      } else continue;
      for (const phi of target.phis) {
        const fromB = phi.args.find((a) => a.pred === b.id);
        if (fromB) phi.args.push({ pred: p, v: fromB.v });
      }
      preds.set(b.id, preds.get(b.id)!.filter((x) => x !== p));
      preds.get(to)!.push(p);
      changed = true;
    }
  }
  if (changed) {
    // Phi operands of edges that no longer exist (b lost predecessors; b may now be unreachable).
    const now = predecessors(fn);
    for (const blk of fn.blocks) for (const phi of blk.phis) phi.args = phi.args.filter((a) => now.get(blk.id)!.includes(a.pred));
  }
  return changed;
}

/** The outcome of `t` on the edge `from -> to`, when a test up the single-predecessor path fixes it. */
function decided(byId: Map<number, Block>, preds: Map<number, number[]>, from: number, to: number, t: Br): boolean | undefined {
  const same = (x: Br["a"], y: Br["a"]) => x.k === y.k && (x.k === "v" ? x.id === (y as { id: number }).id : x.v === (y as { v: bigint }).v);
  let cur = from, child = to;
  for (let step = 0; step < 8; step++) {
    const ct = byId.get(cur)!.term;
    if (ct.k === "br" && ct.t !== ct.f && ct.w === t.w) {
      const side = ct.t === child;
      // The earlier condition, written with the later one's operand order.
      const cond = same(ct.a, t.a) && same(ct.b, t.b) ? ct.cond : same(ct.a, t.b) && same(ct.b, t.a) ? swapCond(ct.cond) : undefined;
      if (cond === t.cond) return side;
      if (cond !== undefined && cond === invertCond(t.cond)) return !side;
    }
    const up = preds.get(cur)!;
    if (up.length !== 1) return undefined;
    child = cur;
    cur = up[0]!;
  }
  return undefined;
}
