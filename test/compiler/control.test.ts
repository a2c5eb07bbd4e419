// Control flow: ?:, switch, bounded for/while loops with break/continue, and the
// diagnostics about them (each with a trigger and a near miss). Kernel runs of the same
// constructs are in test/interop/control.test.ts.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { verify } from "../../transformer/ir/verify.js";
import { predecessors } from "../../transformer/ir/ir.js";
import { describeDiagnostics, template, toIr } from "./helpers.js";

const xdp = (body: string) => `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 16 > ctx.data_end) return -1;
  const a = load_u32(d, 0);
  let b = load_u32(d, 4);
${body}
}`;

function compile(src: string): { insns: number; listing: string } {
  const r = compileTemplate(template(src));
  if (r.diagnostics.length) throw new Error(describeDiagnostics(template(src), r.diagnostics).join("\n") + "\n" + r.diagnostics.map((d) => d.message).join("\n"));
  return { insns: r.programs[0]!.insnCount, listing: disassemble(r.elf!) };
}

function diags(src: string): string[] {
  const t = template(src);
  return describeDiagnostics(t, compileTemplate(t).diagnostics);
}

function messages(src: string): string {
  return compileTemplate(template(src)).diagnostics.map((d) => d.message).join("\n");
}

/** Jumps with a negative offset: real loops in the listing. */
const backJumps = (listing: string) => (listing.match(/goto -\d+/g) ?? []).length;

