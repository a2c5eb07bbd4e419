// Copies and addresses at compile time: struct assignment copies bytes in the widest aligned
// chunks, copy(dst, src, n) checks its sizes, addr() gives helpers a field's address; and
// misuse with a near miss each.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { layoutStruct, scalarFieldType, arrayFieldType } from "../../runtime/struct/layout.js";
import { u8, u32, u64 } from "../../runtime/types.js";
import { describeDiagnostics, template, type SlotSpec } from "./helpers.js";

const PAIR = layoutStruct("pair", [["lo", scalarFieldType(u64)], ["hi", scalarFieldType(u32)]]);
const OTHER = layoutStruct("other", [["x", scalarFieldType(u32)]]);
const REC = layoutStruct("rec", [["a", PAIR], ["raw", arrayFieldType(scalarFieldType(u8), 4)]]);
const SLOTS: Record<string, SlotSpec> = {
  recs: { map: { kind: "array", key: "u32", value: "u8", valueStruct: REC, maxEntries: 1 } },
  Pair: PAIR, Other: OTHER,
};

const wrap = (body: string) => `
export function f(ctx: Xdp): i32 {
  const r = \${recs}.lookup(0);
  if (!r) return 0;
  let p: \${Pair};
  let o: \${Other};
${body}
  return 0;
}
`;

function diag(body: string): string[] {
  const src = template(wrap(body), SLOTS);
  return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

describe("copies and addresses", () => {
  test("a 16-byte struct assignment is two 8-byte stores (and no narrower ones)", () => {
    const r = compileTemplate(template(wrap("  r.a = p;"), SLOTS));
    expect(r.diagnostics).toEqual([]);
    const listing = disassemble(r.elf!);
    // p was just zeroed, so store-to-load forwarding stores the zeros without reading p back.
    expect(listing.match(/\*\(u64 \*\)\(r\d \+ (0|8)\) = (r\d|0)\n/g)?.length).toBe(2);
    expect(listing).not.toMatch(/\*\(u(8|16|32) \*\)\(r\d \+/);
  });

  test("near miss: a struct the program filled is read back in the same 8-byte chunks", () => {
    const r = compileTemplate(template(wrap("  p.lo = ktime_get_ns();\n  p.hi = get_prandom_u32();\n  r.a = p;"), SLOTS));
    expect(r.diagnostics).toEqual([]);
    const listing = disassemble(r.elf!);
    // The second call forgets what the stack held: both halves come back as 8-byte loads.
    expect(listing.match(/= \*\(u64 \*\)\(r10 - \d+\)/g)?.length).toBe(2);
    expect(listing.match(/\*\(u64 \*\)\(r\d \+ (0|8)\) = r\d/g)?.length).toBe(2);
  });

  test("another struct type is WBPF1009; the same type is fine", () => {
    expect(diag("  r.a = o;")[0]).toMatch(/^WBPF1009 .*cannot assign other to a struct pair/);
    expect(diag("  p = r.a;")).toEqual([]);
  });

  test("copy past either object is WBPF1008; a non-constant size is WBPF1003; within bounds is fine", () => {
    expect(diag("  copy(r.raw, addr(r.a.lo), 9);")[0]).toMatch(/^WBPF1008 .*'copy' of 9 bytes does not fit: the destination has 4 and the source 8 bytes/);
    expect(diag("  let n: u32 = 2;\n  copy(r.raw, addr(r.a.lo), n);")[0]).toMatch(/^WBPF1003 .*compile-time constant/);
    expect(diag("  copy(r.raw, addr(r.a.lo), 4);")).toEqual([]);
  });

  test("addr of a local is WBPF1003 (locals live in registers); addr of a field is fine", () => {
    expect(diag("  let x: u64 = 1;\n  get_current_comm(addr(x));")[0]).toMatch(/^WBPF1003 .*have no address/);
    expect(diag("  get_current_comm(addr(p.lo));")).toEqual([]);
  });
});
