// Atomics at compile time: one BPF_ATOMIC instruction per builtin on struct fields of map
// values and on p[0], fetch forms returning the old value, cmpxchg through r0; and misuse (a
// local, a 16-bit field, a wrong argument count) with a near miss each.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u16, u32, u64 } from "../../runtime/types.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

const STATS = layoutStruct("stats", [["packets", scalarFieldType(u64)], ["flags", scalarFieldType(u32)], ["small", scalarFieldType(u16)]]);
const SLOTS: Record<string, SlotSpec> = {
  stats: { map: { kind: "array", key: "u32", value: "u8", valueStruct: STATS, maxEntries: 1 } },
  counts: { map: { kind: "array", key: "u32", value: "u64", maxEntries: 1 } },
};

const wrap = (body: string) => `
export function f(ctx: Xdp): i32 {
  const s = \${stats}.lookup(0);
  if (!s) return 0;
  const p = \${counts}.lookup(0);
  if (!p) return 0;
${body}
  return 0;
}
`;

function diag(body: string): string[] {
  const src = template(wrap(body), SLOTS);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("atomics", () => {
  test("each builtin is one BPF_ATOMIC instruction of the field's size", () => {
    const r = compileTemplate(template(wrap(`
  atomic_add(s.packets, 1);
  atomic_or(s.flags, 4);
  atomic_and(s.flags, 6);
  atomic_xor(p[0], 3);
  const a = atomic_fetch_add(s.packets, 2);
  const b = atomic_fetch_or(s.flags, 8);
  const c = xchg(p[0], a);
  const d = cmpxchg(s.packets, c, 9);
  return (a + (b as u64) + d) as i32;`), SLOTS));
    expect(r.diagnostics).toEqual([]);
    const listing = disassemble(r.elf!);
    expect(listing).toMatch(/lock \*\(u64 \*\)\(r\d \+ 0\) \+= r\d/);
    expect(listing).toMatch(/lock \*\(u32 \*\)\(r\d \+ 8\) \|= w\d/);
    expect(listing).toMatch(/lock \*\(u32 \*\)\(r\d \+ 8\) &= w\d/);
    expect(listing).toMatch(/lock \*\(u64 \*\)\(r\d \+ 0\) \^= r\d/);
    expect(listing).toMatch(/r\d = atomic_fetch_add\(\*\(u64 \*\)\(r\d \+ 0\), r\d\)/);
    expect(listing).toMatch(/w\d = atomic_fetch_or\(\*\(u32 \*\)\(r\d \+ 8\), w\d\)/);
    expect(listing).toMatch(/r\d = xchg\(\*\(u64 \*\)\(r\d \+ 0\), r\d\)/);
    expect(listing).toMatch(/r0 = cmpxchg\(\*\(u64 \*\)\(r\d \+ 0\), r0, r\d\)/);
  });

  test("a local is not memory (WBPF1003); a field is", () => {
    const d = diag(`  let x: u64 = 1;\n  atomic_add(x, 1);`);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^WBPF1003 .*"x" the first argument of 'atomic_add' is an integer in memory/);
    expect(diag(`  atomic_add(s.packets, 1);`)).toEqual([]);
  });

  test("a 16-bit field is WBPF1003 (no 16-bit atomics); a 32-bit one is fine", () => {
    expect(diag(`  atomic_add(s.small, 1);`)[0]).toMatch(/^WBPF1003 .*32- and 64-bit integers .*u16/);
    expect(diag(`  atomic_add(s.flags, 1);`)).toEqual([]);
  });

  test("cmpxchg takes three arguments (WBPF1006); an operand wider than the field is WBPF1003", () => {
    expect(diag(`  cmpxchg(s.packets, 1);`)[0]).toMatch(/^WBPF1006 .*'cmpxchg' takes 3 arguments/);
    expect(diag(`  const v: u64 = 5;\n  atomic_add(s.flags, v);`)[0]).toMatch(/^WBPF1003 .*operand of 'atomic_add' on a u32/);
    expect(diag(`  const v: u32 = 5;\n  atomic_add(s.flags, v);`)).toEqual([]);
  });
});
