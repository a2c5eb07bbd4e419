/**
 * Lowering of `?:`, loops and switch to IR blocks (the main lowering, `lower.ts`, hands
 * these nodes here).
 *
 * Loops are rotated: a guard test before the body and the same test at the end of the
 * body, so each iteration costs one conditional jump. The body block's predecessors are
 * the guard and the latch (the back edge); it is sealed only after the latch is built,
 * so the SSA builder places the loop-carried phis there. Loops with a small exact trip
 * count are unrolled by peeling: each iteration is emitted with its own test, which
 * constant folding removes because the counter is a known constant in every copy; the
 * general loop follows the copies, so the result is right whatever the count, and it
 * vanishes when the folded test proves it never runs.
 *
 * Switches dispatch through a balanced tree of comparisons over value ranges (adjacent
 * values with the same target share one range check); BPF has no indirect jump, so there
 * is no jump table. Case bodies are laid out in source order and fall through.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { Span } from "../diagnostics.js";
import type { FnBuilder } from "../ir/builder.js";
import { imm, type Block, type Operand, type Width } from "../ir/ir.js";
import type { Cond } from "../ir/ops.js";
import { walkBody } from "./inline.js";
import type { TControlStmt, TExpr, TStmt } from "./typed.js";
import { isSigned, widthOf } from "./types.js";

/** Unroll a loop whose exact trip count is at most this... */
export const UNROLL_MAX_TRIPS = 16n;
/** ...and whose unrolled size (checked-tree nodes times trips) stays under this. */
export const UNROLL_MAX_NODES = 96n;

/** What this module borrows from the main lowering. */
export interface LowerHost {
  readonly b: FnBuilder;
  cond(e: TExpr, t: Block, f: Block): void;
  expr(e: TExpr): Operand;
  stmts(list: readonly TStmt[]): void;
  /** A fresh SSA variable of width `w` (not a user local). */
  tempVar(w: Width): number;
}

interface Target {
  readonly brk: Block;
  readonly cont?: Block;
  /** Whether any jump reached `cont` (an unreached latch is dead code). */
  contUsed: boolean;
}

export class ControlLowerer {
  private readonly targets: Target[] = [];

  constructor(private readonly host: LowerHost) {}

  // ---- ?: -------------------------------------------------------------------------------

  /** The value of `test ? t : f` through a phi. */
  select(e: Extract<TExpr, { k: "select" }>): Operand {
    const b = this.host.b;
    const w: Width = e.ty.k === "scalar" ? widthOf(e.ty.name) : 64;
    const v = this.host.tempVar(w);
    const tb = b.newBlock();
    const fb = b.newBlock();
    const join = b.newBlock();
    this.host.cond(e.test, tb, fb);
    b.seal(tb);
    b.seal(fb);
    for (const [blk, arm] of [[tb, e.t], [fb, e.f]] as const) {
      b.enter(blk);
      const x = this.host.expr(arm);
      b.writeVar(v, b.cur, x);
      b.jmp(join, e.span);
    }
    b.seal(join);
    b.enter(join);
    return b.readVar(v, join);
  }

  /** `test ? t : f` used as a condition: branch on the test, then on the chosen arm. */
  condSelect(e: Extract<TExpr, { k: "select" }>, t: Block, f: Block): void {
    const b = this.host.b;
    const tb = b.newBlock();
    const fb = b.newBlock();
    this.host.cond(e.test, tb, fb);
    b.seal(tb);
    b.seal(fb);
    b.enter(tb);
    this.host.cond(e.t, t, f);
    b.enter(fb);
    this.host.cond(e.f, t, f);
  }

  // ---- statements ---------------------------------------------------------------------

  stmt(s: TControlStmt): void {
    const b = this.host.b;
    switch (s.k) {
      case "break": {
        const t = this.targets[this.targets.length - 1];
        if (t && b.cur) b.jmp(t.brk, s.span);
        b.cur = undefined;
        return;
      }
      case "continue": {
        const t = [...this.targets].reverse().find((x) => x.cont);
        if (t?.cont && b.cur) {
          t.contUsed = true;
          b.jmp(t.cont, s.span);
        }
        b.cur = undefined;
        return;
      }
      case "loop": return this.loop(s);
      case "switch": return this.switch(s);
    }
  }

  private loop(s: Extract<TControlStmt, { k: "loop" }>): void {
    const { b } = this.host;
    this.host.stmts(s.init);
    const exit = b.newBlock();
    const peel = shouldUnroll(s) ? Number(s.bound.exact) : 0;
    for (let k = 0; k < peel && b.cur; k++) {
      const body = b.newBlock();
      this.host.cond(s.cond, body, exit);
      b.seal(body);
      b.enter(body);
      this.iteration(s, exit);
    }
    if (b.cur) {
      const body = b.newBlock();
      this.host.cond(s.cond, body, exit);
      b.enter(body);
      this.iteration(s, exit);
      // The back edge: the same test at the bottom.
      if (b.cur) this.host.cond(s.cond, body, exit);
      b.seal(body);
    }
    b.cur = undefined;
    b.seal(exit);
    b.enter(exit);
  }

