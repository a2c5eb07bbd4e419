// Strength reduction (transformer/passes/strength.ts): unsigned *, / and % by powers of two
// become shifts and masks; other constants keep their op. Results are checked on the kernel
// in test/interop/semantics-opt.test.ts.
import { expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "./helpers.js";

function listing(expr: string): string {
  const src = `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return 0;
  const x = load_u32(d, 0);
  return (${expr}) as i32;
}`;
  const r = compileTemplate(template(src));
  if (!r.elf) throw new Error(describeDiagnostics(template(src), r.diagnostics).join("\n"));
  return disassemble(r.elf);
}

test("powers of two become shifts and masks", () => {
  expect(listing("x * 8")).toMatch(/<<= 3/);
  expect(listing("x / 16")).toMatch(/>>= 4/);
  expect(listing("x % 32")).toMatch(/&= 31/);
  for (const e of ["x * 8", "x / 16", "x % 32"]) expect(listing(e)).not.toMatch(/[*/%]=/);
});

test("other constants keep their op", () => {
  expect(listing("x * 6")).toMatch(/\*= 6/);
  expect(listing("x / 1000")).toMatch(/\/= 1000/);
  expect(listing("x % 10")).toMatch(/%= 10/);
});
