// Store-to-load forwarding (transformer/passes/cse.ts): a load of exactly the bytes an
// earlier store wrote, with no call, atomic or other store between, reads the stored value
// instead of memory. Near misses that must still load: a helper call between (it may write
// the map value), a store through another pointer between (the same element when both keys
// agree), and a narrow store (the value might not fit). Each program runs on the
// kernel against a reference over seeded packets.
import { expect, test } from "@jest/globals";
import { load } from "../../loader/index.js";
import { layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u16, u32, u64 } from "../../runtime/types.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { arrayMap, describeDiagnostics, template } from "../compiler/helpers.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";

const PAIR = layoutStruct("pair", [["lo", scalarFieldType(u32)], ["hi", scalarFieldType(u32)], ["wide", scalarFieldType(u64)], ["tag", scalarFieldType(u16)]]);

const HEAD = `  const d = ctx.data;\n  if (d + 8 > ctx.data_end) return 0;\n  const x = load_u32(d, 0);\n  const y = load_u32(d, 4);`;
const PROGRAMS: Record<string, { body: string; ref: (x: number, y: number) => number; loadsLeft: number }> = {
  // Map value written then read back twice: both reads forwarded.
  map_value: {
    body: `  const v = \${arr}.lookup(0);\n  if (!v) return 0;\n  v[0] = x;\n  v[0] = v[0] * 3 + y;\n  return v[0] as i32;`,
    ref: (x, y) => (Math.imul(x, 3) + y) >>> 0,
    loadsLeft: 0,
  },
  // Stack struct fields: 4-byte stores of 32-bit values forward to 4-byte loads.
  struct_fields: {
    body: `  let s: \${Pair};\n  s.lo = x;\n  s.hi = y ^ 5;\n  return (s.lo + s.hi) as i32;`,
    ref: (x, y) => (x + ((y ^ 5) >>> 0)) >>> 0,
    loadsLeft: 0,
  },
  // Near miss: a call between may write the value.
  call_between: {
    body: `  const v = \${arr}.lookup(0);\n  if (!v) return 0;\n  v[0] = x;\n  \${arr}.update(1, 7);\n  return (v[0] + y) as i32;`,
    ref: (x, y) => (x + y) >>> 0,
    loadsLeft: 1,
  },
  // Near miss: a store through another pointer between, which may be the same element.
  alias_store: {
    body: `  const v = \${arr}.lookup(x & 1);\n  const w = \${arr}.lookup(y & 1);\n  if (!v || !w) return 0;\n  v[0] = x;\n  w[0] = y;\n  return v[0] as i32;`,
    ref: (x, y) => ((x & 1) === (y & 1) ? y : x),
    loadsLeft: 1,
  },
  // Near miss: a 2-byte store of a 32-bit value; the load must see it cut to 16 bits.
  narrow_store: {
    body: `  let s: \${Pair};\n  s.tag = (x & 0xffff) as u16;\n  return (s.tag as u32 + y) as i32;`,
    ref: (x, y) => ((x & 0xffff) + y) >>> 0,
    loadsLeft: 1,
  },
};

function compiled(): Uint8Array {
  const src = template(Object.entries(PROGRAMS).map(([name, p]) => `export function ${name}(ctx: Xdp): i32 {\n${HEAD}\n${p.body}\n}`).join("\n"), { arr: arrayMap("u64", 2), Pair: PAIR });
  const r = compileTemplate(src);
  if (!r.elf) throw new Error(describeDiagnostics(src, r.diagnostics).join("\n"));
  return r.elf;
}

/** Loads after the packet reads: from map values (r0..r9 bases other than the packet) or the stack. */
function loadsAfterPacket(listing: string, name: string): number {
  const section = listing.split(/\n(?=\S)/).find((s) => s.startsWith(`${name} `))!;
  const lines = section.split("\n").filter((l) => /= \*\(u(8|16|32|64) \*\)/.test(l));
  // The first three loads are data, data_end and the packet words x and y (4 in all).
  return lines.length - 4;
}

test.each(Object.keys(PROGRAMS))("%s: loads left as expected", (name) => {
  expect(loadsAfterPacket(disassemble(compiled()), name)).toBe(PROGRAMS[name]!.loadsLeft);
});

describeKernel("store-to-load forwarding on the kernel", () => {
  checkNoFdLeaks();

  test("every program matches its reference over 500 seeded packets", async () => {
    await using obj = await load(compiled());
    let seed = 0xf0f0;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    const pkt = new Uint8Array(64);
    const dv = new DataView(pkt.buffer);
    for (let n = 0; n < 500; n++) {
      const x = next(), y = next();
      dv.setUint32(0, x, true);
      dv.setUint32(4, y, true);
      for (const [name, p] of Object.entries(PROGRAMS)) {
        expect([name, x, y, obj.program(name).testRun({ data: pkt }).retval >>> 0]).toEqual([name, x, y, p.ref(x, y)]);
      }
    }
  });
});
