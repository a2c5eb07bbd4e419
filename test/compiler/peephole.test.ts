// The post-allocation peephole (transformer/backend/peephole.ts) on hand-written machine IR:
// which moves it drops and which it must keep. Whole programs are in golden.test.ts.
import { describe, expect, test } from "@jest/globals";
import type { MBlock, MFn, MInst } from "../../transformer/backend/mir.js";
import { peephole } from "../../transformer/backend/peephole.js";

const mov = (dst: number, src: number | bigint, w: 32 | 64 = 64): MInst => ({ k: "alu", op: "mov", w, dst, src });
const call: MInst = { k: "call", helper: 14, nargs: 0 };
const add = (dst: number, src: number | bigint): MInst => ({ k: "alu", op: "add", w: 64, dst, src });
const exit = { k: "exit" as const };

function fn(blocks: MBlock[]): MFn {
  return { name: "f", blocks, nextVirt: 16, slots: [] };
}

function run(insts: MInst[]): MInst[] {
  const f = fn([{ id: 0, insts, term: exit }]);
  peephole(f);
  return f.blocks[0]!.insts;
}

describe("peephole", () => {
  test("a move back into a register that still holds the value goes", () => {
    expect(run([mov(6, 1), mov(1, 6), call])).toEqual([mov(6, 1), call]);
    expect(run([mov(2, 0n), mov(2, 0n)])).toEqual([mov(2, 0n)]);
    expect(run([mov(3, 3)])).toEqual([]);
  });

  test("moves after the value changed stay: writes, calls, 32-bit moves", () => {
    expect(run([mov(6, 1), add(1, 8n), mov(1, 6)])).toHaveLength(3);
    expect(run([mov(6, 1), call, mov(1, 6)])).toHaveLength(3);
    expect(run([mov(2, 0n), call, mov(2, 0n)])).toHaveLength(3);
    // w1 = w6 truncates: never a no-op.
    expect(run([mov(6, 1), mov(1, 6, 32)])).toHaveLength(2);
    expect(run([mov(1, 1, 32)])).toHaveLength(1);
    // The same immediate at another stack slot is another value.
    expect(run([{ k: "alu", op: "mov", w: 64, dst: 2, src: -8n, slot: 0 }, { k: "alu", op: "mov", w: 64, dst: 2, src: -8n, slot: 1 }])).toHaveLength(2);
  });

  test("a block with one predecessor starts from its state; a join does not", () => {
    const f = fn([
      { id: 0, insts: [mov(6, 1)], term: { k: "br", cond: "eq", w: 64, a: 6, b: 0n, t: 1, f: 2 } },
      { id: 1, insts: [mov(1, 6)], term: { k: "jmp", target: 3 } },
      { id: 2, insts: [add(1, 1n)], term: { k: "jmp", target: 3 } },
      { id: 3, insts: [mov(1, 6)], term: exit },
    ]);
    expect(peephole(f)).toBe(true);
    expect(f.blocks[1]!.insts).toEqual([]);
    expect(f.blocks[3]!.insts).toEqual([mov(1, 6)]);
  });
});
