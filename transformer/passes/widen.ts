/**
 * Bounds-check widening: when an early packet check `base + c1 > end -> return C` is followed
 * by a larger one `base + c2 > end -> return C` (c2 > c1), and every path between them only
 * reads (no stores, calls or atomics) and either reaches the second check or returns the
 * same C, the first check may test c2 at once: a packet shorter than c2 returned C either way.
 * bounds.ts then drops the second check, which the first now decides. As there, `base` is a
 * zero-extended value of at most 32 bits (a packet pointer as loaded from the context), so
 * neither sum wraps.
 *
 * `if (data + 14 > end || ethertype != IPv4) return XDP_PASS; if (data + 34 > end) return
 * XDP_PASS;` becomes one check of 34 bytes (xdp_blocklist 26 -> 23 instructions).
 */
import { DomTree } from "../ir/domtree.js";
import { newVreg, successors, type Block, type Fn, type Operand } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";
import { narrow } from "./bounds.js";
import { defsOf } from "./util.js";

/** `o` as base + constant (64-bit add of a vreg and an immediate, or the vreg itself). */
function split(o: Operand, defs: ReturnType<typeof defsOf>): { base: number; c: bigint } | undefined {
  if (o.k !== "v") return undefined;
  const d = defs.get(o.id);
  if (d && d.op === "add" && d.w === 64 && d.args[0]?.k === "v" && d.args[1]?.k === "imm" && d.args[1].v < 1n << 32n) return { base: d.args[0].id, c: d.args[1].v };
  return { base: o.id, c: 0n };
}

/** The constant an empty block returns, if it is one. */
function retConst(b: Block | undefined): bigint | undefined {
  if (!b || b.phis.length || b.insts.length || b.term.k !== "ret" || b.term.v.k !== "imm") return undefined;
  return b.term.v.v;
}

/** `br ugt X, E -> fail, ok` with fail an empty `ret C`: the check's parts. */
function check(b: Block, byId: Map<number, Block>) {
  const t = b.term;
  if (t.k !== "br" || t.cond !== "ugt" || t.w !== 64 || t.a.k !== "v" || t.b.k !== "v") return undefined;
  const c = retConst(byId.get(t.t));
  return c === undefined ? undefined : { x: t.a, end: t.b.id, fail: t.t, ok: t.f, ret: c };
}

export function widenBoundsChecks(fn: Fn): boolean {
  // Most functions have no packet check at all: skip building the tables below.
  if (!fn.blocks.some((b) => b.term.k === "br" && b.term.cond === "ugt" && b.term.w === 64)) return false;
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const defs = defsOf(fn);
  const dom = new DomTree(fn);
  let changed = false;
  for (const b1 of fn.blocks) {
    const first = check(b1, byId);
    if (!first) continue;
    const s1 = split(first.x, defs);
    // base + c2 must not wrap where base + c1 did not: a zero-extended 32-bit base.
    if (!s1 || !narrow(s1.base, defs, fn)) continue;
    // Walk forward from the ok edge through read-only blocks; stop at the next check of the
    // same base and end. Every other exit must be a return of the same constant.
    const seen = new Set<number>();
    const work = [first.ok];
    let second: { block: Block; c: bigint } | undefined;
    let ok = true;
    while (work.length && ok) {
      const id = work.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const blk = byId.get(id)!;
      if (id === b1.id || !dom.dominates(first.ok, id)) { ok = false; break; }
      const c2 = check(blk, byId);
      const s2 = c2 && c2.end === first.end ? split(c2.x, defs) : undefined;
      if (c2 && s2 && s2.base === s1.base && c2.ret === first.ret) {
        if (s2.c <= s1.c || (second && second.block !== blk)) { ok = false; break; }
        second = { block: blk, c: s2.c };
        continue;
      }
      if (blk.phis.length || blk.insts.some((i) => OPS[i.op].effect)) { ok = false; break; }
      for (const s of successors(blk.term)) {
        if (retConst(byId.get(s)) === first.ret) continue;
        work.push(s);
      }
      if (blk.term.k === "ret") ok = false;
    }
    if (!ok || !second) continue;
    // The base must be defined where the first check can use it.
    const baseDef = fn.blocks.find((b) => b.insts.some((i) => i.dst === s1.base));
    if (baseDef && !dom.dominates(baseDef.id, b1.id)) continue;
    const t = b1.term;
    if (t.k !== "br") continue;
    const v = newVreg(fn, 64);
    b1.insts.push({ op: "add", dst: v, w: 64, args: [{ k: "v", id: s1.base }, { k: "imm", v: second.c }], span: t.span });
    t.a = { k: "v", id: v };
    changed = true;
    break; // definitions and dominators changed: the pipeline runs again
  }
  return changed;
}
