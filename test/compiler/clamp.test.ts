// Clamps compare at their boundary (transformer/passes/clamp.ts): `if (x >= 32) x = 31`
// branches on `x < 31` like clang's umin, and near misses keep their compare. Results are
// checked on the kernel in test/interop/semantics-opt.test.ts.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "./helpers.js";

function listing(body: string, ret = "x"): string {
  const src = `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return 0;
${body}
  return ${ret} as i32;
}`;
  const r = compileTemplate(template(src));
  if (!r.elf) throw new Error(describeDiagnostics(template(src), r.diagnostics).join("\n"));
  return disassemble(r.elf);
}

describe("clamps", () => {
  test("if (x >= 32) x = 31 compares with 31", () => {
    const l = listing("  let x = load_u32(d, 0);\n  if (x >= 32) x = 31;");
    expect(l).toMatch(/w\d (<|>=) 31 goto/);
    expect(l).not.toMatch(/ 32 goto/);
  });

  test("the ternary form, with the constant on either arm", () => {
    expect(listing("  const v = load_u32(d, 0);\n  const x = v < 32 ? v : 31;")).toMatch(/w\d (<|>=) 31 goto/);
    expect(listing("  const v = load_u32(d, 0);\n  const x = v > 9 ? 9 : v;")).toMatch(/if w\d < 9 goto|if w\d >= 9 goto/);
  });

  test("signed clamps move their boundary too", () => {
    expect(listing("  let x = load_u64(d, 0) as i64;\n  if (x < -5) x = -5;")).toMatch(/if r\d s> -5 goto|if r\d s<= -5 goto/);
  });

  test("near misses keep their compare: a value that is not the boundary, or other work in the arm", () => {
    expect(listing("  let x = load_u32(d, 0);\n  if (x >= 32) x = 30;")).toMatch(/ 32 goto/);
    expect(listing("  let x = load_u32(d, 0);\n  let y = load_u32(d, 4);\n  if (x >= 32) { x = 31; y = 1; }", "(x + y)")).toMatch(/ 32 goto/);
  });
});
