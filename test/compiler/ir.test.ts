// IR: the verifier catches broken invariants; lowering and every pass keep them.
import { describe, expect, test } from "@jest/globals";
import { imm, vreg, type Fn } from "../../transformer/ir/ir.js";
import { printFn } from "../../transformer/ir/print.js";
import { IrVerifyError, verify } from "../../transformer/ir/verify.js";
import { optimize } from "../../transformer/passes/pipeline.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, toIr } from "./helpers.js";

const span = { start: 0, end: 0 };

function tiny(): Fn {
  return {
    name: "t",
    vregs: [{ w: 64 }, { w: 64 }],
    slots: [],
    blocks: [
      { id: 0, phis: [], insts: [{ op: "param", dst: 0, w: 64, args: [], span, param: 0 }, { op: "add", dst: 1, w: 64, args: [vreg(0), imm(1)], span }], term: { k: "ret", v: vreg(1), span } },
    ],
  };
}

describe("verify", () => {
  test("accepts well-formed IR", () => {
    expect(() => verify(tiny())).not.toThrow();
  });

  test.each([
    ["use before definition", (f: Fn) => f.blocks[0]!.insts.reverse(), "not dominated"],
    ["double definition", (f: Fn) => { f.blocks[0]!.insts[1]!.dst = 0; }, "defined twice"],
    ["wrong arity", (f: Fn) => { f.blocks[0]!.insts[1]!.args.pop(); }, "takes 2 operands"],
    ["missing jump target", (f: Fn) => { f.blocks[0]!.term = { k: "jmp", target: 9, span }; }, "missing b9"],
    ["undeclared vreg", (f: Fn) => { f.blocks[0]!.term = { k: "ret", v: vreg(7), span }; }, "never defined"],
    ["phi without an argument per predecessor", (f: Fn) => {
      f.blocks[0]!.term = { k: "jmp", target: 1, span };
      f.blocks.push({ id: 1, phis: [{ dst: 1, args: [], span }], insts: [], term: { k: "ret", v: vreg(1), span } });
      f.blocks[0]!.insts.pop();
    }, "predecessors are [0]"],
  ])("rejects %s", (_name, breakIt, message) => {
    const f = tiny();
    breakIt(f);
    expect(() => verify(f)).toThrow(IrVerifyError);
    expect(() => verify(f)).toThrow(message);
  });
});

describe("lowering and passes keep the IR valid", () => {
  test.each([
    ["count_opens", COUNT_OPENS, COUNT_OPENS_SLOTS],
    ["xdp_proto_count", XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS],
  ] as const)("%s verifies after each pass", (_n, body, slots) => {
    const stages: string[] = [];
    const fn = toIr(body, slots, true);
    verify(fn, "lowering");
    optimize(fn, { onPass: (p, f) => { verify(f, p); stages.push(p); } });
    expect(stages.length).toBeGreaterThan(0);
  });

  test("optimised xdp_proto_count IR", () => {
    expect(printFn(toIr(XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS))).toBe(`fn xdp_proto_count {
b0:
  v0 = param.64 [param 0]
  v1 = load.64 v0 [size 4, off 0]
  v2 = load.64 v0 [size 4, off 4]
  v3 = add.64 v1, 34
  br ugt.64 v3, v2 -> b1, b2
b1:
  ret 2
b2:
  v4 = load.64 v1 [size 2, off 12]
  br ne.32 v4, 8 -> b1, b4
b4:
  v6 = load.64 v1 [size 1, off 23]
  v7 = slot_addr.64 [slot 0]
  store.64 v7, v6 [size 4, off 0]
  v8 = map_ref.64 [map 0]
  v9 = call.64 v8, v7 [helper 1]
  br ne.64 v9, 0 -> b5, b1
b5:
  atomic_add.64 v9, 1 [size 8, off 0]
  jmp b1
}
`);
  });

  test("constant folding, copy propagation and DCE leave nothing of dead code", () => {
    const fn = toIr(`export function p(ctx: Xdp): i32 {
  let x: u32 = 5;
  const y = x * 2;
  let unused: u64 = ktime_get_ns() + 1;
  if (y > 100) { x = 1; }
  return (x + 1) as i32;
}`);
    const text = printFn(fn);
    expect(text).toContain("ret 6");
    expect(text).toContain("call"); // helpers stay: they have effects
    expect(text).not.toContain("add");
    expect(text).not.toContain("br");
  });
});
