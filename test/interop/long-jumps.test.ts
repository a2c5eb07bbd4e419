// Jumps farther than a 16-bit offset reaches: a program whose early packet check jumps over
// more than 32,767 instructions to its shared return gets a 32-bit `gotol` (the conditional
// branch jumps over it on the inverted condition) instead of failing to encode. The kernel
// verifies it, and test runs take both the far exit and the long path like a reference.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { emit } from "../../transformer/backend/emit.js";
import type { MFn, MInst } from "../../transformer/backend/mir.js";
import { CLASS, JMP_OP } from "../../transformer/backend/opcodes.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

const STEPS = 10_000;
const mult = (i: number) => (i % 13) + 3;

const SOURCE = (() => {
  const lines = ["export function p(ctx: Xdp): i32 {", "  const d = ctx.data;", "  if (d + 64 > ctx.data_end) return 7;", "  let acc: u32 = 1;"];
  for (let i = 0; i < STEPS; i++) {
    lines.push(`  acc = acc * ${mult(i)} + load_u8(d, ${i % 64});`);
    if (i % 8 === 3) lines.push(`  if ((acc & ${1 << (i % 16)}) != 0) acc = acc ^ ${i};`);
  }
  lines.push("  return (acc & 0xffff) as i32;", "}");
  return lines.join("\n");
})();

function reference(pkt: Uint8Array): number {
  let acc = 1;
  for (let i = 0; i < STEPS; i++) {
    acc = (Math.imul(acc, mult(i)) + pkt[i % 64]!) >>> 0;
    if (i % 8 === 3 && (acc & (1 << (i % 16))) !== 0) acc = (acc ^ i) >>> 0;
  }
  return acc & 0xffff;
}

let elf: Uint8Array | undefined;
function compiled(): Uint8Array {
  if (elf) return elf;
  const src = template(SOURCE);
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  return (elf = r.elf);
}

test("the early exit over the whole program is a gotol", () => {
  const listing = disassemble(compiled());
  const count = Number(/\((?:section xdp), (\d+) insns\)/.exec(listing)![1]);
  expect(count).toBeGreaterThan(32_768);
  expect(listing).toMatch(/if r\d <= r\d goto \+1\n\s+\d+:\tgotol \+\d{5}/);
}, 60_000);

test("a far bit test: jset over a `goto +1` onto the gotol (jset has no inverse)", () => {
  const filler: MInst[] = Array.from({ length: 40_000 }, () => ({ k: "alu", op: "add", w: 64, dst: 0, src: 1n }));
  const fn: MFn = {
    name: "f",
    nextVirt: 16,
    slots: [],
    blocks: [
      { id: 0, insts: [{ k: "alu", op: "mov", w: 64, dst: 0, src: 0n }], term: { k: "br", cond: "set", w: 64, a: 1, b: 4n, t: 2, f: 1 } },
      { id: 1, insts: filler, term: { k: "exit" } },
      { id: 2, insts: [{ k: "alu", op: "mov", w: 64, dst: 0, src: 5n }], term: { k: "exit" } },
    ],
  };
  const { insns } = emit(fn);
  expect(insns.slice(1, 4).map((i) => [i.code, i.off])).toEqual([[CLASS.JMP | JMP_OP.jset, 1], [CLASS.JMP | JMP_OP.ja, 1], [CLASS.JMP32 | JMP_OP.ja, 0]]);
  // The gotol lands on block 2: after the 40,000 fillers and block 1's exit.
  expect(4 + insns[3]!.imm).toBe(4 + 40_000 + 1);
});

describeKernel("long jumps on the kernel", () => {
  checkNoFdLeaks();

  test("the verifier accepts it; short packets take the far exit, full ones the long path", async () => {
    await using obj = await load(compiled());
    const prog = obj.program("p");
    expect(prog.testRun({ data: new Uint8Array(20) }).retval).toBe(7);
    let seed = 0x1234567;
    for (let n = 0; n < 20; n++) {
      const pkt = new Uint8Array(64).map(() => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24));
      expect([n, prog.testRun({ data: pkt }).retval]).toEqual([n, reference(pkt)]);
    }
  }, 60_000);
});
