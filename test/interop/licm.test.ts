// Loop-invariant code motion (transformer/passes/licm.ts) on a real (50-trip, not unrolled)
// loop: `(k * 13) ^ (m >> 3)` moves out, leaving five instructions per iteration; loads,
// helper calls and values the loop's branches compare stay inside. On the kernel the
// verifier accepts it and 1,000 seeded packets give what a BigInt reference gives.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { arrayMap, describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { u32Stream } from "../helpers/prng.js";

const INVARIANT = `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return 0;
  const k = load_u32(d, 0);
  const m = load_u32(d, 4);
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 50; i++) {
    sum = sum * 3 + ((k * 13) ^ (m >> 3)) + i;
  }
  return sum as i32;
}`;

function compile(source: string, slots = {}): Uint8Array {
  const src = template(source, slots);
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  return r.elf;
}

/** Instruction lines of the listing, and those of the (single) loop: from the back jump's target to it. */
function loopOf(elf: Uint8Array): { all: string[]; body: string[]; before: string[] } {
  const all = disassemble(elf).split("\n").filter((l) => /^\s+\d+:/.test(l));
  const at = all.findIndex((l) => /goto -\d+/.test(l));
  const back = Number(/goto (-\d+)/.exec(all[at]!)![1]);
  const index = (l: string) => Number(/^\s+(\d+):/.exec(l)![1]);
  const start = index(all[at]!) + 1 + back;
  return { all, body: all.filter((l) => index(l) >= start && index(l) <= index(all[at]!)), before: all.filter((l) => index(l) < start) };
}

test("the invariant leaves the loop: five instructions per iteration", () => {
  const { body, before } = loopOf(compile(INVARIANT));
  expect(body.map((l) => l.replace(/^\s+\d+:\s+/, ""))).toEqual(["w0 *= 3", "w0 += w1", "w0 += w2", "w2 += 1", "if w2 < 50 goto -5"]);
  const pre = before.join("\n");
  expect(pre).toMatch(/\*= 13/);
  expect(pre).toMatch(/>>= 3/);
  expect(pre).toMatch(/\^= /);
});

test("near misses: loads, helper calls and compared values stay in the loop", () => {
  const { body } = loopOf(compile(`export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return 0;
  const k = load_u32(d, 0);
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 50; i++) {
    const v = \${arr}.lookup(0);
    if (v !== null) sum = sum + (v[0] as u32);
    if (i == (k & 7)) sum = sum + get_prandom_u32();
    sum = sum + load_u32(d, 4);
  }
  return sum as i32;
}`, { arr: arrayMap("u64", 1) }));
  const text = body.join("\n");
  expect(text).toMatch(/call bpf_map_lookup_elem/);
  expect(text).toMatch(/call bpf_get_prandom_u32/);
  expect(text).toMatch(/\*\(u32 \*\)\(r\d \+ 4\)/);
  expect(text).toMatch(/&= 7/); // k & 7 is compared with the counter: recomputed each time
});


describeKernel("loop-invariant code motion on the kernel", () => {
  checkNoFdLeaks();

  test("1,000 seeded packets: the hoisted loop computes what the source says", async () => {
    await using obj = await load(compile(INVARIANT));
    const prog = obj.program("p");
    expect(prog.info().verifiedInsns).toBeGreaterThan(0);
    const next = u32Stream(0x11c);
    for (let n = 0; n < 1000; n++) {
      const k = next(), m = next();
      const pkt = new Uint8Array(64);
      const dv = new DataView(pkt.buffer);
      dv.setUint32(0, k, true);
      dv.setUint32(4, m, true);
      let sum = 0n;
      const inv = BigInt.asUintN(32, BigInt(k) * 13n) ^ BigInt(m >>> 3);
      for (let i = 0n; i < 50n; i++) sum = BigInt.asUintN(32, sum * 3n + inv + i);
      expect([n, prog.testRun({ data: pkt }).retval >>> 0]).toEqual([n, Number(sum)]);
    }
  });
});
