/**
 * The TypeScript-free template parser against the TypeScript-based one (parse.ts): whenever
 * parseAccepted returns a tree, parse.ts must report nothing and build the same tree, spans
 * and absent optional fields included; on the repository's own templates it must accept
 * everything parse.ts accepts.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import { DiagnosticSink } from "../../transformer/diagnostics.js";
import type { ParseResult } from "../../transformer/frontend/ast.js";
import { parseTemplate } from "../../transformer/frontend/parse.js";
import { tokenize } from "../../transformer/frontend/template-lexer.js";
import { parseAccepted } from "../../transformer/frontend/template-parser.js";
import { templateCorpus } from "../helpers/bpf-template-corpus.js";
import { mulberry32 } from "../helpers/prng.js";
import { randomTemplates } from "../helpers/random-template.js";
import { BIN_OPS, batchProgram, literal, operand, TYPES } from "../interop/semantics-lib.js";
import { GOLDEN } from "./golden-programs.js";
import { template } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** parse.ts's verdict: its tree when it reports no diagnostic. */
function reference(text: string): ParseResult | undefined {
  const sink = new DiagnosticSink(0);
  const r = parseTemplate(text, sink);
  return sink.list.length === 0 ? r : undefined;
}

interface Verdict {
  /** parse.ts reports no diagnostic. */
  readonly valid: boolean;
  /** The fast parser returned a tree. */
  readonly accepted: boolean;
  /** Why the fast parser is wrong (it accepted what parse.ts rejects, or built another tree). */
  readonly wrong?: string;
}

function verdict(text: string): Verdict {
  const fast = parseAccepted(text);
  const ref = reference(text);
  const valid = ref !== undefined;
  if (fast === undefined) return { valid, accepted: false };
  if (!valid) return { valid, accepted: true, wrong: "accepted a template parse.ts reports diagnostics for" };
  if (isDeepStrictEqual(fast, ref)) return { valid, accepted: true };
  try {
    expect(fast).toStrictEqual(ref);
  } catch (e) {
    return { valid, accepted: true, wrong: (e as Error).message.slice(0, 1500) };
  }
  return { valid, accepted: true, wrong: "trees differ" };
}

/**
 * Verdicts on `count` generated texts, made in order by `make`: the disagreements (each shown
 * as `shown`, by default the text quoted), and how many were valid and accepted.
 */
function tally(count: number, make: (n: number) => { text: string; shown?: string }): { wrong: string[]; valid: number; accepted: number } {
  const wrong: string[] = [];
  let valid = 0;
  let accepted = 0;
  for (let n = 0; n < count; n++) {
    const { text, shown = JSON.stringify(text) } = make(n);
    const v = verdict(text);
    if (v.wrong) wrong.push(`${shown}\n${v.wrong}`);
    if (v.valid) valid++;
    if (v.accepted) accepted++;
  }
  return { wrong, valid, accepted };
}

/** A mismatch description, or undefined when the fast parser is right (or declines). */
const disagreement = (text: string): string | undefined => verdict(text).wrong;

const program = (body: string): string => `export function p(ctx: Xdp): i32 {\n${body}\n}`;

