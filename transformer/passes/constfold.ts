/**
 * Constant folding and propagation, algebraic identities, known-zero-bits cleanup and
 * branch folding. SSA makes propagation a substitution: a vreg defined by a pure op of
 * constants is replaced by the constant everywhere.
 *
 * Peepholes that matter for BPF:
 * - `and x, 0xff` after a 1-byte load (and similar) is dropped: the bits are already zero
 *   (the normalisation lowering inserts for narrow types is often redundant);
 * - `bswap(x) == C` becomes `x == bswap(C)`, so `ntohs(load_u16(p, 12)) == 0x0800`
 *   compiles to one load and one compare with 0x0008, no byte swap;
 * - a branch on constants becomes a jump (the CFG pass then removes the dead side).
 */
import { type Fn, type Inst, type Operand, imm } from "../ir/ir.js";
import { bswap } from "../frontend/check.js";
import { defsOf, dropStalePhiArgs, evalCond, evalOp, replaceUses } from "./util.js";

/** How many low bits may be non-zero in a vreg (64 when unknown). */
function knownBits(fn: Fn, defs: Map<number, Inst>): (o: Operand) => number {
  const memo = new Map<number, number>();
  const bitsOfImm = (v: bigint) => v.toString(2).length - (v === 0n ? 1 : 0);
  const go = (o: Operand, depth: number): number => {
    if (o.k === "imm") return bitsOfImm(o.v);
    const hit = memo.get(o.id);
    if (hit !== undefined) return hit;
    const i = defs.get(o.id);
    let n: number = fn.vregs[o.id]?.w ?? 64;
    if (i && depth < 8) {
      const a = i.args[0];
      const b = i.args[1];
      switch (i.op) {
        case "load": n = i.size! * 8; break;
        case "bswap": n = i.bits!; break;
        case "and": n = Math.min(go(a!, depth + 1), go(b!, depth + 1)); break;
        case "or":
        case "xor": n = Math.max(go(a!, depth + 1), go(b!, depth + 1)); break;
        case "lshr": n = b!.k === "imm" ? Math.max(0, go(a!, depth + 1) - Number(b!.v & BigInt(i.w - 1))) : go(a!, depth + 1); break;
        case "mov": n = go(a!, depth + 1); break;
        default: break;
      }
      if (i.w === 32) n = Math.min(n, 32);
    }
    memo.set(o.id, n);
    return n;
  };
  return (o) => go(o, 0);
}

export function constFold(fn: Fn): boolean {
  let changed = false;
  const defs = defsOf(fn);
  const bits = knownBits(fn, defs);
  const repl = new Map<number, Operand>();
  /** Can `x` stand for the result of a width-`w` op that leaves its value unchanged? */
  const fitsWidth = (x: Operand, w: 32 | 64) => w === 64 || bits(x) <= 32;
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.dst === undefined) continue;
      let x = i.args[0], y = i.args[1];
      if (i.args.length > 0 && i.args.every((a) => a.k === "imm") && i.op !== "load" && i.op !== "call" && i.op !== "call_fn") {
        const v = evalOp(i, i.args.map((a) => (a as { v: bigint }).v));
        if (v !== undefined) {
          repl.set(i.dst, imm(v));
          continue;
        }
      }
      if (!x) continue;
      // Immediates on the right of commutative ops, where the identities below look.
      if (x.k === "imm" && y?.k === "v" && (i.op === "add" || i.op === "mul" || i.op === "and" || i.op === "or" || i.op === "xor")) {
        i.args = [y, x];
        changed = true;
        [x, y] = [y, x];
      }
      const yImm = y?.k === "imm" ? BigInt.asUintN(i.w, y.v) : undefined;
      const allOnes = i.w === 32 ? 0xffffffffn : 0xffffffffffffffffn;
      let same: Operand | undefined;
      switch (i.op) {
        case "add":
        case "sub":
        case "or":
        case "xor":
        case "shl":
        case "lshr":
        case "ashr":
          if (yImm === 0n) same = x;
          break;
        case "mul":
          if (yImm === 1n) same = x;
          else if (yImm === 0n) repl.set(i.dst, imm(0));
          break;
        case "and":
          if (yImm === 0n) repl.set(i.dst, imm(0));
          // The mask keeps every bit that can be set: the and does nothing.
          else if (yImm !== undefined && (yImm === allOnes || (bits(x) < 64 && (yImm & ((1n << BigInt(bits(x))) - 1n)) === (1n << BigInt(bits(x))) - 1n))) same = x;
          break;
        case "mov":
          same = x;
          break;
        default:
          break;
      }
      if (same && fitsWidth(same, i.w)) repl.set(i.dst, same);
    }
  }
  if (repl.size) {
    replaceUses(fn, repl);
    changed = true;
  }
  // Branches.
  const defs2 = defsOf(fn);
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k !== "br") continue;
    if (t.a.k === "imm" && t.b.k !== "imm") {
      // Keep immediates on the right, where BPF encodes them.
      const sw = { eq: "eq", ne: "ne", ugt: "ult", uge: "ule", ult: "ugt", ule: "uge", sgt: "slt", sge: "sle", slt: "sgt", sle: "sge" } as const;
      [t.a, t.b] = [t.b, t.a];
      t.cond = sw[t.cond];
      changed = true;
    }
    if (t.a.k === "imm" && t.b.k === "imm") {
      b.term = { k: "jmp", target: evalCond(t.cond, t.w, t.a.v, t.b.v) ? t.t : t.f, span: t.span };
      changed = true;
      continue;
    }
    if ((t.cond === "eq" || t.cond === "ne") && t.a.k === "v" && t.b.k === "imm") {
      const d = defs2.get(t.a.id);
      if (d?.op === "bswap" && d.args[0] && (d.bits === 16 || d.bits === 32 || (d.bits === 64 && t.w === 64))) {
        const c = BigInt.asUintN(t.w, t.b.v);
        const inner = d.args[0];
        // bswap zero-extends, so a constant wider than `bits` can never match.
        if (c >> BigInt(d.bits) !== 0n) {
          b.term = { k: "jmp", target: t.cond === "eq" ? t.f : t.t, span: t.span };
        } else if (bits(inner) <= d.bits) {
          t.a = inner;
          t.b = imm(bswap(c, d.bits));
          t.w = d.bits === 64 ? 64 : t.w;
        } else {
          continue;
        }
        changed = true;
      }
    }
  }
  // A folded branch drops an edge: phis of its old target lose that operand. (Loops make
  // this common: a peeled iteration's test folds, cutting the edge to the loop exit.)
  if (changed) dropStalePhiArgs(fn);
  return changed;
}