describe("?:", () => {
  test("picks an arm, unifies types, and literal arms adapt to the target type", () => {
    // clang -O2 spends 15 instruction slots on the same C (r0 = -1 ll preloaded, both
    // differences computed); each arm here computes its own difference where it is needed
    // and only the arm whose result is not in r0 copies it there.
    const tern = compile(xdp("return (a > b ? a - b : b - a) as i32;"));
    expect(tern.insns).toBeLessThanOrEqual(15);
    expect((tern.listing.match(/\tr0 = r\d/g) ?? []).length).toBeLessThanOrEqual(1);
    compile(xdp("const x: u8 = a > 3 ? 1 : 200;\nreturn x as i32;"));
    compile(xdp("let y = a > 3 ? 1 : 2;\ny = y + 1;\nreturn y as i32;"));
    compile(xdp("return (a > 3 ? (b > 2 ? 1 : 2) : 3);"));
  });

  test("as a condition and with null-check narrowing in each arm", () => {
    compile(xdp("if (a > 3 ? b > 1 : b < 9) return 1;\nreturn 0;"));
    const src = `export function p(ctx: Xdp): i32 {
  const v = \${m}.lookup(1);
  return (v ? v[0] : 7) as i32;
}`;
    const r = compileTemplate(template(src, { m: { map: { kind: "array", key: "u32", value: "u32", maxEntries: 4 } } }));
    expect(r.diagnostics).toEqual([]);
  });

  test("a constant test picks its arm at compile time", () => {
    expect(compile(xdp("return 1 > 2 ? a as i32 : 5;")).listing).not.toMatch(/w0 = \*\(u32/);
  });

  test("arms of different kinds are WBPF1003; a bool and an integer too", () => {
    expect(diags(xdp("return (a > 1 ? a : a > 2) as i32;"))).toEqual(['WBPF1003 6:9 "a > 1 ? a : a > 2"']);
    expect(messages(xdp("const s: i32 = 1;\nreturn (a > 1 ? a : s) as i32;"))).toContain("differ in signedness");
  });
});

describe("switch", () => {
  const sw = xdp(`switch (a & 15) {
  case 0: return 10;
  case 1: case 2: case 3: return 20;
  case 5: b += 1;
  case 6: return b as i32;
  case 9: break;
  default: return 30;
}
return 40;`);

  test("ranges of cases sharing a body become one unsigned test; fallthrough works", () => {
    const { listing } = compile(sw);
    expect(listing).toMatch(/w\d -= 1/);
    expect(listing).toMatch(/if w\d <= 2 goto/);
  });

  test("dense switches dispatch through a tree: log2(n) tests, not n", () => {
    const cases = Array.from({ length: 32 }, (_, i) => `case ${i * 3}: return ${i + 100};`).join("\n");
    const { listing, insns } = compile(xdp(`switch (a) {\n${cases}\n}\nreturn 0;`));
    // 32 returns of constants (2 insns each, shared when equal) plus the dispatch.
    expect(insns).toBeLessThan(32 * 2 + 32 * 2 + 12);
    expect(listing).toMatch(/if w\d < 48 goto/);
  });

  test("case values must be distinct constants of the switch type", () => {
    expect(diags(xdp("switch (a) { case 1: break; case 1: break; }\nreturn 0;"))).toEqual(['WBPF1031 6:34 "1"']);
    expect(diags(xdp("switch (a) { case b: break; }\nreturn 0;"))).toEqual(['WBPF1031 6:19 "b"']);
    expect(diags(xdp("switch (load_u8(d, 0)) { case 300: break; }\nreturn 0;"))).toEqual(['WBPF1008 6:31 "300"']);
    expect(diags(xdp("switch (a) { default: break; default: break; }\nreturn 0;"))).toEqual(['WBPF1031 6:30 "default: break;"']);
    // Near miss: named and interpolated constants are fine.
    const ok = compileTemplate(template(xdp("const K = 4;\nswitch (a) { case K: return 1; case ${N}: return 2; }\nreturn 0;"), { N: { kind: "int", value: 9n } }));
    expect(ok.diagnostics).toEqual([]);
  });

  test("a switch whose every path returns needs no return after it", () => {
    compile(`export function p(ctx: Xdp): i32 {
  switch (ctx.rx_queue_index) { case 0: return 1; default: return 2; }
}`);
    expect(diags(`export function p(ctx: Xdp): i32 {
  switch (ctx.rx_queue_index) { case 0: return 1; case 1: break; default: return 2; }
}`)).toEqual(['WBPF1011 3:1 "}"']);
  });
});

describe("loops", () => {
  test("small loops with an exact count are unrolled: no back edge", () => {
    const { listing, insns } = compile(xdp("let s: u32 = 0;\nfor (let i: u32 = 0; i < 4; i++) s += a >> i;\nreturn s as i32;"));
    expect(backJumps(listing)).toBe(0);
    expect(insns).toBeLessThanOrEqual(22);
  });

  test("larger loops stay real loops, rotated to one test per iteration", () => {
    const { listing } = compile(xdp("let s: u32 = 0;\nfor (let i: u32 = 0; i < 100; i++) s += a >> (i & 31);\nreturn s as i32;"));
    expect(backJumps(listing)).toBe(1);
  });

  test("the log2 histogram pattern compiles small", () => {
    const form1 = compile(`export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return -1;
  const v = load_u64(d, 0);
  let slot: u32 = 0;
  for (let i: u32 = 1; i < 64; i++) if ((v >> i) != 0) slot = i;
  return slot as i32;
}`);
    expect(form1.insns).toBeLessThanOrEqual(18);
    const form2 = compile(xdp("let v = a;\nlet slot: u32 = 0;\nwhile (v > 1) { v >>= 1; slot++; }\nreturn slot as i32;"));
    expect(form2.insns).toBeLessThanOrEqual(20);
    expect(backJumps(form2.listing)).toBe(1);
  });

  test("break and continue, nested loops, switch inside a loop, early returns", () => {
    compile(xdp(`let acc: u32 = 0;
for (let i: u32 = 0; i < 8; i++) {
  if (i == b) continue;
  for (let j: u32 = 0; j < 20; j += 3) {
    switch ((a >> (i + j)) & 3) {
      case 0: continue;
      case 1: acc += j; break;
      case 2: return 99;
      default: acc += 1;
    }
    if (acc > 40) break;
  }
}
return acc as i32;`));
  });

  test("while with the step as a body statement; unknown unsigned starts are bounded by the limit", () => {
    compile(xdp("let i = a & 7;\nlet n: u32 = 0;\nwhile (i < 8) { n += i; i++; }\nreturn n as i32;"));
    compile(xdp("let n: u32 = 0;\nfor (let i: i32 = 31; i >= 0; i -= 2) if (((a >> (i as u32)) & 1) != 0) n++;\nreturn n as i32;"));
  });

  test("loops build real back edges in the IR, and every pass keeps it valid", () => {
    const fn = toIr(xdp("let s: u32 = 0;\nfor (let i: u32 = 0; i < 50; i++) { if (i == a) break; s += i; }\nreturn s as i32;"));
    verify(fn, "test");
    const order = new Map(fn.blocks.map((b, n) => [b.id, n]));
    const preds = predecessors(fn);
    const header = fn.blocks.find((b) => b.phis.length > 0 && preds.get(b.id)!.some((p) => order.get(p)! >= order.get(b.id)!));
    expect(header).toBeDefined();
  });
});

describe("WBPF1030 loop without a provable bound", () => {
  test.each([
    ["no condition", "for (;;) { break; }\nreturn 0;", "no condition"],
    ["condition on a non-constant", "for (let i: u32 = 0; i < b; i++) {}\nreturn 0;", "does not compare a counter with a constant"],
    ["counter never changes", "let i: u32 = 0;\nwhile (i < 10) { b++; }\nreturn 0;", "never changes"],
    ["counter written twice", "for (let i: u32 = 0; i < 10; i++) { i++; }\nreturn 0;", "more than once"],
    ["conditional step", "let i: u32 = 0;\nwhile (i < 10) { if (a > 1) i++; }\nreturn 0;", "only on some paths"],
    ["continue skips the step", "let i: u32 = 0;\nwhile (i < 10) { if (a > i) continue; i++; }\nreturn 0;", "`continue` skips"],
    ["wrong direction", "for (let i: u32 = 0; i < 10; i--) {}\nreturn 0;", "moves down"],
    ["wraps around", "for (let i: u8 = 0; i <= 255; i++) {}\nreturn 0;", "wrap around"],
    ["signed counter of unknown start", "let i = a as i32;\nwhile (i < 8) { i++; }\nreturn 0;", "may start anywhere"],
    ["!= that is never met", "for (let i: u32 = 0; i != 9; i += 2) {}\nreturn 0;", "never equals 9"],
    ["non-constant step", "for (let i: u32 = 0; i < 9; i += b) {}\nreturn 0;", "step by a constant"],
    ["while (true)", "while (true) { break; }\nreturn 0;", "does not compare"],
  ])("%s", (_name, body, fragment) => {
    const list = diags(xdp(body));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^WBPF1030/);
    expect(messages(xdp(body))).toContain(fragment);
  });

  test.each([
    ["constant limit", "for (let i: u32 = 0; i < 10; i++) {}\nreturn 0;"],
    ["limit on the left, counting down", "for (let i: i32 = 9; 0 <= i; i--) {}\nreturn 0;"],
    ["bound in one && conjunct", "for (let i: u32 = 0; i < 10 && i != b; i++) {}\nreturn 0;"],
    ["!= reached exactly", "for (let i: u32 = 0; i != 10; i += 2) {}\nreturn 0;"],
    ["u8 up to 254", "for (let i: u8 = 0; i <= 254; i++) {}\nreturn 0;"],
    ["shift to zero", "let v = a;\nwhile (v != 0) { v >>= 2; }\nreturn 0;"],
    ["continue in a for runs the update", "for (let i: u32 = 0; i < 10; i++) { if (a > i) continue; b++; }\nreturn 0;"],
  ])("near miss: %s", (_name, body) => {
    expect(diags(xdp(body))).toEqual([]);
  });

  test("WBPF3002: a provable loop too long for the verifier", () => {
    expect(diags(xdp("for (let i: u32 = 0; i < 1000000; i++) {}\nreturn 0;"))).toEqual(['WBPF3002 6:22 "i < 1000000"']);
    expect(diags(xdp("for (let i: u32 = 0; i < 100000; i++) {}\nreturn 0;"))).toEqual([]);
  });
});

describe("misplaced control flow and unsupported loops", () => {
  test("break/continue outside their statements are WBPF1031", () => {
    expect(diags(xdp("break;\nreturn 0;"))).toEqual(['WBPF1031 6:1 "break;"']);
    expect(diags(xdp("switch (a) { case 1: continue; }\nreturn 0;"))).toEqual(['WBPF1031 6:22 "continue;"']);
    // Near miss: continue in a switch inside a loop targets the loop.
    expect(diags(xdp("for (let i: u32 = 0; i < 3; i++) switch (a) { case 1: continue; }\nreturn 0;"))).toEqual([]);
  });

  test("do...while and labels say what to write instead", () => {
    expect(messages(xdp("do { a++; } while (a < 3);\nreturn 0;"))).toContain("write a `for (let i = 0; i < N; i++)` loop");
    expect(diags(xdp("outer: for (let i: u32 = 0; i < 3; i++) {}\nreturn 0;"))).toEqual(['WBPF1002 6:1 "outer"']);
    expect(messages(xdp("outer: for (let i: u32 = 0; i < 3; i++) {}\nreturn 0;"))).toContain("set a flag");
  });
});
