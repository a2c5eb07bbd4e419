// WBPF3001 names what uses the stack: each stack struct and copied key or value with its
// line and bytes, largest first; a near miss (one struct fewer) compiles.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { arrayFieldType, layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u64 } from "../../runtime/types.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

const BIG = layoutStruct("big", [["vals", arrayFieldType(scalarFieldType(u64), 40)]]);
const SLOTS: Record<string, SlotSpec> = {
  Big: BIG,
  rb: { map: { kind: "ringbuf", key: "u32", value: "u32", maxEntries: 4096 } },
};

const program = (structs: number) => `
export function p(ctx: Xdp): i32 {
${Array.from({ length: structs }, (_, i) => `  let s${i}: \${Big};\n  s${i}.vals[0] = ${i};\n  \${rb}.output(s${i});`).join("\n")}
  return XDP_PASS;
}
`;

function diag(body: string): string[] {
  const src = template(body, SLOTS);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("WBPF3001 lists the stack's users", () => {
  test("two 320-byte structs: both named with their lines and sizes", () => {
    const d = diag(program(2));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^WBPF3001 .*needs \d+ bytes of stack; the kernel allows 512\. Stack used by `s0: [^`]+` \(line 3\): 320 bytes; `s1: [^`]+` \(line 6\): 320 bytes\. Use fewer/);
  });

  test("near miss: one struct fits", () => {
    expect(diag(program(1))).toEqual([]);
  });
});
