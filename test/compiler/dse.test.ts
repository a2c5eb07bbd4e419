// Dead store elimination (transformer/passes/dse.ts) on hand-built blocks: a store a later
// store of the same bytes overwrites, with nothing between that may read them, goes; near
// misses keep it (a load that may overlap, a call, a narrower later store, a load through
// another pointer). Kernel runs of programs it changes: test/interop/store-forward.test.ts.
import { expect, test } from "@jest/globals";
import { imm, vreg, type Fn, type Inst } from "../../transformer/ir/ir.js";
import { verify } from "../../transformer/ir/verify.js";
import { dse } from "../../transformer/passes/dse.js";

const span = { start: 0, end: 0 };
const v = vreg;
const param = (dst: number, n: number): Inst => ({ op: "param", dst, w: 64, args: [], span, param: n });
const slot = (dst: number, s: number): Inst => ({ op: "slot_addr", dst, w: 64, args: [], span, slot: s });
const store = (base: number, off: number, size: 1 | 2 | 4 | 8, value: bigint | number): Inst => ({ op: "store", dst: undefined, w: 64, args: [v(base), typeof value === "number" ? v(value) : imm(value)], span, size, off });
const load = (dst: number, base: number, off: number, size: 1 | 2 | 4 | 8): Inst => ({ op: "load", dst, w: 64, args: [v(base)], span, size, off });
const call = (dst: number): Inst => ({ op: "call", dst, w: 64, args: [], span, helper: 7 });

/** One block: p0, p1 are pointers from outside (params), s0, s1 stack slots 0 and 1. */
function block(body: Inst[]): Fn {
  return {
    name: "t",
    vregs: Array.from({ length: 16 }, () => ({ w: 64 as const })),
    slots: [{ size: 16, align: 8 }, { size: 16, align: 8 }],
    blocks: [{ id: 0, phis: [], insts: [param(0, 0), param(1, 1), slot(2, 0), slot(3, 1), ...body], term: { k: "ret", v: imm(0), span } }],
  };
}

const stores = (fn: Fn) => fn.blocks[0]!.insts.filter((i) => i.op === "store").map((i) => `${i.args[0]!.k === "v" ? `v${(i.args[0] as { id: number }).id}` : "?"}+${i.off}:${i.size}=${i.args[1]!.k === "imm" ? (i.args[1] as { v: bigint }).v : "v"}`);

test("a store the next store of the same bytes overwrites goes", () => {
  const fn = block([store(0, 0, 8, 1n), store(0, 0, 8, 2n)]);
  expect(dse(fn)).toBe(true);
  verify(fn, "dse");
  expect(stores(fn)).toEqual(["v0+0:8=2"]);
});

test("a stack struct's zeroing under a full field store goes, loads of another slot between do not matter", () => {
  const fn = block([store(2, 0, 8, 0n), store(2, 8, 8, 0n), load(5, 3, 0, 8), store(2, 0, 8, 5)]);
  expect(dse(fn)).toBe(true);
  expect(stores(fn)).toEqual(["v2+8:8=0", "v2+0:8=v"]);
});

test.each([
  ["a load of the bytes between", [store(0, 0, 8, 1n), load(5, 0, 4, 4), store(0, 0, 8, 2n)]],
  ["a call between (it may read them)", [store(2, 0, 8, 1n), call(5), store(2, 0, 8, 2n)]],
  ["a narrower later store", [store(0, 0, 8, 1n), store(0, 0, 4, 2n)]],
  ["a load through another pointer between (it may be the same memory)", [store(0, 0, 8, 1n), load(5, 1, 0, 8), store(0, 0, 8, 2n)]],
  ["a later store through another pointer", [store(0, 0, 8, 1n), store(1, 0, 8, 2n)]],
] as const)("near miss: %s keeps the first store", (_name, body) => {
  const fn = block([...body]);
  expect(dse(fn)).toBe(false);
});