  /** One iteration from the current (body) block: body, then the latch with the update. */
  private iteration(s: Extract<TControlStmt, { k: "loop" }>, exit: Block): void {
    const { b } = this.host;
    const latch = b.newBlock();
    const target: Target = { brk: exit, cont: latch, contUsed: false };
    this.targets.push(target);
    this.host.stmts(s.body);
    this.targets.pop();
    const fallsIn = b.cur !== undefined;
    if (b.cur) b.jmp(latch, s.span);
    b.seal(latch);
    if (!fallsIn && !target.contUsed) {
      b.cur = undefined;
      return;
    }
    b.enter(latch);
    this.host.stmts(s.update);
  }

  private switch(s: Extract<TControlStmt, { k: "switch" }>): void {
    const { b } = this.host;
    const ty = (s.disc.ty as { name: ScalarName }).name;
    const w = widthOf(ty);
    const signed = isSigned(ty);
    const v = this.host.expr(s.disc);
    const exit = b.newBlock();
    const blocks = s.cases.map(() => b.newBlock());
    const def = s.cases.findIndex((c) => c.isDefault);
    const fallback = def >= 0 ? blocks[def]! : exit;
    const entries = s.cases.flatMap((c, n) => c.values.map((value) => ({ value, target: blocks[n]! })));
    entries.sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
    const ranges: Range[] = [];
    for (const e of entries) {
      const last = ranges[ranges.length - 1];
      if (last && last.target === e.target && last.hi + 1n === e.value) last.hi = e.value;
      else ranges.push({ lo: e.value, hi: e.value, target: e.target });
    }
    if (b.cur) this.dispatch(v, w, signed, ranges, fallback, s.span);
    b.cur = undefined;
    this.targets.push({ brk: exit, contUsed: false });
    s.cases.forEach((c, n) => {
      const blk = blocks[n]!;
      if (b.cur) b.jmp(blk, c.span); // fall through from the case above
      b.seal(blk);
      b.enter(blk);
      this.host.stmts(c.body);
    });
    this.targets.pop();
    if (b.cur) b.jmp(exit, s.span);
    b.seal(exit);
    b.enter(exit);
  }

  /** Branches to the range holding `v`, else to `fallback`; ends with no current block. */
  private dispatch(v: Operand, w: Width, signed: boolean, ranges: readonly Range[], fallback: Block, span: Span): void {
    const { b } = this.host;
    const lt: Cond = signed ? "slt" : "ult";
    if (ranges.length > 3) {
      // Split at the middle range: below its low end goes left.
      const mid = ranges.length >> 1;
      const left = b.newBlock();
      const right = b.newBlock();
      b.br({ k: "br", cond: lt, w, a: v, b: immOf(ranges[mid]!.lo, w), t: left.id, f: right.id, span });
      b.seal(left);
      b.seal(right);
      b.enter(left);
      this.dispatch(v, w, signed, ranges.slice(0, mid), fallback, span);
      b.enter(right);
      this.dispatch(v, w, signed, ranges.slice(mid), fallback, span);
      return;
    }
    for (const r of ranges) {
      const next = b.newBlock();
      if (r.lo === r.hi) {
        b.br({ k: "br", cond: "eq", w, a: v, b: immOf(r.lo, w), t: r.target.id, f: next.id, span });
      } else {
        // lo <= v <= hi as one unsigned compare: (v - lo) <= (hi - lo), modulo 2^w.
        const d = b.value("sub", w, [v, immOf(r.lo, w)], span);
        b.br({ k: "br", cond: "ule", w, a: d, b: immOf(r.hi - r.lo, w), t: r.target.id, f: next.id, span });
      }
      b.seal(next);
      b.enter(next);
    }
    b.jmp(fallback, span);
  }
}

interface Range {
  lo: bigint;
  hi: bigint;
  readonly target: Block;
}

/** A constant in the register form of a width-`w` value (narrow values: upper half zero). */
function immOf(v: bigint, w: Width): Operand {
  return imm(w === 32 ? BigInt.asUintN(32, v) : v);
}

function shouldUnroll(s: Extract<TControlStmt, { k: "loop" }>): boolean {
  const trips = s.bound.exact;
  if (trips === undefined || trips > UNROLL_MAX_TRIPS) return false;
  let nodes = 0n;
  walkBody([...s.body, ...s.update, { k: "expr", e: s.cond, span: s.span }], () => nodes++);
  return trips * nodes <= UNROLL_MAX_NODES;
}
