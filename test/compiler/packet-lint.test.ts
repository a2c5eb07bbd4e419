// WBPF1016: packet reads need a bound the verifier can see. Triggers (no check, too short a
// check, a check on the other branch, a read before the check) and near misses (early exit,
// if-branch, &&, ?:, a pointer advanced by a constant, a variable offset left to the verifier),
// each near miss also loaded and run in the kernel (test/interop/packet-lint.test.ts).
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { describeDiagnostics, template } from "./helpers.js";
import { NEAR_MISSES, XDP } from "./packet-cases.js";


function diag(body: string): string[] {
  const src = template(XDP(body));
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}


describe("WBPF1016 packet reads without a bound", () => {
  test("a read with no check names the bytes and the check to add", () => {
    const d = diag("  return load_u32(d, 26) as i32;");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^WBPF1016 .*"load_u32\(d, 26\)" this 4-byte packet read \(bytes 26 to 29 after d\) has no bound.*`if \(d \+ 30 > ctx.data_end\) return \.\.\.;`/);
  });

  test("a check too short, a check on the other branch, a read before the check", () => {
    expect(diag("  if (d + 14 > end) return XDP_PASS;\n  return load_u8(d, 23) as i32;")[0]).toMatch(/^WBPF1016 .*only 14 bytes are checked on this path/);
    expect(diag("  if (d + 4 > end) return load_u8(d, 0) as i32;\n  return XDP_PASS;")[0]).toMatch(/^WBPF1016 /);
    expect(diag("  const x = load_u8(d, 0);\n  if (d + 4 > end) return XDP_PASS;\n  return x as i32;")[0]).toMatch(/^WBPF1016 /);
  });

  test.each(NEAR_MISSES)("near miss: %s", (_name, body) => {
    expect(diag(body)).toEqual([]);
  });

  test("a pointer advanced by a variable is bounded on its own", () => {
    expect(diag("  if (d + 1 > end) return XDP_PASS;\n  const p = d + (load_u8(d, 0) & 15);\n  if (p + 4 > end) return XDP_PASS;\n  return load_u32(p, 0) as i32;")).toEqual([]);
    expect(diag("  if (d + 1 > end) return XDP_PASS;\n  const p = d + (load_u8(d, 0) & 15);\n  return load_u32(p, 0) as i32;")[0]).toMatch(/^WBPF1016 .*after p/);
  });
});