describe("template parser: the repository's templates", () => {
  const corpus = templateCorpus(ROOT);
  // The generated corpora: the golden programs and the semantic batch programs.
  const generated = [
    ...GOLDEN.map((g) => template(g.source, Object.fromEntries(Object.keys(g.slots ?? {}).map((k) => [k, { kind: "unresolved", reason: "" }]))).text),
    ...BIN_OPS.flatMap((op) => TYPES.map((t) => batchProgram(`b_${t}`, (k) => `${operand(t, k, 0)} ${op} ${operand(t, k, 1)}`, 4))),
    batchProgram("lit", (k) => `${literal(BigInt(k) - 2n)} * ${literal(-5n)} + 0x${k.toString(16)}`, 8),
  ];

  it("accepts every bpf template parse.ts accepts, with the same tree", () => {
    const tagged = corpus.filter((c) => c.tagged);
    expect(tagged.length).toBeGreaterThan(120);
    const wrong: string[] = [];
    const declined: string[] = [];
    let clean = 0;
    for (const c of tagged) {
      const v = verdict(c.text);
      if (v.wrong) wrong.push(`${c.where}: ${v.wrong}`);
      if (!v.valid) continue;
      clean++;
      if (!v.accepted) declined.push(c.where);
    }
    expect(wrong).toEqual([]);
    expect(declined).toEqual([]);
    expect(clean).toBeGreaterThan(100);
  });

  it("agrees on every template-like literal in test/ (compiler tests, near misses, diagnostics)", () => {
    const others = corpus.filter((c) => !c.tagged);
    expect(others.length).toBeGreaterThan(200);
    const wrong: string[] = [];
    let clean = 0;
    let accepted = 0;
    for (const c of others) {
      const v = verdict(c.text);
      if (v.wrong) wrong.push(`${c.where}: ${v.wrong}`);
      if (v.valid) clean++;
      if (v.accepted) accepted++;
    }
    expect(wrong).toEqual([]);
    // Declining is allowed here (these include texts the fast path leaves to TypeScript on
    // purpose), but nearly all valid ones must be taken.
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(clean * 0.97));
  });

  it("agrees on the generated programs (golden listings, semantic batches)", () => {
    for (const text of generated) {
      expect(disagreement(text)).toBeUndefined();
      if (!parseAccepted(text)) expect(text).toBe("accepted");
    }
  });

  it("never accepts a mutated template parse.ts rejects, nor builds a different tree", () => {
    const rnd = mulberry32(0x7e3a11);
    const bases = corpus.filter((c) => c.tagged).map((c) => c.text).slice(0, 120);
    const pieces = [";", "}", "{", "(", ")", ",", "\n", "<", ">", ":", "=", "=>", "?", "as u32", "/*", "*/", "//", "\"", "'", "`", "!", ".", "[", "]", "++", "return", "let", "1.5", "0x", "@inline", "/** @noinline */"];
    const wrong: string[] = [];
    for (let n = 0; n < 1500; n++) {
      const base = bases[Math.floor(rnd() * bases.length)]!;
      const at = Math.floor(rnd() * base.length);
      const mode = Math.floor(rnd() * 3);
      const piece = pieces[Math.floor(rnd() * pieces.length)]!;
      const text = mode === 0 ? base.slice(0, at) + base.slice(at + 1 + Math.floor(rnd() * 4))
        : mode === 1 ? base.slice(0, at) + piece + base.slice(at)
        : base.slice(0, at) + piece + base.slice(at + piece.length);
      const d = disagreement(text);
      if (d) wrong.push(`${JSON.stringify(text)}\n${d}`);
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});

describe("template parser: layout", () => {
  it("agrees when the corpus is laid out anew: line breaks, comments, JSDoc between any tokens, semicolons dropped", () => {
    const rnd = mulberry32(0x1a40);
    const bases = templateCorpus(ROOT).filter((c) => c.tagged && parseAccepted(c.text)).map((c) => c.text);
    const seps = [" ", "\n", "\t", "/* c */", "/*\n*/", "// c\n", "\r\n", "", "\n/** @inline */\n", " /** @noinline */ "];
    const { wrong, valid, accepted } = tally(600, () => {
      const tokens = tokenize(bases[Math.floor(rnd() * bases.length)]!).filter((t) => t.kind !== "eof");
      const density = rnd() * 0.5;
      let text = "";
      tokens.forEach((t, i) => {
        if (t.text === ";" && rnd() < 0.3) { text += "\n"; return; }
        text += t.text;
        const glued = /[\w$]$/.test(t.text) && /^[\w$]/.test(tokens[i + 1]?.text ?? "");
        text += rnd() < density ? seps[Math.floor(rnd() * seps.length)]! : "";
        if (glued) text += " ";
      });
      return { text };
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(accepted).toBeGreaterThan(valid * 0.95);
  });
});

describe("template parser: random templates", () => {
  it("agrees on templates generated from the grammar (every construct, random layout)", () => {
    const next = randomTemplates(0x9a11);
    const { wrong, valid, accepted } = tally(700, () => ({ text: next() }));
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(valid).toBeGreaterThan(300);
    // Declined on purpose: `c ? (a) : b` (TypeScript tries `(a): b` as an arrow head) and `a < b ... >` shapes.
    expect(accepted).toBeGreaterThan(valid * 0.9);
  });
});

describe("template parser: JSDoc", () => {
  it("reads @inline/@noinline as TypeScript attaches and parses JSDoc, or declines", () => {
    const rnd = mulberry32(0x15d0c);
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const pieces = ["@inline", "@noinline", "@param x", "@returns", "@deprecated", "text", "a@b", " ", "\n * ", "\n", "*", "@", "{", "[", "`", "@see", "@inline-x", "@inline2", "\t", "@example", " @inline", "**", "/", "\r\n *"];
    const before = ["", "\n", "const A = 1; ", "const A = 1;\n", "// c\n", "/* x */ ", "/** @inline */\n", "enum E { A }\n"];
    const { wrong, accepted } = tally(3000, () => {
      let body = "";
      for (let k = Math.floor(rnd() * 6); k >= 0; k--) body += pick(pieces);
      return { text: `${pick(before)}${pick(["/**", "/***", "/*"])}${body}*/${pick([" ", "\n", "\n// c\n", " /** @noinline */ "])}function h() {}\nexport function p(ctx: Xdp): i32 { return 0 }` };
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(accepted).toBeGreaterThan(1200);
  });
});

describe("template parser: targeted cases", () => {
  const agree = (text: string): void => {
    expect(reference(text)).toBeDefined();
    const fast = parseAccepted(text);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(reference(text));
  };

  it.each([
    ["no semicolons", "let a: u32 = 1\nconst b = 2\nexport function p(ctx: Xdp): i32 {\n  let x = a + b\n  x += 1\n  return x as i32\n}"],
    ["return then a line break returns nothing", "function f(): void {\n  return\n  1\n}\nexport function p(ctx: Xdp): i32 { f(); return 0 }"],
    ["break and continue without semicolons", program("for (let i = 0; i < 4; i++) {\n  if (i == 1) continue\n  if (i == 2) break\n}\nreturn 0")],
    ["statement continues over a line break into a call", program("let x = f\n(1)\nreturn x")],
    ["let with its name on the next line", program("let\n  a = 1\nlet // c\n b: u32\nreturn a")],
    ["postfix ++ after a line break starts a new statement", program("let a = 1\nlet b = 2\na\n++b\nreturn b")],
    ["semicolon before }", program("{ let a = 1; a++ }\nreturn 0")],
    ["empty statements", program(";;\nif (1) ; else ;\nreturn 0;;")],
    ["comments everywhere", "// head\n/* block */ export /* a */ function /* b */ p /* c */ (/* d */ ctx /* e */ : /* f */ Xdp /* g */) /* h */ : /* i */ i32 /* j */ {\n  // line\n  return /* k */ 0 /* l */ ; // tail\n} // end"],
    ["multi-line comment gives a line break", program("let a = 1 /*\n*/ let b = 2\nreturn a + b")],
    ["CRLF line endings", "export function p(ctx: Xdp): i32 {\r\n  let a = 1\r\n  return a\r\n}\r\n"],
    ["tabs and form feeds", "export\tfunction\tp(ctx:\tXdp):\ti32\t{\f\treturn\t0\t}"],
    ["unicode in comments and strings", program("// héllo wörld ✓ 🎉\n/* ✓ */ printk(\"é✓ %d 🎉\\n\", 1)\nreturn 0")],
    ["string escapes", program(String.raw`printk('\n\t\r\b\f\v\0 \x41\u0042\u{1F600} \' \" \\ \a', 1); printk("a'b"); return 0`)],
    ["template literal without substitutions", program("printk(`line\none \\` \\$ $x {y}`)\nreturn 0")],
    ["number forms", program("let a = 0x1F + 0XaB + 0o17 + 0O7 + 0b101 + 0B1 + 1_000_000 + 0xff_ff + 0;\nlet b = 123n + 0xffn + 0b1n + 0o7n + 1_0n;\nreturn 0")],
    ["true false null", program("let a = true; let b = false; let c = null; return 0")],
    ["casts", program("let a = x as u32; let b = y as KernelStruct<\"task_struct\">; let c = z as boolean; let d = (a + b) as u64 + 1;\nreturn a as u32 > b ? 1 : 2")],
    ["cast followed by a conditional", program("return c as bool ? x : y")],
    ["object literal for a typed declaration", program("let e: T = { a: 1, b, c: { d: x + 2, e }, f: g(h), };\nconst z: T = {}\nreturn 0")],
    ["parenthesized object literal", program("let e: T = ({ a: 1 }); return 0")],
    ["object literals as arguments and untyped values", program("m.update(k, { a: 1, b });\nconst v = m.lookup({ s: x.y, p: 6 });\nconst o = { a: 1 };\nreturn ({ q: 2 }).q")],
    ["members, methods, elements, calls", program("const v = m.lookup(k); v.a.b[c.d]; f(a, b,); x.y(1).z(2); return q[1][2].z")],
    ["assignment forms", program("a = b = c; a += 1; a -= 1; a *= 2; a /= 2; a %= 2; a &= 1; a |= 1; a ^= 1; a <<= 1; a >>= 1; a >>>= 1; (a) = 2; a.b = 1; a[0] = 1; return 0")],
    ["prefix and postfix", program("let a = -b + +c - -d + ~e + !f; ++a; --a; a++; a--; ++a.b; a[1]++; -a++; !--a; return 0")],
    ["ternaries nest right", program("return a ? b : c ? d : e ? f : g")],
    ["control flow", program("while (a) a--\nfor (;;) break\nfor (a = 0, b = 1; a < 10; a++, b--) {}\nfor (const x = 1, y = 2; ; ) { continue }\nif (a) if (b) c(); else d(); else { e() }\nswitch (a) { case 1: case 2: b(); break; default: { c() } case 3: }\nswitch (a) {}\nreturn 0")],
    ["declarations in an if arm become a block", program("if (a) let x = 1, y = 2\nif (b) const z = 3\nreturn 0")],
    ["globals", "const A = 1, B: u32 = 2\nlet c: u64\nlet d: KernelStruct<\"task_struct\"> = null\nexport function p(ctx: Xdp): i32 { return A }"],
    ["kfuncs", "declare function bpf_task_acquire(p: KernelStruct<\"task_struct\">): KernelStruct<\"task_struct\">;\ndeclare function k2(a: u32, b: boolean): void\ndeclare function k3()\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["helpers with JSDoc", "/** @inline */\nfunction a(x: u32): u32 { return x }\n/**\n * Adds.\n * @noinline\n */\nfunction b(x: u32, y: u32,): u32 { return x + y }\n/** @inline */ /** @noinline */\nfunction c(): void {}\n/** plain doc */\nfunction d() {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc @param, @returns, @deprecated beside @noinline", "/**\n * Adds.\n * @param x the x\n * @returns the sum\n * @deprecated\n * @noinline\n */\nfunction a(x: u32): u32 { return x }\n/** @param y\n * @inline */ function b(y: u32) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc on the line before does not count", "const A = 1; /** @inline */ function a(): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc first in the file", "/** @inline */ function a(): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return a() }"],
    ["leading comments do not move spans", "\n\n  /* x */ // y\n  /** doc */\n  export function p(ctx: Tracepoint<\"syscalls/sys_enter_openat\", \"x\">): i32 {\n    /* c */ return /* d */ ( /* e */ a /* f */ + /* g */ b /* h */ ) /* i */ ; /* j */\n  }"],
    ["enums", "enum E { A, B, C = A | B, D = 7, F, }\nconst enum G { X = E.D + 1, Y = X * 2 }\nexport function p(ctx: Xdp): i32 { return E.C + G.Y + (E).A + E.A.x + E.B(1) }"],
    ["placeholders", program("$0_____.increment($1___);\nconst v = $2__.lookup(1);\nreturn $3 as i32")],
    ["keywords as member names", program("m.delete(k); m.if.return.default; return a.get(1) + a.set")],
    ["a lone < before >> or >= is a comparison", program("return i < n >> 1 || i < n >= 2 || f(a < b >>> c)")],
    ["relational chains without type arguments", program("return a < b && c > d || (a << 2) > 1 || (x < y) ? 1 : (a < b) == (c > d)")],
    ["member name on the next line", program("let a = b.\nc;\nreturn b.\n  d")],
    ["const without an initializer", "const R: u32;\nconst S: u64\nexport function p(ctx: Xdp): i32 { return R }"],
    ["member access on hex and bigint literals, literal statements", program("let a = 0x1F.x + 1n.y + 0b1.z;\ntrue; null\nfalse\nreturn 0")],
    ["bare words TypeScript treats as names", program("let of = 1; let get = of; let set = get; return undefined")],
  ])("%s", (_name, text) => agree(text));

  it("agrees on generated expressions: every operator, precedence and associativity", () => {
    const rnd = mulberry32(0x51ed);
    const ops = [...new Set([...BIN_OPS, "===", "!==", "&&", "||", "<<", ">>>"])];
    const leaf = (): string => ["a", "b.c", "d[1]", "f(x)", "7", "0x10n", "true", "m.g(1, 2)", "(e)"][Math.floor(rnd() * 9)]!;
    const gen = (depth: number): string => {
      if (depth === 0) return leaf();
      switch (Math.floor(rnd() * 7)) {
        case 0: return `-${gen(depth - 1)}`;
        case 1: return `!${gen(depth - 1)}`;
        case 2: return `(${gen(depth - 1)})`;
        case 3: return `${gen(depth - 1)} as u32`;
        case 4: return `${gen(depth - 1)} ? ${gen(depth - 1)} : ${gen(depth - 1)}`;
        default: return `${gen(depth - 1)} ${ops[Math.floor(rnd() * ops.length)]} ${gen(depth - 1)}`;
      }
    };
    const { wrong, accepted } = tally(600, (n) => {
      const text = program(`x = ${gen(1 + (n % 4))};\nreturn 0`);
      return { text, shown: text };
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    // Only `a < ... >` shapes that might be type arguments are left to TypeScript.
    expect(accepted).toBeGreaterThan(450);
  });

  it("agrees on random chains of comparisons, shifts, calls and brackets (where `<...>` may be type arguments)", () => {
    const rnd = mulberry32(0xa9e1);
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const atoms = ["a", "b", "1", "f(x)", "m.n", "(c)", "u32", "\"s\"", "null"];
    const ops = ["<", ">", ">>", ">=", "<=", "<<", ">>>", "+", "-", "&&", "|", "&", "==", "?", ":", ",", "(", ")", "[", "]", "!", "as u32", "\n", "<<=", ">>=", "=", ".x"];
    const { wrong, valid, accepted } = tally(6000, () => {
      let e = pick(atoms);
      for (let k = Math.floor(rnd() * 7); k >= 0; k--) e += ` ${pick(ops)}${rnd() < 0.3 ? "" : " "}${pick(atoms)}`;
      return { text: program(`x = ${e};\nreturn 0`), shown: JSON.stringify(e) };
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(accepted).toBeGreaterThan(valid * 0.9);
  });
});

describe("template parser: left to TypeScript", () => {
  it.each([
    ["empty template", ""],
    ["only a comment", "// nothing"],
    ["syntax error", program("let a = ;")],
    ["missing semicolon on one line", program("let a = 1 let b = 2")],
    ["unterminated string", program("printk(\"abc)")],
    ["unterminated comment", program("/* never closed")],
    ["unterminated template", program("printk(`abc)")],
    ["float", program("return 1.5")],
    ["exponent", program("return 1e3")],
    ["legacy octal", program("return 017")],
    ["bad separator", program("return 1__0")],
    ["var", program("var a = 1; return a")],
    ["destructuring", program("const { a } = b; return 0")],
    ["array destructuring", program("const [a] = b; return 0")],
    ["optional chaining", program("return a?.b")],
    ["optional call", program("return f?.(1)")],
    ["non-null assertion", program("return a!")],
    ["type assertion", program("return <u32>a")],
    ["arrow function", program("const f = (x) => x; return 0")],
    ["arrow without parens", program("const f = x => x; return 0")],
    ["function expression", program("const f = function () { return 1 }; return 0")],
    ["using declaration", program("using a = b; return 0")],
    ["definite assignment", program("let a!: u32; return 0")],
    ["spread argument", program("f(...a); return 0")],
    ["export inside a function", program("export const x: u32 = 1; return 0")],
    ["statement-level enum", program("enum E { A } return 0")],
    ["object literal with a computed key", program("let e: T = { [a]: 1 }; return 0")],
    ["parenthesized object literal before a block (an arrow head to TypeScript)", program("return ({ })\n{ }")],
    ["object literal with a string key", program("let e: T = { 'a': 1 }; return 0")],
    ["object literal with a spread", program("let e: T = { ...a }; return 0")],
    ["object literal with a method", program("let e: T = { a() { return 1 } }; return 0")],
    ["object literal with a default", program("let e: T = { a = 1 }; return 0")],
    ["array literal", program("const o = [1, 2]; return 0")],
    ["new", program("const o = new X(); return 0")],
    ["regex-ish", program("const r = /ab+c/; return 0")],
    ["for of", program("for (const x of xs) {} return 0")],
    ["for in", program("for (const x in xs) {} return 0")],
    ["do while", program("do { a++ } while (a < 3); return 0")],
    ["label", program("outer: for (;;) { break outer } return 0")],
    ["labeled break", program("for (;;) { break outer } return 0")],
    ["try", program("try { a() } catch (e) {} return 0")],
    ["throw", program("throw 1")],
    ["typeof", program("return typeof a")],
    ["delete", program("delete a.b; return 0")],
    ["void", program("void a(); return 0")],
    ["await", program("await a(); return 0")],
    ["comma operator", program("a(), b(); return 0")],
    ["exponent operator", program("return a ** 2")],
    ["nullish", program("return a ?? b")],
    ["in", program("return a in b")],
    ["instanceof", program("return a instanceof b")],
    ["satisfies", program("return a satisfies u32")],
    ["template with substitution", program("printk(`${a}`); return 0")],
    ["generic call", program("return f<u32>(a)")],
    ["possible type arguments", program("return a < b > (c)")],
    ["call of a call", program("return f(1)(2)")],
    ["call of a member", program("return (a.b)(1)")],
    ["class", "class A {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["nested function", program("function g() {} return 0")],
    ["top-level statement", "a();\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["top-level empty statement", "export function p(ctx: Xdp): i32 { return 0 };"],
    ["exported const", "export const A = 1\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["two program parameters", "export function p(ctx: Xdp, b: u32): i32 { return 0 }"],
    ["no program parameter", "export function p(): i32 { return 0 }"],
    ["untyped context", "export function p(ctx): i32 { return 0 }"],
    ["number context type", "export function p(ctx: number): i32 { return 0 }"],
    ["non-string context argument", "export function p(ctx: Tracepoint<u32>): i32 { return 0 }"],
    ["async program", "export async function p(ctx: Xdp): i32 { return 0 }"],
    ["default export", "export default function p(ctx: Xdp): i32 { return 0 }"],
    ["program returning void", "export function p(ctx: Xdp): void { }"],
    ["six helper parameters", "function f(a: u8, b: u8, c: u8, d: u8, e: u8, g: u8) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["untyped helper parameter", "function f(a) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["optional parameter", "function f(a?: u32) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["default parameter", "function f(a: u32 = 1) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["helper without body", "function f(a: u32): u32\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["generic helper", "function f<T>(a: T) {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["number type", program("let a: number = 1; return 0")],
    ["union type", program("let a: u32 | u64 = 1; return 0")],
    ["array type", program("let a: u32[] = 1; return 0")],
    ["qualified type", program("let a: A.B = 1; return 0")],
    ["generic type", program("let a: Foo<\"x\"> = 1; return 0")],
    ["KernelStruct without a string", program("let a: KernelStruct<u32> = 1; return 0")],
    ["string enum", "enum E { A = \"a\" }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["exported enum", "export enum E { A }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["computed enum member", "enum E { [\"a\"] = 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["kfunc with a body", "declare function k(a: u32): u32 {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["kfunc with six parameters", "declare function k(a: u8, b: u8, c: u8, d: u8, e: u8, g: u8);\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["decorator", "@x function f() {}\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["line continuation in a string", program("printk(\"a\\\nb\"); return 0")],
    ["octal escape", program("printk(\"\\1\"); return 0")],
    ["bad hex escape", program("printk(\"\\xZZ\"); return 0")],
    ["possible arrow head", program("let a = (b)\n{ }\nreturn 0")],
    ["JSDoc with a link", "/** {@link x} @inline */\nfunction a(): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc @param with a type", "/** @param {u32} x the x @inline */\nfunction a(x: u32): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc optional @param", "/** @param [x] the x\n * @inline */\nfunction a(x: u32): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc @see", "/** @see a\n * @inline */\nfunction a(x: u32): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["JSDoc @ inside text", "/** mail me@x.org @inline */\nfunction a(x: u32): u32 { return 1 }\nexport function p(ctx: Xdp): i32 { return 0 }"],
    ["non-ASCII name", program("let café = 1; return 0")],
    ["unicode escape in a name", program("let \\u0061 = 1; return 0")],
    ["member name on the next line before a name (TypeScript: unfinished typing)", program("return task.\nflags as i32")],
  ])("%s", (_name, text) => {
    expect(parseAccepted(text)).toBeUndefined();
  });
});

describe("template parser: no TypeScript", () => {
  it("imports nothing from typescript", () => {
    for (const file of ["template-parser.ts", "template-expr.ts", "template-cursor.ts", "template-lexer.ts", "template-jsdoc.ts"]) {
      const src = readFileSync(path.join(ROOT, "transformer/frontend", file), "utf8");
      expect(src).not.toMatch(/typescript"|require\(/);
      const from = [...src.matchAll(/^import\b[^;]*?from "([^"]+)";/gms)].map((m) => m[1]);
      // Only its siblings and the shared diagnostics types.
      for (const f of from) expect(f).toMatch(/^\.\/(ast|template-[a-z]+)\.js$|^\.\.\/diagnostics\.js$/);
    }
  });
});
