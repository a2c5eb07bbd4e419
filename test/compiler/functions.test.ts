// Functions: non-exported functions are inlined or emitted once in .text as BPF-to-BPF
// subprograms (R_BPF_64_32 calls, static FUNC BTF); diagnostics for misuse.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { R_BPF_64_32, STB, STT } from "../../transformer/elf/format.js";
import { readElf } from "../../transformer/elf/reader.js";
import { SHARED, describeDiagnostics, template } from "./helpers.js";


describe("functions", () => {
  test("a @noinline function is one .text subprogram called from both programs", () => {
    const r = compileTemplate(template(SHARED));
    expect(describeDiagnostics(template(SHARED), r.diagnostics)).toEqual([]);
    const elf = readElf(r.elf!);
    const text = elf.sections.find((s) => s.name === ".text")!;
    expect(text).toBeDefined();
    const mix = elf.symbols.find((s) => s.name === "mix")!;
    expect([mix.bind, mix.type, mix.section, mix.value]).toEqual([STB.LOCAL, STT.FUNC, text.index, 0]);
    expect(elf.symbols.some((s) => s.name === "twice")).toBe(false); // inlined
    const xdp = elf.sections.find((s) => s.name === "xdp")!;
    const rels = elf.relocs.get(xdp.index)!.filter((r) => r.type === R_BPF_64_32);
    expect(rels.map((r) => elf.symbols[r.symbol]!.name)).toEqual(["mix", "mix"]);
    expect(disassemble(r.elf!)).toMatch(/mix \(section \.text, \d+ insns\):/);
  });
});

function diag(body: string): string[] {
  const src = template(body);
  const r = compileTemplate(src);
  return r.diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
}

const prog = (body: string, type = "Xdp") => `export function p(ctx: ${type}): i32 {\n${body}\n}`;

describe("inlining decisions", () => {
  const fnsIn = (body: string) => readElf(compileTemplate(template(body)).elf!).symbols.filter((s) => s.type === STT.FUNC).map((s) => s.name);

  test("small functions are inlined even when called twice", () => {
    expect(fnsIn(`function inc(x: u32): u32 { return x + 1; }\n${prog("return (inc(1) + inc(2)) as i32;")}`)).toEqual(["p"]);
  });

  test("a function called once is inlined whatever its size; @noinline keeps it out of line", () => {
    const big = (tag: string) => `${tag}\nfunction f(x: u32): u32 {\n${Array.from({ length: 30 }, (_, i) => `  x = (x ^ ${i + 1}) * 3;`).join("\n")}\n  return x;\n}\n`;
    expect(fnsIn(big("") + prog("return f(1) as i32;"))).toEqual(["p"]);
    expect(fnsIn(big("/** @noinline */") + prog("return f(1) as i32;"))).toEqual(["f", "p"]);
    // Big and called from two places: out of line, unless @inline.
    expect(fnsIn(big("") + prog("return (f(1) + f(2)) as i32;"))).toEqual(["f", "p"]);
    expect(fnsIn(big("/** @inline */") + prog("return (f(1) + f(2)) as i32;"))).toEqual(["p"]);
  });

  test("void functions, early returns and nested calls inline correctly", () => {
    const r = compileTemplate(template(`
function clamp(x: u32, hi: u32): u32 {
  if (x > hi) return hi;
  return x;
}
function touch(m: u32): void {
  if (m == 0) return;
  ktime_get_ns();
}
${prog("touch(1);\nreturn clamp(clamp(ctx.ingress_ifindex, 9), 5) as i32;")}`));
    expect(r.diagnostics).toEqual([]);
  });

  test("functions not reached from any program are not emitted", () => {
    expect(fnsIn(`/** @noinline */\nfunction unused(x: u32): u32 { return x; }\n${prog("return 0;")}`)).toEqual(["p"]);
  });
});

