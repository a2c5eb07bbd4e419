/**
 * Bounds-check merging: a compare `base + c2 <= end` that an earlier check `base + c1 <= end`
 * with c1 >= c2 already decided on every path to it is folded to the side it must take.
 * `if (data + 34 > end) return; ... if (data + 14 > end) return;` keeps one check (the
 * verifier needs only the first too: it records the checked range on the packet pointer).
 *
 * Facts come from branch edges: the edge P -> S whose condition is exactly `L <= R` (or
 * implies it) holds in every block S dominates when P is S's only predecessor. The
 * implication `base + c1 <= end` => `base + c2 <= end` needs sums that do not wrap, so
 * `base` must be a zero-extended value of at most 32 bits (a packet pointer as programs load
 * it from their context) and c1, c2 constants below 2^32; the compares are unsigned 64-bit.
 */
import { DomTree } from "../ir/domtree.js";
import { predecessors, type Fn, type Inst, type Operand, type Term } from "../ir/ir.js";
import { defsOf } from "./util.js";

/** `L <= R` over 64-bit unsigned values. */
interface Le {
  readonly l: Operand;
  readonly r: Operand;
}

type Br = Extract<Term, { k: "br" }>;

/** The fact each edge of an unsigned 64-bit branch makes exact (`L <= R`), or implies. */
function edgeFacts(t: Br): { exact: Map<number, Le>; implied: Map<number, Le> } {
  const exact = new Map<number, Le>();
  const implied = new Map<number, Le>();
  if (t.w !== 64 || t.t === t.f) return { exact, implied };
  const ab = { l: t.a, r: t.b };
  const ba = { l: t.b, r: t.a };
  switch (t.cond) {
    case "ugt": exact.set(t.f, ab); implied.set(t.t, ba); break; // a > b  | a <= b
    case "uge": exact.set(t.t, ba); implied.set(t.f, ab); break; // b <= a | a < b
    case "ule": exact.set(t.t, ab); implied.set(t.f, ba); break; // a <= b | a > b
    case "ult": exact.set(t.f, ba); implied.set(t.t, ab); break; // a < b  | b <= a
    default: break;
  }
  for (const [s, f] of exact) implied.set(s, f);
  return { exact, implied };
}

const sameOperand = (a: Operand, b: Operand) => (a.k === "v" ? b.k === "v" && a.id === b.id : b.k === "imm" && a.v === b.v);

export function mergeBoundsChecks(fn: Fn): boolean {
  let preds: Map<number, number[]> | undefined;
  // Facts per block that starts an edge's region: S -> facts holding in S and below.
  const entering = new Map<number, Le>();
  for (const p of fn.blocks) {
    if (p.term.k !== "br") continue;
    for (const [s, f] of edgeFacts(p.term).implied) {
      const ps = (preds ??= predecessors(fn)).get(s)!;
      if (ps.length === 1 && ps[0] === p.id && s !== p.id) entering.set(s, f);
    }
  }
  // Most functions have no unsigned 64-bit compare: nothing below is needed for them.
  if (entering.size === 0) return false;
  const dom = new DomTree(fn);
  const defs = defsOf(fn);
  /** `o` as base + constant, with base known not to exceed 32 bits (else undefined). */
  const split = (o: Operand): { base: number; c: bigint } | undefined => {
    if (o.k !== "v") return undefined;
    const d = defs.get(o.id);
    let base = o.id;
    let c = 0n;
    if (d && d.op === "add" && d.w === 64 && d.args[0]?.k === "v" && d.args[1]?.k === "imm" && d.args[1].v < 1n << 32n) {
      base = d.args[0].id;
      c = d.args[1].v;
    }
    return narrow(base, defs, fn) ? { base, c } : undefined;
  };
  const implies = (f: Le, q: Le): boolean => {
    if (!sameOperand(f.r, q.r)) return false;
    if (sameOperand(f.l, q.l)) return true;
    const a = split(f.l);
    const b = split(q.l);
    return !!a && !!b && a.base === b.base && b.c <= a.c;
  };

  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k !== "br" || !dom.isReachable(b.id)) continue;
    for (const [s, q] of edgeFacts(t).exact) {
      let known = false;
      for (const [region, f] of entering) {
        if (region !== s && dom.dominates(region, b.id) && implies(f, q)) {
          known = true;
          break;
        }
      }
      if (known) {
        const other = t.t === s ? t.f : t.t;
        const o = fn.blocks.find((x) => x.id === other)!;
        for (const phi of o.phis) phi.args = phi.args.filter((a) => a.pred !== b.id);
        b.term = { k: "jmp", target: s, span: t.span };
        changed = true;
        break;
      }
    }
  }
  return changed;
}

/** Whether vreg `v` holds a zero-extended value of at most 32 bits. */
export function narrow(v: number, defs: Map<number, Inst>, fn: Fn): boolean {
  const d = defs.get(v);
  if (d?.op === "load" && d.size! <= 4) return true;
  return fn.vregs[v]?.w === 32;
}
