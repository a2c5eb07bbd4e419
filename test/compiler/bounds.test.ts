// Bounds-check merging (transformer/passes/bounds.ts): a packet check that an earlier,
// larger one decided on every path disappears; near misses keep theirs. Kernel runs of
// random check chains are in test/interop/semantics-opt.test.ts.
import { expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "./helpers.js";

/** Compares of a register with another (the packet checks in these programs). */
function checks(body: string): number {
  const src = `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  const end = ctx.data_end;
${body}
}`;
  const r = compileTemplate(template(src));
  if (!r.elf) throw new Error(describeDiagnostics(template(src), r.diagnostics).join("\n"));
  return (disassemble(r.elf).match(/if r\d+ [<>]=? r\d+ goto/g) ?? []).length;
}

test("a smaller check after a larger one on every path goes", () => {
  expect(checks(`  if (d + 34 > end) return 1;
  const a = load_u8(d, 20);
  if (d + 14 > end) return 2;
  return (a + load_u8(d, 13)) as i32;`)).toBe(1);
  // Both arms of an if checked 40: the later 20 is subsumed only where it is dominated.
  // A wider compare the other way round decides the check inside it too.
  expect(checks(`  if (end > d + 100) {
    if (d + 34 > end) return 1;
    return load_u8(d, 33) as i32;
  }
  return 0;`)).toBe(1);
  expect(checks(`  if (d + 40 > end) return 1;
  let x: u32 = load_u8(d, 0);
  if (x > 3) x = load_u8(d, 30);
  if (d + 20 > end) return 2;
  return (x + load_u8(d, 19)) as i32;`)).toBe(1);
});

test("near misses keep their check: a larger later bound, a check on one arm only, a base that is itself a sum", () => {
  expect(checks(`  if (d + 14 > end) return 1;
  const a = load_u8(d, 10);
  if (d + 34 > end) return 2;
  return (a + load_u8(d, 30)) as i32;`)).toBe(2);
  expect(checks(`  let x: u32 = 0;
  if ((get_prandom_u32() & 1) == 0) {
    if (d + 34 > end) return 1;
    x = load_u8(d, 30);
  }
  if (d + 14 > end) return 2;
  return (x + load_u8(d, 13)) as i32;`)).toBe(2);
  expect(checks(`  const e = d + 4;
  if (d + 34 > end) return 1;
  if (e + 14 > end) return 2;
  return load_u8(d, 17) as i32;`)).toBe(2);
});

test("an early check widens to a later larger one when everything between only reads and returns the same code", () => {
  // tc_mark_udp's shape: 14, then 34, then 42 bytes, every failure returning 0: one check of 42.
  expect(checks(`  if (d + 14 > end || load_u16(d, 12) != 8) return 0;
  if (d + 34 > end || load_u8(d, 23) != 17) return 0;
  if (d + 42 > end) return 0;
  return load_u8(d, 41) as i32;`)).toBe(1);
  // Another code on a path between them, or a call between them: the checks stay.
  expect(checks(`  if (d + 14 > end) return 0;
  if (load_u16(d, 12) != 8) return 1;
  if (d + 34 > end) return 0;
  return load_u8(d, 33) as i32;`)).toBe(2);
  // A 64-bit base could wrap: base + 34 may be small where base + 14 was not.
  expect(checks(`  if (d + 16 > end) return 0;
  const b = load_u64(d, 0);
  const lim = load_u64(d, 8);
  if (b + 14 > lim) return 0;
  if (b + 34 > lim) return 0;
  return 1;`)).toBe(3);
  expect(checks(`  if (d + 14 > end) return 0;
  if ((get_prandom_u32() & 1) == 0) return 0;
  if (d + 34 > end) return 0;
  return load_u8(d, 33) as i32;`)).toBe(2);
});
