// Bit tests as branches (`if (x & MASK)`, `(x & MASK) == 0`, `(x & y) != 0`) select one
// jset (jmp32 for 32-bit operands); constants that do not encode as a sign-extended 32-bit
// immediate go through a register. Differential: for u8, u16, u32 and u64 operands, 10,000
// seeded inputs each through BPF_PROG_TEST_RUN, every test's outcome compared with a BigInt
// reference (one bit per test in the return value).
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

type Ty = "u8" | "u16" | "u32" | "u64";
const BITS: Record<Ty, bigint> = { u8: 8n, u16: 16n, u32: 32n, u64: 64n };
const MASKS: Record<Ty, bigint[]> = {
  u8: [1n, 0x80n, 0x81n, 0xffn],
  u16: [1n, 0x8000n, 0x0ff0n, 0xffffn],
  u32: [1n, 0x40n, 0x80000000n, 0xffffffffn, 0x7fff0001n],
  u64: [1n, 0x80000000n, 0xffffffffn, 0x100000000n, 0x8000000000000000n, 0xffffffff00000000n, 0x7ffffffffn],
};

/** Bit 2k: (x & M_k) != 0; bit 2k+1: (x & M_k) == 0; the last bit: (x & y) != 0. */
function source(ty: Ty): string {
  const masks = MASKS[ty];
  const lines = masks.flatMap((m, k) => [`  if (x & 0x${m.toString(16)}) r = r | ${1 << (2 * k)};`, `  if ((x & 0x${m.toString(16)}) == 0) r = r | ${1 << (2 * k + 1)};`]);
  return `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 16 > ctx.data_end) return -1;
  const x = load_${ty}(d, 0);
  const y = load_${ty}(d, 8);
  let r: u32 = 0;
${lines.join("\n")}
  if ((x & y) != 0) r = r | ${1 << (2 * masks.length)};
  return r as i32;
}`;
}

function reference(ty: Ty, x: bigint, y: bigint): number {
  let r = 0;
  MASKS[ty].forEach((m, k) => {
    r |= (x & m) !== 0n ? 1 << (2 * k) : 1 << (2 * k + 1);
  });
  if ((x & y) !== 0n) r |= 1 << (2 * MASKS[ty].length);
  return r;
}

function compiled(ty: Ty): Uint8Array {
  const src = template(source(ty));
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  return r.elf;
}

test.each(["u8", "u16", "u32", "u64"] as const)("%s bit tests are jset instructions, no mask computed", (ty) => {
  const listing = disassemble(compiled(ty));
  expect(listing).toMatch(/if [rw]\d & /);
  expect(listing).not.toMatch(/&= /);
});

/** splitmix64, seeded. */
function prng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
}

describeKernel("bit tests on the kernel", () => {
  checkNoFdLeaks();

  test.each(["u8", "u16", "u32", "u64"] as const)("%s: 10,000 seeded inputs match the reference", async (ty) => {
    await using obj = await load(compiled(ty));
    const prog = obj.program("p");
    const next = prng(BigInt(BITS[ty]) * 1000n + 7n);
    const pkt = new Uint8Array(64);
    const dv = new DataView(pkt.buffer);
    const mask = (1n << BITS[ty]) - 1n;
    let mismatches = 0;
    for (let n = 0; n < 10_000; n++) {
      // Sparse values half the time, so masks see zero and single-bit overlaps.
      const sparse = (v: bigint) => (n % 2 === 0 ? v & next() & next() : v);
      const x = sparse(next()) & mask;
      const y = sparse(next()) & mask;
      dv.setBigUint64(0, x, true);
      dv.setBigUint64(8, y, true);
      const got = prog.testRun({ data: pkt }).retval >>> 0;
      if (got !== reference(ty, x, y)) {
        mismatches++;
        expect({ x, y, got }).toEqual({ x, y, got: reference(ty, x, y) });
      }
    }
    expect(mismatches).toBe(0);
  });
});
