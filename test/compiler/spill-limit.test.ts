// Values beyond the registers spill to the frame; only when the spills would not fit in
// 512 bytes does the build fail, with WBPF3003 at the first spilled value (the near miss,
// the same values folded as they come, compiles without spilling).
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "./helpers.js";

/** `n` helper results all alive at once, then folded together. */
function manyLive(n: number): string {
  const defs = Array.from({ length: n }, (_, k) => `  const a${k} = ktime_get_ns();`).join("\n");
  const sum = Array.from({ length: n }, (_, k) => `a${k}`).join(" ^ ");
  return `export function p(ctx: Xdp): i32 {\n${defs}\n  return (${sum}) as i32;\n}`;
}

describe("spilling to the frame", () => {
  test("60 values alive across calls spill into the 512-byte frame and compile", () => {
    const r = compileTemplate(template(manyLive(60)));
    expect(r.diagnostics).toEqual([]);
    expect(r.elf).toBeDefined();
  });

  test("WBPF3003 when the spills of 70 values would not fit, at the first spilled value", () => {
    const src = template(manyLive(70));
    const r = compileTemplate(src);
    const described = describeDiagnostics(src, r.diagnostics);
    expect(described).toHaveLength(1);
    expect(described[0]).toMatch(/^WBPF3003 2:\d+ "ktime_get_ns\(\)"$/);
    expect(r.diagnostics[0]!.message).toMatch(/keeps too many values alive at once: spilling them takes \d+ bytes of stack/);
    expect(r.diagnostics[0]!.message).toMatch(/Use each value soon after computing it/);
  });

  test("near miss: the same 70 values folded as they come need no spill at all", () => {
    const defs = Array.from({ length: 70 }, (_, k) => `  acc = acc ^ ktime_get_ns(); // ${k}`).join("\n");
    const r = compileTemplate(template(`export function p(ctx: Xdp): i32 {\n  let acc: u64 = 0;\n${defs}\n  return acc as i32;\n}`));
    expect(r.diagnostics).toEqual([]);
  });
});
