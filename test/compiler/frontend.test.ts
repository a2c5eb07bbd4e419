// Front end: what the language accepts, how types flow, and what lowering produces.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { printFn } from "../../transformer/ir/print.js";
import { describeDiagnostics, hashMap, template, toIr } from "./helpers.js";

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}`;
const xdp = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n}`;

function ok(body: string, slots = {}) {
  const src = template(body, slots);
  const r = compileTemplate(src);
  expect(describeDiagnostics(src, r.diagnostics)).toEqual([]);
  expect(r.elf).toBeInstanceOf(Uint8Array);
  return r;
}

describe("programs and sections", () => {
  test("ctx type decides the section", () => {
    const r = ok(`${tp("return 0;")}\nexport function q(ctx: Xdp): i32 { return XDP_DROP; }`);
    expect(r.programs).toEqual([
      { name: "p", section: "tracepoint/syscalls/sys_enter_openat", insnCount: 2 },
      { name: "q", section: "xdp", insnCount: 2 },
    ]);
  });

  test("return type may be omitted", () => {
    ok("export function p(ctx: Xdp) { return XDP_PASS; }");
  });
});

describe("expressions", () => {
  test("constants fold, including untyped arithmetic and casts", () => {
    const fn = toIr(xdp("const k = 6 * 7;\nconst x: u8 = (k + 300) as u8;\nreturn x + 1;"));
    expect(printFn(fn)).toContain("ret 87"); // (342 mod 256) + 1
  });

  test("u32 arithmetic uses 32-bit ops; u64 uses 64-bit ops", () => {
    const fn = toIr(xdp("const a = ctx.ingress_ifindex;\nconst b: u64 = (a * 3) as u64;\nreturn (b >> 1n) as i32;"));
    const text = printFn(fn);
    expect(text).toContain("mul.32");
    expect(text).toContain("lshr.64");
  });

  test("signed comparisons and shifts follow the type", () => {
    const text = printFn(toIr(xdp("const a = ctx.rx_queue_index as i32;\nif (a < -1) return 1;\nreturn (a >> 2) as i32;")));
    expect(text).toContain("br slt.32");
    expect(text).toContain("ashr.32");
  });

  test("ntohs(x) == C compares x with bswap(C), no swap instruction", () => {
    const text = printFn(toIr(xdp("const d = ctx.data;\nif (d + 14 > ctx.data_end) return XDP_PASS;\nif (ntohs(load_u16(d, 12)) == 0x86dd) return XDP_DROP;\nreturn XDP_PASS;")));
    expect(text).not.toContain("bswap");
    expect(text).toContain(`${0xdd86}`);
  });

  test("load offsets fold through pointer arithmetic", () => {
    const text = printFn(toIr(xdp("const d = ctx.data;\nif (d + 34 > ctx.data_end) return 0;\nreturn load_u8(d + 14, 9) as i32;")));
    expect(text).toContain("[size 1, off 23]");
  });

  test("&&, || and ! short-circuit into branches", () => {
    const text = printFn(toIr(xdp("const a = ctx.ingress_ifindex;\nif (a > 3 && !(a == 7 || a == 9)) return 1;\nreturn 2;")));
    expect(text.match(/br /g)?.length).toBe(3);
  });

  test("comparisons as values become 0/1", () => {
    const r = ok(xdp("const a = ctx.ingress_ifindex;\nconst b: bool = a > 3;\nreturn b as i32;"));
    expect(r.programs[0]!.insnCount).toBeLessThan(10);
  });

  test("let, assignment, compound assignment, ++ and if/else merge through phis", () => {
    const text = printFn(toIr(xdp("let x: u32 = ctx.ingress_ifindex;\nif (x > 5) { x += 2; } else { x = x * 4; }\nx++;\nreturn x as i32;"), {}));
    expect(text).toContain("phi");
  });

  test("signed division divides magnitudes and fixes the sign", () => {
    const text = printFn(toIr(xdp("const a = ctx.ingress_ifindex as i32;\nreturn a / -3;")));
    expect(text).toContain("udiv.32");
  });
});

describe("maps and null checks", () => {
  const m = { m: hashMap("u32", "u64") };
  test("lookup then p[0] after a null check", () => {
    ok(tp("const p = ${m}.lookup(1);\nif (p !== null) p[0] += 1;\nreturn 0;"), m);
    ok(tp("const p = ${m}.lookup(1);\nif (p) { p[0] = p[0] * 2; }\nreturn 0;"), m);
    ok(tp("const p = ${m}.lookup(1);\nif (!p) return 0;\np[0]++;\nreturn 0;"), m);
    ok(tp("const p = ${m}.lookup(1);\nif (p == null) { return 1; } else { p[0] = 5; }\nreturn 0;"), m);
    ok(tp("const p = ${m}.lookup(1);\nif (p && p[0] > 5) return 1;\nreturn 0;"), m);
  });

  test("update, delete and increment with a step", () => {
    const r = ok(tp("const k: u32 = 7;\n${m}.update(k, 10);\n${m}.update(k, 11, BPF_EXIST);\n${m}.delete(k);\n${m}.increment(k, 5);\nreturn 0;"), m);
    expect(r.maps).toEqual(["m"]);
  });

  test("narrowing does not survive reassignment", () => {
    const src = template(tp("let p = ${m}.lookup(1);\nif (p) { p = ${m}.lookup(2); p[0] = 1; }\nreturn 0;"), m);
    expect(describeDiagnostics(src, compileTemplate(src).diagnostics)).toEqual(['WBPF1007 3:30 "p"']);
  });
});
