// Register pressure on the kernel: sixteen packet words alive across a map helper call
// (more than the four callee-saved registers can hold, so most spill to the frame and
// come back after the call), folded with distinct multipliers; the verifier accepts the
// spills and every result matches a BigInt reference over seeded random packets.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { arrayMap, describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

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

/** xorshift32, seeded: the same packets every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

test("the sixteen words stay live across the call by spilling to the frame", () => {
  const listing = disassemble(compiled());
  const call = listing.indexOf("call bpf_map_lookup_elem");
  expect(call).toBeGreaterThan(0);
  // Stored before the call, reloaded after it.
  expect(listing.slice(0, call)).toMatch(/\*\(u64 \*\)\(r10 - \d+\) = r\d/);
  expect(listing.slice(call)).toMatch(/r\d = \*\(u64 \*\)\(r10 - \d+\)/);
});

describeKernel("register pressure on the kernel", () => {
  checkNoFdLeaks();

  test("1,000 seeded packets: every sum matches the reference, the call ran each time", async () => {
    await using obj = await load(compiled());
    const prog = obj.program("p");
    expect(prog.info().verifiedInsns).toBeGreaterThan(0);
    const next = prng(0x5eed);
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
});
