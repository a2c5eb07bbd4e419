// Register allocation at scale: a 20,000-instruction function allocates in near-linear time.
// Spilling limits: test/compiler/spill-limit.test.ts; kernel runs of a spilling program:
// test/interop/regalloc.test.ts.
import { describe, expect, test } from "@jest/globals";
import { allocate } from "../../transformer/backend/regalloc.js";
import { isVirt, usesDefs, VIRT_BASE, type MBlock, type MFn, type MInst, type MTerm } from "../../transformer/backend/mir.js";

/**
 * A function of `groups` diamonds: each loads two fields through a pointer kept alive all
 * along (so it needs a callee-saved register across the calls), adds them into a running
 * sum, branches on the sum, and every fourth group calls a helper with three arguments.
 */
function bigFunction(groups: number): MFn {
  let next = VIRT_BASE;
  const v = () => next++;
  const ptr = v();
  let sum = v();
  const blocks: MBlock[] = [];
  let id = 0;
  let cur: MBlock = { id: id++, insts: [{ k: "alu", op: "mov", w: 64, dst: ptr, src: 1 }, { k: "alu", op: "mov", w: 64, dst: sum, src: 0n }], term: { k: "exit" } };
  blocks.push(cur);
  for (let g = 0; g < groups; g++) {
    const a = v(), b = v(), s = v(), t = v();
    const body: MInst[] = [
      { k: "ldx", size: 4, dst: a, base: ptr, off: (g % 16) * 4 },
      { k: "ldx", size: 4, dst: b, base: ptr, off: ((g + 5) % 16) * 4 },
      { k: "alu", op: "mov", w: 64, dst: s, src: sum },
      { k: "alu", op: "add", w: 64, dst: s, src: a },
      { k: "alu", op: "xor", w: 64, dst: s, src: b },
    ];
    if (g % 4 === 0) {
      body.push({ k: "alu", op: "mov", w: 64, dst: 1, src: s }, { k: "alu", op: "mov", w: 64, dst: 2, src: a }, { k: "alu", op: "mov", w: 64, dst: 3, src: 7n }, { k: "call", helper: 7, nargs: 3 }, { k: "alu", op: "add", w: 64, dst: s, src: 0 });
    }
    cur.insts.push(...body);
    const odd: MBlock = { id: id++, insts: [{ k: "alu", op: "mov", w: 64, dst: t, src: s }, { k: "alu", op: "add", w: 64, dst: t, src: BigInt(g) }], term: { k: "jmp", target: -1 } };
    const join: MBlock = { id: id++, insts: [], term: { k: "exit" } };
    const even: MBlock = { id: id++, insts: [{ k: "alu", op: "mov", w: 64, dst: t, src: s }], term: { k: "jmp", target: join.id } };
    odd.term = { k: "jmp", target: join.id };
    cur.term = { k: "br", cond: "ugt", w: 64, a: s, b: 1000n, t: odd.id, f: even.id };
    blocks.push(odd, even, join);
    const merged = v();
    join.insts.push({ k: "alu", op: "mov", w: 64, dst: merged, src: t });
    sum = merged;
    cur = join;
  }
  cur.insts.push({ k: "alu", op: "mov", w: 64, dst: 0, src: sum });
  cur.term = { k: "exit" };
  return { name: "big", blocks, nextVirt: next, slots: [] };
}

const count = (fn: MFn) => fn.blocks.reduce((n, b) => n + b.insts.length + 1, 0);

/** Milliseconds to allocate one fresh copy of `groups` groups. */
function timeOnce(groups: number): { ms: number; fn: MFn } {
  const fn = bigFunction(groups);
  const t0 = performance.now();
  allocate(fn);
  return { ms: performance.now() - t0, fn };
}

/**
 * Best times of a small and an eight times larger function, measured in alternation over
 * ten rounds: a loaded machine slows single runs, and alternating keeps both sizes under the
 * same conditions, so their ratio says how allocation scales.
 */
function allocMs(small: number, large: number): { small: number; large: number; insns: number; fn: MFn } {
  let s = Infinity;
  let l = Infinity;
  let fn = bigFunction(1);
  for (let round = 0; round < 10; round++) {
    s = Math.min(s, timeOnce(small).ms);
    const r = timeOnce(large);
    l = Math.min(l, r.ms);
    fn = r.fn;
  }
  return { small: s, large: l, insns: count(bigFunction(large)), fn };
}

describe("register allocation at scale", () => {
  test("20,000 instructions allocate in under 300 ms, and eight times the size takes far less than 64 times as long", () => {
    const t = allocMs(225, 1800);
    const large = { ms: t.large, insns: t.insns, fn: t.fn };
    expect(large.insns).toBeGreaterThanOrEqual(20_000);
    expect(large.ms).toBeLessThan(300);
    // Quadratic allocation would take ~64x; near-linear stays near 8x.
    expect(large.ms / Math.max(t.small, 1)).toBeLessThan(24);
    // Every register is physical afterwards, and the pointer lives in a callee-saved one.
    for (const b of large.fn.blocks) {
      for (const i of [...b.insts, b.term] as (MInst | MTerm)[]) {
        const { uses, defs } = usesDefs(i);
        for (const r of [...uses, ...defs]) expect(isVirt(r)).toBe(false);
      }
    }
    const ldx = large.fn.blocks.flatMap((b) => b.insts).find((i) => i.k === "ldx");
    expect(ldx && ldx.k === "ldx" ? ldx.base : -1).toBeGreaterThanOrEqual(6);
  });
});