describe("function diagnostics (trigger and near miss)", () => {
  test("recursion is WBPF1002", () => {
    expect(diag(`function f(x: u32): u32 { return g(x); }\nfunction g(x: u32): u32 { return f(x); }\n${prog("return f(1) as i32;")}`)).toEqual([
      'WBPF1002 2:34 "f" recursive call (f -> g -> f); BPF programs cannot recurse: rewrite it as a bounded loop',
    ]);
    expect(diag(`function f(x: u32): u32 { return g(x); }\nfunction g(x: u32): u32 { return x; }\n${prog("return f(1) as i32;")}`)).toEqual([]);
  });

  test("calling a program is WBPF1002", () => {
    expect(diag(`export function q(ctx: Xdp): i32 { return 1; }\n${prog("return q(1);")}`)[0]).toMatch(/^WBPF1002 3:8 "q" 'q' is a program/);
  });

  test("arguments: count (WBPF1006) and types (WBPF1003)", () => {
    const f = "function f(a: u32, b: u8): u32 { return a + b; }\n";
    expect(diag(f + prog("return f(1) as i32;"))[0]).toMatch(/^WBPF1006 3:8 "f\(1\)" 'f' takes 2 arguments, got 1/);
    expect(diag(f + prog("const x: u64 = 1;\nreturn f(x, 2) as i32;"))[0]).toMatch(/^WBPF1003 4:10 "x" parameter 'a' of 'f' is u32; a value of type u64/);
    expect(diag(f + prog("const x: u16 = 1;\nreturn f(x, 2) as i32;"))).toEqual([]);
  });

  test("a helper the calling program's type may not use is WBPF1005 at the helper, naming the program", () => {
    const f = "function go(i: u32): i64 { return redirect(i, 0); }\n";
    expect(diag(f + prog("return go(1) as i32;", 'Tracepoint<"syscalls/sys_enter_openat">'))).toEqual([
      `WBPF1005 1:35 "redirect" helper 'redirect' (in function 'go') is not available to tracepoint programs such as 'p' (only xdp, sched_cls); the kernel's verifier would reject it`,
    ]);
    expect(diag(f + prog("return go(1) as i32;"))).toEqual([]);
  });

  test("returns: missing value (WBPF1011), value in a void function and use of a void result (WBPF1003)", () => {
    expect(diag(`function f(x: u32): u32 {\n  if (x > 1) return 1;\n}\n${prog("return f(1) as i32;")}`)[0]).toMatch(/^WBPF1011 3:1 "}" function 'f' can reach its end without returning a u32/);
    expect(diag(`function f(x: u32): void { return x; }\n${prog("f(1);\nreturn 0;")}`)[0]).toMatch(/^WBPF1003 1:35 "x" this function returns void/);
    expect(diag(`function f(x: u32) { }\n${prog("const y = f(1);\nreturn 0;")}`)[0]).toMatch(/^WBPF1003 3:11 "f\(1\)" this expression has no value/);
    expect(diag(`function f(x: u32) { }\n${prog("f(1);\nreturn 0;")}`)).toEqual([]);
  });

  test("names: duplicates (WBPF1010) and non-exported functions taking a context (WBPF1012)", () => {
    expect(diag(`function f(): u32 { return 1; }\nfunction f(): u32 { return 2; }\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1010 2:10 "f" 'f' is declared twice/);
    expect(diag(`function p(): u32 { return 1; }\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1010 1:10 "p"/);
    expect(diag(`function q(ctx: Xdp): i32 { return 0; }\n${prog("return 0;")}`)[0]).toMatch(/^WBPF1012 1:10 "q" 'q' takes a context \(Xdp\)/);
  });

  test("stack across calls (WBPF3001) counts each frame rounded to 32 bytes", () => {
    // Distinct keys and values: slots holding equal constants would be shared.
    const updates = (n: number, from: number) => Array.from({ length: n }, (_, i) => `  \${m}.update(${from + i}, ${1000 + from + i});`).join("\n");
    const body = (own: number) => `/** @noinline */\nfunction fill(): void {\n${updates(20, 0)}\n}\nexport function p(ctx: Xdp): i32 {\n  fill();\n${updates(own, 100)}\n  return 0;\n}`;
    const slots = { m: { map: { kind: "hash" as const, key: "u64" as const, value: "u64" as const, maxEntries: 8 } } };
    const run = (own: number) => {
      const src = template(body(own), slots);
      return compileTemplate(src).diagnostics.map((d) => `${describeDiagnostics(src, [d])[0]} ${d.message}`);
    };
    expect(run(13)[0]).toMatch(/^WBPF3001 24:17 "p" program 'p' needs 544 bytes of stack through calls p -> fill \(each frame rounded up to 32 bytes\)/);
    expect(run(11)).toEqual([]);
  });
});
