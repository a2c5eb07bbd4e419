// Register pressure on the kernel: sixteen packet words alive across a map helper call
// (more than the four callee-saved registers can hold, so most spill to the frame and
// come back after the call), folded with distinct multipliers; the verifier accepts the
// spills and every result matches a BigInt reference over seeded random packets. Then the
// same inside a real loop that calls a helper every iteration (spills reloaded in the loop).
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { arrayMap, describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { u32Stream } from "../helpers/prng.js";

const WORDS = 16;
const mult = (k: number) => 2 * k + 3;

const SOURCE = `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + ${WORDS * 4} > ctx.data_end) return 0;
${Array.from({ length: WORDS }, (_, k) => `  const a${k} = load_u32(d, ${k * 4});`).join("\n")}
  \${calls}.increment(0);
  return (${Array.from({ length: WORDS }, (_, k) => `a${k} * ${mult(k)}`).join(" + ")}) as i32;
}`;

function compiled(): Uint8Array {
  const src = template(SOURCE, { calls: arrayMap("u64", 1) });
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  return r.elf;
}


test("the sixteen words stay live across the call by spilling to the frame", () => {
  const listing = disassemble(compiled());
  const call = listing.indexOf("call bpf_map_lookup_elem");
  expect(call).toBeGreaterThan(0);
  // Stored before the call, reloaded after it.
  expect(listing.slice(0, call)).toMatch(/\*\(u64 \*\)\(r10 - \d+\) = r\d/);
  expect(listing.slice(call)).toMatch(/r\d = \*\(u64 \*\)\(r10 - \d+\)/);
});

/** Twelve words alive through a real (40-trip) loop that calls a helper every iteration. */
const LOOP_SOURCE = `export function q(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 48 > ctx.data_end) return 0;
${Array.from({ length: 12 }, (_, k) => `  const a${k} = load_u32(d, ${k * 4});`).join("\n")}
  let acc: u32 = 0;
  for (let i: u32 = 0; i < 40; i++) {
    \${calls}.increment(0);
    acc = acc * 3 + ${Array.from({ length: 12 }, (_, k) => `(a${k} ^ i)`).join(" + ")};
  }
  return acc as i32;
}`;

function loopReference(words: readonly number[]): number {
  let acc = 0;
  for (let i = 0; i < 40; i++) acc = (Math.imul(acc, 3) + words.reduce((s, w) => s + ((w ^ i) >>> 0), 0)) >>> 0;
  return acc;
}

describeKernel("register pressure on the kernel", () => {
  checkNoFdLeaks();

  test("1,000 seeded packets: every sum matches the reference, the call ran each time", async () => {
    await using obj = await load(compiled());
    const prog = obj.program("p");
    expect(prog.info().verifiedInsns).toBeGreaterThan(0);
    const next = u32Stream(0x5eed);
    const runs = 1000;
    for (let n = 0; n < runs; n++) {
      const pkt = new Uint8Array(WORDS * 4);
      const dv = new DataView(pkt.buffer);
      let want = 0n;
      for (let k = 0; k < WORDS; k++) {
        const w = next();
        dv.setUint32(k * 4, w, true);
        want += BigInt(w) * BigInt(mult(k));
      }
      const got = prog.testRun({ data: pkt }).retval >>> 0;
      expect([n, got]).toEqual([n, Number(BigInt.asUintN(32, want))]);
    }
    expect(obj.map("calls").get(0 as never)).toBe(BigInt(runs));
  });

  test("spilled values reload inside a real loop around a helper call: 300 seeded packets", async () => {
    const src = template(LOOP_SOURCE, { calls: arrayMap("u64", 1) });
    const r = compileTemplate(src);
    if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
    const listing = disassemble(r.elf);
    expect(listing).toMatch(/goto -\d+/); // the loop stays a loop
    expect(listing).toMatch(/r\d = \*\(u64 \*\)\(r10 - \d+\)/); // and reloads spills
    await using obj = await load(r.elf);
    const next = u32Stream(0x100f);
    for (let n = 0; n < 300; n++) {
      const words = Array.from({ length: 12 }, () => next());
      const pkt = new Uint8Array(64);
      const dv = new DataView(pkt.buffer);
      words.forEach((w, k) => dv.setUint32(k * 4, w, true));
      expect([n, obj.program("q").testRun({ data: pkt }).retval >>> 0]).toEqual([n, loopReference(words)]);
    }
    expect(obj.map("calls").get(0 as never)).toBe(300n * 40n);
  });
});
