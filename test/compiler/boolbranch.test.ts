// Branches on materialised booleans (transformer/passes/boolbranch.ts): a phi joining two
// constants over one branch's sides is tested by re-testing that branch's comparison, and an
// empty block re-testing a comparison its path already decided is bypassed. Near misses: a
// phi whose constants do not come from the two sides of one branch, and a re-test after a
// comparison of other operands, stay. Kernel runs: the "boolean locals as conditions" golden
// program in test/interop/golden.test.ts.
import { describe, expect, test } from "@jest/globals";
import { imm, vreg, type Block, type Fn, type Operand } from "../../transformer/ir/ir.js";
import type { Cond } from "../../transformer/ir/ops.js";
import { verify } from "../../transformer/ir/verify.js";
import { reuseBoolBranches, threadKnownBranches } from "../../transformer/passes/boolbranch.js";

const span = { start: 0, end: 0 };
const v = vreg;
const br = (cond: Cond, a: Operand, b: Operand, t: number, f: number): Block["term"] => ({ k: "br", cond, w: 32, a, b, t, f, span });
const jmp = (target: number): Block["term"] => ({ k: "jmp", target, span });
const ret = (o: Operand): Block["term"] => ({ k: "ret", v: o, span });
const params = [{ op: "param" as const, dst: 0, w: 64 as const, args: [], span, param: 0 }, { op: "param" as const, dst: 1, w: 64 as const, args: [], span, param: 1 }];

/** flag = a > b ? 1 : 0 (a diamond), then `if (flag == cmpWith)` in block 4. */
function diamond(onT: bigint, onF: bigint, cond: Cond = "ne", cmpWith = 0n): Fn {
  return {
    name: "t",
    vregs: [{ w: 64 }, { w: 64 }, { w: 32 }],
    slots: [],
    blocks: [
      { id: 0, phis: [], insts: [...params], term: br("ugt", v(0), v(1), 1, 2) },
      { id: 1, phis: [], insts: [], term: jmp(3) },
      { id: 2, phis: [], insts: [], term: jmp(3) },
      { id: 3, phis: [{ dst: 2, args: [{ pred: 1, v: imm(onT) }, { pred: 2, v: imm(onF) }], span }], insts: [], term: br(cond, v(2), imm(cmpWith), 4, 5) },
      { id: 4, phis: [], insts: [], term: ret(imm(10)) },
      { id: 5, phis: [], insts: [], term: ret(imm(20)) },
    ],
  };
}

describe("branches on materialised booleans", () => {
  test("`if (flag)` re-tests a > b", () => {
    const fn = diamond(1n, 0n);
    expect(reuseBoolBranches(fn)).toBe(true);
    verify(fn, "boolbranch");
    expect(fn.blocks[3]!.term).toEqual(br("ugt", v(0), v(1), 4, 5));
  });

  test("`if (!flag)` and flags of 0/1 the other way round invert it", () => {
    const a = diamond(1n, 0n, "eq");
    reuseBoolBranches(a);
    expect(a.blocks[3]!.term).toEqual(br("ule", v(0), v(1), 4, 5));
    const b = diamond(0n, 1n);
    reuseBoolBranches(b);
    expect(b.blocks[3]!.term).toEqual(br("ule", v(0), v(1), 4, 5));
  });

  test("near miss: a test both constants pass is left to constant folding", () => {
    expect(reuseBoolBranches(diamond(1n, 2n, "ne", 0n))).toBe(false);
  });

  test("near miss: a phi whose operands come from two different branches stays", () => {
    const fn = diamond(1n, 0n);
    // Block 2 now hangs off another branch: its edge no longer says anything about a > b.
    fn.blocks[0]!.term = br("ugt", v(0), v(1), 1, 6);
    fn.blocks.push({ id: 6, phis: [], insts: [], term: br("eq", v(1), imm(3), 2, 5) });
    expect(reuseBoolBranches(fn)).toBe(false);
  });
});

describe("tests a path already decided", () => {
  /** if (a > b) { if (b == 7) ret 1 } ; then an empty block re-testing a > b. */
  function retested(secondA: Operand, secondCond: Cond = "ugt"): Fn {
    return {
      name: "t",
      vregs: [{ w: 64 }, { w: 64 }],
      slots: [],
      blocks: [
        { id: 0, phis: [], insts: [...params], term: br("ugt", v(0), v(1), 1, 2) },
        { id: 1, phis: [], insts: [], term: br("eq", v(1), imm(7), 3, 2) },
        { id: 2, phis: [], insts: [], term: br(secondCond, secondA, v(1), 4, 5) },
        { id: 3, phis: [], insts: [], term: ret(imm(1)) },
        { id: 4, phis: [], insts: [], term: ret(imm(2)) },
        { id: 5, phis: [], insts: [], term: ret(imm(3)) },
      ],
    };
  }

  test("each predecessor whose path decided a > b jumps straight to the known side", () => {
    const fn = retested(v(0));
    expect(threadKnownBranches(fn)).toBe(true);
    verify(fn, "thread");
    // From b0's false side a > b is false: straight to b5; from b1 (reached on true): to b4.
    expect(fn.blocks[0]!.term).toEqual(br("ugt", v(0), v(1), 1, 5));
    expect(fn.blocks[1]!.term).toEqual(br("eq", v(1), imm(7), 3, 4));
  });

  test("the swapped form (b < a) counts as the same test", () => {
    const fn = retested(v(0));
    fn.blocks[2]!.term = br("ult", v(1), v(0), 4, 5);
    expect(threadKnownBranches(fn)).toBe(true);
    expect(fn.blocks[0]!.term).toEqual(br("ugt", v(0), v(1), 1, 5));
  });

  test("near miss: a re-test of other operands stays", () => {
    const fn = retested(imm(9));
    expect(threadKnownBranches(fn)).toBe(false);
  });
});
