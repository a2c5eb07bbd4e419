// Diagnostics: stable codes at exact host line/column, helpful messages, and no throwing
// on bad input.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { DIAGNOSTICS } from "../../transformer/diagnostics.js";
import { COUNT_OPENS_SLOTS, describeDiagnostics, hashMap, lineCol, template, type SlotSpec } from "./helpers.js";

function diags(body: string, slots: Record<string, SlotSpec> = {}) {
  const src = template(body, slots);
  const r = compileTemplate(src);
  expect(r.elf).toBeUndefined();
  return { src, r, list: describeDiagnostics(src, r.diagnostics) };
}

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}`;
const xdp = (body: string) => `export function p(ctx: Xdp): i32 {\n${body}\n}`;

describe("WBPF2001 map key type", () => {
  test("a u64 key for a u32-keyed map points at the argument", () => {
    const body = `export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
  \${counts}.increment(get_current_pid_tgid());
  return 0;
}`;
    const { src, r, list } = diags(body, COUNT_OPENS_SLOTS);
    expect(list).toEqual(['WBPF2001 2:23 "get_current_pid_tgid()"']);
    const d = r.diagnostics[0]!;
    expect(d.severity).toBe("error");
    expect(d.message).toBe("key of type u64 does not fit map 'counts' whose key is u32; cast with `as u32` if the value fits");
    expect(lineCol(src.hostText, d.start)).toEqual({ line: 2, col: 23 });
  });

  test("related information points at the map declaration", () => {
    const src = template(tp("${m}.update(-1, 1); return 0;"), {
      m: { kind: "map", name: "m", map: { kind: "hash", key: "u32", value: "u64", maxEntries: 8 }, declaredAt: { fileName: "host.ts", start: 100, length: 5 } },
    });
    const d = compileTemplate(src).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["WBPF2001"]);
    expect(d[0]!.message).toContain("key -1 does not fit map 'm' whose key is u32");
    expect(d[0]!.related).toEqual([{ fileName: "host.ts", start: 100, length: 5, message: "map 'm' is declared here" }]);
  });

  test("widening and fitting literals are accepted; sign change is not", () => {
    const ok = compileTemplate(template(tp("const a: u8 = 3; ${m}.increment(a); ${m}.increment(7); return 0;"), { m: hashMap("u32", "u64") }));
    expect(ok.diagnostics).toEqual([]);
    const { list } = diags(tp("const a: i32 = 3;\n${m}.increment(a); return 0;"), { m: hashMap("u32", "u64") });
    expect(list).toEqual(['WBPF2001 3:16 "a"']);
  });
});

describe("other codes", () => {
  const m = { m: hashMap("u32", "u64") };
  test.each([
    ["WBPF1001", tp("const pid = 1;\nreturn pdi;"), 'WBPF1001 3:8 "pdi"', "did you mean 'pid'?"],
    ["WBPF1001", tp("return get_current_pid_tgd() as i32;"), 'WBPF1001 2:8 "get_current_pid_tgd"', "did you mean 'get_current_pid_tgid'?"],
    ["WBPF1002", tp("do {} while (1);\nreturn 0;"), 'WBPF1002 2:1 "do {} while (1);"', "do...while"],
    ["WBPF1002", tp("export const x: u32 = 1;\nreturn 0;"), 'WBPF1002 2:1 "export"', "not supported on local variables"],
    ["WBPF1002", tp("let x!: u32;\nreturn 0;"), 'WBPF1002 2:5 "x!: u32"', "definite assignment"],
    ["WBPF1002", "export function p(ctx?: Xdp): i32 { return 0; }", 'WBPF1002 1:19 "ctx?: Xdp"', "plain `name: Type`"],
    ["WBPF1002", "export function p(...ctx: Xdp): i32 { return 0; }", 'WBPF1002 1:19 "...ctx: Xdp"', "plain `name: Type`"],
    ["WBPF1003", tp("const a: u32 = 1;\nconst b: i32 = 2;\nreturn (a + b) as i32;"), 'WBPF1003 4:11 "+"', "differ in signedness"],
    ["WBPF1003", tp("const a: u64 = 1;\nconst b: u32 = a;\nreturn 0;"), 'WBPF1003 3:16 "a"', "cast with `as u32`"],
    ["WBPF1004", "export function p(ctx: Xpd): i32 { return 0; }", 'WBPF1004 1:24 "Xpd"', "did you mean 'Xdp'?"],
    ["WBPF1004", xdp("return ctx.dta as i32;"), 'WBPF1004 2:12 "dta"', "did you mean 'data'?"],
    ["WBPF1005", tp("const x = redirect(1, 0);\nreturn 0;"), 'WBPF1005 2:11 "redirect"', "not available to tracepoint programs (only xdp, sched_cls)"],
    ["WBPF1006", tp("return ktime_get_ns(1) as i32;"), 'WBPF1006 2:8 "ktime_get_ns(1)"', "takes 0 arguments"],
    ["WBPF1007", tp("const p = ${m}.lookup(1);\np[0] += 1;\nreturn 0;"), 'WBPF1007 3:1 "p"', "may be null"],
    // One unchecked pointer, one message: at its first use, not at every use.
    ["WBPF1007", tp("const p = ${m}.lookup(1);\np[0] += 1;\np[0] += 2;\nreturn 0;"), 'WBPF1007 3:1 "p"', "may be null"],
    ["WBPF1008", tp("const x: u8 = 300;\nreturn 0;"), 'WBPF1008 2:15 "300"', "constant 300 does not fit u8 (0 to 255)"],
    ["WBPF1009", tp("const x: u8 = 3;\nx = 4;\nreturn 0;"), 'WBPF1009 3:1 "x"', "declare it with `let`"],
    ["WBPF1010", tp("let x = 1;\nlet x = 2;\nreturn 0;"), 'WBPF1010 3:5 "x"', "already declared"],
    ["WBPF1011", tp("const x = 1;"), 'WBPF1011 3:1 "}"', "add `return 0;`"],
    // One mistake, one message: a return that does not parse is no missing return (WBPF1011).
    ["WBPF1002", tp("return (get_current_pid_tgid() ** 2) as i32;"), 'WBPF1002 2:32 "**"', "the '**' operator is not supported"],
    ["WBPF1002", `function sq(x: u32): u32 {\n  return x ** 2;\n}\n${tp("return sq(3) as i32;")}`, 'WBPF1002 2:12 "**"', "the '**' operator is not supported"],
    // A declaration that does not parse still declares its names: their uses add nothing.
    ["WBPF1002", tp("const a = [1, 2];\nreturn a[0];"), 'WBPF1002 2:11 "[1, 2]"', "array literals are not supported"],
    ["WBPF1002", tp("const { pid } = ctx;\nreturn pid;"), 'WBPF1002 2:7 "{ pid }"', "destructuring is not supported"],
    ["WBPF1002", tp("let s = 0;\nfor (let i: u32[] = 0; i < 3; i++) { s += 1; }\nreturn s as i32;"), 'WBPF1002 3:13 "u32[]"', "the type 'u32[]' is not supported"],
    ["WBPF1012", "function p(ctx: Xdp): i32 { return 0; }", 'WBPF1012 1:10 "p"', "not exported"],
    ["WBPF2003", xdp("${a}.delete(1);\nreturn XDP_PASS;"), 'WBPF2003 2:6 "delete"', "array entries always exist"],
    ["WBPF2002", tp("${m}.update(1, -5);\nreturn 0;"), 'WBPF2002 2:16 "-5"', "value -5 does not fit map 'm' whose value is u64"],
  ])("%s: %s", (code, body, where, fragment) => {
    const { r, list } = diags(body, { ...m, a: { map: { kind: "array", key: "u32", value: "u64", maxEntries: 4 } } });
    expect(list).toEqual([where]);
    expect(r.diagnostics[0]!.code).toBe(code);
    expect(r.diagnostics[0]!.message).toContain(fragment);
  });

  test("syntax errors are WBPF1000", () => {
    const { list } = diags(tp("return (1;"));
    expect(list[0]).toMatch(/^WBPF1000 2:/);
  });

  test("unresolved interpolations report their reason", () => {
    const { r, list } = diags(tp("return ${x};"), { x: { kind: "unresolved", reason: "not a constant" } });
    expect(list).toEqual(['WBPF1013 2:8 "$0__"']);
    expect(r.diagnostics[0]!.message).toContain("not a constant");
  });

  test("an unchecked pointer is reported once per function: the same name in another program is its own mistake", () => {
    const body = (name: string) => `export function ${name}(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n  const p = \${m}.lookup(1);\n  p[0] += 1;\n  p[0] += 2;\n  return 0;\n}`;
    const { list } = diags(`${body("a")}\n${body("b")}`, { m: hashMap("u32", "u64") });
    expect(list).toEqual(['WBPF1007 3:3 "p"', 'WBPF1007 9:3 "p"']);
  });

  test("host offsets add the template start", () => {
    const src = template(tp("return nope;"));
    const shifted = { ...src, hostText: "const t = bpf`" + src.text + "`;", start: 14 };
    const d = compileTemplate(shifted).diagnostics[0]!;
    expect(shifted.hostText.slice(d.start, d.start + d.length)).toBe("nope");
  });
});

describe("robustness", () => {
  test("every code has a title and help text", () => {
    for (const [code, info] of Object.entries(DIAGNOSTICS)) {
      expect(code).toMatch(/^WBPF\d{4}$/);
      expect(info.title.length).toBeGreaterThan(3);
      expect(info.help.length).toBeGreaterThan(10);
    }
  });

  test("bad templates end in diagnostics, never exceptions", () => {
    const bad = [
      "", "}", "export", "export function", "export function p() {}", "export function p(ctx) { return 0; }",
      "export function p(ctx: Xdp, y: u32): i32 { return 0; }", "const x = 1;", "class A {}",
      xdp("return ctx;"), xdp("return ctx.data;"), xdp("return load_u8(ctx.data, ctx.ingress_ifindex);"),
      xdp("const d = ctx.data; return load_u8(d, -1);"), xdp("return 1 / 0;"), xdp("const x: u32 = 1; return (x << 40) as i32;"),
      xdp("return ntohs(70000);"), xdp("let p = null; return 0;"), xdp("return ${m};"), xdp("${m}.nope(1); return 0;"),
      xdp("${m}.lookup(); return 0;"), xdp("const x = ${m}.increment(1); return 0;"), xdp("return 'a';"), xdp("return 1.5;"),
      xdp("const x: number = 1; return 0;"), xdp("const {a} = ctx; return 0;"), xdp("ctx.data = 1; return 0;"),
      xdp("const p = ${m}.lookup(1); if (p) { return p; } return 0;"), xdp("return (true + 1) as i32;"),
      xdp("x++; return 0;"), xdp("return ctx.data > 5 ? 1 : 2;"), tp("return ctx.filename;"),
    ];
    for (const body of bad) {
      const src = template(body, { m: hashMap("u32", "u64") });
      const r = compileTemplate(src);
      expect(r.elf).toBeUndefined();
      expect(r.diagnostics.length).toBeGreaterThan(0);
      for (const d of r.diagnostics) {
        expect(d.code in DIAGNOSTICS).toBe(true);
        expect(d.start).toBeGreaterThanOrEqual(0);
        expect(d.start + d.length).toBeLessThanOrEqual(src.hostText.length);
      }
    }
  });
});
