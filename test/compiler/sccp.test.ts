// Sparse conditional constant propagation (transformer/passes/sccp.ts) on hand-built IR:
// constants flow through phis of executable edges only, branches on constants fold and the
// blocks they no longer reach vanish; the optimistic start proves loop-carried flags constant
// where folding one instruction at a time cannot. End to end: the "flag set only under
// itself" golden program (test/compiler/golden-programs.ts), verified on the kernel by
// test/interop/golden.test.ts.
import { describe, expect, test } from "@jest/globals";
import { imm, vreg, type Block, type Fn, type Inst, type Operand } from "../../transformer/ir/ir.js";
import type { Cond } from "../../transformer/ir/ops.js";
import { printFn } from "../../transformer/ir/print.js";
import { verify } from "../../transformer/ir/verify.js";
import { constFold } from "../../transformer/passes/constfold.js";
import { copyProp } from "../../transformer/passes/copyprop.js";
import { dce } from "../../transformer/passes/dce.js";
import { sccp } from "../../transformer/passes/sccp.js";
import { simplifyCfg } from "../../transformer/passes/simplifycfg.js";

const span = { start: 0, end: 0 };
const v = vreg;
const inst = (op: Inst["op"], dst: number | undefined, args: Operand[], extra: Partial<Inst> = {}): Inst => ({ op, dst, w: 64, args, span, ...extra });
const br = (cond: Cond, a: Operand, b: Operand, t: number, f: number): Block["term"] => ({ k: "br", cond, w: 64, a, b, t, f, span });
const jmp = (target: number): Block["term"] => ({ k: "jmp", target, span });
const ret = (o: Operand): Block["term"] => ({ k: "ret", v: o, span });
const fnOf = (nregs: number, blocks: Block[]): Fn => ({ name: "t", vregs: Array.from({ length: nregs }, () => ({ w: 64 as const })), slots: [], blocks });

/**
 * for (i = 0; i < 100; i++) { if (seen != 0) seen += 1; } return seen + x;
 * `seen` starts 0 and changes only inside code guarded by seen != 0.
 */
function guardedFlagLoop(): Fn {
  return fnOf(8, [
    { id: 0, phis: [], insts: [inst("param", 0, [], { param: 0 })], term: jmp(1) },
    { id: 1, phis: [{ dst: 1, args: [{ pred: 0, v: imm(0) }, { pred: 3, v: v(4) }], span }, { dst: 2, args: [{ pred: 0, v: imm(0) }, { pred: 3, v: v(5) }], span }], insts: [], term: br("ne", v(1), imm(0), 2, 3) },
    { id: 2, phis: [], insts: [inst("add", 3, [v(1), imm(1)])], term: jmp(3) },
    { id: 3, phis: [{ dst: 4, args: [{ pred: 1, v: v(1) }, { pred: 2, v: v(3) }], span }], insts: [inst("add", 5, [v(2), imm(1)])], term: br("ult", v(5), imm(100), 1, 4) },
    { id: 4, phis: [], insts: [inst("add", 6, [v(4), v(0)])], term: ret(v(6)) },
  ]);
}

/** Runs the pessimistic passes (what the pipeline had before SCCP) to a fixpoint. */
function withoutSccp(fn: Fn): Fn {
  for (let round = 0; round < 8; round++) if (![copyProp(fn), constFold(fn), simplifyCfg(fn), dce(fn)].some(Boolean)) break;
  return fn;
}

function withSccp(fn: Fn): Fn {
  for (let round = 0; round < 8; round++) {
    const changed = [copyProp(fn), sccp(fn), constFold(fn), simplifyCfg(fn), dce(fn)].some(Boolean);
    verify(fn, "sccp test");
    if (!changed) break;
  }
  return fn;
}

describe("sparse conditional constant propagation", () => {
  test("a flag set only under itself stays 0 around the loop: the guarded block and its phis go", () => {
    expect(sccp(guardedFlagLoop())).toBe(true);
    const out = withSccp(guardedFlagLoop());
    const text = printFn(out);
    expect(text).not.toMatch(/ne\.64/); // the seen != 0 test folded
    expect(text).not.toMatch(/add\.64 v\d+, 1\n.*jmp/); // seen += 1 gone
    // What is left: the counter loop and `return 0 + x` (x itself).
    expect(out.blocks.flatMap((b) => b.phis)).toHaveLength(1);
    expect(text).toMatch(/ret v0/);
  });

  test("folding one instruction at a time cannot prove it: the guarded block survives", () => {
    const text = printFn(withoutSccp(guardedFlagLoop()));
    expect(text).toMatch(/br ne\.64 v1, 0/);
  });

  test("a branch on a computed constant becomes a jump and the other side vanishes", () => {
    const fn = fnOf(4, [
      { id: 0, phis: [], insts: [inst("param", 0, [], { param: 0 }), inst("mov", 1, [imm(3)]), inst("mul", 2, [v(1), imm(2)])], term: br("eq", v(2), imm(6), 1, 2) },
      { id: 1, phis: [], insts: [], term: ret(imm(1)) },
      { id: 2, phis: [], insts: [inst("load", 3, [v(0)], { size: 4, off: 0 })], term: ret(v(3)) },
    ]);
    expect(sccp(fn)).toBe(true);
    verify(fn, "sccp");
    expect(fn.blocks.map((b) => b.id)).toEqual([0, 1]);
    expect(fn.blocks[0]!.term).toEqual({ k: "jmp", target: 1, span });
  });

  test("constants meet through a phi only over executable edges", () => {
    // x = c ? 7 : 7 is 7; y = (param ? 7 : 9) is not a constant; z = (2 > 1 ? 5 : param) is 5.
    const fn = fnOf(8, [
      { id: 0, phis: [], insts: [inst("param", 0, [], { param: 0 })], term: br("ne", v(0), imm(0), 1, 2) },
      { id: 1, phis: [], insts: [], term: jmp(3) },
      { id: 2, phis: [], insts: [], term: jmp(3) },
      { id: 3, phis: [{ dst: 1, args: [{ pred: 1, v: imm(7) }, { pred: 2, v: imm(7) }], span }, { dst: 2, args: [{ pred: 1, v: imm(7) }, { pred: 2, v: imm(9) }], span }], insts: [], term: br("ugt", imm(2), imm(1), 4, 5) },
      { id: 4, phis: [], insts: [], term: jmp(6) },
      { id: 5, phis: [], insts: [], term: jmp(6) },
      { id: 6, phis: [{ dst: 3, args: [{ pred: 4, v: imm(5) }, { pred: 5, v: v(0) }], span }], insts: [inst("add", 4, [v(1), v(2)]), inst("add", 5, [v(4), v(3)])], term: ret(v(5)) },
    ]);
    expect(sccp(fn)).toBe(true);
    verify(fn, "sccp");
    const text = printFn(fn);
    expect(fn.blocks.some((b) => b.id === 5)).toBe(false);
    expect(text).toMatch(/v4 = add\.64 7, v2/);
    expect(text).toMatch(/v5 = add\.64 v4, 5/);
    expect(text).toMatch(/v2 = phi \[b1: 7\], \[b2: 9\]/);
  });

  test("loads, calls and parameters are never constants", () => {
    const fn = fnOf(3, [
      { id: 0, phis: [], insts: [inst("param", 0, [], { param: 0 }), inst("load", 1, [v(0)], { size: 4, off: 0 }), inst("call", 2, [], { helper: 5 })], term: br("eq", v(1), v(2), 1, 1) },
      { id: 1, phis: [], insts: [], term: ret(v(1)) },
    ]);
    expect(sccp(fn)).toBe(false);
  });
});
